"""Threads: later date alerts about a subject go under the first one the channel got.

A channel that heard "Deadline in 30 days" hears "in 14 days", "in 7 days"... as replies in
that message's thread instead of new top-level messages; the most urgent ones (1 day, the
day itself, overdue) are also shown in the channel (`reply_broadcast`). A subscription can
turn threads off. Where each alert goes is decided once, before its first delivery, and
kept in the ledger (`thread_ts`, '' for top level), so a retry after a crash looks for
its earlier post in the same place.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping
from typing import Any

from sqlite_utils import Database

from bot.alerts.alert import DATE_KINDS, KIND_OVERDUE, Alert
from bot.alerts.delivery import Job
from bot.alerts.sending import Thread
from storage import alerts as ledger

TOP_LEVEL = ""
_UNPLACED = (TOP_LEVEL, False)


def is_urgent(alert: Alert) -> bool:
    """1 day before, on the day, or overdue: also broadcast to the channel."""
    return alert.kind == KIND_OVERDUE or (alert.lead_days is not None and alert.lead_days <= 1)


def threads_on(sub: Mapping[str, Any] | None) -> bool:
    return sub is None or bool(sub.get("threads", 1))


def choose_threads(
    db: Database,
    alerts: Iterable[Alert],
    subscriptions: Iterable[Mapping[str, Any]],
    decided: Mapping[str, tuple[str, bool]] | None = None,
) -> dict[str, tuple[str, bool]]:
    """Where each Slack date alert among `alerts` goes: key -> (parent ts, '' for top level;
    broadcast). A choice in `decided` (made before an earlier delivery) stands; the others
    follow the channel's first alert about the subject, looked up for all of them at once."""
    on = {sub["id"]: threads_on(sub) for sub in subscriptions}  # an unknown id: threads on
    decided = decided or {}
    chosen: dict[str, tuple[str, bool]] = {}
    # One pass over the alerts (a sweep's hundreds of thousands): Slack, and the Teams bot's
    # conversations (`bot:<id>`), which have reply chains; date alerts only.
    fresh: list[tuple[Alert, str, tuple[str, str, str] | None]] = []
    slack = ledger.TARGET_SLACK
    for alert in alerts:
        if alert.kind not in DATE_KINDS:
            continue
        target = alert.target
        if alert.target_type != slack and not target.startswith("bot:"):
            continue
        key = alert.key
        if key in decided:
            chosen[key] = decided[key]
        elif on.get(alert.subscription_id, True):
            fresh.append((alert, key, (target, alert.subject_type, alert.subject_id)))
        else:
            fresh.append((alert, key, None))
    firsts = ledger.first_alert_ts_many(db, {where for _, _, where in fresh if where is not None}, DATE_KINDS)
    get = firsts.get
    for alert, key, where in fresh:
        found = get(where) if where is not None else None
        # A Thread is the (parent ts, broadcast) pair itself: placed_jobs uses it as it is.
        chosen[key] = Thread(found, is_urgent(alert)) if found else _UNPLACED
    return chosen


def in_thread(job: Job, chosen: Mapping[str, tuple[str, bool]], alert: Alert | None = None) -> Job:
    """`job` placed where `chosen` says (and carrying `alert`, its alert as worded now, if
    given). Built directly, not by dataclasses.replace: a sweep places every alert."""
    alert = job.alert if alert is None else alert
    parent, broadcast = chosen.get(alert.key, _UNPLACED)
    if parent:
        return Job(alert, job.check_existing, Thread(parent, broadcast))
    return job if alert is job.alert else Job(alert, job.check_existing, job.thread)


def placed_jobs(
    alerts: Iterable[Alert], chosen: Mapping[str, tuple[str, bool]], keep: Container[str]
) -> list[Job]:
    """`in_thread(Job(alert), chosen)` for each of `alerts` whose key is in `keep`, in one pass
    and without a call per alert (a sweep places every new alert)."""
    get = chosen.get
    jobs = []
    for alert in alerts:
        key = alert.key
        if key in keep:
            where = get(key)
            if where is None or not where[0]:
                jobs.append(Job(alert))
            else:
                jobs.append(Job(alert, False, where if type(where) is Thread else Thread(*where)))
    return jobs
