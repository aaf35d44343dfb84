"""Threads: later date alerts about a subject go under the first one the channel got.

A channel that heard "Deadline in 30 days" hears "in 14 days", "in 7 days"... as replies in
that message's thread instead of new top-level messages; the most urgent ones (1 day, the
day itself, overdue) are also shown in the channel (`reply_broadcast`). A subscription can
turn threads off. Where each alert goes is decided once, before its first delivery, and
kept in the ledger (`thread_ts`, '' for top level), so a retry after a crash looks for
its earlier post in the same place.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from sqlite_utils import Database

from bot.alerts.delivery import Job, Thread
from bot.alerts.plan import DATE_KINDS, KIND_OVERDUE, Alert
from storage import alerts as ledger

TOP_LEVEL = ""


def is_urgent(alert: Alert) -> bool:
    """1 day before, on the day, or overdue: also broadcast to the channel."""
    return alert.kind == KIND_OVERDUE or (alert.lead_days is not None and alert.lead_days <= 1)


def threads_on(sub: Mapping[str, Any] | None) -> bool:
    return sub is None or bool(sub.get("threads", 1))


def place_in_threads(db: Database, jobs: list[Job], subscriptions: Iterable[Mapping[str, Any]]) -> list[Job]:
    """`jobs` with their thread chosen (and recorded) for Slack date alerts."""
    by_id = {sub["id"]: sub for sub in subscriptions}
    placed: list[Job] = []
    for job in jobs:
        alert = job.alert
        if alert.target_type != ledger.TARGET_SLACK or alert.kind not in DATE_KINDS:
            placed.append(job)
            continue
        row = ledger.get_ledger(db, alert.key)
        parent = row["thread_ts"] if row is not None else None
        broadcast = bool(row and row["broadcast"])
        if parent is None:  # not decided yet
            found = None
            if threads_on(by_id.get(alert.subscription_id)):
                found = ledger.first_alert_ts(
                    db, alert.target, alert.subject_type, alert.subject_id, DATE_KINDS
                )
            parent, broadcast = found or TOP_LEVEL, bool(found) and is_urgent(alert)
            ledger.set_thread(db, alert.key, parent, broadcast)
        placed.append(replace(job, thread=Thread(parent, broadcast)) if parent else job)
    return placed
