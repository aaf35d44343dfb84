"""What alerts are due: pure computation over tracker rows, subscriptions, the ledger and now.

An alert's key is `kind|subject|subject date|lead|target` (DESIGN.md, "Alerts"): moving a
date makes new keys, and a key in the ledger is never sent again.

Kinds:
- date-based, due at the team's delivery time on `date - lead` (in the team timezone,
  so 09:00 stays 09:00 across a daylight-saving change): `deadline` (deadline
  approaching), `window_opens` (review window opens: submission due), `release`
  (planned release approaching), and `overdue` (not submitted the day after the window
  opened; once per model and window date). A date already past gets no approaching alert.
- real-time: `status` (a developer's agreement status or a model's review status changed:
  history rows with field `status`/`review_status` after the subscription started) and
  `news` (rows of `news_items` with `alert = 1` and an id after the subscription
  started). The news watch only inserts those rows; the next sweep (or a sweep it
  triggers) delivers them.
- `digest`: a subscription in daily or weekly digest mode gets its status changes and
  news as one digest per period (daily at the delivery time; weekly on Mondays at the
  delivery time) instead of one message each; empty periods send nothing. Date-based
  alerts are not held for the digest: they are already once a day at most.

Filters (SubjectFilter): a subscription may name developers (`developer_filter`: a channel's
choice, or the developers a person follows) and models (`model_filter`: the models a person
follows, bot/alerts/follows.py; channels have none). With neither, every alert passes. Else:
- an alert about a model (its review window opening, planned release, overdue submission,
  review-status change) passes when its developer is named or the model is;
- an alert about a developer (its agreement-status change, a development naming it) passes
  when it is named or owns a named model: whoever follows a model hears what its developer
  decides, not about the developer's other models;
- deadlines, news and developments naming no developer concern the whole framework and
  always pass; a development naming several developers passes when one of them does.

Only alerts due after the subscription was created count. Catch-up (several date-based
alerts for one subject and target due at once, as after downtime): the most urgent is
sent (overdue first, then the nearest date, then the shortest lead), the others are
recorded as skipped; for digests the latest period is sent carrying the items of the
missed ones. A digest period is a day or a week; the oldest of the last MAX_DIGEST_PERIODS
starts at the subscription's creation only when that is more recent.

Delivery days: a subscription delivers date-based alerts on business days (Monday to Friday,
not on US federal holidays: bot/business_days.py) unless it chose every day. An approaching
alert due on another day comes the business day before (never later than promised; its
countdown is worded at delivery), so two alerts about one subject can fall on one day: they
collapse to the most urgent, as in catch-up. An overdue alert due on another day comes the
business day after (the day before, the window has not yet opened). Quiet hours (team
timezone) hold a real-time subscription's status changes and news until they end: the
sweep records them in the ledger as held, and sends them as it sends retries.

Cursors (incremental sweeps): a subscription's last complete sweep leaves `swept_at`,
`swept_history_id`, `swept_news_id` and the settings it used (`cursor_settings`). Every
alert due by `swept_at` for the tracker as of history row `swept_history_id`, and every
status change and news item up to those ids, was then claimed in the ledger. So the next
sweep needs only alerts due after `swept_at`, alerts about items changed since (their
history rows), and changes and news after the ids; as every tracker change writes a
history row, that is exactly what the full computation would find missing from the
ledger. Digests do not use cursors: their periods are few, and the sweep checks them
against the ledger. A plan uses cursors only when the tracker was read for them
(`Tracker.changed` set, see bot/alerts/sweep.py `load_due_tracker`); retried alerts' subjects
(`Tracker.recheck`) are always computed in full, so a retry is dropped only when its
alert no longer applies.
"""

from __future__ import annotations

import json
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from functools import cached_property, lru_cache
from typing import Any

from bot.business_days import business_day_on_or_after, business_day_on_or_before
from bot.clock import utc_iso
from bot.domain import (
    DEVELOPER_STATUS_LABELS,
    ITEM_DEADLINE,
    ITEM_RELEASE,
    ITEM_SUBMISSION_DUE,
    REVIEW_STATUS_LABELS,
    DatedItem,
    dated_items,
    deadline_item,
    is_released,
    is_submitted,
    model_items,
    model_status_label,
    parse_date,
    today_in,
)
from bot.settings import Settings

KIND_DEADLINE = "deadline"
KIND_WINDOW = "window_opens"
KIND_RELEASE = "release"
KIND_OVERDUE = "overdue"
KIND_STATUS = "status"
KIND_DEVELOPMENT = "development"
KIND_NEWS = "news"
KIND_DIGEST = "digest"
KIND_REMINDER = "reminder"  # "Remind me" on an alert: a DM to one person (bot/alerts/snooze.py)
KIND_BRIEFING = "briefing"  # the weekly briefing (bot/alerts/briefing.py)

KIND_LABELS = {
    KIND_DEADLINE: "Deadline approaching",
    KIND_WINDOW: "Review window opening (submission due)",
    KIND_RELEASE: "Release approaching",
    KIND_OVERDUE: "Submission overdue",
    KIND_STATUS: "Status changed",
    KIND_DEVELOPMENT: "Development (order, request, statement, agreement, restriction, release)",
    KIND_NEWS: "News",
}
SUBSCRIBABLE_KINDS: tuple[str, ...] = tuple(KIND_LABELS)
DATE_KINDS = frozenset({KIND_DEADLINE, KIND_WINDOW, KIND_RELEASE, KIND_OVERDUE})
DIGEST_REALTIME = "realtime"
DIGEST_DAILY = "daily"
DIGEST_WEEKLY = "weekly"
DIGEST_MODES = {
    DIGEST_REALTIME: "Real-time",
    DIGEST_DAILY: "Daily digest",
    DIGEST_WEEKLY: "Weekly digest (Mondays)",
}
DELIVERY_BUSINESS = "business"
DELIVERY_EVERY_DAY = "every_day"
DELIVERY_DAYS = {
    DELIVERY_BUSINESS: "Business days (Monday to Friday, not on US federal holidays)",
    DELIVERY_EVERY_DAY: "Every day",
}
REALTIME_KINDS = frozenset({KIND_STATUS, KIND_DEVELOPMENT, KIND_NEWS})
# More than the longest run of days without a business day (a weekend and a holiday: 3):
# how far a shifted alert's due day can lie from its unshifted one.
SHIFT_MARGIN_DAYS = 7
STATUS_FIELDS = ("status", "review_status")
EVENT_FIELD = "event"  # an event's history row (storage.facts.EVENT_FIELD)
# The history rows real-time alerts are made of: status changes and new events.
HISTORY_ALERT_FIELDS = (*STATUS_FIELDS, EVENT_FIELD)
HISTORY_KINDS = frozenset({KIND_STATUS, KIND_DEVELOPMENT})  # kinds read from history rows
MAX_DIGEST_PERIODS = 62  # how far back a digest catch-up looks
CURSOR_INDEXED_DAYS = 62  # a longer gap since a cursor (downtime): every item is looked at

SKIP_CATCH_UP = "catch-up: a more urgent alert about the same subject was sent instead"
SKIP_DIGEST_CATCH_UP = "catch-up: merged into the latest digest"
SKIP_MUTED = "muted: an admin muted this subject for this target"
SKIP_SAME_DAY = "same delivery day: a more urgent alert about the same subject was sent instead"
HELD_QUIET_HOURS = "held: quiet hours"
SKIP_SUPERSEDED = "catch-up: superseded by a more urgent alert about the same subject"

_ITEM_KIND = {ITEM_DEADLINE: KIND_DEADLINE, ITEM_SUBMISSION_DUE: KIND_WINDOW, ITEM_RELEASE: KIND_RELEASE}

Row = Mapping[str, Any]
KnownKeys = Callable[[list[str]], set[str]]  # which of these keys the ledger has


def alert_key(kind: str, subject: str, subject_date: str | None, lead_days: int | None, target: str) -> str:
    """`kind|subject_type:id|date|lead|target_type:target` (the sweep checks keys before building alerts)."""
    lead = "-" if lead_days is None else str(lead_days)
    return f"{kind}|{subject}|{subject_date or '-'}|{lead}|{target}"


_LEDGER_COLUMNS = (
    "key",
    "kind",
    "subject_type",
    "subject_id",
    "subject_date",
    "lead_days",
    "target_type",
    "target",
    "subscription_id",
    "due_at",
    "payload",
)
_utc_iso = lru_cache(maxsize=512)(utc_iso)


@dataclass(frozen=True)
class Alert:
    kind: str
    subject_type: str  # deadline | model | history | news | digest
    subject_id: str
    subject_date: str | None  # ISO date the alert is about (the digest's day for digests)
    lead_days: int | None
    target_type: str  # slack | teams
    target: str  # channel id or webhook name
    subscription_id: int
    due_at: datetime
    title: str
    facts: dict[str, Any] = field(default_factory=dict)  # what the message shows; JSON-able

    @cached_property  # stored in the instance (frozen dataclasses allow that): read many times a sweep
    def key(self) -> str:
        return alert_key(
            self.kind,
            f"{self.subject_type}:{self.subject_id}",
            self.subject_date,
            self.lead_days,
            f"{self.target_type}:{self.target}",
        )

    @property
    def day(self) -> date | None:
        return parse_date(self.subject_date)

    @staticmethod
    def ledger_values_of(alerts: Iterable[Alert]) -> list[tuple[Any, ...]]:
        """New ledger rows' values, in the order of storage.alerts.LEDGER_VALUES. The alerts
        about one item share its facts (one dict per plan, see _DatedEntry), so each facts
        dict is encoded once: the payload is the text json.dumps(..., sort_keys=True) gives
        ("facts" sorts before "title")."""
        encoded: dict[int, tuple[dict[str, Any], str]] = {}  # id -> (the dict, kept alive; JSON)
        titles: dict[str, str] = {}
        rows = []
        for alert in alerts:
            facts, title = alert.facts, alert.title
            known = encoded.get(id(facts))
            if known is None:
                known = encoded[id(facts)] = (facts, json.dumps(facts, sort_keys=True))
            title_json = titles.get(title)
            if title_json is None:
                title_json = titles[title] = json.dumps(title)
            payload = f'{{"facts": {known[1]}, "title": {title_json}}}'
            rows.append(
                (
                    alert.key,
                    alert.kind,
                    alert.subject_type,
                    alert.subject_id,
                    alert.subject_date,
                    alert.lead_days,
                    alert.target_type,
                    alert.target,
                    alert.subscription_id,
                    _utc_iso(alert.due_at),
                    payload,
                )
            )
        return rows

    def ledger_row(self) -> dict[str, Any]:
        return dict(zip(_LEDGER_COLUMNS, Alert.ledger_values_of([self])[0], strict=True))

    @classmethod
    def from_ledger(cls, row: Row) -> Alert:
        payload = json.loads(row["payload"] or "{}")
        return cls(
            kind=row["kind"],
            subject_type=row["subject_type"],
            subject_id=row["subject_id"],
            subject_date=row["subject_date"],
            lead_days=row["lead_days"],
            target_type=row["target_type"],
            target=row["target"],
            subscription_id=row["subscription_id"] or 0,
            due_at=datetime.fromisoformat(row["due_at"]),
            title=payload.get("title", ""),
            facts=payload.get("facts", {}),
        )


@dataclass
class Tracker:
    """The rows alert computation reads (the sweep loads them; tests may build them)."""

    models: list[dict[str, Any]]
    deadlines: list[dict[str, Any]]
    status_changes: list[dict[str, Any]] = field(default_factory=list)  # history rows
    news: list[dict[str, Any]] = field(default_factory=list)  # news_items rows with alert=1
    # Read for cursors (bot/alerts/sweep.py load_due_tracker): subject ("model:7") -> newest history id
    # about it since the oldest cursor. None: the whole tracker, subscriptions' cursors ignored.
    changed: dict[str, int] | None = None
    recheck: set[str] = field(default_factory=set)  # subjects of retried alerts: computed in full
    model_developers: dict[str, str] | None = None  # owners of models in status_changes and filters
    event_developers: dict[str, list[str]] = field(default_factory=dict)  # of events in status_changes
    history_id: int = 0  # the newest history row and news item when read (the next cursors)
    news_id: int = 0
    reminders: list[dict[str, Any]] = field(default_factory=list)  # due rows of `reminders`
    mutes: list[dict[str, Any]] = field(default_factory=list)  # mutes in force today


@dataclass
class AlertPlan:
    send: list[Alert]
    skip: list[tuple[Alert, str]]
    # The key of every alert due now that still applies, among those computed (with cursors:
    # the new ones and the retried alerts' subjects); a retry not in it is dropped.
    valid: set[str]
    hold: list[tuple[Alert, datetime]] = field(default_factory=list)  # quiet hours: until when


def delivery_time(day: date, settings: Settings) -> datetime:
    """The team's delivery time on `day`, as an aware datetime (zoneinfo handles DST)."""
    return datetime.combine(day, settings.alert_time, tzinfo=settings.tz)


def on_business_days(sub: Row) -> bool:
    """Whether `sub` delivers date-based alerts on business days only (the default)."""
    return (sub.get("delivery_days") or DELIVERY_BUSINESS) == DELIVERY_BUSINESS


def delivery_day(day: date, sub: Row, *, overdue: bool = False) -> date:
    """The day an alert due on `day` is delivered for `sub` (see "Delivery days" above)."""
    if not on_business_days(sub):
        return day
    return business_day_on_or_after(day) if overdue else business_day_on_or_before(day)


def quiet_until(sub: Row, now: datetime, settings: Settings) -> datetime | None:
    """When `sub`'s quiet hours end, if `now` is inside them (team timezone), else None."""
    start_text, end_text = sub.get("quiet_start"), sub.get("quiet_end")
    if not start_text or not end_text:
        return None
    start, end = time.fromisoformat(start_text), time.fromisoformat(end_text)
    local = now.astimezone(settings.tz)
    clock, day = local.time().replace(tzinfo=None), local.date()
    if start < end:
        inside = start <= clock < end
    else:  # across midnight, e.g. 20:00-08:00
        inside = clock >= start or clock < end
        if clock >= start:
            day += timedelta(days=1)
    if not inside:
        return None
    return datetime.combine(day, end, tzinfo=settings.tz)


def _aware(value: str) -> datetime:
    return datetime.fromisoformat(value)


@dataclass(frozen=True)
class SweepCursor:
    """Where a subscription's last complete sweep left it (see "Cursors" above)."""

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
    at = _aware(swept)
    if at > now:
        return None
    return SweepCursor(at, sub.get("swept_history_id") or 0, sub.get("swept_news_id") or 0)


def _due_days(after: datetime, now: datetime, settings: Settings) -> tuple[date, date] | None:
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
    after = _aware(sub["created_at"])
    if cursor is not None:
        after = max(after, cursor.at)
    days = _due_days(after, now, settings)
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


def _cursor_days(
    after: datetime, now: datetime, leads: Iterable[int], settings: Settings, business: bool = False
) -> dict[date, list[int]] | None:
    """Item day -> the leads whose alert falls due in (after, now]; days with no entry have
    none (overdue: the window day before each due day). None: too many days, check them all.
    With `business`, due days may be shifted: a few more days are looked at."""
    days = _due_days(after, now, settings)
    if days is None:
        return {}
    first, last = days
    if business:
        first, last = first - timedelta(days=SHIFT_MARGIN_DAYS), last + timedelta(days=SHIFT_MARGIN_DAYS)
    span = (last - first).days + 1
    if span > CURSOR_INDEXED_DAYS:
        return None
    by_day: dict[date, list[int]] = {}
    for offset in range(span):
        due_day = first + timedelta(days=offset)
        by_day.setdefault(due_day - timedelta(days=1), [])
        for lead in leads:
            by_day.setdefault(due_day + timedelta(days=lead), []).append(lead)
    return by_day


@dataclass(frozen=True)
class SubjectFilter:
    """Which developers' and models' alerts a subscription takes (see "Filters" above)."""

    developers: frozenset[str]
    models: frozenset[str]

    @classmethod
    def of(cls, sub: Row) -> SubjectFilter:
        return cls(frozenset(sub.get("developer_filter") or ()), frozenset(sub.get("model_filter") or ()))

    @property
    def everything(self) -> bool:
        return not self.developers and not self.models

    def passes_model(self, model_id: str, developer_id: str | None) -> bool:
        """An alert about a model (an owner not known: not filtered out, as for developers)."""
        return (
            self.everything
            or developer_id is None
            or developer_id in self.developers
            or model_id in self.models
        )

    def passes_developer(self, developer_id: str | None, model_developer: Mapping[str, str]) -> bool:
        """An alert about a developer; `model_developer` knows the named models' owners."""
        if self.everything or developer_id is None or developer_id in self.developers:
            return True
        return any(model_developer.get(model) == developer_id for model in self.models)


def _model_facts(model: Row, settings: Settings) -> dict[str, Any]:
    return {
        "developer": model.get("developer_name") or model["developer_id"],
        "developer_id": model["developer_id"],
        "model": model["name"],
        "planned_release": model.get("planned_release"),
        "window_days": settings.review_window_days,
        "submission_status": model_status_label(model),
        "submitted": model.get("submitted"),
        "source": model.get("source"),
        "contested": bool(model.get("contested")),
        "as_of": model.get("as_of"),
        "note": model.get("note"),
    }


class _DatedEntry:
    """One dated item with what every subscription's alerts about it share (built once per plan)."""

    __slots__ = ("item", "kind", "day_iso", "ordinal", "subject", "model", "deadline", "_facts")

    def __init__(self, item: DatedItem, model: Row | None, deadline: Row | None) -> None:
        self.item = item
        self.kind = _ITEM_KIND[item.kind]
        self.day_iso = item.day.isoformat()
        self.ordinal = item.day.toordinal()
        self.subject = f"{item.subject_type}:{item.subject_id}"
        self.model = model
        self.deadline = deadline
        self._facts: dict[str, Any] | None = None

    def facts(self, settings: Settings) -> dict[str, Any]:
        if self._facts is None:
            if self.model is not None:
                facts = _model_facts(self.model, settings)
            else:
                row = self.deadline or {}
                facts = {
                    "note": row.get("note"),
                    "source": row.get("source"),
                    "contested": bool(row.get("contested")),
                    "as_of": row.get("as_of"),
                    "deadline_kind": row.get("kind"),
                }
            facts.update(item_title=self.item.title, item_kind=self.item.kind)
            self._facts = facts
        return self._facts


class _Prepared:
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
        self.today = today_in(settings.tz, now)
        self._times: dict[date, datetime] = {}
        self._stamps: dict[int, float] = {}
        self._on: dict[int, datetime] = {}
        self._before: dict[int, int] = {}
        self._after: dict[int, int] = {}
        self._model_developer: dict[str, str] | None = None
        self._by_day: dict[date, list[_DatedEntry]] | None = None
        self._fresh: list[_DatedEntry] | None = None
        self.tracker = tracker
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

    def on_day(self, day: date) -> list[_DatedEntry]:
        """The entries whose item falls on `day`, in entry order."""
        if self._by_day is None:
            self._by_day = {}
            for entry in self.entries:
                self._by_day.setdefault(entry.item.day, []).append(entry)
        return self._by_day.get(day, [])

    @property
    def fresh_entries(self) -> list[_DatedEntry]:
        """Entries about items changed since the oldest cursor or retried (see _since_cursor)."""
        if self._fresh is None:
            changed, recheck = self.tracker.changed or {}, self.tracker.recheck
            self._fresh = [e for e in self.entries if e.subject in changed or e.subject in recheck]
        return self._fresh

    def business_before(self, ordinal: int) -> int:
        """The business day on or before day `ordinal` (cached: the sweep asks per alert)."""
        shifted = self._before.get(ordinal)
        if shifted is None:
            shifted = self._before[ordinal] = business_day_on_or_before(date.fromordinal(ordinal)).toordinal()
        return shifted

    def business_after(self, ordinal: int) -> int:
        shifted = self._after.get(ordinal)
        if shifted is None:
            shifted = self._after[ordinal] = business_day_on_or_after(date.fromordinal(ordinal)).toordinal()
        return shifted

    def delivery_stamp(self, ordinal: int) -> float:
        """delivery(day).timestamp() by the day's ordinal: the sweep compares many of these."""
        stamp = self._stamps.get(ordinal)
        if stamp is None:
            stamp = self._stamps[ordinal] = self.delivery_on(ordinal).timestamp()
        return stamp

    def delivery_on(self, ordinal: int) -> datetime:
        at = self._on.get(ordinal)
        if at is None:
            at = self._on[ordinal] = self.delivery(date.fromordinal(ordinal))
        return at

    def delivery(self, day: date) -> datetime:
        at = self._times.get(day)
        if at is None:
            at = self._times[day] = delivery_time(day, self.settings)
        return at

    @property
    def model_developer(self) -> dict[str, str]:
        if self._model_developer is None:
            owners = dict(self.tracker.model_developers or {})
            owners.update((str(m["id"]), m["developer_id"]) for m in self.tracker.models)
            self._model_developer = owners
        return self._model_developer


# A candidate alert: its key, and how to build it (only done when the ledger lacks the key).
_Candidate = tuple[str, Callable[..., Alert], tuple[Any, ...]]


def _date_candidates(
    prepared: _Prepared, sub: Row, until: datetime | None, cursor: SweepCursor | None = None
) -> Iterator[_Candidate]:
    # Due times are compared as UTC timestamps and days as ordinals: this loop is the sweep's
    # hottest (every item that can be due, for every subscription).
    today = prepared.today.toordinal()
    created = _aware(sub["created_at"])
    kinds = set(sub["kinds"])
    leads = sub["lead_days"]
    target = f"{sub['target_type']}:{sub['target']}"
    overdue = KIND_OVERDUE in kinds
    until_stamp = until.timestamp() if until is not None else float("inf")
    stamp = prepared.delivery_stamp
    business = on_business_days(sub)
    earlier: Callable[[int], int] = prepared.business_before if business else _same_day
    later: Callable[[int], int] = prepared.business_after if business else _same_day
    subject_filter = SubjectFilter.of(sub)  # passes_model, inline below
    filtered = not subject_filter.everything
    developers, models = subject_filter.developers, subject_filter.models
    work: Iterable[tuple[_DatedEntry, float, list[int]]]
    if cursor is None or until is None:
        created_stamp = created.timestamp()
        work = ((entry, created_stamp, leads) for entry in prepared.entries)
    else:
        work = _since_cursor(prepared, cursor, created, leads, until, business)
    for entry, low_stamp, item_leads in work:
        item = entry.item
        if (
            filtered
            and item.developer_id is not None
            and item.developer_id not in developers
            and item.subject_id not in models  # a deadline has no developer: it passed above
        ):
            continue
        kind = entry.kind
        if kind in kinds and entry.ordinal >= today:
            for lead in item_leads:
                due_day = earlier(entry.ordinal - lead)
                if low_stamp < stamp(due_day) <= until_stamp:
                    key = f"{kind}|{entry.subject}|{entry.day_iso}|{lead}|{target}"  # alert_key, inline
                    yield key, _date_alert, (prepared, entry, sub, kind, lead, due_day)
        if overdue and item.kind == ITEM_SUBMISSION_DUE:
            model = entry.model
            assert model is not None
            due_day = later(entry.ordinal + 1)
            if (
                low_stamp < stamp(due_day) <= until_stamp
                and not is_submitted(model)
                and not is_released(model)
            ):
                key = alert_key(KIND_OVERDUE, entry.subject, entry.day_iso, None, target)
                yield key, _date_alert, (prepared, entry, sub, KIND_OVERDUE, None, due_day)


def _same_day(ordinal: int) -> int:
    return ordinal


def _since_cursor(
    prepared: _Prepared,
    cursor: SweepCursor,
    created: datetime,
    leads: list[int],
    until: datetime,
    business: bool = False,
) -> Iterator[tuple[_DatedEntry, float, list[int]]]:
    """(entry, due after (a timestamp), leads) to look at for a subscription with a cursor:
    items changed since it (or retried) in full since the subscription started; the others
    only for the leads that fall due after the cursor, looked up by day."""
    changed: Mapping[str, int] = prepared.tracker.changed or {}
    recheck = prepared.tracker.recheck
    fresh = [
        e
        for e in prepared.fresh_entries
        if e.subject in recheck or changed.get(e.subject, 0) > cursor.history_id
    ]
    created_stamp = created.timestamp()
    for entry in fresh:
        yield entry, created_stamp, leads
    fresh_subjects = {e.subject for e in fresh}
    after = max(created, cursor.at)
    after_stamp = after.timestamp()
    cursor_days = _cursor_days(after, until, leads, prepared.settings, business)
    if cursor_days is None:
        steps: Iterable[tuple[_DatedEntry, list[int]]] = ((e, leads) for e in prepared.entries)
    else:
        steps = ((e, day_leads) for day, day_leads in cursor_days.items() for e in prepared.on_day(day))
    for entry, day_leads in steps:
        if entry.subject not in fresh_subjects:
            yield entry, after_stamp, day_leads


def _date_alert(
    prepared: _Prepared, entry: _DatedEntry, sub: Row, kind: str, lead: int | None, due_day: int
) -> Alert:
    item = entry.item
    facts = entry.facts(prepared.settings)
    title = item.title
    if kind == KIND_OVERDUE:
        title = f"{facts['developer']} {facts['model']}: submission overdue"
    return _new_alert(
        {
            "kind": kind,
            "subject_type": item.subject_type,
            "subject_id": item.subject_id,
            "subject_date": entry.day_iso,
            "lead_days": lead,
            "due_at": prepared.delivery_on(due_day),
            "title": title,
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


def date_alerts(tracker: Tracker, sub: Row, now: datetime, settings: Settings) -> Iterator[Alert]:
    """Every date-based alert of `sub` for items not yet past, whenever due (after sub creation)."""
    for _, build, args in _date_candidates(_Prepared(tracker, now, settings), sub, None):
        yield build(*args)


def _status_label(row: Row, value: str | None) -> str:
    labels = DEVELOPER_STATUS_LABELS if row["field"] == "status" else REVIEW_STATUS_LABELS
    return labels.get(value or "", value or "none")


def _realtime_candidates(
    tracker: Tracker, sub: Row, model_developer: Mapping[str, str], cursor: SweepCursor | None = None
) -> Iterator[_Candidate]:
    kinds = set(sub["kinds"])
    target = f"{sub['target_type']}:{sub['target']}"
    recheck = tracker.recheck
    subject_filter = SubjectFilter.of(sub)
    if kinds & HISTORY_KINDS:
        since = sub["since_history_id"]
        done = max(since, cursor.history_id) if cursor else since  # claimed by an earlier sweep
        for row in tracker.status_changes:
            development = row["field"] == EVENT_FIELD and row["entity"] == "event"
            wanted = KIND_DEVELOPMENT if development else KIND_STATUS
            if row["id"] <= since or wanted not in kinds:
                continue
            if not development and row["field"] not in STATUS_FIELDS:
                continue
            if row["id"] <= done and f"history:{row['id']}" not in recheck:
                continue
            if development:
                # An event about no developer concerns them all (like a deadline); else it
                # passes a filter naming any of its developers.
                owners = tracker.event_developers.get(str(row["entity_id"])) or []
                if owners and not any(subject_filter.passes_developer(d, model_developer) for d in owners):
                    continue
                key = alert_key(KIND_DEVELOPMENT, f"history:{row['id']}", None, None, target)
                yield key, _development_alert, (row, sub)
                continue
            if row["entity"] == "developer":
                passes = subject_filter.passes_developer(row["entity_id"], model_developer)
            else:
                model_id = str(row["entity_id"])
                passes = subject_filter.passes_model(model_id, model_developer.get(model_id))
            if not passes:
                continue
            key = alert_key(KIND_STATUS, f"history:{row['id']}", None, None, target)
            yield key, _status_alert, (row, sub)
    if KIND_NEWS in kinds:
        since = sub.get("since_news_id", 0)
        done = max(since, cursor.news_id) if cursor else since
        for row in tracker.news:
            if row["id"] <= since or not row.get("alert"):
                continue
            if row["id"] <= done and f"news:{row['id']}" not in recheck:
                continue
            yield alert_key(KIND_NEWS, f"news:{row['id']}", None, None, target), _news_alert, (row, sub)


def _history_alert(kind: str, row: Row, sub: Row, title: str, facts: dict[str, Any]) -> Alert:
    """A real-time alert about one history row (a status change or a development)."""
    return Alert(
        kind=kind,
        subject_type="history",
        subject_id=str(row["id"]),
        subject_date=None,
        lead_days=None,
        due_at=_aware(row["at"]),
        title=title,
        facts={
            "subject": row["subject"],
            "entity": row["entity"],
            "entity_id": row["entity_id"],
            "field": row["field"],
            **facts,
            "actor": row["actor"],
            "at": row["at"],
            "effective": row.get("effective"),
            "note": row.get("note"),
            "source": row.get("source"),
        },
        target_type=sub["target_type"],
        target=sub["target"],
        subscription_id=sub["id"],
    )


def _development_alert(row: Row, sub: Row) -> Alert:
    title = f"{row['subject']}: {row['new'] or ''}"
    return _history_alert(KIND_DEVELOPMENT, row, sub, title, {"summary": row["new"]})


def _status_alert(row: Row, sub: Row) -> Alert:
    old, new = _status_label(row, row["old"]), _status_label(row, row["new"])
    what = "agreement status" if row["field"] == "status" else "review status"
    title = f"{row['subject']}: {what} changed from {old} to {new}"
    return _history_alert(KIND_STATUS, row, sub, title, {"old": old, "new": new})


def _news_alert(row: Row, sub: Row) -> Alert:
    return Alert(
        kind=KIND_NEWS,
        subject_type="news",
        subject_id=str(row["id"]),
        subject_date=None,
        lead_days=None,
        due_at=_aware(row["first_seen_at"]),
        title=row.get("title") or row.get("link") or "News item",
        facts={
            "link": row.get("link"),
            "published": row.get("published"),
            "summary": row.get("summary"),
            "matched": json.loads(row.get("matched") or "[]"),
            "source": row.get("link"),
            # the news watch's fields (bot/news/watch.py): source name, developers
            "source_name": row.get("source"),
            "developers": json.loads(row.get("developers") or "[]"),
        },
        target_type=sub["target_type"],
        target=sub["target"],
        subscription_id=sub["id"],
    )


def realtime_items(
    tracker: Tracker, sub: Row, model_developer: Mapping[str, str] | None = None
) -> Iterator[Alert]:
    """Status changes and news for `sub` (as real-time alerts, whatever its digest mode)."""
    if model_developer is None:
        model_developer = {**(tracker.model_developers or {})}
        model_developer.update((str(m["id"]), m["developer_id"]) for m in tracker.models)
    for _, build, args in _realtime_candidates(tracker, sub, model_developer):
        yield build(*args)


def digest_times(sub: Row, now: datetime, settings: Settings, count: int) -> list[datetime]:
    """The last `count` digest delivery times at or before `now`, newest first."""
    step = 1 if sub["digest"] == DIGEST_DAILY else 7
    day = today_in(settings.tz, now)
    if step == 7:
        day -= timedelta(days=day.weekday())  # Monday
    times: list[datetime] = []
    while len(times) < count:
        at = delivery_time(day, settings)
        if at <= now:
            times.append(at)
        day -= timedelta(days=step)
    return times


def next_digest_time(sub: Row, now: datetime, settings: Settings) -> datetime:
    step = 1 if sub["digest"] == DIGEST_DAILY else 7
    last = digest_times(sub, now, settings, 1)[0]
    return delivery_time(last.astimezone(settings.tz).date() + timedelta(days=step), settings)


def digest_periods(sub: Row, now: datetime, settings: Settings) -> list[tuple[datetime, datetime]]:
    """(end, start) of the last MAX_DIGEST_PERIODS digest periods after the subscription
    started, newest first; the oldest starts at the subscription's creation if that is later."""
    created = _aware(sub["created_at"])
    times = [t for t in digest_times(sub, now, settings, MAX_DIGEST_PERIODS + 1) if t > created]
    if not times:
        return []  # no digest time since the subscription started
    starts = times[1:] if len(times) > MAX_DIGEST_PERIODS else [*times[1:], created]
    return list(zip(times[:MAX_DIGEST_PERIODS], starts, strict=True))


def digest_key(sub: Row, end: datetime, settings: Settings) -> str:
    """The key of `sub`'s digest for the period ending at `end`."""
    day = end.astimezone(settings.tz).date().isoformat()
    target = f"{sub['target_type']}:{sub['target']}"
    return alert_key(KIND_DIGEST, f"digest:{sub['digest']}", day, None, target)


def digest_alerts(
    tracker: Tracker,
    sub: Row,
    now: datetime,
    settings: Settings,
    model_developer: Mapping[str, str] | None = None,
) -> Iterator[Alert]:
    """One digest per past period (after the subscription started) that has items in it."""
    items = sorted(realtime_items(tracker, sub, model_developer), key=lambda a: (a.due_at, a.key))
    if not items:
        return
    due = [a.due_at for a in items]
    for end, start in digest_periods(sub, now, settings):
        inside = items[bisect_left(due, start) : bisect_left(due, end)]
        if inside:
            day = end.astimezone(settings.tz).date()
            yield Alert(
                kind=KIND_DIGEST,
                subject_type="digest",
                subject_id=sub["digest"],
                subject_date=day.isoformat(),
                lead_days=None,
                due_at=end,
                title=f"{DIGEST_MODES[sub['digest']]}: {len(inside)} update(s)",
                facts={"mode": sub["digest"], "items": [_digest_entry(a) for a in inside]},
                target_type=sub["target_type"],
                target=sub["target"],
                subscription_id=sub["id"],
            )


def _digest_entry(alert: Alert) -> dict[str, Any]:
    return {
        "kind": alert.kind,
        "title": alert.title,
        "at": utc_iso(alert.due_at),
        "source": alert.facts.get("source"),
        "link": alert.facts.get("link"),
        "effective": alert.facts.get("effective"),
    }


def briefing_alert(sub: Row, now: datetime, settings: Settings) -> Alert | None:
    """The weekly briefing due last (Monday at the delivery time) for a subscription that takes
    one, or None. Only the latest week's: after downtime it is sent once, late; an older missed
    week is not sent (its successor says more). The week is in the key: one per week."""
    if not sub.get("briefing_since"):
        return None
    (due,) = digest_times({"digest": DIGEST_WEEKLY}, now, settings, 1)
    if due <= _aware(sub["briefing_since"]):
        return None  # the first is the Monday after it was turned on
    monday = due.astimezone(settings.tz).date()
    year, week, _ = monday.isocalendar()
    return Alert(
        kind=KIND_BRIEFING,
        subject_type="briefing",
        subject_id=f"{year}-W{week:02d}",
        subject_date=monday.isoformat(),
        lead_days=None,
        due_at=due,
        title=f"Weekly briefing, week of {monday:%b} {monday.day}, {monday.year}",
        facts={"monday": monday.isoformat()},  # the content is added before it is claimed
        target_type=sub["target_type"],
        target=sub["target"],
        subscription_id=sub["id"],
    )


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


def _catch_up_group(alert: Alert) -> str | None:
    """What catch-up sends one alert of: the date alerts about one subject for one target (a
    deadline, a model, whatever its dates: a model's window opening and its release 30 days
    later say the same thing on the same day), or a target's digests. None: each is sent."""
    if alert.kind in DATE_KINDS:
        return f"{alert.subject_type}:{alert.subject_id}|{alert.target_type}:{alert.target}"
    if alert.kind == KIND_DIGEST:
        return f"{KIND_DIGEST}|{alert.target_type}:{alert.target}"
    return None


def _urgency(alert: Alert, today: date) -> tuple[int, int, int]:
    days = (alert.day - today).days if alert.day else 0
    return (0 if alert.kind == KIND_OVERDUE else 1, days, alert.lead_days or 0)


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
    today = today_in(settings.tz, now)
    subscriptions = list(subscriptions)
    max_lead = max((lead for sub in subscriptions for lead in sub["lead_days"]), default=0)
    prepared = _Prepared(tracker, now, settings, until=now, max_lead=max_lead)
    # Keys first: an alert is only built when the ledger does not have it yet. (At the delivery
    # time thousands are due at once: what follows keeps allocations, and the garbage
    # collector's work, to a few per alert.)
    candidates: dict[str, _Candidate] = {}
    for sub in subscriptions:
        for candidate in _subscription_candidates(prepared, sub, now):
            candidates.setdefault(candidate[0], candidate)
    for reminder in tracker.reminders:
        if _aware(reminder["remind_at"]) <= now:
            candidates.setdefault(reminder["key"], (reminder["key"], reminder_alert, (reminder,)))
    if callable(ledger_keys):
        known = ledger_keys(list(candidates))
    else:
        known = {key for key in candidates if key in ledger_keys}
    new_keys = [key for key in candidates if key not in known]
    new = [build(*args) for _, build, args in map(candidates.__getitem__, new_keys)]
    valid = set(candidates)
    # Catch-up: one alert per group (_catch_up_group). Most groups have one new alert: those go
    # straight out.
    groups = [_catch_up_group(alert) for alert in new]
    several = {group for group, count in Counter(groups).items() if count > 1 and group is not None}
    members: dict[str, list[int]] = {}
    send_keys: list[str] = []
    send: list[Alert] = []
    for index, group in enumerate(groups):
        if group in several:
            members.setdefault(group, []).append(index)
        else:
            send_keys.append(new_keys[index])
            send.append(new[index])
    skip: list[tuple[Alert, str]] = []
    for indexes in members.values():
        if new[indexes[0]].kind == KIND_DIGEST:  # the latest, carrying the missed periods' items
            indexes.sort(key=lambda i: new[i].due_at)
            latest = new[indexes[-1]]
            entries = [e for i in indexes for e in new[i].facts["items"]]
            send_keys.append(new_keys[indexes[-1]])
            send.append(
                replace(
                    latest,
                    facts={**latest.facts, "items": entries},
                    title=f"{DIGEST_MODES[latest.facts['mode']]}: {len(entries)} update(s)",
                )
            )
            skip += [(new[i], SKIP_DIGEST_CATCH_UP) for i in indexes[:-1]]
        else:  # the most urgent
            indexes.sort(key=lambda i: _urgency(new[i], today))
            chosen = new[indexes[0]]
            send_keys.append(new_keys[indexes[0]])
            send.append(chosen)
            skip += [
                (new[i], SKIP_SAME_DAY if new[i].due_at == chosen.due_at else SKIP_CATCH_UP)
                for i in indexes[1:]
            ]
    order = sorted(range(len(send)), key=send_keys.__getitem__)
    order.sort(key=lambda i: send[i].due_at)  # stable: by due time, then key
    plan = AlertPlan(send=[send[i] for i in order], skip=skip, valid=valid)
    return _hold_quiet(_apply_mutes(plan, tracker.mutes), subscriptions, now, settings)


def _apply_mutes(plan: AlertPlan, mutes: list[dict[str, Any]]) -> AlertPlan:
    """Record as skipped the alerts about a subject muted for their target; a retry of one
    (a failed earlier delivery) no longer applies either."""
    if not mutes:
        return plan
    muted = {(m["target_type"], m["target"], m["subject_type"], m["subject_id"]) for m in mutes}
    send: list[Alert] = []
    for alert in plan.send:
        if (alert.target_type, alert.target, alert.subject_type, alert.subject_id) in muted:
            plan.skip.append((alert, SKIP_MUTED))
        else:
            send.append(alert)
    plan.send = send
    subjects = {
        f"{subject_type}:{subject_id}|{target_type}:{target}"
        for target_type, target, subject_type, subject_id in muted
    }
    plan.valid = {key for key in plan.valid if _subject_and_target(key) not in subjects}
    return plan


def _subject_and_target(key: str) -> str:
    """`subject|target` of an alert key (`kind|subject|date|lead|target`)."""
    parts = key.split("|")
    return f"{parts[1]}|{parts[-1]}" if len(parts) >= 5 else ""


def reminder_alert(reminder: Row) -> Alert:
    """The DM a "Remind me" asked for: the alert it repeats travels in its facts."""
    original = json.loads(reminder["payload"])
    return Alert(
        kind=KIND_REMINDER,
        subject_type="reminder",
        subject_id=reminder["key"].split("|")[1].partition(":")[2],  # so that .key is the row's key
        subject_date=None,
        lead_days=None,
        target_type="slack",
        target=reminder["user_id"],
        subscription_id=0,
        due_at=_aware(reminder["remind_at"]),
        title=original.get("title", ""),
        facts={"original": original, "channel": reminder["channel"], "requested_at": reminder["created_at"]},
    )


def _hold_quiet(plan: AlertPlan, subscriptions: list[Row], now: datetime, settings: Settings) -> AlertPlan:
    """Move real-time alerts of subscriptions in their quiet hours from `send` to `hold`."""
    until = {sub["id"]: quiet_until(sub, now, settings) for sub in subscriptions}
    if not any(until.values()):
        return plan
    send: list[Alert] = []
    for alert in plan.send:
        end = until.get(alert.subscription_id)
        if end is not None and alert.kind in REALTIME_KINDS:
            plan.hold.append((alert, end))
        else:
            send.append(alert)
    plan.send = send
    return plan


def superseded(alerts: Iterable[Alert], now: datetime, settings: Settings) -> set[str]:
    """Keys of date alerts that catch-up drops from one sweep's deliveries: of those about one
    subject for one target, only the most urgent goes out. The plan applies this to new
    alerts; the sweep applies it again with the claims and failures it retries, so a channel
    never gets two date alerts about one subject in one sweep."""
    today = today_in(settings.tz, now)
    best: dict[str, tuple[tuple[int, int, int], str]] = {}
    dropped: set[str] = set()
    for alert in alerts:
        if alert.kind not in DATE_KINDS:
            continue
        group = _catch_up_group(alert)
        assert group is not None
        rank = (_urgency(alert, today), alert.key)
        current = best.get(group)
        if current is None:
            best[group] = rank
        elif rank < current:
            dropped.add(current[1])
            best[group] = rank
        else:
            dropped.add(alert.key)
    return dropped


def upcoming_alerts(
    tracker: Tracker, sub: Row, ledger_keys: set[str], now: datetime, settings: Settings, limit: int = 10
) -> list[Alert]:
    """The next `limit` date-based alerts `sub` will get, soonest first, at their delivery
    times; of alerts about one subject delivered at one time, only the most urgent."""
    future = [
        a for a in date_alerts(tracker, sub, now, settings) if a.due_at > now and a.key not in ledger_keys
    ]
    today = today_in(settings.tz, now)
    future.sort(key=lambda a: (a.due_at, _urgency(a, today), a.key))
    seen: set[tuple[str | None, datetime]] = set()
    shown: list[Alert] = []
    for alert in future:
        slot = (_catch_up_group(alert), alert.due_at)
        if slot not in seen:
            seen.add(slot)
            shown.append(alert)
    return shown[:limit]


def restated_alert(alert: Alert, row: Row | None, now: datetime, settings: Settings) -> Alert | None:
    """A sent date alert restated with its subject's current row (a deadline, or a model with
    `developer_name`): its date, title and facts now. None: the subject is gone or has no
    such date any more (removed, released, unplanned)."""
    if row is None:
        return None
    today = today_in(settings.tz, now)
    if alert.subject_type == "deadline":
        item = deadline_item(row, today)
        entry = _DatedEntry(item, None, row) if item is not None else None
    else:
        wanted = ITEM_RELEASE if alert.kind == KIND_RELEASE else ITEM_SUBMISSION_DUE
        found = [i for i in model_items(row, today, settings.review_window_days) if i.kind == wanted]
        entry = _DatedEntry(found[0], row, None) if found else None
    if entry is None:
        return None
    facts = entry.facts(settings)
    title = entry.item.title
    if alert.kind == KIND_OVERDUE:
        title = f"{facts['developer']} {facts['model']}: submission overdue"
    return replace(alert, subject_date=entry.day_iso, title=title, facts=facts)


def restated_status_alert(alert: Alert, change: Row) -> Alert:
    """A sent status alert restated from a later change of the same status."""
    fresh = _status_alert(change, {"target_type": alert.target_type, "target": alert.target, "id": 0})
    return replace(alert, title=fresh.title, facts=fresh.facts)
