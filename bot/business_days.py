"""Business days: Monday to Friday, except US federal holidays (and their observed days).

The holiday calendar comes from the maintained `holidays` library (its US calendar without
a state is the federal one). Importing it costs about 10 MiB resident and a quarter of a
second (it loads every calendar system it supports), so the years are computed in a short
child process and only their dates are kept here (a few hundred bytes a year); if a child
process cannot be started, the library is imported in-process instead. `warm_up` does this
ahead of the first answer that needs it.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import threading
from datetime import date, timedelta

log = logging.getLogger(__name__)

YEARS_AT_ONCE = 12  # a year asked for brings the year before and ten after it
_CHILD = (
    "import json, sys\n"
    "from holidays import country_holidays\n"
    "years = [int(y) for y in sys.argv[1:]]\n"
    "print(json.dumps({d.isoformat(): n for d, n in country_holidays('US', years=years).items()}))\n"
)
_lock = threading.Lock()
_years: dict[int, dict[date, str]] = {}


def _compute(years: list[int]) -> dict[date, str]:
    try:
        done = subprocess.run(
            [sys.executable, "-c", _CHILD, *map(str, years)],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
        found = json.loads(done.stdout)
    except (OSError, subprocess.SubprocessError, ValueError) as exc:
        log.warning("computing holidays in a child process failed (%s); importing holidays here", exc)
        from holidays import country_holidays

        return dict(country_holidays("US", years=years).items())
    return {date.fromisoformat(day): name for day, name in found.items()}


def federal_holidays(year: int) -> dict[date, str]:
    """US federal holidays of `year` (observed days included), date -> name."""
    found = _years.get(year)
    if found is None:
        with _lock:
            found = _years.get(year)
            if found is None:
                years = [y for y in range(year - 1, year - 1 + YEARS_AT_ONCE) if y not in _years]
                computed = _compute(years)
                for y in years:
                    _years[y] = {d: n for d, n in computed.items() if d.year == y}
                found = _years[year]
    return found


def warm_up(today: date) -> threading.Thread:
    """Compute this year's calendar in the background (the app does this at start-up)."""
    thread = threading.Thread(target=federal_holidays, args=(today.year,), name="holidays", daemon=True)
    thread.start()
    return thread


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

    Counted, not walked: every countdown on a listing asks (docs/benchmarks.md)."""
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
