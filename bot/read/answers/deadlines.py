"""What is coming up (/deadlines, and the "Coming up" of /aireview status and the App Home),
as plain data: deadlines, review windows and planned releases, most urgent first, and the
deadlines that passed lately."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from bot import domain
from bot.deps import Deps
from bot.read.answers.sourcing import contest_lines, plural
from storage.answers import deadlines_passed_between
from storage.upcoming import count_upcoming, listing_order, upcoming_rows

DEFAULT_DAYS = 90
MAX_DAYS = 730
PASSED_DEADLINE_DAYS = 90  # how far back /aireview status lists passed deadlines


class BadDays(ValueError):
    """`/deadlines` got something other than a number of days."""


def parse_days(text: str) -> int:
    """'' -> 90; '30', '30d', '30 days' -> 30; anything else (or out of range) -> BadDays."""
    value = text.strip().lower()
    if not value:
        return DEFAULT_DAYS
    for suffix in (" days", " day", "days", "day", "d"):
        if value.endswith(suffix):
            value = value[: -len(suffix)].strip()
            break
    if not value.isdigit() or not 0 <= int(value) <= MAX_DAYS:
        raise BadDays(text)
    return int(value)


# How many items each surface lists before "…and N more", so an answer reads only those:
# /holdouts and /deadlines (bot.read.blocks and bot.teams.cards), and /aireview status's "Coming up".
MAX_LISTED = 40
STATUS_UPCOMING = 5


@dataclass(frozen=True)
class UpcomingAnswer:
    days: int
    items: list[domain.DatedItem]  # the first `shown` of them, most urgent first
    total: int  # how many items the window holds
    overdue: int  # how many of those are overdue submissions
    today: date
    tz_name: str
    as_of: datetime
    contests: dict[str, list[str]] = field(default_factory=dict)  # "deadline:3" -> lines

    def contest_lines(self, item: domain.DatedItem) -> list[str]:
        return self.contests.get(f"{item.subject_type}:{item.subject_id}", [])

    @property
    def summary(self) -> str:
        if not self.total:
            return (
                f"Nothing is due in the next {plural(self.days, 'day')}: no deadlines, review "
                "windows or planned releases, and nothing overdue."
            )
        parts = [f"{plural(self.total, 'item')} in the next {plural(self.days, 'day')}"]
        if self.overdue:
            parts.append(f"{self.overdue} overdue")
        return ", ".join(parts) + f" (dates in {self.tz_name})"


def item_status(item: domain.DatedItem) -> str:
    """What a user reads as the item's status: overdue and passed say so."""
    if item.overdue:
        return "Overdue: not submitted"
    if item.passed and item.kind == domain.ITEM_DEADLINE:
        return f"Passed · {domain.outcome_label(item)}"
    if item.passed:
        return f"Passed ({item.status})"
    return item.status


def upcoming_answer(
    deps: Deps,
    days: int = DEFAULT_DAYS,
    developer_id: str | None = None,
    shown: int = MAX_LISTED,
) -> UpcomingAnswer:
    """bot.domain.upcoming_items over the tracker, with SQLite counting the items and reading
    them in date order, so only about the first `shown` are read and built (a long window
    can hold thousands; what a surface lists is bounded)."""
    now = deps.clock.now()
    today = domain.today_in(deps.settings.tz, now)
    window_days = deps.settings.review_window_days
    query: dict[str, Any] = dict(
        today=today,
        days=days,
        passed_days=domain.RECENTLY_PASSED_DAYS,
        window_days=window_days,
        developer_id=developer_id,
    )
    db = deps.store.db
    one_developer = developer_id is not None
    ordered = sorted(
        _ordered_item(tuple(row.items()), today, window_days, one_developer)
        for row in upcoming_rows(db, **query, limit=shown)
    )
    total, overdue = count_upcoming(db, **query)
    items = [item for _, item in ordered[:shown]]
    contests: dict[str, list[str]] = {}
    for entity in ("deadline", "model"):
        ids = sorted({i.subject_id for i in items if i.subject_type == entity and i.contested})
        for record_id, lines in contest_lines(deps, entity, ids).items():
            contests[f"{entity}:{record_id}"] = lines
    return UpcomingAnswer(
        days=days,
        items=items,
        total=total,
        overdue=overdue,
        today=today,
        tz_name=deps.settings.timezone_name,
        as_of=now,
        contests=contests,
    )


# Items are remembered by everything they are made of (the row's every column, today and the
# window), so after a tracker change only new or changed rows are built again: exact by
# construction, and bounded.
ITEM_MEMO = 8192


@functools.lru_cache(maxsize=ITEM_MEMO)
def _ordered_item(
    row_items: tuple[tuple[str, Any], ...], today: date, window_days: int, one_developer: bool
) -> tuple[tuple[Any, ...], domain.DatedItem]:
    """(where the item sorts, the item): by urgency, ties in the order of the lists
    bot.domain.upcoming_items would read. Sort keys are unique (each holds the row's id)."""
    row = dict(row_items)
    item = _upcoming_item(row, today, window_days)
    return (domain.urgency(item), listing_order(row, one_developer)), item


def _upcoming_item(row: dict[str, Any], today: date, window_days: int) -> domain.DatedItem:
    if row["kind"] == domain.ITEM_DEADLINE:
        item = domain.deadline_item(row, today)
        assert item is not None
        return item
    return next(i for i in domain.model_items(row, today, window_days) if i.kind == row["kind"])


def passed_deadlines(deps: Deps, days: int = PASSED_DEADLINE_DAYS) -> list[domain.DatedItem]:
    """Deadlines passed in the last `days` days, newest first, with their outcomes."""
    today = domain.today_in(deps.settings.tz, deps.clock.now())
    rows = deadlines_passed_between(deps.store.db, today - timedelta(days=days), today)
    return [item for item in (domain.deadline_item(r, today) for r in rows) if item is not None]
