"""Digests and the weekly briefing: their periods, due times and keys.

A subscription in daily or weekly digest mode gets its status changes and news as one digest
per period (daily at the delivery time; weekly on Mondays at the delivery time) instead of
one message each; empty periods send nothing. Date-based alerts are not held for the digest:
they are already once a day at most. A digest period is a day or a week; the oldest of the
last MAX_DIGEST_PERIODS starts at the subscription's creation only when that is more recent.
After downtime, the latest period is sent carrying the items of the missed ones
(bot/alerts/catchup.py).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any

from bot.alerts.alert import (
    DIGEST_DAILY,
    DIGEST_MODES,
    DIGEST_WEEKLY,
    KIND_BRIEFING,
    KIND_DIGEST,
    MAX_DIGEST_PERIODS,
    Alert,
    Row,
    Tracker,
    alert_key,
)
from bot.alerts.rules import delivery_time, realtime_items, target_of
from bot.clock import utc_iso
from bot.domain import today_in
from bot.settings import Settings


def digest_times(sub: Row, now: datetime, settings: Settings, count: int) -> list[datetime]:
    """The last `count` digest delivery times at or before `now`, newest first."""
    step = 1 if sub["digest"] == DIGEST_DAILY else 7
    day = today_in(settings.tz, now)
    if step == 7:
        day -= timedelta(days=day.weekday())  # Monday
    times: list[datetime] = []
    while len(times) < count:
        at = delivery_time(day, settings)
        if at <= now:
            times.append(at)
        day -= timedelta(days=step)
    return times


def next_digest_time(sub: Row, now: datetime, settings: Settings) -> datetime:
    step = 1 if sub["digest"] == DIGEST_DAILY else 7
    last = digest_times(sub, now, settings, 1)[0]
    return delivery_time(last.astimezone(settings.tz).date() + timedelta(days=step), settings)


def digest_periods(sub: Row, now: datetime, settings: Settings) -> list[tuple[datetime, datetime]]:
    """(end, start) of the last MAX_DIGEST_PERIODS digest periods after the subscription
    started, newest first; the oldest starts at the subscription's creation if that is later."""
    created = datetime.fromisoformat(sub["created_at"])
    times = [t for t in digest_times(sub, now, settings, MAX_DIGEST_PERIODS + 1) if t > created]
    if not times:
        return []  # no digest time since the subscription started
    starts = times[1:] if len(times) > MAX_DIGEST_PERIODS else [*times[1:], created]
    return list(zip(times[:MAX_DIGEST_PERIODS], starts, strict=True))


def digest_key(sub: Row, end: datetime, settings: Settings) -> str:
    """The key of `sub`'s digest for the period ending at `end`."""
    day = end.astimezone(settings.tz).date().isoformat()
    return alert_key(KIND_DIGEST, f"digest:{sub['digest']}", day, None, target_of(sub))


def digest_alerts(
    tracker: Tracker,
    sub: Row,
    now: datetime,
    settings: Settings,
    model_developer: Mapping[str, str] | None = None,
) -> Iterator[Alert]:
    """One digest per past period (after the subscription started) that has items in it."""
    items = sorted(realtime_items(tracker, sub, model_developer), key=lambda a: (a.due_at, a.key))
    if not items:
        return
    due = [a.due_at for a in items]
    for end, start in digest_periods(sub, now, settings):
        inside = items[bisect_left(due, start) : bisect_left(due, end)]
        if inside:
            day = end.astimezone(settings.tz).date()
            yield Alert(
                kind=KIND_DIGEST,
                subject_type="digest",
                subject_id=sub["digest"],
                subject_date=day.isoformat(),
                lead_days=None,
                due_at=end,
                title=f"{DIGEST_MODES[sub['digest']]}: {len(inside)} update(s)",
                facts={"mode": sub["digest"], "items": [_digest_entry(a) for a in inside]},
                target_type=sub["target_type"],
                target=sub["target"],
                subscription_id=sub["id"],
            )


def _digest_entry(alert: Alert) -> dict[str, Any]:
    return {
        "kind": alert.kind,
        "title": alert.title,
        "at": utc_iso(alert.due_at),
        "source": alert.facts.get("source"),
        "link": alert.facts.get("link"),
        "effective": alert.facts.get("effective"),
    }


def briefing_alert(sub: Row, now: datetime, settings: Settings) -> Alert | None:
    """The weekly briefing due last (Monday at the delivery time) for a subscription that takes
    one, or None. Only the latest week's: after downtime it is sent once, late; an older missed
    week is not sent (its successor says more). The week is in the key: one per week."""
    if not sub.get("briefing_since"):
        return None
    (due,) = digest_times({"digest": DIGEST_WEEKLY}, now, settings, 1)
    if due <= datetime.fromisoformat(sub["briefing_since"]):
        return None  # the first is the Monday after it was turned on
    monday = due.astimezone(settings.tz).date()
    year, week, _ = monday.isocalendar()
    return Alert(
        kind=KIND_BRIEFING,
        subject_type="briefing",
        subject_id=f"{year}-W{week:02d}",
        subject_date=monday.isoformat(),
        lead_days=None,
        due_at=due,
        title=f"Weekly briefing, week of {monday:%b} {monday.day}, {monday.year}",
        facts={"monday": monday.isoformat()},  # the content is added before it is claimed
        target_type=sub["target_type"],
        target=sub["target"],
        subscription_id=sub["id"],
    )
