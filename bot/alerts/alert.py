"""What an alert is: its kinds, its key, the record of one alert, the rows a plan reads and
the plan it makes.

An alert's key is `kind|subject|subject date|lead|target` (DESIGN.md, "Alerts"): moving a
date makes new keys, and a key in the ledger is never sent again. `alert_key` is the one
place that spells it; the planners (bot/alerts/rules.py, bot/alerts/fastplan.py), digests,
reminders and the ledger all go through it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property, lru_cache
from typing import Any

from bot.clock import utc_iso
from bot.domain import parse_date

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
    KIND_WINDOW: "Review window opening (30 days before a planned release)",
    KIND_RELEASE: "Release approaching",
    KIND_OVERDUE: "Not submitted after the review window opened",
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
SKIP_TOLD_TODAY = "already told today: an alert about the same subject was sent earlier today"
SKIP_TOLD_BY_UPDATE = "already told: the date moved after this alert's time, and the sent alerts were updated"

Row = Mapping[str, Any]
KnownKeys = Callable[[list[str]], set[str]]  # which of these keys the ledger has


def alert_key(kind: str, subject: str, subject_date: str | None, lead_days: int | None, target: str) -> str:
    """`kind|subject_type:id|date|lead|target_type:target` (the sweep checks keys before building alerts)."""
    lead = "-" if lead_days is None else str(lead_days)
    return f"{kind}|{subject}|{subject_date or '-'}|{lead}|{target}"


def key_subject(key: str) -> str:
    """The `subject_type:id` of an alert key."""
    return key.split("|")[1]


def key_subject_and_target(key: str) -> str:
    """`subject|target` of an alert key (`kind|subject|date|lead|target`); "" for another text."""
    parts = key.split("|")
    return f"{parts[1]}|{parts[-1]}" if len(parts) >= 5 else ""


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
        payloads: dict[tuple[int, str], str] = {}  # (facts id, title) -> payload: one per item and wording
        rows = []
        for alert in alerts:
            facts, title = alert.facts, alert.title
            payload = payloads.get((id(facts), title))
            if payload is None:
                known = encoded.get(id(facts))
                if known is None:
                    known = encoded[id(facts)] = (facts, json.dumps(facts, sort_keys=True))
                payload = f'{{"facts": {known[1]}, "title": {json.dumps(title)}}}'
                payloads[(id(facts), title)] = payload
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

    def model_owners(self) -> dict[str, str]:
        """Model id -> developer id, of the models read and of the owners read for filters."""
        owners = dict(self.model_developers or {})
        owners.update((str(m["id"]), m["developer_id"]) for m in self.models)
        return owners


@dataclass
class AlertPlan:
    send: list[Alert]
    skip: list[tuple[Alert, str]]
    # The key of every alert due now that still applies, among those computed (with cursors:
    # the new ones and the retried alerts' subjects); a retry not in it is dropped.
    valid: set[str]
    hold: list[tuple[Alert, datetime]] = field(default_factory=list)  # quiet hours: until when
