"""What is coming up: the rows of bot.domain.upcoming_items (overdue submissions, review
windows opening, planned releases, deadlines), read in date-index order so a short answer
reads only what it shows, and the order the listings give them."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlite_utils import Database

from storage.rules import (
    ITEM_DEADLINE,
    ITEM_RELEASE,
    ITEM_SUBMISSION_DUE,
    SQL_OVERDUE,
    SQL_RELEASED,
    overdue_if_planned_before,
    planned_releases_opening,
)
from storage.tracker import EXTENDED_TO_DATE, ascii_lower

# The columns bot.domain.dated_items reads: the dated reads below skip notes and bookkeeping.
DATED_MODEL_COLUMNS = (
    "m.id, m.developer_id, m.name, m.planned_release, m.submitted, m.released, m.review_status, "
    "m.source, m.contested, m.as_of, d.name AS developer_name"
)
DATED_DEADLINE_COLUMNS = f"id, title, due_date, source, contested, as_of, outcome, {EXTENDED_TO_DATE}"


def _day_after(day: date) -> str:
    return (day + timedelta(days=1)).isoformat()


def listing_order(row: dict[str, Any], one_developer: bool = False) -> tuple[Any, ...]:
    """Where list_deadlines or list_models (of one developer, or all) puts a row: what keeps
    upcoming items that tie on bot.domain.urgency in the order bot.domain.upcoming_items
    gives them over those lists."""
    if row["kind"] == ITEM_DEADLINE:
        return (row["due_date"], row["id"])
    if one_developer:
        return (row["name"], row["id"])
    return (ascii_lower(row["developer_name"]), ascii_lower(row["name"]), row["id"])


# The upcoming items come from four streams, each read in the order of a date index, so the
# most urgent `limit` of all are among the first `limit` of each (a stream's items share
# overdue and kind, so its date order is its urgency order up to the title): overdue
# submissions (whatever their date), deadlines, review-window openings and planned releases
# in the range. Each: (its date column, that column's key in a row, the SELECT, unordered).
_MODELS_FROM = "FROM models m JOIN developers d ON d.id = m.developer_id WHERE {developer}"


def _upcoming_streams(developer_id: str | None) -> list[tuple[str, str, str]]:
    models = _MODELS_FROM.format(developer="m.developer_id = :developer_id AND " if developer_id else "")
    streams = [
        (
            "m.planned_release",
            "planned_release",
            f"SELECT '{ITEM_SUBMISSION_DUE}' AS kind, {DATED_MODEL_COLUMNS} {models}{SQL_OVERDUE}",
        ),
        (
            "m.planned_release",
            "planned_release",
            f"SELECT '{ITEM_SUBMISSION_DUE}' AS kind, {DATED_MODEL_COLUMNS} {models}"
            f"m.planned_release >= :opens_first AND m.planned_release < :opens_after_last "
            f"AND NOT {SQL_RELEASED} AND NOT {SQL_OVERDUE}",
        ),
        (
            "m.planned_release",
            "planned_release",
            f"SELECT '{ITEM_RELEASE}' AS kind, {DATED_MODEL_COLUMNS} {models}"
            f"m.planned_release >= :first AND m.planned_release < :after_last AND NOT {SQL_RELEASED}",
        ),
    ]
    if developer_id is None:
        streams.append(
            (
                "due_date",
                "due_date",
                f"SELECT '{ITEM_DEADLINE}' AS kind, {DATED_DEADLINE_COLUMNS} FROM deadlines "
                "WHERE due_date >= :first AND due_date < :after_last",
            )
        )
    return streams


def _upcoming_params(
    today: date,
    days: int,
    passed_days: int,
    window_days: int,
    developer_id: str | None,
) -> dict[str, Any]:
    first, last = today - timedelta(days=passed_days), today + timedelta(days=days)
    opens_first, opens_last = planned_releases_opening(first, last, window_days)
    return {
        "first": first.isoformat(),
        "after_last": _day_after(last),
        "opens_first": opens_first.isoformat(),
        "opens_after_last": _day_after(opens_last),
        "overdue_before": overdue_if_planned_before(today, window_days).isoformat(),
        "developer_id": developer_id,
    }


def _stream_rows(
    db: Database,
    sql: str,
    column: str,
    key: str,
    params: dict[str, Any],
    limit: int | None,
) -> list[dict[str, Any]]:
    """The stream's first `limit` rows by date, and every other row on the last one's day
    (their order is finished in Python, by title)."""
    if limit is None:
        return list(db.query(sql, params))
    if limit <= 0:
        return []
    rows = list(db.query(f"{sql} ORDER BY {column} LIMIT :limit", {**params, "limit": limit + 1}))
    if len(rows) <= limit:
        return rows
    day = rows[limit - 1][key][:10]
    if rows[limit][key][:10] != day:
        return rows[:limit]
    tied = list(
        db.query(
            f"{sql} AND {column} >= :day AND {column} < :day_after",
            {**params, "day": day, "day_after": _day_after(date.fromisoformat(day))},
        )
    )
    return [r for r in rows if r[key][:10] < day] + tied


def upcoming_rows(
    db: Database,
    *,
    today: date,
    days: int,
    passed_days: int,
    window_days: int,
    developer_id: str | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """The rows of bot.domain.upcoming_items' items (each with its `kind`, bot.domain.ITEM_*,
    and the columns deadline_item and model_items read), unordered: all of them, or a few
    more than the `limit` most urgent. Without a developer, deadlines are included."""
    params = _upcoming_params(today, days, passed_days, window_days, developer_id)
    rows: list[dict[str, Any]] = []
    for column, key, sql in _upcoming_streams(developer_id):
        rows += _stream_rows(db, sql, column, key, params, limit)
    return rows


def count_upcoming(
    db: Database,
    *,
    today: date,
    days: int,
    passed_days: int,
    window_days: int,
    developer_id: str | None = None,
) -> tuple[int, int]:
    """How many items upcoming_rows gives without a limit, and how many are overdue."""
    params = _upcoming_params(today, days, passed_days, window_days, developer_id)
    counts = ", ".join(
        f"(SELECT COUNT(*) FROM ({sql})) AS s{n}"
        for n, (_, _, sql) in enumerate(_upcoming_streams(developer_id))
    )
    row = next(iter(db.query(f"SELECT {counts}", params)))
    return sum(row.values()), row["s0"]  # s0: the overdue submissions
