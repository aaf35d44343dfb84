"""The reference planner: what is due now, computed plainly from the rules, alert by alert.

`plan_plainly` builds every alert due for every subscription (bot/alerts/rules.py,
bot/alerts/digests.py), keeps those the ledger lacks and hands them to catch-up
(bot/alerts/catchup.py). It reads the whole tracker and ignores sweep cursors: it is what the
sweep's planner (bot/alerts/fastplan.py) must plan, and the property test
(tests/bot/alerts/test_fastplan.py) checks that it does. `upcoming_alerts` (what a
subscription gets next, for /aireview alerts) is computed the same plain way.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from datetime import datetime

from bot.alerts.alert import DIGEST_REALTIME, Alert, AlertPlan, Row, Tracker
from bot.alerts.catchup import catch_up_group, plan_from_new, urgency
from bot.alerts.digests import briefing_alert, digest_alerts
from bot.alerts.rules import date_alerts, realtime_items, reminder_alert
from bot.domain import today_in
from bot.settings import Settings


def due_alerts(tracker: Tracker, sub: Row, now: datetime, settings: Settings) -> Iterator[Alert]:
    """Every alert due for `sub` by `now`, sent or not."""
    yield from (alert for alert in date_alerts(tracker, sub, now, settings) if alert.due_at <= now)
    if sub["digest"] == DIGEST_REALTIME:
        yield from realtime_items(tracker, sub)  # a recorded change is due at once
    else:
        yield from digest_alerts(tracker, sub, now, settings)
    briefing = briefing_alert(sub, now, settings)
    if briefing is not None:
        yield briefing


def plan_plainly(
    tracker: Tracker,
    subscriptions: Iterable[Row],
    ledger_keys: Collection[str],
    now: datetime,
    settings: Settings,
) -> AlertPlan:
    """What to send now and what to record as skipped: due, not in the ledger, catch-up applied."""
    subscriptions = list(subscriptions)
    due: dict[str, Alert] = {}
    for sub in subscriptions:
        for alert in due_alerts(tracker, sub, now, settings):
            due.setdefault(alert.key, alert)
    for reminder in tracker.reminders:
        if datetime.fromisoformat(reminder["remind_at"]) <= now:
            due.setdefault(reminder["key"], reminder_alert(reminder))
    new = [alert for key, alert in due.items() if key not in ledger_keys]
    return plan_from_new(new, set(due), subscriptions, tracker.mutes, now, settings)


def upcoming_alerts(
    tracker: Tracker, sub: Row, ledger_keys: set[str], now: datetime, settings: Settings, limit: int = 10
) -> list[Alert]:
    """The next `limit` date-based alerts `sub` will get, soonest first, at their delivery
    times; of alerts about one subject delivered at one time, only the most urgent."""
    future = [
        a for a in date_alerts(tracker, sub, now, settings) if a.due_at > now and a.key not in ledger_keys
    ]
    today = today_in(settings.tz, now)
    future.sort(key=lambda a: (a.due_at, urgency(a, today), a.key))
    seen: set[tuple[str | None, datetime]] = set()
    shown: list[Alert] = []
    for alert in future:
        slot = (catch_up_group(alert), alert.due_at)
        if slot not in seen:
            seen.add(slot)
            shown.append(alert)
    return shown[:limit]
