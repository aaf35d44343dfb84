"""Domain rules: pure functions over plain rows (dicts), with the time passed in.

Dates in the tracker are calendar dates (YYYY-MM-DD) as the team reads them; "today" is
the date in the team timezone, so day counts never drift across a daylight-saving change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.business_days import business_countdown
from storage.dates import PartialDate, parse_partial
from storage.rules import ITEM_DEADLINE as ITEM_DEADLINE
from storage.rules import ITEM_RELEASE as ITEM_RELEASE
from storage.rules import ITEM_SUBMISSION_DUE as ITEM_SUBMISSION_DUE

REVIEW_WINDOW_DAYS = 30
RECENTLY_PASSED_DAYS = 7

DEVELOPER_STATUS_LABELS = {
    "signed": "Signed",
    "negotiating": "Negotiating",
    "holdout": "Holdout",
    "declined": "Declined",
    "unknown": "Unknown",
}
REVIEW_STATUS_LABELS = {
    "not_submitted": "Not submitted",
    "submitted": "Submitted",
    "in_review": "In review",
    "cleared": "Cleared",
    "released": "Released",
    "withdrawn": "Withdrawn",
}

# Kinds of dated item, as users see them in /deadlines, the calendar and alerts.
ITEM_KIND_LABELS = {
    ITEM_DEADLINE: "Deadline",
    ITEM_SUBMISSION_DUE: "Review window opens (submission due)",
    ITEM_RELEASE: "Planned release",
}

Row = Mapping[str, Any]


def parse_date(value: str | date | None) -> date | None:
    """The day of a stored date, or None when it is empty or known only to the month or
    year (nothing counts days from a made-up day)."""
    if isinstance(value, date):
        return value
    parsed = parse_partial(value)
    return parsed.exact if parsed else None


def parse_fact_date(value: str | date | None) -> PartialDate | None:
    """A stored date at its precision (storage/dates.py): what answers show."""
    return parse_partial(value)


DEADLINE_OUTCOME_LABELS = {
    "open": "outcome not recorded",
    "met": "met",
    "missed": "missed",
    "extended": "extended",
}


def today_in(tz: ZoneInfo, now: datetime) -> date:
    """The calendar date the team is living in at `now`."""
    return now.astimezone(tz).date()


def days_until(day: date, now: datetime, tz: ZoneInfo) -> int:
    """Whole calendar days from the team's today to `day` (negative once past)."""
    return (day - today_in(tz, now)).days


def countdown(days: int) -> str:
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    if days == -1:
        return "yesterday"
    return f"in {days} days" if days > 0 else f"{-days} days ago"


def deadline_countdown(day: date, days: int) -> str:
    """countdown(days), with business days beside calendar days where they differ: for
    deadlines and submission due dates ("in 12 days, 8 business days")."""
    business = business_countdown(day - timedelta(days=days), day)
    return f"{countdown(days)}, {business}" if business else countdown(days)


def is_signed(developer: Row) -> bool:
    return bool(developer["status"] == "signed")


def holdouts(developers: Iterable[Row]) -> list[Row]:
    """Every tracked developer that has not signed, by name."""
    return sorted((d for d in developers if not is_signed(d)), key=lambda d: d["name"].lower())


def review_window_opens(model: Row, window_days: int = REVIEW_WINDOW_DAYS) -> date | None:
    """The submission due date: `window_days` before the planned release, or None if unplanned."""
    planned = parse_date(model.get("planned_release"))
    return planned - timedelta(days=window_days) if planned else None


# Each rule below has an SQL twin in storage/rules.py (SQL_*, over `models m`, dates as ISO
# text): storage.upcoming.upcoming_rows picks and counts the upcoming items in SQLite with
# them. tests/storage/test_rules.py checks each twin against its rule on generated rows.


def is_released(model: Row) -> bool:
    return bool(model.get("released")) or model.get("review_status") in ("released", "withdrawn")


def is_submitted(model: Row) -> bool:
    return bool(model.get("submitted")) or model.get("review_status") in (
        "submitted",
        "in_review",
        "cleared",
    )


def is_overdue(model: Row, today: date, window_days: int = REVIEW_WINDOW_DAYS) -> bool:
    """Not submitted after its review window opened (the due day itself is not late yet)."""
    opens = review_window_opens(model, window_days)
    return opens is not None and today > opens and not is_submitted(model) and not is_released(model)


@dataclass(frozen=True)
class DatedItem:
    """One thing with a date the team cares about: a deadline, a window opening, a release."""

    kind: str
    subject_type: str  # "deadline" or "model"
    subject_id: str
    title: str
    day: date
    days: int
    status: str
    source: str | None
    contested: bool
    overdue: bool = False
    developer_id: str | None = None
    as_of: str | None = None
    outcome: str | None = None  # deadlines: open | met | missed | extended
    extended_to: date | None = None  # the new date of an extended deadline

    @property
    def countdown(self) -> str:
        if self.kind in (ITEM_DEADLINE, ITEM_SUBMISSION_DUE):
            return deadline_countdown(self.day, self.days)
        return countdown(self.days)

    @property
    def passed(self) -> bool:
        return self.days < 0


def model_status_label(model: Row) -> str:
    return REVIEW_STATUS_LABELS.get(model.get("review_status") or "", "Unknown")


def deadline_item(deadline: Row, today: date) -> DatedItem | None:
    """The deadline's dated item, or None if it has no date."""
    day = parse_date(deadline["due_date"])
    if day is None:
        return None
    return DatedItem(
        kind=ITEM_DEADLINE,
        subject_type="deadline",
        subject_id=str(deadline["id"]),
        title=deadline["title"],
        day=day,
        days=(day - today).days,
        status="Contested" if deadline.get("contested") else "Scheduled",
        source=deadline.get("source"),
        contested=bool(deadline.get("contested")),
        as_of=deadline.get("as_of"),
        outcome=deadline.get("outcome") or "open",
        extended_to=parse_date(deadline.get("extended_to_date")),
    )


def outcome_label(item: DatedItem) -> str:
    """A passed deadline's outcome as users read it: 'met', 'extended to Fri Aug 14, 2026'."""
    label = DEADLINE_OUTCOME_LABELS.get(item.outcome or "open", item.outcome or "")
    if item.outcome == "extended" and item.extended_to is not None:
        label += f" to {item.extended_to.strftime('%a %b %-d, %Y')}"
    return label


def model_items(model: Row, today: date, window_days: int = REVIEW_WINDOW_DAYS) -> list[DatedItem]:
    """The model's review-window opening (submission due) and planned release; none once
    released or while unplanned."""
    planned = parse_date(model.get("planned_release"))
    if planned is None or is_released(model):
        return []
    name = f"{model.get('developer_name') or model['developer_id']} {model['name']}"
    opens = planned - timedelta(days=window_days)
    common = dict(
        subject_type="model",
        subject_id=str(model["id"]),
        status=model_status_label(model),
        source=model.get("source"),
        contested=bool(model.get("contested")),
        developer_id=model["developer_id"],
        as_of=model.get("as_of"),
    )
    return [
        DatedItem(
            kind=ITEM_SUBMISSION_DUE,
            title=f"{name}: submission due (review window opens)",
            day=opens,
            days=(opens - today).days,
            overdue=is_overdue(model, today, window_days),
            **common,
        ),
        DatedItem(
            kind=ITEM_RELEASE,
            title=f"{name}: planned release",
            day=planned,
            days=(planned - today).days,
            **common,
        ),
    ]


def dated_items(
    models: Iterable[Row],
    deadlines: Iterable[Row],
    now: datetime,
    tz: ZoneInfo,
    window_days: int = REVIEW_WINDOW_DAYS,
) -> list[DatedItem]:
    """Every dated item in the tracker, unfiltered and unsorted."""
    today = today_in(tz, now)
    items = [item for item in (deadline_item(d, today) for d in deadlines) if item is not None]
    for model in models:
        items += model_items(model, today, window_days)
    return items


def urgency(item: DatedItem) -> tuple[bool, date, str, str]:
    """How upcoming items are ordered: overdue submissions first, then by date, kind and title.

    storage.upcoming.upcoming_rows reads each kind in date order by index; the title order
    (Python's lower-casing, which SQLite's lower() does not match beyond ASCII) is finished here.
    """
    return (not item.overdue, item.day, item.kind, item.title.lower())


def upcoming_items(
    models: Iterable[Row],
    deadlines: Iterable[Row],
    now: datetime,
    tz: ZoneInfo,
    days: int = 90,
    window_days: int = REVIEW_WINDOW_DAYS,
    passed_days: int = RECENTLY_PASSED_DAYS,
) -> list[DatedItem]:
    """Items within the next `days` days, most urgent first.

    Overdue submissions come first whenever their window opened; then items passed in the
    last `passed_days` days; then the rest by date. (storage.upcoming.upcoming_rows selects
    the same in SQL.)
    """
    chosen = [
        item
        for item in dated_items(models, deadlines, now, tz, window_days)
        if item.overdue or -passed_days <= item.days <= days
    ]
    return sorted(chosen, key=urgency)
