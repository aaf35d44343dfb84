"""Developers, models and deadlines: their reads, and the one way to change them.

Every change to a developer, model or deadline goes through `create_record`,
`update_record` or `remove_record`, which write the change and its history rows in one
transaction: nothing changes without a history row, and a failure leaves neither (the
rows are written by storage/history.py, the same path events take). What is coming up
(overdue submissions, windows opening, releases, deadlines) is read in storage/upcoming.py.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlite_utils import Database

from storage import sources
from storage.history import DEVELOPER_HISTORY, apply_changes, history_text, record_history
from storage.rules import (
    SQL_OVERDUE,
    overdue_if_planned_before,
)
from storage.sql import placeholders
from storage.timestamps import utc_iso

# The values the tracker's CHECK constraints allow (tests/storage/test_tracker.py compares
# them with the schema the migrations build: adding one needs a migration too).
DEVELOPER_STATUSES = ("signed", "negotiating", "holdout", "declined", "unknown")
REVIEW_STATUSES = ("not_submitted", "submitted", "in_review", "cleared", "released", "withdrawn")
DEADLINE_KINDS = ("deadline", "comment_period", "hearing", "effective_date", "other")

ENTITY_TABLES: dict[str, str] = {"developer": "developers", "model": "models", "deadline": "deadlines"}

# Columns an admin may change, per entity (bookkeeping columns are managed here).
EDITABLE_FIELDS: dict[str, tuple[str, ...]] = {
    "developer": (
        "name",
        "status",
        "status_since",
        "agreement_date",
        "note",
        "source",
        "as_of",
        "contested",
    ),
    "model": (
        "developer_id",
        "name",
        "planned_release",
        "submitted",
        "released",
        "review_status",
        "note",
        "source",
        "as_of",
        "contested",
    ),
    "deadline": (
        "title",
        "due_date",
        "kind",
        "note",
        "source",
        "as_of",
        "contested",
        "outcome",
        "extended_to",
    ),
}


class TrackerError(Exception):
    """A change the tracker refuses; the message is fit to show a user."""


class NotFound(TrackerError):
    pass


class NoChange(TrackerError):
    pass


class VersionConflict(TrackerError):
    """Someone else saved the record after the form showed it."""

    def __init__(self, entity: str, row: dict[str, Any]) -> None:
        self.row = row
        super().__init__(
            f"This {entity} was changed by {row['updated_by']} at {row['updated_at']} "
            "after you opened the form; reopen it to see their change."
        )


def _table(entity: str) -> str:
    try:
        return ENTITY_TABLES[entity]
    except KeyError:
        raise ValueError(f"unknown entity {entity!r}") from None


def subject_label(db: Database, entity: str, row: dict[str, Any]) -> str:
    """How a record is named in history and messages: 'OpenAI', 'Meta / Muse Spark'."""
    if entity == "developer":
        return str(row["name"])
    if entity == "model":
        dev = get_developer(db, row["developer_id"])
        return f"{dev['name'] if dev else row['developer_id']} / {row['name']}"
    return str(row["title"])


# ---------------------------------------------------------------- reads


# An extended deadline links to its new one; the new date comes along for "extended to".
EXTENDED_TO_DATE = (
    "(SELECT x.due_date FROM deadlines x WHERE x.id = deadlines.extended_to) AS extended_to_date"
)


_ASCII_FOLD = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}


def ascii_lower(text: str) -> str:
    """What COLLATE NOCASE compares: only ASCII letters folded."""
    return text.translate(_ASCII_FOLD)


def get_record(db: Database, entity: str, record_id: str | int) -> dict[str, Any] | None:
    rows = list(db.query(f"SELECT * FROM {_table(entity)} WHERE id = ?", [record_id]))
    return rows[0] if rows else None


def record_by_seed_key(db: Database, entity: str, seed_key: str) -> dict[str, Any] | None:
    """The model or deadline the seed added under this key (None: never seeded, or removed)."""
    rows = list(db.query(f"SELECT * FROM {_table(entity)} WHERE seed_key = ?", [seed_key]))
    return rows[0] if rows else None


def get_developer(db: Database, developer_id: str) -> dict[str, Any] | None:
    return get_record(db, "developer", developer_id)


def list_developers(db: Database) -> list[dict[str, Any]]:
    return list(db.query("SELECT * FROM developers ORDER BY name COLLATE NOCASE"))


# What /holdouts reads of each developer (its entry's columns).
STATUS_COLUMNS = "id, name, status, status_since, note, source, contested, as_of"


def list_developer_statuses(db: Database) -> list[dict[str, Any]]:
    """list_developers with only STATUS_COLUMNS, in its order."""
    return list(db.query(f"SELECT {STATUS_COLUMNS} FROM developers ORDER BY name COLLATE NOCASE"))


def developer_names(db: Database) -> list[tuple[str, str]]:
    """Every developer's (id, name), in list_developers' order: what finding one by name reads."""
    return db.execute("SELECT id, name FROM developers ORDER BY name COLLATE NOCASE").fetchall()


_MODELS_JOIN = "FROM models m JOIN developers d ON d.id = m.developer_id"
_LIST_MODELS = f"SELECT m.*, d.name AS developer_name {_MODELS_JOIN}"
# Ties (developers sharing a name but for ASCII case) are settled by the model's id.
_MODELS_ORDER = {
    True: " ORDER BY m.name, m.id",
    False: " ORDER BY d.name COLLATE NOCASE, m.name COLLATE NOCASE, m.id",
}


def list_models(db: Database, developer_id: str | None = None) -> list[dict[str, Any]]:
    if developer_id is not None:
        sql = _LIST_MODELS + " WHERE m.developer_id = ?" + _MODELS_ORDER[True]
        return list(db.query(sql, [developer_id]))
    return list(db.query(_LIST_MODELS + _MODELS_ORDER[False]))


def model_listing(
    db: Database, developer_id: str | None, limit: int, today: date, window_days: int
) -> tuple[list[dict[str, Any]], int, int]:
    """The first `limit` models of list_models (same order), how many there are, and how many
    of them are overdue (bot.domain.is_overdue) `today`: a listing reads only what it shows.

    For every developer, the models come from the developers first in name order: their
    model counts (from an index) say which, and only theirs are read and sorted."""
    overdue_before = overdue_if_planned_before(today, window_days).isoformat()
    if developer_id is not None:
        where, params = " WHERE m.developer_id = ?", [developer_id]
        listed = list(db.query(_LIST_MODELS + where + _MODELS_ORDER[True] + f" LIMIT {int(limit)}", params))
        total = db.execute("SELECT COUNT(*) FROM models m" + where, params).fetchone()[0]
    else:
        counts = db.execute(
            "SELECT d.id, d.name, COUNT(m.id) FROM developers d JOIN models m ON m.developer_id = d.id "
            "GROUP BY d.id"
        ).fetchall()
        total = sum(n for _, _, n in counts)
        chosen: list[str] = []
        taken, last = 0, None
        for dev_id, name, n in sorted(counts, key=lambda row: ascii_lower(row[1])):  # NOCASE order
            if taken >= limit and ascii_lower(name) != last:
                break  # developers sharing the last one's name interleave with it: read them too
            chosen.append(dev_id)
            taken, last = taken + n, ascii_lower(name)
        listed = []
        for chunk in range(0, len(chosen), 500):
            ids = chosen[chunk : chunk + 500]
            listed += db.query(_LIST_MODELS + f" WHERE m.developer_id IN ({placeholders(ids)})", ids)
        listed.sort(key=lambda m: (ascii_lower(m["developer_name"]), ascii_lower(m["name"]), m["id"]))
        listed = listed[:limit]
    # The planned_release index: only models planned before the cut are looked at.
    dev = " AND m.developer_id = :developer" if developer_id is not None else ""
    overdue = db.execute(
        f"SELECT COUNT(*) FROM models m WHERE {SQL_OVERDUE}{dev}",
        {"overdue_before": overdue_before, "developer": developer_id},
    ).fetchone()[0]
    return listed, total, overdue


def list_model_names(db: Database) -> list[dict[str, Any]]:
    """Every model's id and name with its developer's, in listing order (for menus)."""
    return list(
        db.query(
            "SELECT m.id, m.name, m.developer_id, d.name AS developer_name FROM models m "
            "JOIN developers d ON d.id = m.developer_id "
            "ORDER BY d.name COLLATE NOCASE, m.name COLLATE NOCASE"
        )
    )


def has_records(db: Database, entity: str) -> bool:
    """Whether the tracker holds any record of this entity (a picker has something to offer)."""
    return any(True for _ in db.query(f"SELECT 1 FROM {_table(entity)} LIMIT 1"))


def model_name_taken(db: Database, developer_id: str, name: str, except_id: Any = None) -> bool:
    """Whether the developer has another model (not `except_id`) of this name, ignoring ASCII
    case as the unique index does."""
    rows = db.query(
        "SELECT id FROM models WHERE developer_id = ? AND name = ? COLLATE NOCASE AND id IS NOT ?",
        [developer_id, name, except_id],
    )
    return any(True for _ in rows)


def list_deadlines(db: Database) -> list[dict[str, Any]]:
    return list(db.query(f"SELECT *, {EXTENDED_TO_DATE} FROM deadlines ORDER BY due_date, id"))


def model_names(db: Database) -> list[tuple[int, str, str, str]]:
    """Every model's (id, name, developer id, developer name), in list_models' order (all
    developers): what finding one by name reads."""
    sql = (
        "SELECT m.id, m.name, m.developer_id, d.name FROM models m JOIN developers d ON d.id = m.developer_id"
    )
    return db.execute(sql + _MODELS_ORDER[False]).fetchall()


def deadline_titles(db: Database) -> list[tuple[int, str, str]]:
    """Every deadline's (id, title, due date), in list_deadlines' order: what finding one by
    name reads."""
    return db.execute("SELECT id, title, due_date FROM deadlines ORDER BY due_date, id").fetchall()


def list_history(
    db: Database,
    entity: str | None = None,
    entity_id: str | int | None = None,
    limit: int = 20,
) -> list[dict[str, Any]]:
    """Newest first. With an entity, only its rows (a developer's include its models')."""
    if entity is None:
        return list(db.query("SELECT * FROM history ORDER BY at DESC, id DESC LIMIT ?", [limit]))
    if entity == "developer":
        return list(
            db.query(
                f"SELECT * FROM history WHERE {DEVELOPER_HISTORY} ORDER BY at DESC, id DESC LIMIT :limit",
                {"id": str(entity_id), "limit": limit},
            )
        )
    return list(
        db.query(
            "SELECT * FROM history WHERE entity = ? AND entity_id = ? ORDER BY at DESC, id DESC LIMIT ?",
            [entity, str(entity_id), limit],
        )
    )


def latest_history_id(db: Database) -> int:
    return int(next(iter(db.query("SELECT COALESCE(MAX(id), 0) AS n FROM history")))["n"])


def get_state(db: Database, key: str) -> str | None:
    rows = list(db.query("SELECT value FROM app_state WHERE key = ?", [key]))
    return rows[0]["value"] if rows else None


def set_state(db: Database, key: str, value: str | None) -> None:
    db.execute(
        "INSERT INTO app_state (key, value) VALUES (?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        [key, value],
    )


# ---------------------------------------------------------------- writes


def _cited(
    db: Database,
    entity: str,
    record_id: str | int,
    fields: Sequence[str],
    source_ids: Sequence[int] | None,
    source_text: str | None,
    actor: str,
    at: datetime,
) -> str | None:
    """Cite the sources of a change (ids, or one typed line made a source record) for its
    fields; the labels for the history row, or None when no source was given."""
    if source_ids is None and source_text:
        source_ids = [sources.source_from_text(db, source_text, actor=actor, at=at)["id"]]
    if not source_ids:
        return None
    sources.cite(db, entity, record_id, fields, source_ids)
    labels = [sources.source_label(s) for s in (sources.get_source(db, i) for i in source_ids) if s]
    return "; ".join(labels) or None


def record_event(
    db: Database,
    *,
    entity: str,
    entity_id: str,
    subject: str,
    text: str,
    actor: str,
    at: datetime,
    source: str | None,
    note: str | None = None,
) -> int:
    """A development worth remembering that is not a field change (an order, a restriction)."""
    with db.atomic():
        return record_history(
            db,
            entity=entity,
            entity_id=entity_id,
            subject=subject,
            field="event",
            old=None,
            new=text,
            actor=actor,
            at=at,
            note=note,
            source=source,
        )


def create_record(
    db: Database,
    entity: str,
    values: dict[str, Any],
    *,
    actor: str,
    at: datetime,
    note: str | None = None,
    source: str | None = None,
    record_id: str | None = None,
    seed_key: str | None = None,
    source_ids: Sequence[int] | None = None,
    effective: str | None = None,
) -> dict[str, Any]:
    """Insert a developer, model or deadline and its `(created)` history row.

    Its sources (`source_ids`, or a typed `source` line made a source record) cite every
    fact of the record; the `source` column is kept as their labels."""
    allowed = set(EDITABLE_FIELDS[entity])
    unknown = set(values) - allowed
    if unknown:
        raise ValueError(f"not editable on {entity}: {sorted(unknown)}")
    row: dict[str, Any] = dict(values)
    typed_source = row.pop("source", None) or source
    stamp = utc_iso(at)
    row.update(created_at=stamp, updated_at=stamp, updated_by=actor, version=1)
    if record_id is not None:
        row["id"] = record_id
    if seed_key is not None:
        row["seed_key"] = seed_key
    columns = ", ".join(row)
    marks = placeholders(row)
    with db.atomic():
        cursor = db.execute(f"INSERT INTO {_table(entity)} ({columns}) VALUES ({marks})", list(row.values()))
        new_id = record_id if record_id is not None else cursor.lastrowid
        cited = _cited(db, entity, new_id, ["*"], source_ids, typed_source, actor, at)  # type: ignore[arg-type]
        created = get_record(db, entity, new_id)  # type: ignore[arg-type]
        assert created is not None
        record_history(
            db,
            entity=entity,
            entity_id=created["id"],
            subject=subject_label(db, entity, created),
            field="(created)",
            old=None,
            new=subject_label(db, entity, created),
            actor=actor,
            at=at,
            note=note,
            source=cited,
            effective=effective,
        )
    return created


def update_record(
    db: Database,
    entity: str,
    record_id: str | int,
    changes: dict[str, Any],
    *,
    actor: str,
    at: datetime,
    note: str | None = None,
    source: str | None = None,
    expected_version: int | None = None,
    source_ids: Sequence[int] | None = None,
    effective: str | None = None,
) -> dict[str, Any]:
    """Change fields of one record, one history row per changed field, all or nothing.

    `expected_version` is the version the editing form showed; if the record moved on
    since, VersionConflict names who changed it. Raises NoChange when nothing differs.
    The change's sources (`source_ids`, or a typed `source` line) cite the changed fields;
    `effective` is when the change took effect as they say (history keeps it beside the
    time it was recorded).
    """
    allowed = set(EDITABLE_FIELDS[entity])
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"not editable on {entity}: {sorted(unknown)}")
    # SQLite stores booleans as 0/1; compare (and record) them that way, or re-saving
    # contested=True over a stored 1 would look like a change.
    changes = {k: int(v) if isinstance(v, bool) else v for k, v in changes.items()}
    with db.atomic():
        current = get_record(db, entity, record_id)
        if current is None:
            raise NotFound(f"No {entity} with id {record_id}.")
        if expected_version is not None and current["version"] != expected_version:
            raise VersionConflict(entity, current)
        typed_source = changes.pop("source", None) or source
        diffs = {k: v for k, v in changes.items() if history_text(current[k]) != history_text(v)}
        before = current.get("source")
        subject = subject_label(db, entity, current)
        cited_fields = [f for f in diffs if f not in ("as_of", "note")] or ["*"]
        history_source = _cited(db, entity, record_id, cited_fields, source_ids, typed_source, actor, at)
        after = get_record(db, entity, record_id)
        if not diffs and after is not None and history_text(after.get("source")) != history_text(before):
            diffs = {"source": after.get("source")}  # only the sources changed
            current = {**current, "source": before}
        elif not diffs:
            raise NoChange("Nothing changed: the values are the same as the current ones.")
        apply_changes(
            db,
            table=_table(entity),
            entity=entity,
            record_id=record_id,
            subject=subject,
            current=current,
            diffs=diffs,
            actor=actor,
            at=at,
            note=note,
            source=history_source or before,
            effective=effective,
        )
        updated = get_record(db, entity, record_id)
    assert updated is not None
    return updated


def remove_record(
    db: Database,
    entity: str,
    record_id: str | int,
    *,
    actor: str,
    at: datetime,
    note: str | None = None,
    expected_version: int | None = None,
) -> dict[str, Any]:
    """Delete a model or deadline; its history stays, plus a `(removed)` row with its last values."""
    if entity == "developer":
        raise TrackerError("Developers are not removed; set their status instead.")
    with db.atomic():
        current = get_record(db, entity, record_id)
        if current is None:
            raise NotFound(f"No {entity} with id {record_id}.")
        if expected_version is not None and current["version"] != expected_version:
            raise VersionConflict(entity, current)
        record_history(
            db,
            entity=entity,
            entity_id=record_id,
            subject=subject_label(db, entity, current),
            field="(removed)",
            old=json.dumps(current, sort_keys=True),
            new=None,
            actor=actor,
            at=at,
            note=note,
            source=current.get("source"),
        )
        db.execute(f"DELETE FROM {_table(entity)} WHERE id = ?", [record_id])
    return current
