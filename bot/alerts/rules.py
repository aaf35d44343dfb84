"""When each alert is due and for whom: the domain rules, in plain code.

These are the rules the reference planner (bot/alerts/reference.py) applies alert by alert;
the sweep's planner (bot/alerts/fastplan.py) computes the same faster, and a property test
(tests/bot/alerts/test_fastplan.py) holds it to them.

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
  news as one digest per period (bot/alerts/digests.py).

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

Only alerts due after the subscription was created count.

Delivery days: a subscription delivers date-based alerts on business days (Monday to Friday,
not on US federal holidays: bot/business_days.py) unless it chose every day. An approaching
alert due on another day comes the business day before (never later than promised; its
countdown is worded at delivery), so two alerts about one subject can fall on one day: they
collapse to the most urgent, as in catch-up (bot/alerts/catchup.py). An overdue alert due on
another day comes the business day after (the day before, the window has not yet opened).
Quiet time (team timezone) is a calendar: the weekend all day for a subscription on business
days (until the delivery time on Monday), and its quiet hours every day. Every kind of post
that falls in it waits until it ends (the sweep records it in the ledger as held and sends
it as it sends retries), except the urgent ones (`breaks_through_quiet`); updates in place
and reminders wait too (bot/alerts/updates.py, bot/alerts/snooze.py).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from bot.alerts.alert import (
    DELIVERY_BUSINESS,
    EVENT_FIELD,
    KIND_DEADLINE,
    KIND_DEVELOPMENT,
    KIND_NEWS,
    KIND_OVERDUE,
    KIND_RELEASE,
    KIND_REMINDER,
    KIND_STATUS,
    KIND_WINDOW,
    STATUS_FIELDS,
    Alert,
    Row,
    Tracker,
    alert_key,
    key_subject,
)
from bot.business_days import business_day_on_or_after, business_day_on_or_before
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
    today_in,
)
from bot.settings import Settings

ITEM_ALERT_KIND = {ITEM_DEADLINE: KIND_DEADLINE, ITEM_SUBMISSION_DUE: KIND_WINDOW, ITEM_RELEASE: KIND_RELEASE}


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


def _quiet_hours_end(sub: Row, local: datetime, settings: Settings) -> datetime | None:
    """When `sub`'s quiet hours end, if the local time `local` is inside them, else None."""
    start_text, end_text = sub.get("quiet_start"), sub.get("quiet_end")
    if not start_text or not end_text:
        return None
    start, end = time.fromisoformat(start_text), time.fromisoformat(end_text)
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


def quiet_day(sub: Row, day: date) -> bool:
    """Whether `day` is quiet all day for `sub`: Saturdays and Sundays, when it delivers on
    business days (the default); none when it chose every day."""
    return on_business_days(sub) and day.weekday() >= 5


def quiet_until(sub: Row, now: datetime, settings: Settings) -> datetime | None:
    """When `sub`'s quiet time ends, if `now` is inside it (team timezone), else None. Quiet
    time is a calendar: quiet days (a weekend) last until the delivery time of the next day
    that is not quiet (Monday 09:00), and the quiet hours of any day (e.g. 18:00 to 08:00)."""
    start = local = now.astimezone(settings.tz)
    for _ in range(8):  # a weekend, then the quiet hours of the morning after: settles fast
        if quiet_day(sub, local.date()):
            day = local.date() + timedelta(days=1)
            while quiet_day(sub, day):
                day += timedelta(days=1)
            local = datetime.combine(day, settings.alert_time, tzinfo=settings.tz)
            continue
        end = _quiet_hours_end(sub, local, settings)
        if end is None:
            break
        local = end
    return None if local == start else local


def breaks_through_quiet(alert: Alert) -> bool:
    """Urgent alerts that are posted even in quiet time: a deadline, a review window opening
    or a planned release today or tomorrow (named in the subscribe form and docs/alerts.md)."""
    return alert.kind in (KIND_DEADLINE, KIND_WINDOW, KIND_RELEASE) and (alert.lead_days or 0) <= 1


def target_of(sub: Row) -> str:
    """The `target_type:target` part of the keys of `sub`'s alerts."""
    return f"{sub['target_type']}:{sub['target']}"


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
        """An alert about a model (an owner not known: not filtered out, as for developers).
        A deadline's item has no developer: it passes too."""
        return (
            developer_id is None
            or developer_id in self.developers
            or model_id in self.models
            or not (self.developers or self.models)  # everything passes (not a call: asked per item)
        )

    def passes_developer(self, developer_id: str | None, model_developer: Mapping[str, str]) -> bool:
        """An alert about a developer; `model_developer` knows the named models' owners."""
        if self.everything or developer_id is None or developer_id in self.developers:
            return True
        return any(model_developer.get(model) == developer_id for model in self.models)


# ---------------------------------------------------------------- date-based alerts


def date_facts(
    item: DatedItem, model: Row | None, deadline: Row | None, settings: Settings
) -> dict[str, Any]:
    """What a date alert's message shows about its item (a model's or a deadline's)."""
    if model is not None:
        facts = {
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
    else:
        row = deadline or {}
        facts = {
            "note": row.get("note"),
            "source": row.get("source"),
            "contested": bool(row.get("contested")),
            "as_of": row.get("as_of"),
            "deadline_kind": row.get("kind"),
        }
    facts.update(item_title=item.title, item_kind=item.kind)
    return facts


def date_alert_title(kind: str, item: DatedItem, facts: Mapping[str, Any]) -> str:
    if kind == KIND_OVERDUE:
        return f"{facts['developer']} {facts['model']}: submission overdue"
    return item.title


def is_overdue_candidate(item: DatedItem, model: Row | None) -> bool:
    """Whether a model's window opening can give an overdue alert: not submitted, not released."""
    return (
        item.kind == ITEM_SUBMISSION_DUE
        and model is not None
        and not is_submitted(model)
        and not is_released(model)
    )


def approaching_day(item_day: date, lead: int, sub: Row) -> date:
    """The day `sub` gets the alert `lead` days before an item on `item_day`."""
    return delivery_day(item_day - timedelta(days=lead), sub)


def overdue_day(window_day: date, sub: Row) -> date:
    """The day `sub` gets the overdue alert of a window that opened on `window_day`."""
    return delivery_day(window_day + timedelta(days=1), sub, overdue=True)


def date_alerts(tracker: Tracker, sub: Row, now: datetime, settings: Settings) -> Iterator[Alert]:
    """Every date-based alert of `sub` for items not yet past, whenever due (after sub creation),
    overdue ones included."""
    today = today_in(settings.tz, now)
    created = datetime.fromisoformat(sub["created_at"])
    kinds = set(sub["kinds"])
    subject_filter = SubjectFilter.of(sub)
    models = {str(m["id"]): m for m in tracker.models}
    deadlines = {str(d["id"]): d for d in tracker.deadlines}
    for item in dated_items(tracker.models, tracker.deadlines, now, settings.tz, settings.review_window_days):
        if not subject_filter.passes_model(item.subject_id, item.developer_id):
            continue
        model = models.get(item.subject_id) if item.subject_type == "model" else None
        deadline = deadlines.get(item.subject_id) if item.subject_type == "deadline" else None
        facts = date_facts(item, model, deadline, settings)
        kind = ITEM_ALERT_KIND[item.kind]
        due: list[tuple[str, int | None, date]] = []
        if kind in kinds and item.day >= today:
            due += [(kind, lead, approaching_day(item.day, lead, sub)) for lead in sub["lead_days"]]
        if KIND_OVERDUE in kinds and is_overdue_candidate(item, model):
            due.append((KIND_OVERDUE, None, overdue_day(item.day, sub)))
        for alert_kind, lead, day in due:
            due_at = delivery_time(day, settings)
            if due_at > created:
                yield date_alert(item, facts, sub, alert_kind, lead, due_at)


def date_alert(
    item: DatedItem, facts: dict[str, Any], sub: Row, kind: str, lead: int | None, due_at: datetime
) -> Alert:
    return Alert(
        kind=kind,
        subject_type=item.subject_type,
        subject_id=item.subject_id,
        subject_date=item.day.isoformat(),
        lead_days=lead,
        due_at=due_at,
        title=date_alert_title(kind, item, facts),
        facts=facts,
        target_type=sub["target_type"],
        target=sub["target"],
        subscription_id=sub["id"],
    )


# ---------------------------------------------------------------- real-time alerts


def history_alert_kind(
    row: Row,
    kinds: Collection[str],
    subject_filter: SubjectFilter,
    event_developers: Mapping[str, list[str]],
    model_developer: Mapping[str, str],
) -> str | None:
    """The kind of real-time alert a history row gives a subscription taking `kinds` through
    `subject_filter` (status or development), or None: not a kind it takes, not a status
    field, or filtered out. Ids are checked by the caller."""
    development = row["field"] == EVENT_FIELD and row["entity"] == "event"
    kind = KIND_DEVELOPMENT if development else KIND_STATUS
    if kind not in kinds:
        return None
    if development:
        # An event about no developer concerns them all (like a deadline); else it passes a
        # filter naming any of its developers.
        owners = event_developers.get(str(row["entity_id"])) or []
        if owners and not any(subject_filter.passes_developer(d, model_developer) for d in owners):
            return None
        return kind
    if row["field"] not in STATUS_FIELDS:
        return None
    if row["entity"] == "developer":
        passes = subject_filter.passes_developer(row["entity_id"], model_developer)
    else:
        model_id = str(row["entity_id"])
        passes = subject_filter.passes_model(model_id, model_developer.get(model_id))
    return kind if passes else None


def is_news_alert(row: Row) -> bool:
    """Whether a news item is one the news watch marked for alerts."""
    return bool(row.get("alert"))


def history_key(kind: str, row: Row, sub: Row) -> str:
    return alert_key(kind, f"history:{row['id']}", None, None, target_of(sub))


def news_key(row: Row, sub: Row) -> str:
    return alert_key(KIND_NEWS, f"news:{row['id']}", None, None, target_of(sub))


def _status_label(row: Row, value: str | None) -> str:
    labels = DEVELOPER_STATUS_LABELS if row["field"] == "status" else REVIEW_STATUS_LABELS
    return labels.get(value or "", value or "none")


def _history_alert(kind: str, row: Row, sub: Row, title: str, facts: dict[str, Any]) -> Alert:
    """A real-time alert about one history row (a status change or a development)."""
    return Alert(
        kind=kind,
        subject_type="history",
        subject_id=str(row["id"]),
        subject_date=None,
        lead_days=None,
        due_at=datetime.fromisoformat(row["at"]),
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


def development_alert(row: Row, sub: Row) -> Alert:
    title = f"{row['subject']}: {row['new'] or ''}"
    return _history_alert(KIND_DEVELOPMENT, row, sub, title, {"summary": row["new"]})


def status_alert(row: Row, sub: Row) -> Alert:
    old, new = _status_label(row, row["old"]), _status_label(row, row["new"])
    what = "agreement status" if row["field"] == "status" else "review status"
    title = f"{row['subject']}: {what} changed from {old} to {new}"
    return _history_alert(KIND_STATUS, row, sub, title, {"old": old, "new": new})


HISTORY_ALERTS = {KIND_STATUS: status_alert, KIND_DEVELOPMENT: development_alert}


def news_alert(row: Row, sub: Row) -> Alert:
    return Alert(
        kind=KIND_NEWS,
        subject_type="news",
        subject_id=str(row["id"]),
        subject_date=None,
        lead_days=None,
        due_at=datetime.fromisoformat(row["first_seen_at"]),
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
    """Status changes and news for `sub` since it started (as real-time alerts, whatever its
    digest mode)."""
    if model_developer is None:
        model_developer = tracker.model_owners()
    subject_filter = SubjectFilter.of(sub)
    for row in tracker.status_changes:
        if row["id"] > sub["since_history_id"]:
            kind = history_alert_kind(
                row, sub["kinds"], subject_filter, tracker.event_developers, model_developer
            )
            if kind is not None:
                yield HISTORY_ALERTS[kind](row, sub)
    if KIND_NEWS in sub["kinds"]:
        since = sub.get("since_news_id", 0)
        for row in tracker.news:
            if row["id"] > since and is_news_alert(row):
                yield news_alert(row, sub)


# ---------------------------------------------------------------- reminders and restatements


def reminder_alert(reminder: Row) -> Alert:
    """The DM a "Remind me" asked for: the alert it repeats travels in its facts."""
    original = json.loads(reminder["payload"])
    return Alert(
        kind=KIND_REMINDER,
        subject_type="reminder",
        subject_id=key_subject(reminder["key"]).partition(":")[2],  # so that .key is the row's key
        subject_date=None,
        lead_days=None,
        target_type="slack",
        target=reminder["user_id"],
        subscription_id=0,
        due_at=datetime.fromisoformat(reminder["remind_at"]),
        title=original.get("title", ""),
        facts={"original": original, "channel": reminder["channel"], "requested_at": reminder["created_at"]},
    )


def restated_alert(alert: Alert, row: Row | None, now: datetime, settings: Settings) -> Alert | None:
    """A sent date alert restated with its subject's current row (a deadline, or a model with
    `developer_name`): its date, title and facts now. None: the subject is gone or has no
    such date any more (removed, released, unplanned)."""
    if row is None:
        return None
    today = today_in(settings.tz, now)
    if alert.subject_type == "deadline":
        item = deadline_item(row, today)
        model, deadline = None, row
    else:
        wanted = ITEM_RELEASE if alert.kind == KIND_RELEASE else ITEM_SUBMISSION_DUE
        found = [i for i in model_items(row, today, settings.review_window_days) if i.kind == wanted]
        item = found[0] if found else None
        model, deadline = row, None
    if item is None:
        return None
    facts = date_facts(item, model, deadline, settings)
    title = date_alert_title(alert.kind, item, facts)
    return replace(alert, subject_date=item.day.isoformat(), title=title, facts=facts)
