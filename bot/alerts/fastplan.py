"""The sweep's planner: the rules of bot/alerts/rules.py, computed fast.

It plans what the reference planner (bot/alerts/reference.py) plans: the property test
tests/bot/alerts/test_fastplan.py generates trackers and subscriptions and holds it to that.
What makes it fast, at the delivery time when thousands of alerts fall due at once:

- keys first: an alert is only built when the ledger does not have its key yet;
- the tracker is read once per plan (`_Prepared`): dated items that cannot be due by now
  are dropped, what every subscription's alerts about one item share (facts, subject) is
  made once, and due times are compared as UTC timestamps of day ordinals (cached);
- sweep cursors (bot/alerts/cursors.py): a subscription swept before needs only the leads
  that fell due since, looked up by day, and the items changed since;
- few allocations per alert (and so little work for the garbage collector).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from datetime import date, datetime, timedelta
from functools import cache, cached_property
from typing import Any

from bot.alerts.alert import (
    DIGEST_REALTIME,
    HISTORY_KINDS,
    KIND_NEWS,
    KIND_OVERDUE,
    SHIFT_MARGIN_DAYS,
    Alert,
    AlertPlan,
    KnownKeys,
    Row,
    Tracker,
    alert_key,
)
from bot.alerts.catchup import plan_from_new
from bot.alerts.cursors import SweepCursor, cursor_days, sweep_cursor
from bot.alerts.digests import briefing_alert, digest_alerts
from bot.alerts.rules import (
    HISTORY_ALERTS,
    ITEM_ALERT_KIND,
    SubjectFilter,
    date_alert_title,
    date_facts,
    delivery_time,
    history_alert_kind,
    history_key,
    is_news_alert,
    is_overdue_candidate,
    news_alert,
    news_key,
    on_business_days,
    reminder_alert,
    target_of,
)
from bot.business_days import business_day_on_or_after, business_day_on_or_before
from bot.domain import DatedItem, dated_items, is_released, is_submitted, parse_date, today_in
from bot.settings import Settings

# A candidate alert: its key, and how to build it (only done when the ledger lacks the key).
_Candidate = tuple[str, Callable[..., Alert], tuple[Any, ...]]


class _DatedEntry:
    """One dated item with what every subscription's alerts about it share (built once per plan)."""

    __slots__ = (
        "item",
        "kind",
        "day_iso",
        "ordinal",
        "subject",
        "model",
        "deadline",
        "may_be_overdue",
        "_facts",
    )

    def __init__(self, item: DatedItem, model: Row | None, deadline: Row | None) -> None:
        self.item = item
        self.kind = ITEM_ALERT_KIND[item.kind]
        self.day_iso = item.day.isoformat()
        self.ordinal = item.day.toordinal()
        self.subject = f"{item.subject_type}:{item.subject_id}"
        self.model = model
        self.deadline = deadline
        self.may_be_overdue = is_overdue_candidate(item, model)
        self._facts: dict[str, Any] | None = None

    def facts(self, settings: Settings) -> dict[str, Any]:
        """One dict for all its alerts: the ledger encodes it once (Alert.ledger_values_of)."""
        if self._facts is None:
            self._facts = date_facts(self.item, self.model, self.deadline, settings)
        return self._facts


def _ordinal_cache(shift: Callable[[date], date]) -> Callable[[int], int]:
    """`shift` over day ordinals, cached: the sweep asks per alert, about a few hundred days."""
    return cache(lambda ordinal: shift(date.fromordinal(ordinal)).toordinal())


def _same_day(ordinal: int) -> int:
    return ordinal


class _Entries:
    """Dated entries in entry order, with lookups by day and of items changed since the cursors."""

    entries: list[_DatedEntry]
    tracker: Tracker

    @cached_property
    def by_day(self) -> dict[date, list[_DatedEntry]]:
        """The entries whose item falls on a day, in entry order."""
        by_day: dict[date, list[_DatedEntry]] = {}
        for entry in self.entries:
            by_day.setdefault(entry.item.day, []).append(entry)
        return by_day

    @cached_property
    def fresh_entries(self) -> list[_DatedEntry]:
        """Entries about items changed since the oldest cursor or retried (see _since_cursor)."""
        changed, recheck = self.tracker.changed or {}, self.tracker.recheck
        return [e for e in self.entries if e.subject in changed or e.subject in recheck]


class _Filtered(_Entries):
    """The entries a filtered subscription can take (and no others it could), in entry order:
    a subscription following ten developers of two hundred looks at those, not at all."""

    def __init__(self, tracker: Tracker, entries: list[_DatedEntry]) -> None:
        self.tracker, self.entries = tracker, entries


class _Prepared(_Entries):
    """The tracker read once for a whole plan: dated items, model owners, delivery times.

    With `until`, only items that can have an alert due by then are kept: an approaching
    alert needs `today <= day <= today + the longest lead`, an overdue one a window that
    opened before today (the exact due time is still checked per alert).
    """

    def __init__(
        self,
        tracker: Tracker,
        now: datetime,
        settings: Settings,
        until: datetime | None = None,
        max_lead: int = 0,
    ) -> None:
        self.settings = settings
        self.tracker = tracker
        self.today = today_in(settings.tz, now)
        self.business_before = _ordinal_cache(business_day_on_or_before)
        self.business_after = _ordinal_cache(business_day_on_or_after)
        # delivery(day) and its timestamp by the day's ordinal: the sweep compares many of these.
        self.delivery_on: Callable[[int], datetime] = cache(
            lambda ordinal: delivery_time(date.fromordinal(ordinal), settings)
        )
        self.delivery_stamp: Callable[[int], float] = cache(
            lambda ordinal: self.delivery_on(ordinal).timestamp()
        )
        models, deadlines = tracker.models, tracker.deadlines
        if until is not None:
            last = self.today + timedelta(days=max(max_lead, 0) + SHIFT_MARGIN_DAYS)
            window = timedelta(days=settings.review_window_days)
            models = [m for m in models if self._may_be_due(m, window, last)]
            deadlines = [
                d
                for d in deadlines
                if (day := parse_date(d["due_date"])) is not None and self.today <= day <= last
            ]
        by_id = {str(m["id"]): m for m in models}
        deadline_by_id = {str(d["id"]): d for d in deadlines}
        self.entries = [
            _DatedEntry(
                item,
                by_id.get(item.subject_id) if item.subject_type == "model" else None,
                deadline_by_id.get(item.subject_id) if item.subject_type != "model" else None,
            )
            for item in dated_items(models, deadlines, now, settings.tz, settings.review_window_days)
        ]

    def _may_be_due(self, model: Row, window: timedelta, last: date) -> bool:
        planned = parse_date(model.get("planned_release"))
        if planned is None:
            return False
        opens = planned - window
        return (
            self.today <= planned <= last
            or self.today <= opens <= last
            or (opens < self.today and not is_submitted(model) and not is_released(model))
        )

    @cached_property
    def _positions(self) -> tuple[dict[str | None, list[int]], dict[str, list[int]]]:
        """Where each developer's items and each subject id's are among the entries."""
        by_developer: dict[str | None, list[int]] = {}
        by_subject: dict[str, list[int]] = {}
        for i, entry in enumerate(self.entries):
            by_developer.setdefault(entry.item.developer_id, []).append(i)
            by_subject.setdefault(entry.item.subject_id, []).append(i)
        return by_developer, by_subject

    @cached_property
    def _views(self) -> dict[tuple[frozenset[str], frozenset[str]], _Entries]:
        return {}

    def passing(self, subject_filter: SubjectFilter) -> _Entries:
        """The entries `subject_filter.passes_model` lets through (an item of no known
        developer, of a followed developer, or a followed model), in entry order; one per filter."""
        views = self._views
        which = (subject_filter.developers, subject_filter.models)
        if which not in views:
            by_developer, by_subject = self._positions
            found = set(by_developer.get(None, ()))
            for developer in subject_filter.developers:
                found.update(by_developer.get(developer, ()))
            for model in subject_filter.models:
                found.update(by_subject.get(model, ()))
            views[which] = _Filtered(self.tracker, [self.entries[i] for i in sorted(found)])
        return views[which]

    @cached_property
    def model_developer(self) -> dict[str, str]:
        return self.tracker.model_owners()


def _date_candidates(
    prepared: _Prepared, sub: Row, until: datetime, cursor: SweepCursor | None = None
) -> Iterator[_Candidate]:
    # Due times are compared as UTC timestamps and days as ordinals: this loop is the sweep's
    # hottest (every item that can be due, for every subscription).
    today = prepared.today.toordinal()
    created = datetime.fromisoformat(sub["created_at"])
    kinds = set(sub["kinds"])
    target = target_of(sub)
    overdue = KIND_OVERDUE in kinds
    until_stamp = until.timestamp()
    stamp = prepared.delivery_stamp
    business = on_business_days(sub)
    earlier: Callable[[int], int] = prepared.business_before if business else _same_day
    later: Callable[[int], int] = prepared.business_after if business else _same_day
    subject_filter = SubjectFilter.of(sub)
    filtered, passes = not subject_filter.everything, subject_filter.passes_model
    entries = prepared.passing(subject_filter) if filtered else prepared
    work: Iterable[tuple[_DatedEntry, float, list[int]]]
    if cursor is None:
        created_stamp = created.timestamp()
        work = ((entry, created_stamp, sub["lead_days"]) for entry in entries.entries)
    else:
        work = _since_cursor(prepared, entries, cursor, created, sub["lead_days"], until, business)
    for entry, low_stamp, item_leads in work:
        if filtered and not passes(entry.item.subject_id, entry.item.developer_id):
            continue
        kind = entry.kind
        if kind in kinds and entry.ordinal >= today:
            for lead in item_leads:
                due_day = earlier(entry.ordinal - lead)
                if low_stamp < stamp(due_day) <= until_stamp:
                    key = alert_key(kind, entry.subject, entry.day_iso, lead, target)
                    yield key, _date_alert, (prepared, entry, sub, kind, lead, due_day)
        if overdue and entry.may_be_overdue:
            due_day = later(entry.ordinal + 1)
            if low_stamp < stamp(due_day) <= until_stamp:
                key = alert_key(KIND_OVERDUE, entry.subject, entry.day_iso, None, target)
                yield key, _date_alert, (prepared, entry, sub, KIND_OVERDUE, None, due_day)


def _since_cursor(
    prepared: _Prepared,
    entries: _Entries,
    cursor: SweepCursor,
    created: datetime,
    leads: list[int],
    until: datetime,
    business: bool = False,
) -> Iterator[tuple[_DatedEntry, float, list[int]]]:
    """(entry, due after (a timestamp), leads) to look at for a subscription with a cursor:
    items changed since it (or retried) in full since the subscription started; the others
    only for the leads that fall due after the cursor, looked up by day. `entries`: the
    prepared entries, or those a filtered subscription can take."""
    changed: Mapping[str, int] = prepared.tracker.changed or {}
    recheck = prepared.tracker.recheck
    fresh = [
        e
        for e in entries.fresh_entries
        if e.subject in recheck or changed.get(e.subject, 0) > cursor.history_id
    ]
    created_stamp = created.timestamp()
    for entry in fresh:
        yield entry, created_stamp, leads
    fresh_subjects = {e.subject for e in fresh}
    after = max(created, cursor.at)
    after_stamp = after.timestamp()
    by_due_day = cursor_days(after, until, leads, prepared.settings, business)
    steps: Iterable[tuple[_DatedEntry, list[int]]]
    if by_due_day is None:
        steps = ((e, leads) for e in entries.entries)
    else:
        by_day = entries.by_day
        steps = ((e, day_leads) for day, day_leads in by_due_day.items() for e in by_day.get(day, ()))
    for entry, day_leads in steps:
        if entry.subject not in fresh_subjects:
            yield entry, after_stamp, day_leads


def _date_alert(
    prepared: _Prepared, entry: _DatedEntry, sub: Row, kind: str, lead: int | None, due_day: int
) -> Alert:
    """rules.date_alert, for an entry: its facts shared, its due time cached."""
    item = entry.item
    facts = entry.facts(prepared.settings)
    return _new_alert(
        {
            "kind": kind,
            "subject_type": item.subject_type,
            "subject_id": item.subject_id,
            "subject_date": entry.day_iso,
            "lead_days": lead,
            "due_at": prepared.delivery_on(due_day),
            "title": date_alert_title(kind, item, facts),
            "facts": facts,
            "target_type": sub["target_type"],
            "target": sub["target"],
            "subscription_id": sub["id"],
        }
    )


def _new_alert(fields: dict[str, Any]) -> Alert:
    """Alert(**fields), every field given, without the frozen dataclass's object.__setattr__
    per field (two thirds of the cost): at the delivery time a sweep builds thousands."""
    alert = object.__new__(Alert)
    object.__setattr__(alert, "__dict__", fields)
    return alert


def _realtime_candidates(
    tracker: Tracker, sub: Row, model_developer: Mapping[str, str], cursor: SweepCursor | None = None
) -> Iterator[_Candidate]:
    """rules.realtime_items by key, skipping what the cursor says was claimed (unless retried)."""
    kinds = set(sub["kinds"])
    recheck = tracker.recheck
    subject_filter = SubjectFilter.of(sub)
    if kinds & HISTORY_KINDS:
        since = sub["since_history_id"]
        done = max(since, cursor.history_id) if cursor else since  # claimed by an earlier sweep
        for row in tracker.status_changes:
            if row["id"] <= since or (row["id"] <= done and f"history:{row['id']}" not in recheck):
                continue
            kind = history_alert_kind(row, kinds, subject_filter, tracker.event_developers, model_developer)
            if kind is not None:
                yield history_key(kind, row, sub), HISTORY_ALERTS[kind], (row, sub)
    if KIND_NEWS in kinds:
        since = sub.get("since_news_id", 0)
        done = max(since, cursor.news_id) if cursor else since
        for row in tracker.news:
            if row["id"] <= since or not is_news_alert(row):
                continue
            if row["id"] <= done and f"news:{row['id']}" not in recheck:
                continue
            yield news_key(row, sub), news_alert, (row, sub)


def _subscription_candidates(prepared: _Prepared, sub: Row, now: datetime) -> Iterator[_Candidate]:
    cursor = None
    if prepared.tracker.changed is not None:
        cursor = sweep_cursor(sub, now, prepared.settings)
    yield from _date_candidates(prepared, sub, now, cursor)
    if sub["digest"] == DIGEST_REALTIME:
        # a recorded change is due at once
        yield from _realtime_candidates(prepared.tracker, sub, prepared.model_developer, cursor)
    else:
        for alert in digest_alerts(prepared.tracker, sub, now, prepared.settings, prepared.model_developer):
            yield alert.key, _same, (alert,)
    briefing = briefing_alert(sub, now, prepared.settings)
    if briefing is not None:
        yield briefing.key, _same, (briefing,)


def _same(alert: Alert) -> Alert:
    return alert


def plan_alerts(
    tracker: Tracker,
    subscriptions: Iterable[Row],
    ledger_keys: Collection[str] | KnownKeys,
    now: datetime,
    settings: Settings,
) -> AlertPlan:
    """What to send now and what to record as skipped: due, not in the ledger, catch-up applied.

    `ledger_keys`: the ledger's keys, or a function telling which of some keys it has.
    """
    subscriptions = list(subscriptions)
    max_lead = max((lead for sub in subscriptions for lead in sub["lead_days"]), default=0)
    prepared = _Prepared(tracker, now, settings, until=now, max_lead=max_lead)
    candidates: dict[str, _Candidate] = {}
    for sub in subscriptions:
        for candidate in _subscription_candidates(prepared, sub, now):
            candidates.setdefault(candidate[0], candidate)
    for reminder in tracker.reminders:
        if datetime.fromisoformat(reminder["remind_at"]) <= now:
            candidates.setdefault(reminder["key"], (reminder["key"], reminder_alert, (reminder,)))
    if callable(ledger_keys):
        known = ledger_keys(list(candidates))
    else:
        known = {key for key in candidates if key in ledger_keys}
    new = []
    for key, build, args in candidates.values():
        if key not in known:
            alert = build(*args)
            alert.__dict__["key"] = key  # Alert.key's cached value: already computed here
            new.append(alert)
    return plan_from_new(new, set(candidates), subscriptions, tracker.mutes, now, settings)
