"""Business-day countdowns are counted, not walked: the same numbers as walking day by day."""

from __future__ import annotations

import random
from datetime import date, timedelta

from bot.business_days import business_days_until, is_business_day


def walked(today: date, day: date) -> int:
    return sum(1 for k in range(1, (day - today).days + 1) if is_business_day(today + timedelta(days=k)))


def test_counted_business_days_match_walking_every_day() -> None:
    rng = random.Random(17)
    cases = [(date(2026, 12, 24), date(2027, 1, 4)), (date(2026, 7, 2), date(2026, 7, 6))]  # holidays
    cases += [(date(2026, 7, 24), date(2026, 7, 24)), (date(2026, 7, 24), date(2026, 7, 20))]  # none
    for _ in range(400):
        today = date(2025, 1, 1) + timedelta(days=rng.randint(0, 1200))
        cases.append((today, today + timedelta(days=rng.randint(-3, 800))))
    for today, day in cases:
        assert business_days_until(today, day) == walked(today, day), (today, day)
