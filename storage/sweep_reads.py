"""What an alert sweep reads: the tracker rows that can give an alert due now.

A sweep reads only what can have fallen due since each subscription's cursor
(bot/alerts/cursors.py): models and deadlines by date or by id, history rows and news items
after an id or in a digest's periods, and the models and deadlines changed since a history
row. bot/alerts/sweep_plan.py chooses the ranges and ids; these functions run the queries.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from sqlite_utils import Database

from storage.alerts import chunks
from storage.sql import placeholders


def latest_ids(db: Database) -> tuple[int, int]:
    """The newest history row's id and the newest news item's id (0 for none), in one read."""
    row = db.execute(
        "SELECT (SELECT COALESCE(MAX(id), 0) FROM history), (SELECT COALESCE(MAX(id), 0) FROM news_items)"
    ).fetchone()
    return int(row[0]), int(row[1])


def changed_subjects(db: Database, after_history_id: int) -> dict[str, int]:
    """Models and deadlines changed after a history row: `model:7` -> the newest row's id."""
    rows = db.execute(  # `+entity`: read the rows after the cursor, not an index of all history
        "SELECT entity, entity_id, id FROM history WHERE id > ? AND +entity IN ('model', 'deadline') "
        "ORDER BY id",
        [after_history_id],
    ).fetchall()
    return {f"{entity}:{entity_id}": newest for entity, entity_id, newest in rows}


def _day_ranges(ranges: Iterable[tuple[date, date]]) -> list[tuple[str, str]]:
    """Inclusive day ranges merged, as [from, before) ISO bounds (a stored date may carry a time)."""
    merged: list[list[date]] = []
    for low, high in sorted(ranges):
        if merged and low <= merged[-1][1] + timedelta(days=1):
            merged[-1][1] = max(merged[-1][1], high)
        else:
            merged.append([low, high])
    return [(low.isoformat(), (high + timedelta(days=1)).isoformat()) for low, high in merged]


def _rows_by_day_or_id(
    db: Database,
    select: str,
    column: str,
    ranges: Iterable[tuple[date, date]],
    ids: Iterable[int | str],
    id_column: str,
) -> list[dict[str, Any]]:
    rows: dict[Any, dict[str, Any]] = {}
    days = _day_ranges(ranges)
    if days:  # every range in one query: on PostgreSQL each query is a round trip
        within = " OR ".join(f"({column} >= ? AND {column} < ?)" for _ in days)
        for row in db.query(f"{select} WHERE {within}", [bound for pair in days for bound in pair]):
            rows[row["id"]] = row
    for chunk in chunks(ids):
        for row in db.query(f"{select} WHERE {id_column} IN ({placeholders(chunk)})", chunk):
            rows[row["id"]] = row
    return list(rows.values())


def models_for_sweep(
    db: Database, planned_release: Iterable[tuple[date, date]], ids: Iterable[int | str]
) -> list[dict[str, Any]]:
    """Models planned for release in the ranges (inclusive) or with the ids, as list_models does."""
    rows = _rows_by_day_or_id(
        db,
        "SELECT m.*, d.name AS developer_name FROM models m JOIN developers d ON d.id = m.developer_id",
        "m.planned_release",
        planned_release,
        ids,
        "m.id",
    )
    return sorted(rows, key=lambda m: (m["developer_name"].lower(), m["name"].lower()))


def subject_rows(
    db: Database, subjects: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], dict[str, Any] | None]:
    """The current rows of many deadlines and models at once, as `models_for_sweep` and
    `deadlines_for_sweep` read them: (subject type, id as text) -> the row, or None when it
    was removed. A chunk of ids per query, not one query per subject: on PostgreSQL each
    query is a round trip (docs/benchmarks.md, "SQLite and PostgreSQL side by side")."""
    wanted: dict[str, set[str]] = {"model": set(), "deadline": set()}
    for subject_type, subject_id in subjects:
        if subject_type in wanted:
            wanted[subject_type].add(str(subject_id))
    found: dict[tuple[str, str], dict[str, Any] | None] = {
        (subject_type, subject_id): None for subject_type, ids in wanted.items() for subject_id in ids
    }
    for row in models_for_sweep(db, [], sorted(wanted["model"])):
        found[("model", str(row["id"]))] = row
    for row in deadlines_for_sweep(db, [], sorted(wanted["deadline"])):
        found[("deadline", str(row["id"]))] = row
    return found


def deadlines_for_sweep(
    db: Database, due_date: Iterable[tuple[date, date]], ids: Iterable[int | str]
) -> list[dict[str, Any]]:
    """Deadlines due in the ranges (inclusive) or with the ids, as list_deadlines orders them."""
    rows = _rows_by_day_or_id(db, "SELECT * FROM deadlines", "due_date", due_date, ids, "id")
    return sorted(rows, key=lambda d: (d["due_date"], d["id"]))


def status_changes_for_sweep(
    db: Database,
    fields: Iterable[str],
    after_id: int | None,
    digest_after_id: int | None,
    digest_from: str | None,
    ids: Iterable[int],
) -> list[dict[str, Any]]:
    """History rows of `fields`: after `after_id`; after `digest_after_id` and at or after
    `digest_from` (an ISO prefix); or with the ids. In id order."""
    fields = list(fields)
    select = f"SELECT * FROM history WHERE field IN ({placeholders(fields)})"
    return _merged(db, select, fields, "at", after_id, digest_after_id, digest_from, ids)


def news_for_sweep(
    db: Database,
    after_id: int | None,
    digest_after_id: int | None,
    digest_from: str | None,
    ids: Iterable[int],
) -> list[dict[str, Any]]:
    """News items to alert on, chosen as status_changes_for_sweep chooses history rows."""
    return _merged(
        db,
        "SELECT * FROM news_items WHERE alert = 1",
        [],
        "first_seen_at",
        after_id,
        digest_after_id,
        digest_from,
        ids,
    )


def _merged(
    db: Database,
    select: str,
    params: list[Any],
    at_column: str,
    after_id: int | None,
    digest_after_id: int | None,
    digest_from: str | None,
    ids: Iterable[int],
) -> list[dict[str, Any]]:
    rows: dict[int, dict[str, Any]] = {}
    if after_id is not None:
        rows.update((r["id"], r) for r in db.query(f"{select} AND id > ?", [*params, after_id]))
    if digest_after_id is not None and digest_from is not None:
        sql = f"{select} AND id > ? AND {at_column} >= ?"
        rows.update((r["id"], r) for r in db.query(sql, [*params, digest_after_id, digest_from]))
    for chunk in chunks(ids):
        sql = f"{select} AND id IN ({placeholders(chunk)})"
        rows.update((r["id"], r) for r in db.query(sql, [*params, *chunk]))
    return [rows[key] for key in sorted(rows)]


def model_developers(db: Database, ids: Iterable[int | str]) -> dict[str, str]:
    """Model id (as text) -> its developer id."""
    owners: dict[str, str] = {}
    for chunk in chunks(ids):
        sql = f"SELECT id, developer_id FROM models WHERE id IN ({placeholders(chunk)})"
        owners.update((str(model_id), developer) for model_id, developer in db.execute(sql, chunk).fetchall())
    return owners


def alert_history_after(db: Database, after_id: int, fields: Iterable[str]) -> list[dict[str, Any]]:
    """History rows of `fields` after `after_id`, in id order (a whole tracker's real-time alerts)."""
    fields = list(fields)
    sql = f"SELECT * FROM history WHERE id > ? AND field IN ({placeholders(fields)}) ORDER BY id"
    return list(db.query(sql, [after_id, *fields]))


def alert_news_after(db: Database, after_id: int) -> list[dict[str, Any]]:
    """News items marked for alerts after `after_id`, in id order."""
    return list(db.query("SELECT * FROM news_items WHERE alert = 1 AND id > ? ORDER BY id", [after_id]))


def last_sent_about(
    db: Database, subjects: Iterable[tuple[str, str]], kinds: Iterable[str], since: str | None = None
) -> dict[tuple[str, str, str, str], str]:
    """For each (subject type, subject id) asked: when each target last got a sent alert of
    `kinds` about it, as (subject type, subject id, target type, target) -> sent_at (UTC ISO).
    With `since` (an ISO date or time), only targets whose last one was sent at or after it
    (as text: what sent_at holds). Read by subject (indexed), a chunk at a time."""
    kinds = list(kinds)
    by_type: dict[str, set[str]] = {}
    for subject_type, subject_id in subjects:
        by_type.setdefault(subject_type, set()).add(subject_id)
    recent, after = ("AND sent_at >= ?", [since]) if since is not None else ("", [])
    last: dict[tuple[str, str, str, str], str] = {}
    for subject_type, ids in by_type.items():
        for chunk in chunks(sorted(ids)):
            rows = db.execute(
                f"""SELECT subject_id, target_type, target, MAX(sent_at) FROM alert_ledger
                    WHERE subject_type = ? AND subject_id IN ({placeholders(chunk)}) AND status = 'sent'
                      AND kind IN ({placeholders(kinds)}) AND sent_at IS NOT NULL {recent}
                    GROUP BY subject_id, target_type, target""",
                [subject_type, *chunk, *kinds, *after],
            ).fetchall()
            for subject_id, target_type, target, sent_at in rows:
                last[(subject_type, str(subject_id), target_type, target)] = str(sent_at)
    return last


def dates_changed_at(db: Database, subjects: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """When each deadline's due date or model's planned release last changed (a history row's
    `at`, UTC ISO); subjects never changed are left out."""
    by_entity: dict[str, set[str]] = {}
    for entity, entity_id in subjects:
        by_entity.setdefault(entity, set()).add(entity_id)
    found: dict[tuple[str, str], str] = {}
    for entity, ids in by_entity.items():
        for chunk in chunks(sorted(ids)):  # a chunk per query (indexed by entity, entity_id)
            rows = db.execute(
                f"""SELECT entity_id, MAX(at) FROM history WHERE entity = ?
                      AND entity_id IN ({placeholders(chunk)})
                      AND field IN ('due_date', 'planned_release') GROUP BY entity_id""",
                [entity, *chunk],
            ).fetchall()
            found.update(((entity, str(entity_id)), str(at)) for entity_id, at in rows if at)
    return found
