"""Reads for the timeline picture: the dated records that fall in a range of days."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlite_utils import Database


def models_in_range(db: Database, first: date, last: date, window_days: int) -> list[dict[str, Any]]:
    """Models whose review window (planned release minus `window_days`, to the release) meets
    [first, last], or that were released in it; by the planned-release and released dates."""
    return list(
        db.query(
            """SELECT m.id, m.developer_id, m.name, m.planned_release, m.submitted, m.released,
                      m.review_status, m.contested
               FROM models m
               WHERE (m.planned_release >= :first AND m.planned_release < :window_end)
                  OR (m.released >= :first AND m.released < :end)
               ORDER BY m.planned_release, m.id""",
            {
                "first": first.isoformat(),
                "end": (last + timedelta(days=1)).isoformat(),
                "window_end": (last + timedelta(days=window_days + 1)).isoformat(),
            },
        )
    )


def deadlines_in_range(db: Database, first: date, last: date) -> list[dict[str, Any]]:
    return list(
        db.query(
            "SELECT id, title, due_date, contested FROM deadlines "
            "WHERE due_date >= ? AND due_date < ? ORDER BY due_date, id",
            [first.isoformat(), (last + timedelta(days=1)).isoformat()],
        )
    )


def developers_by_id(db: Database) -> dict[str, dict[str, Any]]:
    return {
        row["id"]: row for row in db.query("SELECT id, name, status, contested FROM developers ORDER BY id")
    }
