"""What a sweep's or a corrections run's reads would find, asked in one statement first.

On a quiet day most of a small sweep's reads find nothing: no retries due, no reminders, no
mutes, no tracker change after the corrections' cursor, no correction pending. Each is a
statement on the workspace's own database in OAuth mode (a round trip on PostgreSQL), paid
by every workspace at every run (docs/workspaces.md). So a run asks once which of them can
find rows, with the newest ids and the tracker's generation it reads anyway, and runs only
those reads. The question uses each read's own condition (RETRY_WHERE, DUE_REMINDERS_WHERE,
ACTIVE_MUTES_WHERE, PENDING_WHERE, in the module that owns the read), so the two cannot
disagree. Asked before the reads, like them: a row that appears after the question is found
by the next run, as one that appeared just after its read would have been.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import NamedTuple

from sqlite_utils import Database

from storage.alerts import RETRY_WHERE, retry_params
from storage.snooze import ACTIVE_MUTES_WHERE, DUE_REMINDERS_FROM, DUE_REMINDERS_WHERE, due_reminders_params
from storage.updates import PENDING_WHERE, pending_params


class SweepProbe(NamedTuple):
    generation: int  # the tracker's (storage/generation.py), before anything is read
    history_id: int  # the newest history row's id (0: none)
    news_id: int  # the newest news item's id (0: none)
    retries: bool  # a ledger row is due to be delivered again
    reminders: bool  # a reminder is due
    mutes: bool  # a mute is in force today


_SWEEP = f"""SELECT (SELECT n FROM tracker_generation),
    (SELECT COALESCE(MAX(id), 0) FROM history),
    (SELECT COALESCE(MAX(id), 0) FROM news_items),
    EXISTS (SELECT 1 FROM alert_ledger WHERE {RETRY_WHERE}),
    EXISTS (SELECT 1 FROM {DUE_REMINDERS_FROM} WHERE {DUE_REMINDERS_WHERE}),
    EXISTS (SELECT 1 FROM mutes WHERE {ACTIVE_MUTES_WHERE})"""


def probe_sweep(db: Database, now: datetime, lease: timedelta, today: date) -> SweepProbe:
    """The sweep's question (module docstring): one statement for six."""
    params = {**retry_params(now, lease), **due_reminders_params(now), "today": today.isoformat()}
    generation, history_id, news_id, retries, reminders, mutes = db.execute(_SWEEP, params).fetchone()
    return SweepProbe(
        int(generation), int(history_id), int(news_id), bool(retries), bool(reminders), bool(mutes)
    )


class UpdatesProbe(NamedTuple):
    cursor: str | None  # the corrections' cursor (app_state), None before the first run
    changed: bool  # a change to a corrected entity after the cursor
    pending: bool  # an update to work on already (not counting what this run claims)


def probe_updates(
    db: Database, cursor_key: str, entities: tuple[str, ...], now: datetime, lease: timedelta
) -> UpdatesProbe:
    """The corrections run's question (module docstring): one statement for three."""
    names = [f"entity{n}" for n in range(len(entities))]
    cursor = "(SELECT value FROM app_state WHERE key = :cursor_key)"
    sql = f"""SELECT {cursor},
        EXISTS (SELECT 1 FROM history
                WHERE id > CAST({cursor} AS INTEGER) AND +entity IN ({", ".join(f":{n}" for n in names)})),
        EXISTS (SELECT 1 FROM alert_updates WHERE {PENDING_WHERE})"""
    params = {"cursor_key": cursor_key, **dict(zip(names, entities, strict=True))}
    params |= pending_params(now, now, lease)
    value, changed, pending = db.execute(sql, params).fetchone()
    return UpdatesProbe(value, bool(changed), bool(pending))
