"""Dates with the precision their source gives.

A fact's date is stored as ISO 8601 text at its precision: `2026` (year), `2026-05`
(month) or `2026-05-14` (day). "May 2026" is never stored as May 1: the text itself says
how much is known, so history rows, exports and answers keep the precision too.
"""

from __future__ import annotations

import calendar
import functools
import re
from dataclasses import dataclass
from datetime import date

PRECISION_DAY = "day"
PRECISION_MONTH = "month"
PRECISION_YEAR = "year"
PRECISIONS = (PRECISION_DAY, PRECISION_MONTH, PRECISION_YEAR)

_PARTIAL = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


@dataclass(frozen=True, order=True)
class PartialDate:
    """A calendar date known to the day, the month or the year."""

    year: int
    month: int | None = None
    day: int | None = None

    @property
    def precision(self) -> str:
        if self.day is not None:
            return PRECISION_DAY
        return PRECISION_MONTH if self.month is not None else PRECISION_YEAR

    @property
    def first_day(self) -> date:
        return date(self.year, self.month or 1, self.day or 1)

    @property
    def last_day(self) -> date:
        """The latest day it can be (what "later than today" and sorting by end compare)."""
        if self.day is not None:
            return self.first_day
        month = self.month or 12
        return date(self.year, month, calendar.monthrange(self.year, month)[1])

    @property
    def exact(self) -> date | None:
        """The day, only when it is known (day counts need one)."""
        return self.first_day if self.day is not None else None

    def iso(self) -> str:
        if self.day is not None:
            return self.first_day.isoformat()
        return f"{self.year:04d}-{self.month:02d}" if self.month is not None else f"{self.year:04d}"

    def label(self) -> str:
        """'May 2026', '2026', or the day as ISO text (surfaces format days their own way)."""
        if self.day is not None:
            return self.iso()
        return f"{calendar.month_name[self.month]} {self.year}" if self.month else str(self.year)

    @classmethod
    def of(cls, day: date) -> PartialDate:
        return cls(day.year, day.month, day.day)


def parse_partial(value: str | date | None) -> PartialDate | None:
    """A stored date (any precision; a time suffix on a day is ignored) or None if empty.
    Raises ValueError for text that is not one."""
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return PartialDate.of(value)
    return _parse_text(value)


@functools.lru_cache(maxsize=8192)
def _parse_text(value: str) -> PartialDate:
    """parse_partial for text, remembered: a sweep reads the same few thousand dates once per
    channel (PartialDate is immutable, so sharing one is safe)."""
    text = value.strip()
    match = _PARTIAL.match(text)
    if match is None or (match.group(3) is None and match.end() != len(text)):
        raise ValueError(f"not a date: {value!r}")
    year, month, day = (int(g) if g else None for g in match.groups())
    if month is not None and not 1 <= month <= 12:
        raise ValueError(f"not a date: {value!r}")
    if day is not None:
        date(year or 0, month or 0, day)  # raises for Feb 30
    assert year is not None
    return PartialDate(year, month, day)


def precision_of(value: str | None) -> str | None:
    parsed = parse_partial(value)
    return parsed.precision if parsed else None


def partial_label(value: str | None) -> str | None:
    parsed = parse_partial(value)
    return parsed.label() if parsed else None


MONTHS = {name.lower(): n for n, name in enumerate(calendar.month_name) if name} | {
    name.lower(): n for n, name in enumerate(calendar.month_abbr) if name
}


def read_partial(text: str) -> PartialDate:
    """What an admin types: `2026-05-14`, `2026-05`, `May 2026`, `2026`. Raises ValueError."""
    value = " ".join(text.replace(",", " ").split())
    words = value.split(" ")
    if len(words) == 2 and words[0].lower() in MONTHS and re.fullmatch(r"\d{4}", words[1]):
        return PartialDate(int(words[1]), MONTHS[words[0].lower()])
    parsed = parse_partial(value)
    if parsed is None or parsed.iso() != value:
        raise ValueError(text)
    return parsed
