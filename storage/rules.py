"""The SQL twins of the domain rules in bot/domain.py, beside the queries that use them.

Each SQL_* fragment is over `models m` with dates stored as ISO text, and must select
exactly the rows its Python rule accepts (tests/storage/test_rules.py checks that on
generated rows). Change a rule and its twin together.
"""

from __future__ import annotations

from datetime import date, timedelta

# The kinds of dated item (bot.domain uses the same names; SQL returns them as `kind`).
ITEM_DEADLINE = "deadline"
ITEM_SUBMISSION_DUE = "submission_due"  # the review window opens
ITEM_RELEASE = "release"

# bot.domain.is_released
SQL_RELEASED = "(COALESCE(m.released, '') <> '' OR m.review_status IN ('released', 'withdrawn'))"

# bot.domain.is_submitted
SQL_SUBMITTED = (
    "(COALESCE(m.submitted, '') <> '' OR m.review_status IN ('submitted', 'in_review', 'cleared'))"
)

# is_overdue with :overdue_before = overdue_if_planned_before(today, window_days): today > opens
# is planned < today + window_days, compared on the stored text (a time suffix sorts after its day).
SQL_OVERDUE = (
    f"(m.planned_release < :overdue_before AND m.planned_release <> '' "
    f"AND NOT {SQL_SUBMITTED} AND NOT {SQL_RELEASED})"
)


def overdue_if_planned_before(today: date, window_days: int) -> date:
    """Models not submitted and planned before this day are overdue `today`."""
    return planned_releases_opening(today, today, window_days)[0]


def planned_releases_opening(first: date, last: date, window_days: int) -> tuple[date, date]:
    """The planned releases whose review window opens from `first` to `last` (review_window_opens
    inverted): the range SQL selects on the planned_release index."""
    return first + timedelta(days=window_days), last + timedelta(days=window_days)
