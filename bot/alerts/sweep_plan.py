"""What one sweep will do: the tracker rows it reads, its plan, and the retries with it.

The sweep reads only what can have become due since each subscription's cursor
(bot/alerts/cursors.py): the tracker rows by date and by history, the ledger by key
(`load_due_tracker`, `plan_sweep`). `sweep_work` joins the plan with the retries: a retry
whose alert no longer applies (date moved, unsubscribed) is dropped, and catch-up runs over
new alerts and retries together. A dry run (bot/alerts/dry_run.py) stops here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Any, NamedTuple

from sqlite_utils import Database

from bot.alerts.alert import (
    DATE_KINDS,
    DIGEST_REALTIME,
    HISTORY_ALERT_FIELDS,
    KIND_DEVELOPMENT,
    KIND_NEWS,
    KIND_STATUS,
    SKIP_SUPERSEDED,
    SUBSCRIBABLE_KINDS,
    Alert,
    AlertPlan,
    Tracker,
)
from bot.alerts.briefing import KIND_BRIEFING, fill_briefing
from bot.alerts.catchup import superseded
from bot.alerts.cursors import SweepCursor, sweep_cursor, sweep_date_ranges
from bot.alerts.digests import digest_key, digest_periods
from bot.alerts.fastplan import plan_alerts
from bot.alerts.snooze import add_to_tracker
from bot.alerts.told import already_told, summaries_caught_up
from bot.clock import utc_iso
from bot.deps import Deps
from bot.domain import today_in
from bot.people import is_user_id, names_for
from bot.settings import Settings
from storage import alerts as ledger
from storage import sweep_reads
from storage.facts import contests_for, event_developers, list_events
from storage.sweep_probe import SweepProbe, probe_sweep
from storage.tracker import list_deadlines, list_models

CLAIM_LEASE = timedelta(minutes=15)  # longer than any sweep's delivery takes
SKIP_NO_LONGER_APPLIES = "no longer applies (date changed, item removed or unsubscribed)"
# The kinds a subscription must want for the sweep to read history rows / news items.
_READS = {KIND_STATUS: {KIND_STATUS, KIND_DEVELOPMENT}, KIND_NEWS: {KIND_NEWS}}

Sub = dict[str, Any]


def _event_owners(db: Database, changes: list[dict[str, Any]]) -> dict[str, list[str]]:
    """The developers of the events among these history rows (for developer filters)."""
    return event_developers(db, {r["entity_id"] for r in changes if r["entity"] == "event"})


def load_tracker(db: Database, subscriptions: list[Sub]) -> Tracker:
    """The whole tracker, with every status change and news item since the subscriptions started."""
    since_history = min((s["since_history_id"] for s in subscriptions), default=0)
    since_news = min((s.get("since_news_id", 0) for s in subscriptions), default=0)
    changes = sweep_reads.alert_history_after(db, since_history, HISTORY_ALERT_FIELDS)
    return Tracker(
        models=list_models(db),
        deadlines=list_deadlines(db),
        status_changes=changes,
        event_developers=_event_owners(db, changes),
        news=sweep_reads.alert_news_after(db, since_news),
    )


def load_due_tracker(
    db: Database,
    subscriptions: list[Sub],
    now: datetime,
    settings: Settings,
    retries: list[dict[str, Any]] | None = None,
    latest: tuple[int, int] | None = None,
) -> Tracker:
    """The tracker rows a sweep at `now` can need, chosen in SQL (bot/alerts/cursors.py).

    Models and deadlines whose dates can have an alert due since each subscription's cursor,
    those changed since, and those of retried alerts; status changes and news after the
    cursors; for digests, what falls in the periods not yet in the ledger (or retried).
    `latest`: the newest history and news ids, when the caller has read them (the probe).
    """
    retries = retries or []
    # Read first: a change committed while the rest is read is looked at again next time. So
    # rows after an id at or past these are not read now (most sweeps: nothing changed since
    # the cursors), which saves a workspace's sweep three reads (docs/workspaces.md).
    history_id, news_id = latest or sweep_reads.latest_ids(db)
    cursors = {sub["id"]: sweep_cursor(sub, now, settings) for sub in subscriptions}
    marks = [c.history_id for c in cursors.values() if c is not None]
    changed = sweep_reads.changed_subjects(db, min(marks)) if marks and min(marks) < history_id else {}
    recheck = {f"{r['subject_type']}:{r['subject_id']}" for r in retries}
    ids = _ids_by_kind([*changed, *recheck])
    deadline_days, model_days = _date_ranges(subscriptions, cursors, now, settings)
    after = _realtime_after(subscriptions, cursors)
    digest_from, digest_after = _digest_reads(db, subscriptions, now, settings, retries)
    status_changes = sweep_reads.status_changes_for_sweep(
        db,
        HISTORY_ALERT_FIELDS,
        _before(after[KIND_STATUS], history_id),
        _before(digest_after[KIND_STATUS], history_id),
        digest_from,
        ids["history"],
    )
    news = sweep_reads.news_for_sweep(
        db,
        _before(after[KIND_NEWS], news_id),
        _before(digest_after[KIND_NEWS], news_id),
        digest_from,
        ids["news"],
    )
    models = sweep_reads.models_for_sweep(db, model_days, ids["model"])
    owners = {str(r["entity_id"]) for r in status_changes if r["entity"] == "model"}
    owners.update(m for s in subscriptions for m in s.get("model_filter") or ())  # followed models
    owners -= {str(m["id"]) for m in models}
    return Tracker(
        models=models,
        deadlines=sweep_reads.deadlines_for_sweep(db, deadline_days, ids["deadline"]),
        status_changes=status_changes,
        news=news,
        changed=changed,
        recheck=recheck,
        model_developers=sweep_reads.model_developers(db, owners),
        event_developers=_event_owners(db, status_changes),
        history_id=history_id,
        news_id=news_id,
    )


def _before(after_id: int | None, latest: int) -> int | None:
    """`after_id` when rows after it can exist (it is below the newest id read), else None."""
    return after_id if after_id is not None and after_id < latest else None


def _ids_by_kind(subjects: Iterable[str]) -> dict[str, set[int]]:
    """`model:7`, `history:12`, ... as ids by subject type (of the types read by id)."""
    ids: dict[str, set[int]] = {"model": set(), "deadline": set(), "history": set(), "news": set()}
    for subject in subjects:
        kind, _, ident = subject.partition(":")
        if kind in ids and ident.isdigit():
            ids[kind].add(int(ident))
    return ids


def _date_ranges(
    subscriptions: list[Sub], cursors: dict[int, SweepCursor | None], now: datetime, settings: Settings
) -> tuple[list[tuple[date, date]], list[tuple[date, date]]]:
    """Deadline due dates and planned releases that can give an alert due since the cursors."""
    deadline_days: list[tuple[date, date]] = []
    model_days: list[tuple[date, date]] = []
    for sub in subscriptions:
        due_dates, planned_releases = sweep_date_ranges(sub, cursors[sub["id"]], now, settings)
        deadline_days += due_dates
        model_days += planned_releases
    return deadline_days, model_days


def _realtime_after(
    subscriptions: list[Sub], cursors: dict[int, SweepCursor | None]
) -> dict[str, int | None]:
    """Real-time subscriptions: the history row and news item ids after which to read (their
    cursors, or their start); None: no such subscription wants them."""
    after: dict[str, list[int]] = {KIND_STATUS: [], KIND_NEWS: []}
    for sub in subscriptions:
        cursor = cursors[sub["id"]]
        if sub["digest"] == DIGEST_REALTIME:
            for kind, since, done in (
                (KIND_STATUS, sub["since_history_id"], cursor and cursor.history_id),
                (KIND_NEWS, sub["since_news_id"], cursor and cursor.news_id),
            ):
                if _READS[kind] & set(sub["kinds"]):
                    after[kind].append(max(since, done or 0))
    return {kind: min(ids, default=None) for kind, ids in after.items()}


def _digest_reads(
    db: Database, subscriptions: list[Sub], now: datetime, settings: Settings, retries: list[dict[str, Any]]
) -> tuple[str | None, dict[str, int | None]]:
    """Digest subscriptions: what falls in the periods whose digest is not in the ledger yet (or
    is being retried), from the oldest such period's start (an ISO day), and the ids after
    which history rows and news items are read for them."""
    digests = [s for s in subscriptions if s["digest"] != DIGEST_REALTIME]
    periods = [
        (digest_key(s, end, settings), start)
        for s in digests
        for end, start in digest_periods(s, now, settings)
    ]
    done_keys = ledger.known_keys(db, [key for key, _ in periods]) - {r["key"] for r in retries}
    starts = [start for key, start in periods if key not in done_keys]
    if not starts:
        return None, {KIND_STATUS: None, KIND_NEWS: None}
    # Stored times are ISO text: a day's margin covers any UTC offset (exact check later).
    digest_from = (min(starts) - timedelta(days=1)).astimezone(UTC).date().isoformat()
    after = {
        kind: min((s[since] for s in digests if set(s["kinds"]) & _READS[kind]), default=None)
        for kind, since in ((KIND_STATUS, "since_history_id"), (KIND_NEWS, "since_news_id"))
    }
    return digest_from, after


class SweepPlan(NamedTuple):
    plan: AlertPlan
    retries: list[dict[str, Any]]
    tracker: Tracker


def plan_sweep(
    db: Database,
    subscriptions: list[Sub],
    now: datetime,
    settings: Settings,
    lease: timedelta = CLAIM_LEASE,
    probe: SweepProbe | None = None,
) -> SweepPlan:
    """What a sweep at `now` does before claiming: retries, the tracker it needs, the plan.
    The reads the probe (storage/sweep_probe.py, asked first when not given) says find
    nothing are not made."""
    probe = probe or probe_sweep(db, now, lease, today_in(settings.tz, now))
    retries = ledger.retry_candidates(db, now, lease) if probe.retries else []
    tracker = load_due_tracker(db, subscriptions, now, settings, retries, (probe.history_id, probe.news_id))
    add_to_tracker(db, tracker, now, settings, probe)  # reminders due and mutes (bot/alerts/snooze.py)
    plan = plan_alerts(tracker, subscriptions, partial(ledger.known_keys, db), now, settings)
    attach_contests(db, plan.send)
    return SweepPlan(plan, retries, tracker)


def attach_contests(db: Database, alerts: Iterable[Alert]) -> None:
    """The competing claims about each contested subject, carried in its alerts' facts (and
    so in the ledger payload a retry sends)."""
    alerts = list(alerts)
    subjects: dict[tuple[str, str], list[Alert]] = {}
    for alert in alerts:
        facts = alert.facts
        if alert.subject_type in ("deadline", "model") and facts.get("contested"):
            subjects.setdefault((alert.subject_type, alert.subject_id), []).append(alert)
        elif alert.subject_type == "history" and facts.get("entity") in ("developer", "model", "event"):
            subjects.setdefault((facts["entity"], str(facts.get("entity_id"))), []).append(alert)
    by_entity: dict[str, set[str]] = {}
    for entity, record_id in subjects:
        by_entity.setdefault(entity, set()).add(record_id)
    for entity, record_ids in by_entity.items():
        for record_id, contests in contests_for(db, entity, sorted(record_ids)).items():
            for alert in subjects.get((entity, record_id), []):
                alert.facts["contests"] = [c.line for c in contests]
    _attach_framework_contests(db, alerts)


def _attach_framework_contests(db: Database, alerts: Iterable[Alert]) -> None:
    """A model's window and release alerts state the framework's review window, so they carry
    the open contests about the order that set it (voluntary or mandatory: the reports
    disagree), with their sources, instead of taking a side."""
    models = [a for a in alerts if a.subject_type == "model" and a.kind in DATE_KINDS]
    if not models:
        return
    orders = [str(e["id"]) for e in list_events(db) if e["kind"] == "order"]
    lines = [c.line for found in contests_for(db, "event", orders).values() for c in found] if orders else []
    done: set[int] = set()  # an item's alerts share one facts dict (fastplan): each done once
    for alert in models:
        facts = alert.facts
        if id(facts) in done:
            continue
        done.add(id(facts))
        known = list(facts.get("contests") or [])
        facts["contests"] = known + [line for line in lines if line not in known]


def active_subscriptions(deps: Deps) -> list[Sub]:
    """Subscriptions that can be delivered: Teams ones only while their webhook is configured,
    or, for a conversation of the Teams bot (`bot:<id>`), while the bot is."""
    bot = deps.settings.teams_bot_enabled
    return [
        s
        for s in ledger.list_subscriptions(deps.store.db)
        if s["target_type"] != ledger.TARGET_TEAMS
        or s["target"] in deps.settings.teams_webhooks
        or (bot and s["target"].startswith("bot:"))
    ]


def ensure_teams_subscriptions(deps: Deps, now: datetime) -> None:
    """Each configured Teams webhook gets its default subscription (step 1 of a sweep)."""
    settings = deps.settings
    ledger.ensure_teams_subscriptions(
        deps.store.db, list(settings.teams_webhooks), list(SUBSCRIBABLE_KINDS), list(settings.lead_days), now
    )


class SweepWork(NamedTuple):
    plan: AlertPlan
    tracker: Tracker
    send: list[Alert]  # new alerts to claim and deliver
    skip: list[tuple[Alert, str]]  # new alerts to record as skipped
    retry: list[dict[str, Any]]  # ledger rows to deliver again
    drop: list[tuple[dict[str, Any], str]]  # ledger rows to record as skipped
    generation: int | None = None  # the tracker's before it was read (storage/generation.py)


def sweep_work(
    deps: Deps, subscriptions: list[Sub], now: datetime, lease: timedelta, *, dry_run: bool
) -> SweepWork:
    """Everything a sweep at `now` is to do, before it writes anything: the plan, status changes
    naming their actors, the briefing filled in, and the retries joined (module docstring)."""
    settings = deps.settings
    # The tracker's generation with the probe, before reading: a write meanwhile moves it.
    probe = probe_sweep(deps.store.db, now, lease, today_in(settings.tz, now))
    plan, retries, tracker = plan_sweep(deps.store.db, subscriptions, now, settings, lease, probe)
    _name_actors(deps, [*plan.send, *(alert for alert, _ in plan.hold)])
    send = [fill_briefing(deps, a, now, dry_run=dry_run) if a.kind == KIND_BRIEFING else a for a in plan.send]
    if any(a.kind == KIND_BRIEFING for a, _ in plan.hold):  # held through quiet time: its content is now's
        plan.hold = [(_held_briefing(deps, a, now, until, dry_run), until) for a, until in plan.hold]
    drop = [(r, SKIP_NO_LONGER_APPLIES) for r in retries if r["key"] not in plan.valid]
    retry = [r for r in retries if r["key"] in plan.valid]
    # Catch-up over both: a stale claim or a failure superseded by a more urgent alert about its subject.
    retried = [Alert.from_ledger(r) for r in retry]
    dropped = superseded([*send, *retried], now, settings) if retry else set()
    reasons = dict.fromkeys(dropped, SKIP_SUPERSEDED)
    # What the target already heard today, or from an update in place (bot/alerts/told.py).
    candidates = [a for a in [*send, *retried] if a.key not in reasons] if reasons else [*send, *retried]
    reasons.update(already_told(deps.store.db, candidates, now, settings))
    reasons.update(summaries_caught_up(send, [a for a in retried if a.key not in reasons]))
    if not reasons:
        return SweepWork(plan, tracker, send, plan.skip, retry, drop, probe.generation)
    return SweepWork(
        plan,
        tracker,
        [a for a in send if a.key not in reasons],
        [*plan.skip, *((a, reasons[a.key]) for a in send if a.key in reasons)],
        [r for r in retry if r["key"] not in reasons],
        [*drop, *((r, reasons[r["key"]]) for r in retry if r["key"] in reasons)],
        probe.generation,
    )


def _held_briefing(deps: Deps, alert: Alert, now: datetime, until: datetime, dry_run: bool) -> Alert:
    if alert.kind != KIND_BRIEFING:
        return alert
    filled = fill_briefing(deps, alert, now, dry_run=dry_run)
    return dataclasses.replace(filled, facts={**filled.facts, "held_until": utc_iso(until)})


def _name_actors(deps: Deps, alerts: Iterable[Alert]) -> None:
    """Status changes say who made them by name (bot/people.py; the id when Slack cannot be
    reached). The name goes in the alert's facts, so a retry from the ledger shows it too."""
    changes = [a for a in alerts if a.kind == KIND_STATUS and is_user_id(a.facts.get("actor"))]
    if not changes:
        return
    names = names_for(deps, (a.facts["actor"] for a in changes))
    for alert in changes:
        alert.facts["actor_name"] = names[alert.facts["actor"]]
