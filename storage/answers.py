"""Reads the read answers (/aireview status|history, the App Home) make beyond the tracker
listings in storage/tracker.py: how much history there is, its first and last change, and the
deadlines that passed lately."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlite_utils import Database

from storage.history import DEVELOPER_HISTORY
from storage.upcoming import DATED_DEADLINE_COLUMNS

# How many passed deadlines /aireview status reads at most.
PASSED_DEADLINES_READ = 20


def history_count(db: Database, entity: str | None = None, entity_id: str | None = None) -> int:
    """How many history rows there are: all of them, or one record's (a developer's include
    its models' and its events', as storage.tracker.list_history reads them)."""
    if entity is None:
        sql, params = "SELECT COUNT(*) AS n FROM history", {}
    elif entity == "developer":
        sql = f"SELECT COUNT(*) AS n FROM history WHERE {DEVELOPER_HISTORY}"
        params = {"id": entity_id}
    else:
        sql = "SELECT COUNT(*) AS n FROM history WHERE entity = :entity AND entity_id = :id"
        params = {"entity": entity, "id": entity_id}
    return int(next(iter(db.query(sql, params)))["n"])


def developer_first_recorded(db: Database, developer_id: str) -> str | None:
    """When the developer's first history row was written (UTC ISO), None if it has none."""
    row = next(
        iter(
            db.query(
                "SELECT MIN(at) AS at FROM history WHERE entity = 'developer' AND entity_id = ?",
                [developer_id],
            )
        )
    )
    return row["at"] or None


def tracker_last_changed(db: Database) -> str | None:
    """When anything in the tracker last changed (UTC ISO), None before the first change."""
    return next(iter(db.query("SELECT MAX(at) AS at FROM history")))["at"] or None


def deadlines_passed_between(db: Database, first: date, today: date) -> list[dict[str, Any]]:
    """Deadlines due from `first` up to (not including) `today`, newest first, at most
    PASSED_DEADLINES_READ, with the columns a dated item is built from."""
    return list(
        db.query(
            f"SELECT {DATED_DEADLINE_COLUMNS} FROM deadlines WHERE due_date >= ? AND due_date < ? "
            f"ORDER BY due_date DESC, id DESC LIMIT {PASSED_DEADLINES_READ}",
            [first.isoformat(), today.isoformat()],
        )
    )
