"""History: one row per change, the one path that changes a record in place, and reading
history back as saves.

A developer, model, deadline or event is changed by `apply_changes`: a history row for each
changed field, then the row itself (the changed columns, its version moved on, who and when).
Callers run it inside their transaction, so the change and its history land together or not
at all. The alerts read the rows one field at a time (storage/sweep_reads.py);
`storage.tracker.list_history` reads raw rows.

What people read is a *save*: the rows one person wrote on one record at one moment (one
admin form submitted), read by `list_saves` and counted by `count_saves`, so one save is one
entry however many fields it changed. FIELD_WORDS names each column in plain words.
"""

from __future__ import annotations

from collections.abc import Iterable
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


# A developer's history: its own rows, its models' and the events that concern it.
DEVELOPER_HISTORY = (
    "((entity = 'developer' AND entity_id = :id)"
    " OR (entity = 'model' AND entity_id IN (SELECT CAST(id AS TEXT) FROM models WHERE developer_id = :id))"
    " OR (entity = 'event' AND entity_id IN"
    " (SELECT CAST(event_id AS TEXT) FROM event_developers WHERE developer_id = :id)))"
)

# The columns history names, in plain words (a history entry never shows a column name).
FIELD_WORDS = {
    "name": "name",
    "status": "status",
    "status_since": "in this status since",
    "agreement_date": "agreement date",
    "note": "note",
    "source": "source",
    "as_of": "facts as of",
    "contested": "contested",
    "developer_id": "developer",
    "planned_release": "planned release",
    "submitted": "submitted",
    "released": "released",
    "review_status": "review status",
    "title": "title",
    "due_date": "due date",
    "kind": "kind",
    "outcome": "outcome",
    "extended_to": "extended to",
    "effective": "date",
    "summary": "summary",
    "developers": "developers",
}

# The rows of one save share these: one person, one record, one moment (seconds precision).
SAVE_KEY = ("entity", "entity_id", "actor", "at")
_MOST_FIELDS_IN_A_SAVE = (
    16  # more than any record has columns: a read of this many rows per save ends on a whole one
)


def field_words(field: str) -> str:
    return FIELD_WORDS.get(field, field.replace("_", " "))


def group_saves(rows: Iterable[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """History rows (newest first) grouped into saves, each save's rows in the order written."""
    saves: list[list[dict[str, Any]]] = []
    last_key: tuple[Any, ...] | None = None
    for row in rows:
        key = tuple(row[k] for k in SAVE_KEY)
        if saves and key == last_key:
            saves[-1].append(row)
        else:
            saves.append([row])
        last_key = key
    return [sorted(save, key=lambda r: r["id"]) for save in saves]


def _history_filter(entity: str | None, entity_id: str | int | None) -> tuple[str, dict[str, Any]]:
    if entity is None:
        return "1 = 1", {}
    if entity == "developer":
        return DEVELOPER_HISTORY, {"id": str(entity_id)}
    return "entity = :entity AND entity_id = :id", {"entity": entity, "id": str(entity_id)}


def list_saves(
    db: Database, entity: str | None = None, entity_id: str | int | None = None, limit: int = 20
) -> list[list[dict[str, Any]]]:
    """The latest `limit` saves, newest first (a developer's include its models' and events')."""
    where, params = _history_filter(entity, entity_id)
    rows = db.query(
        f"SELECT * FROM history WHERE {where} ORDER BY at DESC, id DESC LIMIT :rows",
        {**params, "rows": (limit + 1) * _MOST_FIELDS_IN_A_SAVE},
    )
    return group_saves(rows)[:limit]


def count_saves(db: Database, entity: str | None = None, entity_id: str | int | None = None) -> int:
    """How many saves `list_saves` could read."""
    where, params = _history_filter(entity, entity_id)
    # A row starts a save when the row before it (in the order written) belongs to another:
    # the rule group_saves applies to the rows it reads.
    previous = ", ".join(f"LAG({k}) OVER written AS previous_{k}" for k in SAVE_KEY)
    starts = " OR ".join(f"{k} != previous_{k}" for k in SAVE_KEY)
    sql = (
        f"SELECT COUNT(*) AS n FROM (SELECT {', '.join(SAVE_KEY)}, {previous} FROM history WHERE {where}"
        f" WINDOW written AS (ORDER BY at, id)) AS rows_in_order WHERE previous_at IS NULL OR {starts}"
    )
    return int(next(iter(db.query(sql, params)))["n"])
