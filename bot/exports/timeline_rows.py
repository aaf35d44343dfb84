"""The timeline picture's content as plain rows: what the tracker reading (timeline.py)
produces and the drawing (timeline_draw.py, in the worker process) consumes. Plain
dataclasses, so they travel to the worker as they are."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class TimelineItem:
    """A bar (a review window, `start` < `end`), a point (a deadline, a release, an event known
    to the day) or a span (an event known only to the month or year: its whole month)."""

    label: str
    start: date
    end: date
    kind: str  # "window", "deadline", "release" (planned), "released" or "event"
    overdue: bool = False
    contested: bool = False


@dataclass
class TimelineRow:
    title: str
    subtitle: str  # the developer's status in words ("Negotiating"), or "" for deadlines
    status: str | None  # colours the row; None for the deadlines row
    items: list[TimelineItem] = field(default_factory=list)


@dataclass(frozen=True)
class Timeline:
    first: date
    last: date
    today: date
    tz_name: str
    rows: list[TimelineRow]  # the deadlines row first (when there are deadlines), then developers
    hidden_developers: int  # rows left out past MAX_ROWS
    hidden_with_items: int  # ... of which have dated items in range
    widened_from: int | None = None  # the days asked for, when they held nothing and the range
    # was widened to the tracker's dated facts

    @property
    def item_count(self) -> int:
        return sum(len(row.items) for row in self.rows)

    @property
    def today_shown(self) -> bool:
        return self.first <= self.today <= self.last


def day_label(day: date, *, year: bool = False) -> str:
    return f"{day:%b} {day.day}" + (f", {day.year}" if year else "")


def range_label(first: date, last: date) -> str:
    """'Jul 10 to Aug 23, 2026', or with both years when they differ: 'Jul 10, 2026 to Jul 24, 2027'."""
    return f"{day_label(first, year=first.year != last.year)} to {day_label(last, year=True)}"
