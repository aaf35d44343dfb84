"""Writing history: one row per change, and the one path that changes a record in place.

A developer, model, deadline or event is changed by `apply_changes`: a history row for each
changed field, then the row itself (the changed columns, its version moved on, who and when).
Callers run it inside their transaction, so the change and its history land together or not
at all. Reading history is in storage/tracker.py (`list_history`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlite_utils import Database

from storage.timestamps import utc_iso


def history_text(value: Any) -> str | None:
    """A value as history stores it (and as a change is compared): text, booleans as yes/no."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def record_history(
    db: Database,
    *,
    entity: str,
    entity_id: str | int,
    subject: str,
    field: str,
    old: Any,
    new: Any,
    actor: str,
    at: datetime,
    note: str | None,
    source: str | None,
    effective: str | None = None,
) -> int:
    """One history row: `at` is when it was recorded, `effective` when it took effect as
    the source says (None: not known)."""
    cursor = db.execute(
        "INSERT INTO history (entity, entity_id, subject, field, old, new, actor, at, note, source,"
        " effective) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            entity,
            str(entity_id),
            subject,
            field,
            history_text(old),
            history_text(new),
            actor,
            utc_iso(at),
            note,
            source,
            effective,
        ],
    )
    return int(cursor.lastrowid or 0)


def apply_changes(
    db: Database,
    *,
    table: str,
    entity: str,
    record_id: str | int,
    subject: str,
    current: dict[str, Any],
    diffs: dict[str, Any],
    actor: str,
    at: datetime,
    note: str | None,
    source: str | None,
    effective: str | None = None,
) -> None:
    """Change `diffs` (column -> new value) on one row of `table`, writing first one history
    row per field (its old value from `current`); the version moves on even when `diffs` is
    empty (an event whose developers or sources alone changed)."""
    for field, new in diffs.items():
        record_history(
            db,
            entity=entity,
            entity_id=record_id,
            subject=subject,
            field=field,
            old=current[field],
            new=new,
            actor=actor,
            at=at,
            note=note,
            source=source,
            effective=effective,
        )
    assignments = "".join(f"{column} = ?, " for column in diffs)
    db.execute(
        f"UPDATE {table} SET {assignments}version = version + 1, updated_at = ?, updated_by = ? WHERE id = ?",
        [*diffs.values(), utc_iso(at), actor, record_id],
    )
