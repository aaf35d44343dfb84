"""Updates to sent alerts (bot/alerts/updates.py): which sent alerts a tracker change touches,
and one row per (alert, change) so each edit and its thread reply happen once."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlite_utils import Database

from storage.sql import placeholders
from storage.timestamps import utc_iso

STATUS_CLAIMED = "claimed"
STATUS_EDITED = "edited"  # the message is edited; the thread reply (or card) may be missing
STATUS_SENT = "sent"
STATUS_FAILED = "failed"
STATUS_PERMANENT = "permanent"


# The tracker changes corrections look at (bot/alerts/updates.py).
CORRECTED_ENTITIES = ("deadline", "model", "developer")


def changes_after(db: Database, after_id: int, entities: Iterable[str]) -> list[dict[str, Any]]:
    entities = list(entities)
    marks = placeholders(entities)
    # By id (`+entity` keeps the planner off the entity index): each sweep reads what came
    # after its cursor, not every history row of these entities to keep the few new ones.
    return list(
        db.query(
            f"SELECT * FROM history WHERE id > ? AND +entity IN ({marks}) ORDER BY id", [after_id, *entities]
        )
    )


def history_change(db: Database, history_id: int) -> dict[str, Any]:
    """The tracker change (a `history` row) an update restates; it must exist."""
    return next(iter(db.query("SELECT * FROM history WHERE id = ?", [history_id])))


def sent_alerts_about(
    db: Database, subject_type: str, subject_id: str, kinds: Iterable[str], since_day: str
) -> list[dict[str, Any]]:
    """Sent alerts of `kinds` about a subject whose date is `since_day` or later."""
    kinds = list(kinds)
    marks = placeholders(kinds)
    return list(
        db.query(
            f"""SELECT * FROM alert_ledger
                WHERE subject_type = ? AND subject_id = ? AND status = 'sent'
                  AND kind IN ({marks}) AND subject_date >= ?
                ORDER BY sent_at, key""",
            [subject_type, subject_id, *kinds, since_day],
        )
    )


def claim_updates(db: Database, rows: Iterable[tuple[str, str, int]], now: datetime) -> None:
    """Insert (update key, alert key, history id) rows not yet there, claimed now."""
    stamp = utc_iso(now)
    db.conn.executemany(
        """INSERT OR IGNORE INTO alert_updates (key, alert_key, history_id, status, claimed_at, created_at)
           VALUES (?, ?, ?, 'claimed', ?, ?)""",
        [(key, alert_key, history_id, stamp, stamp) for key, alert_key, history_id in rows],
    )


# Updates to work on (`pending_params`); storage/sweep_probe.py asks whether any exist.
PENDING_WHERE = """(status IN ('claimed', 'edited') AND (claimed_at >= :mine OR claimed_at <= :stale))
    OR (status = 'failed' AND next_attempt_at <= :now)"""


def pending_params(now: datetime, claimed_since: datetime, lease: timedelta) -> dict[str, str]:
    return {"mine": utc_iso(claimed_since), "stale": utc_iso(now - lease), "now": utc_iso(now)}


def pending_updates(
    db: Database, now: datetime, claimed_since: datetime, lease: timedelta
) -> list[dict[str, Any]]:
    """Updates to work on: claimed by this run (at or after `claimed_since`), left claimed or
    edited by a run that died (past the lease), and failures whose time came."""
    sql = f"SELECT * FROM alert_updates WHERE {PENDING_WHERE} ORDER BY history_id, key"
    return list(db.query(sql, pending_params(now, claimed_since, lease)))


def take_update(db: Database, row: dict[str, Any], now: datetime) -> bool:
    """Hold an update for this run (False: another run took it)."""
    cursor = db.execute(
        "UPDATE alert_updates SET claimed_at = ? WHERE key = ? AND status = ? AND claimed_at IS ?",
        [utc_iso(now), row["key"], row["status"], row["claimed_at"]],
    )
    return cursor.rowcount == 1


def record_update(
    db: Database,
    key: str,
    status: str,
    now: datetime,
    *,
    error: str | None = None,
    retry_at: datetime | None = None,
    reply_ts: str | None = None,
) -> None:
    db.execute(
        """UPDATE alert_updates SET status = ?, last_error = ?, next_attempt_at = ?,
               reply_ts = COALESCE(?, reply_ts), attempts = attempts + ?,
               sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END
           WHERE key = ?""",
        [
            status,
            error,
            utc_iso(retry_at) if retry_at else None,
            reply_ts,
            0 if status == STATUS_EDITED else 1,
            status,
            utc_iso(now),
            key,
        ],
    )


def update_rows(db: Database) -> list[dict[str, Any]]:
    return list(db.query("SELECT * FROM alert_updates ORDER BY history_id, key"))
