"""Reads for the timeline picture: the dated records that fall in a range of days, each with
its `contested` flag (1 while a claim about it is disputed)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlite_utils import Database

from storage.events import event_developers


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


def events_in_range(db: Database, first: date, last: date) -> list[dict[str, Any]]:
    """Events whose date meets [first, last] (a month-precision date meets it when its month
    does), by date, each with `contested` (1 while a claim about it is disputed) and
    `developer_ids` (a list, empty for none). An event no source dates is never here:
    the timeline draws only what has a date."""
    start_month = first.isoformat()[:7]
    rows = db.query(
        """SELECT e.id, e.kind, e.effective, e.summary, e.contested
           FROM events e
           WHERE e.effective IS NOT NULL AND e.effective >= :start_month AND e.effective < :end
           ORDER BY e.effective, e.id""",
        {"start_month": start_month, "end": (last + timedelta(days=1)).isoformat()},
    )
    # A day before the range is let in by the month test; dropped here.
    found = [r for r in rows if not (len(str(r["effective"])) == 10 and r["effective"] < first.isoformat())]
    owners = event_developers(db, [r["id"] for r in found])
    return [{**r, "developer_ids": owners.get(str(r["id"]), [])} for r in found]
