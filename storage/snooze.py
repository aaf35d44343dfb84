"""Reminders ("Remind me" on an alert) and mutes ("Mute this subject here")."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any

from sqlite_utils import Database

from storage.timestamps import utc_iso

RECENT_REMINDERS = timedelta(days=7)  # a reminder not sent within a week (downtime) is dropped


def add_reminder(
    db: Database,
    *,
    key: str,
    alert_key: str,
    user_id: str,
    channel: str | None,
    remind_at: datetime,
    payload: dict[str, Any],
    now: datetime,
) -> tuple[dict[str, Any], bool]:
    """Save a reminder under its key (one per alert, person and time); returns (row, whether new)."""
    cursor = db.execute(
        """INSERT OR IGNORE INTO reminders (key, alert_key, user_id, channel, remind_at, payload, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)""",
        [
            key,
            alert_key,
            user_id,
            channel,
            utc_iso(remind_at),
            json.dumps(payload, sort_keys=True),
            utc_iso(now),
        ],
    )
    row = next(iter(db.query("SELECT * FROM reminders WHERE key = ?", [key])))
    return row, cursor.rowcount == 1


# Reminders due by :remind_now (in the last week) not yet sent or given up on
# (`due_reminders_params`); storage/sweep_probe.py asks whether any exist.
DUE_REMINDERS_FROM = "reminders r LEFT JOIN alert_ledger l ON l.key = r.key"
DUE_REMINDERS_WHERE = """r.remind_at <= :remind_now AND r.remind_at > :remind_since
    AND (l.key IS NULL OR l.status IN ('claimed', 'failed', 'held'))"""
# Mutes in force on :today (until is inclusive).
ACTIVE_MUTES_WHERE = "(until IS NULL OR until >= :today)"


def due_reminders_params(now: datetime) -> dict[str, str]:
    return {"remind_now": utc_iso(now), "remind_since": utc_iso(now - RECENT_REMINDERS)}


def due_reminders(db: Database, now: datetime) -> list[dict[str, Any]]:
    """Reminders due by `now` (in the last week) not yet sent or given up on."""
    sql = f"SELECT r.* FROM {DUE_REMINDERS_FROM} WHERE {DUE_REMINDERS_WHERE} ORDER BY r.remind_at, r.id"
    return list(db.query(sql, due_reminders_params(now)))


def save_mute(
    db: Database,
    *,
    target_type: str,
    target: str,
    subject_type: str,
    subject_id: str,
    title: str,
    until: date | None,
    actor: str,
    now: datetime,
) -> dict[str, Any]:
    db.execute(
        """INSERT INTO mutes (target_type, target, subject_type, subject_id, title, until, created_by,
               created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (target_type, target, subject_type, subject_id) DO UPDATE SET
               title = excluded.title, until = excluded.until, created_by = excluded.created_by,
               created_at = excluded.created_at""",
        [
            target_type,
            target,
            subject_type,
            subject_id,
            title,
            until.isoformat() if until else None,
            actor,
            utc_iso(now),
        ],
    )
    return next(
        iter(
            db.query(
                "SELECT * FROM mutes WHERE target_type = ? AND target = ? "
                "AND subject_type = ? AND subject_id = ?",
                [target_type, target, subject_type, subject_id],
            )
        )
    )


def active_mutes(
    db: Database, today: date, target_type: str | None = None, target: str | None = None
) -> list[dict[str, Any]]:
    """Mutes in force on `today` (until is inclusive), all or one target's."""
    sql = f"SELECT * FROM mutes WHERE {ACTIVE_MUTES_WHERE}"
    params: dict[str, Any] = {"today": today.isoformat()}
    if target_type is not None:
        sql += " AND target_type = :target_type AND target = :target"
        params |= {"target_type": target_type, "target": target}
    return list(db.query(sql + " ORDER BY created_at, id", params))


def delete_mute(db: Database, mute_id: int, target_type: str, target: str) -> dict[str, Any] | None:
    """Remove one target's mute; returns it (None: no such mute there)."""
    rows = list(
        db.query(
            "SELECT * FROM mutes WHERE id = ? AND target_type = ? AND target = ?",
            [mute_id, target_type, target],
        )
    )
    if rows:
        db.execute("DELETE FROM mutes WHERE id = ?", [mute_id])
    return rows[0] if rows else None
