"""Business days: Monday to Friday, except US federal holidays (and their observed days).

The holiday calendar comes from the maintained `holidays` library (its US calendar without
a state is the federal one), imported on first use: it costs a few MiB resident, and only
alert planning and countdowns to deadlines need it. Years are computed once and cached.
"""

from __future__ import annotations

import threading
from datetime import date, timedelta

_lock = threading.Lock()
_years: dict[int, dict[date, str]] = {}


def federal_holidays(year: int) -> dict[date, str]:
    """US federal holidays of `year` (observed days included), date -> name."""
    found = _years.get(year)
    if found is None:
        from holidays import country_holidays

        with _lock:
            found = _years.get(year)
            if found is None:
                found = _years[year] = dict(country_holidays("US", years=year).items())
    return found


def holiday_name(day: date) -> str | None:
    return federal_holidays(day.year).get(day)


def is_business_day(day: date) -> bool:
    return day.weekday() < 5 and day not in federal_holidays(day.year)


def business_day_on_or_before(day: date) -> date:
    while not is_business_day(day):
        day -= timedelta(days=1)
    return day


def business_day_on_or_after(day: date) -> date:
    while not is_business_day(day):
        day += timedelta(days=1)
    return day


def next_business_day(day: date) -> date:
    """The first business day after `day`."""
    return business_day_on_or_after(day + timedelta(days=1))


def business_days_until(today: date, day: date) -> int:
    """Business days after `today` up to and including `day` (0 when `day` is not after it).

    Counted, not walked: every countdown on a listing asks (README "Benchmarks")."""
    first = today + timedelta(days=1)
    if day < first:
        return 0
    weeks, rest = divmod((day - first).days + 1, 7)
    weekdays = weeks * 5 + sum(1 for k in range(rest) if (first.weekday() + k) % 7 < 5)
    holidays = sum(
        1
        for year in range(first.year, day.year + 1)
        for holiday in federal_holidays(year)
        if first <= holiday <= day and holiday.weekday() < 5
    )
    return weekdays - holidays


def business_countdown(today: date, day: date) -> str | None:
    """ ", 8 business days" when the business days to `day` differ from the calendar days
    (and the date is at least two days away), else None."""
    days = (day - today).days
    if days < 2:
        return None
    business = business_days_until(today, day)
    if business == days:
        return None
    return f"{business} business day" + ("" if business == 1 else "s")
