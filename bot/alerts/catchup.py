"""From the new alerts due now to a plan: catch-up, mutes and quiet hours.

Both planners (bot/alerts/reference.py and the sweep's bot/alerts/fastplan.py) end here, so
what they choose among the same new alerts is the same by construction.

Catch-up (several date-based alerts for one subject and target due at once, as after
downtime, or on one delivery day after a weekend shift): the most urgent is sent (overdue
first, then the nearest date, then the shortest lead), the others are recorded as skipped;
for digests the latest period is sent carrying the items of the missed ones. An alert about
a subject an admin muted for its target is recorded as skipped; an alert for a subscription
in its quiet time (weekend days, quiet hours) is held until it ends, unless it is urgent.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime
from operator import attrgetter
from typing import Any

from bot.alerts.alert import (
    DATE_KINDS,
    DIGEST_MODES,
    KIND_DIGEST,
    KIND_OVERDUE,
    SKIP_CATCH_UP,
    SKIP_DIGEST_CATCH_UP,
    SKIP_MUTED,
    SKIP_SAME_DAY,
    Alert,
    AlertPlan,
    Row,
    key_subject_and_target,
)
from bot.alerts.rules import breaks_through_quiet, quiet_until
from bot.alerts.snooze import muted_subject
from bot.domain import today_in
from bot.settings import Settings


def catch_up_group(alert: Alert) -> str | None:
    """What catch-up sends one alert of: the date alerts about one subject for one target (a
    deadline, a model, whatever its dates: a model's window opening and its release 30 days
    later say the same thing on the same day), or a target's digests. None: each is sent."""
    if alert.kind in DATE_KINDS:
        return f"{alert.subject_type}:{alert.subject_id}|{alert.target_type}:{alert.target}"
    if alert.kind == KIND_DIGEST:
        return f"{KIND_DIGEST}|{alert.target_type}:{alert.target}"
    return None


def urgency(alert: Alert, today: date) -> tuple[int, int, int]:
    """Most urgent first: overdue, then the nearest date, then the shortest lead."""
    days = (alert.day - today).days if alert.day else 0
    return (0 if alert.kind == KIND_OVERDUE else 1, days, alert.lead_days or 0)


def plan_from_new(
    new: list[Alert],
    valid: set[str],
    subscriptions: list[Row],
    mutes: list[dict[str, Any]],
    now: datetime,
    settings: Settings,
) -> AlertPlan:
    """The plan for the `new` alerts (due now, not in the ledger): catch-up, mutes, quiet hours.
    `valid`: every key due now that still applies (see AlertPlan)."""
    send, skip = catch_up(new, today_in(settings.tz, now))
    send.sort(key=attrgetter("key"))
    send.sort(key=attrgetter("due_at"))  # stable: by due time, then key
    plan = AlertPlan(send=send, skip=skip, valid=valid)
    return _hold_quiet(_apply_mutes(plan, mutes), subscriptions, now, settings)


def catch_up(new: list[Alert], today: date) -> tuple[list[Alert], list[tuple[Alert, str]]]:
    """One alert per catch-up group goes out, the others are skipped (module docstring)."""
    send: list[Alert] = []
    groups: dict[str, list[Alert]] = {}
    for alert in new:
        group = catch_up_group(alert)
        if group is None:
            send.append(alert)
        else:
            groups.setdefault(group, []).append(alert)
    skip: list[tuple[Alert, str]] = []
    days: dict[str | None, int] = {}  # subject date -> days from today: parsed once per date

    def rank(alert: Alert) -> tuple[int, int, int]:  # urgency(alert, today), the dates cached
        text = alert.subject_date
        away = days.get(text)
        if away is None:
            day = alert.day
            away = days[text] = (day - today).days if day else 0
        return (0 if alert.kind == KIND_OVERDUE else 1, away, alert.lead_days or 0)

    for members in groups.values():
        if len(members) == 1:  # most groups: straight out
            send.append(members[0])
        elif members[0].kind == KIND_DIGEST:
            send.append(_merged_digest(members))
            skip += [(alert, SKIP_DIGEST_CATCH_UP) for alert in members[:-1]]
        else:
            members.sort(key=rank)
            chosen = members[0]
            send.append(chosen)
            skip += [
                (alert, SKIP_SAME_DAY if alert.due_at == chosen.due_at else SKIP_CATCH_UP)
                for alert in members[1:]
            ]
    return send, skip


def _merged_digest(digests: list[Alert]) -> Alert:
    """The latest of a target's digests, carrying the missed periods' items (sorts `digests`)."""
    digests.sort(key=attrgetter("due_at"))
    latest = digests[-1]
    entries = [entry for digest in digests for entry in digest.facts["items"]]
    return replace(
        latest,
        facts={**latest.facts, "items": entries},
        title=f"{DIGEST_MODES[latest.facts['mode']]}: {len(entries)} update(s)",
    )


def _apply_mutes(plan: AlertPlan, mutes: list[dict[str, Any]]) -> AlertPlan:
    """Record as skipped the alerts about a subject muted for their target; a retry of one
    (a failed earlier delivery) no longer applies either."""
    if not mutes:
        return plan
    muted = {(m["target_type"], m["target"], m["subject_type"], m["subject_id"]) for m in mutes}
    send: list[Alert] = []
    for alert in plan.send:
        if (alert.target_type, alert.target, *muted_subject(alert)) in muted:
            plan.skip.append((alert, SKIP_MUTED))
        else:
            send.append(alert)
    plan.send = send
    subjects = {
        f"{subject_type}:{subject_id}|{target_type}:{target}"
        for target_type, target, subject_type, subject_id in muted
    }
    plan.valid = {key for key in plan.valid if key_subject_and_target(key) not in subjects}
    return plan


def _hold_quiet(plan: AlertPlan, subscriptions: list[Row], now: datetime, settings: Settings) -> AlertPlan:
    """Move the alerts of subscriptions in their quiet time from `send` to `hold`, all kinds
    but the urgent ones that break through (bot/alerts/rules.py)."""
    until = {sub["id"]: quiet_until(sub, now, settings) for sub in subscriptions}
    if not any(until.values()):
        return plan
    send: list[Alert] = []
    for alert in plan.send:
        end = until.get(alert.subscription_id)
        if end is not None and not breaks_through_quiet(alert):
            plan.hold.append((alert, end))
        else:
            send.append(alert)
    plan.send = send
    return plan


def superseded(alerts: Iterable[Alert], now: datetime, settings: Settings) -> set[str]:
    """Keys of date alerts that catch-up drops from one sweep's deliveries: of those about one
    subject for one target, only the most urgent goes out. The plan applies this to new
    alerts; the sweep applies it again with the claims and failures it retries, so a channel
    never gets two date alerts about one subject in one sweep."""
    today = today_in(settings.tz, now)
    best: dict[str, tuple[tuple[int, int, int], str]] = {}
    dropped: set[str] = set()
    for alert in alerts:
        if alert.kind not in DATE_KINDS:
            continue
        group = catch_up_group(alert)
        assert group is not None
        rank = (urgency(alert, today), alert.key)
        current = best.get(group)
        if current is None:
            best[group] = rank
        elif rank < current:
            dropped.add(current[1])
            best[group] = rank
        else:
            dropped.add(alert.key)
    return dropped
