"""Sweep cursors: where a subscription's last complete sweep left it, and what can have
fallen due since.

A subscription's last complete sweep leaves `swept_at`, `swept_history_id`, `swept_news_id`
and the settings it used (`cursor_settings`). Every alert due by `swept_at` for the tracker
as of history row `swept_history_id`, and every status change and news item up to those
ids, was then claimed in the ledger. So the next sweep needs only alerts due after
`swept_at`, alerts about items changed since (their history rows), and changes and news
after the ids; as every tracker change writes a history row, that is exactly what the full
computation (bot/alerts/reference.py) would find missing from the ledger. Digests do not use
cursors: their periods are few, and the sweep checks them against the ledger. A plan uses
cursors only when the tracker was read for them (`Tracker.changed` set, see
bot/alerts/sweep_reads.py `load_due_tracker`); retried alerts' subjects (`Tracker.recheck`)
are always computed in full, so a retry is dropped only when its alert no longer applies.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from bot.alerts.alert import (
    CURSOR_INDEXED_DAYS,
    KIND_DEADLINE,
    KIND_OVERDUE,
    KIND_RELEASE,
    KIND_WINDOW,
    SHIFT_MARGIN_DAYS,
    Row,
)
from bot.alerts.rules import delivery_time, on_business_days
from bot.domain import today_in
from bot.settings import Settings


@dataclass(frozen=True)
class SweepCursor:
    """Where a subscription's last complete sweep left it (see the module docstring)."""

    at: datetime
    history_id: int
    news_id: int


def cursor_settings(settings: Settings) -> str:
    """The settings that due times and window dates depend on: a cursor made under others is void."""
    return f"{settings.timezone_name}|{settings.alert_time.isoformat()}|{settings.review_window_days}"


def sweep_cursor(sub: Row, now: datetime, settings: Settings) -> SweepCursor | None:
    """`sub`'s cursor, or None (never swept, changed since, other settings, or `now` before it)."""
    swept = sub.get("swept_at")
    if not swept or sub.get("swept_settings") != cursor_settings(settings):
        return None
    at = datetime.fromisoformat(swept)
    if at > now:
        return None
    return SweepCursor(at, sub.get("swept_history_id") or 0, sub.get("swept_news_id") or 0)


def due_days(after: datetime, now: datetime, settings: Settings) -> tuple[date, date] | None:
    """The first and last day whose delivery time lies in (after, now], or None."""
    first = today_in(settings.tz, after)
    if delivery_time(first, settings) <= after:
        first += timedelta(days=1)
    last = today_in(settings.tz, now)
    if delivery_time(last, settings) > now:
        last -= timedelta(days=1)
    return (first, last) if first <= last else None


def sweep_date_ranges(
    sub: Row, cursor: SweepCursor | None, now: datetime, settings: Settings
) -> tuple[list[tuple[date, date]], list[tuple[date, date]]]:
    """Deadline due dates and model planned releases (inclusive ranges) that can give `sub` an
    alert due after its cursor (or creation) and by `now`; items changed since come on top."""
    after = datetime.fromisoformat(sub["created_at"])
    if cursor is not None:
        after = max(after, cursor.at)
    days = due_days(after, now, settings)
    if days is None:
        return [], []
    first, last = days
    if on_business_days(sub):  # shifted due days: look a little wider (each is checked exactly)
        first, last = first - timedelta(days=SHIFT_MARGIN_DAYS), last + timedelta(days=SHIFT_MARGIN_DAYS)
    today = today_in(settings.tz, now)
    window = settings.review_window_days
    kinds = set(sub["kinds"])

    def shifted(offset: int, not_before: date | None = None) -> list[tuple[date, date]]:
        low, high = first + timedelta(days=offset), last + timedelta(days=offset)
        if not_before is not None:
            low = max(low, not_before)  # an approaching alert needs a date not yet past
        return [(low, high)] if low <= high else []

    deadlines: list[tuple[date, date]] = []
    models: list[tuple[date, date]] = []
    for lead in sub["lead_days"]:
        if KIND_DEADLINE in kinds:
            deadlines += shifted(lead, today)
        if KIND_RELEASE in kinds:
            models += shifted(lead, today)
        if KIND_WINDOW in kinds:
            models += shifted(lead + window, today + timedelta(days=window))
    if KIND_OVERDUE in kinds:
        models += shifted(window - 1)  # due the day after the window opened
    return deadlines, models


def cursor_days(
    after: datetime, now: datetime, leads: Iterable[int], settings: Settings, business: bool = False
) -> Mapping[date, list[int]] | None:
    """Item day -> the leads whose alert falls due in (after, now]; days with no entry have
    none (overdue: the window day before each due day). None: too many days, check them all.
    With `business`, due days may be shifted: a few more days are looked at. The answer is
    shared (made once per range of days and leads, `_leads_by_day`): read it, never change it."""
    days = due_days(after, now, settings)
    if days is None:
        return {}
    first, last = days
    if business:
        first, last = first - timedelta(days=SHIFT_MARGIN_DAYS), last + timedelta(days=SHIFT_MARGIN_DAYS)
    if (last - first).days + 1 > CURSOR_INDEXED_DAYS:
        return None
    return _leads_by_day(first, last, tuple(leads))


@lru_cache(maxsize=256)
def _leads_by_day(first: date, last: date, leads: tuple[int, ...]) -> Mapping[date, list[int]]:
    """cursor_days' answer for due days `first` to `last`: the same for every subscription
    with these leads swept over these days (in OAuth mode, every workspace's), so made once."""
    by_day: dict[date, list[int]] = {}
    for offset in range((last - first).days + 1):
        due_day = first + timedelta(days=offset)
        by_day.setdefault(due_day - timedelta(days=1), [])
        for lead in leads:
            by_day.setdefault(due_day + timedelta(days=lead), []).append(lead)
    return by_day
