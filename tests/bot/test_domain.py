"""Domain rules at their edges: holdouts, review windows, overdue, day counts across DST."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.domain import (
    ITEM_DEADLINE,
    ITEM_RELEASE,
    ITEM_SUBMISSION_DUE,
    countdown,
    dated_items,
    days_until,
    holdouts,
    is_overdue,
    review_window_opens,
    today_in,
    upcoming_items,
)

NY = ZoneInfo("America/New_York")
# 2026-07-24 10:00 in New York (the conftest clock).
NOW = datetime(2026, 7, 24, 14, 0, tzinfo=UTC)


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=NY)  # type: ignore[misc]


def model(
    name: str = "Nova",
    planned: str | None = "2026-08-30",
    status: str = "not_submitted",
    submitted: str | None = None,
    released: str | None = None,
    model_id: int = 1,
) -> dict[str, Any]:
    return {
        "id": model_id,
        "developer_id": "acme",
        "developer_name": "Acme AI",
        "name": name,
        "planned_release": planned,
        "submitted": submitted,
        "released": released,
        "review_status": status,
        "source": "Press release",
        "contested": 0,
    }


def deadline(title: str, due: str, deadline_id: int, contested: int = 0) -> dict[str, Any]:
    return {"id": deadline_id, "title": title, "due_date": due, "source": "Notice", "contested": contested}


# ---------------------------------------------------------------- holdouts


def test_holdouts_are_every_developer_not_signed_by_name() -> None:
    developers = [
        {"id": "zeta", "name": "zeta labs", "status": "declined"},
        {"id": "openai", "name": "OpenAI", "status": "signed"},
        {"id": "meta", "name": "Meta", "status": "negotiating"},
        {"id": "acme", "name": "Acme", "status": "unknown"},
        {"id": "bolt", "name": "Bolt", "status": "holdout"},
    ]
    assert [d["id"] for d in holdouts(developers)] == ["acme", "bolt", "meta", "zeta"]
    assert holdouts([{"id": "x", "name": "X", "status": "signed"}]) == []


# ---------------------------------------------------------------- review window and overdue


def test_review_window_opens_thirty_days_before_release_by_default() -> None:
    assert review_window_opens(model(planned="2026-08-30")) == date(2026, 7, 31)
    assert review_window_opens(model(planned="2026-03-01")) == date(2026, 1, 30)  # across February


def test_review_window_length_can_be_configured() -> None:
    assert review_window_opens(model(planned="2026-08-30"), window_days=45) == date(2026, 7, 16)
    assert review_window_opens(model(planned="2026-08-30"), window_days=1) == date(2026, 8, 29)


def test_a_model_with_no_planned_release_has_no_window_and_is_never_overdue() -> None:
    for planned in (None, ""):
        unplanned = model(planned=planned)
        assert review_window_opens(unplanned) is None
        assert not is_overdue(unplanned, date(2030, 1, 1))


def test_overdue_starts_the_day_after_the_window_opens() -> None:
    nova = model(planned="2026-08-30")  # window opens 2026-07-31
    assert not is_overdue(nova, date(2026, 7, 30))
    assert not is_overdue(nova, date(2026, 7, 31)), "the due day itself is not late yet"
    assert is_overdue(nova, date(2026, 8, 1))
    assert is_overdue(nova, date(2026, 9, 30)), "still overdue after the planned release passed"
    assert not is_overdue(nova, date(2026, 8, 1), window_days=20)  # opens 2026-08-10 then


@pytest.mark.parametrize(
    "changes",
    [
        {"submitted": "2026-07-30"},
        {"status": "submitted"},
        {"status": "in_review"},
        {"status": "cleared"},
        {"status": "released"},
        {"released": "2026-08-02"},
        {"status": "withdrawn"},
    ],
)
def test_submitted_or_released_models_are_not_overdue(changes: dict[str, Any]) -> None:
    assert not is_overdue(model(planned="2026-08-30", **changes), date(2026, 8, 5))


# ---------------------------------------------------------------- days in the team's timezone


def test_day_counts_use_the_team_date_not_the_utc_date() -> None:
    late_evening = local(2026, 7, 30, 23, 30)  # already 2026-07-31 in UTC
    assert late_evening.astimezone(UTC).date() == date(2026, 7, 31)
    assert today_in(NY, late_evening) == date(2026, 7, 30)
    assert days_until(date(2026, 7, 31), late_evening, NY) == 1
    assert days_until(date(2026, 7, 31), local(2026, 7, 31, 0, 30), NY) == 0
    assert days_until(date(2026, 7, 31), local(2026, 7, 31, 23, 59), NY) == 0
    assert days_until(date(2026, 7, 31), local(2026, 8, 1, 0, 0), NY) == -1
    # The same instant in another team timezone is another day.
    assert days_until(date(2026, 7, 31), late_evening, ZoneInfo("Europe/London")) == 0


@pytest.mark.parametrize(
    ("now", "day", "expected"),
    [
        # Autumn: clocks go back at 02:00 on 2026-11-01 (a 25-hour day).
        (local(2026, 11, 1, 0, 30), date(2026, 11, 2), 1),
        (local(2026, 11, 1, 23, 30), date(2026, 11, 2), 1),
        (local(2026, 10, 31, 23, 30), date(2026, 11, 2), 2),
        (local(2026, 11, 2, 0, 30), date(2026, 11, 1), -1),
        # Spring: clocks go forward at 02:00 on 2026-03-08 (a 23-hour day).
        (local(2026, 3, 7, 23, 30), date(2026, 3, 8), 1),
        (local(2026, 3, 8, 0, 30), date(2026, 3, 9), 1),
        (local(2026, 3, 8, 23, 30), date(2026, 3, 9), 1),
        (local(2026, 3, 8, 23, 30), date(2026, 3, 8), 0),
    ],
)
def test_day_counts_across_daylight_saving_changes(now: datetime, day: date, expected: int) -> None:
    assert days_until(day, now.astimezone(UTC), NY) == expected


@pytest.mark.parametrize(
    ("days", "text"),
    [
        (0, "today"),
        (1, "tomorrow"),
        (-1, "yesterday"),
        (2, "in 2 days"),
        (30, "in 30 days"),
        (-2, "2 days ago"),
        (-45, "45 days ago"),
    ],
)
def test_countdown_strings(days: int, text: str) -> None:
    assert countdown(days) == text


def test_release_today_and_window_opening_today() -> None:
    today = date(2026, 7, 24)
    opening_today = model("Opening", planned="2026-08-23", model_id=1)
    releasing_today = model("Releasing", planned="2026-07-24", status="cleared", model_id=2)
    items = {(i.subject_id, i.kind): i for i in dated_items([opening_today, releasing_today], [], NOW, NY)}
    window = items[("1", ITEM_SUBMISSION_DUE)]
    assert (window.day, window.days, window.countdown, window.overdue) == (today, 0, "today", False)
    release = items[("2", ITEM_RELEASE)]
    assert (release.day, release.countdown, release.passed) == (today, "today", False)
    assert items[("1", ITEM_RELEASE)].title == "Acme AI Opening: planned release"


# ---------------------------------------------------------------- upcoming items


def test_upcoming_items_order_and_selection() -> None:
    models = [
        model("Late", planned="2026-08-10", model_id=1),  # window opened 2026-07-11: overdue
        model("Queued", planned="2026-09-15", status="submitted", submitted="2026-07-01", model_id=2),
        model("Unplanned", planned=None, model_id=3),
        model("Shipped", planned="2026-08-01", status="released", released="2026-07-20", model_id=4),
        model("Far", planned="2027-03-01", model_id=5),
    ]
    deadlines = [
        deadline("Formal review process", "2026-07-31", 1),
        deadline("Passed four days ago", "2026-07-20", 2, contested=1),
        deadline("Passed seven days ago", "2026-07-17", 3),
        deadline("Passed eight days ago", "2026-07-16", 4),
        deadline("In exactly ninety days", "2026-10-22", 5),
        deadline("In ninety-one days", "2026-10-23", 6),
    ]
    items = upcoming_items(models, deadlines, NOW, NY, days=90)
    got = [(i.kind, i.subject_id, i.days) for i in items]
    assert got == [
        (ITEM_SUBMISSION_DUE, "1", -13),  # overdue first, although it passed long ago
        (ITEM_DEADLINE, "3", -7),
        (ITEM_DEADLINE, "2", -4),
        (ITEM_DEADLINE, "1", 7),
        (ITEM_RELEASE, "1", 17),
        (ITEM_SUBMISSION_DUE, "2", 23),
        (ITEM_RELEASE, "2", 53),
        (ITEM_DEADLINE, "5", 90),
    ]
    assert items[0].overdue and not any(i.overdue for i in items[1:])
    assert {i.subject_id for i in items if i.subject_type == "model"} == {"1", "2"}
    contested = next(i for i in items if i.subject_id == "2" and i.kind == ITEM_DEADLINE)
    assert contested.contested and contested.status == "Contested" and contested.countdown == "4 days ago"


def test_upcoming_items_respects_the_horizon_and_window_length() -> None:
    models = [model("Nova", planned="2026-09-01")]
    assert [i.kind for i in upcoming_items(models, [], NOW, NY, days=8)] == []
    assert [i.kind for i in upcoming_items(models, [], NOW, NY, days=9)] == [ITEM_SUBMISSION_DUE]
    horizon = upcoming_items(models, [], NOW, NY, days=40)
    assert [(i.kind, i.day) for i in horizon] == [
        (ITEM_SUBMISSION_DUE, date(2026, 8, 2)),
        (ITEM_RELEASE, date(2026, 9, 1)),
    ]
    long_window = upcoming_items(models, [], NOW, NY, days=40, window_days=45)
    assert long_window[0].day == date(2026, 7, 18) and long_window[0].overdue
