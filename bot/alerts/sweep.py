"""The alert sweep: what is due now and not yet in the ledger is claimed, delivered, recorded.

`run_sweep` is a function of (tracker, subscriptions, ledger, now) plus delivery; the
scheduler (bot/alerts/scheduler.py) and `python app.py sweep` only call it. One run:

1. gives each configured Teams webhook its default subscription;
2. plans (bot/alerts/plan.py): new alerts to send, catch-up alerts to record as skipped. It
   reads only what can have become due since each subscription's cursor (the tracker rows
   by date and by history, the ledger by key: `load_due_tracker`, `plan_sweep`);
3. claims the new alerts in one transaction (INSERTs a concurrent sweep loses; each claim
   carries this sweep's token), then advances the subscriptions' cursors to this run;
4. picks up retries: transient failures whose time came, and claims left behind by a
   run that died mid-delivery (older than the lease). A Slack retry first looks in the
   channel for a message carrying the key, so a post made just before a crash is
   recorded instead of repeated; a retry whose alert no longer applies (date moved,
   unsubscribed) is recorded as skipped, and so is one that a more urgent date alert
   about the same subject and target, new or retried, supersedes (catch-up);
5. delivers in parallel per target. Before each post it checks that the sweep still holds
   the claim, renewing the lease of all its claims once a third of it has passed
   (`ClaimLease`), so a long delivery is never taken over by a second sweep. Outcomes are
   recorded in batches, and only for claims the sweep still holds: Slack outcomes at
   least every FLUSH_EVERY seconds or FLUSH_SIZE alerts, Teams outcomes at once. A crash
   loses at most an unrecorded batch of Slack outcomes: those claims are retried after the
   lease and found in the channel by their key, so nothing is posted twice; Teams cannot
   be read back, so its outcomes are never held back;
6. stores a summary in app_state "last_sweep" (JSON) for /healthz and admins.

`dry_run=True` does steps 2 and 4 without writing anything (cursors included) and returns
what would be sent.
"""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Any, NamedTuple

from sqlite_utils import Database

from bot.alerts.alert import (
    DIGEST_REALTIME,
    HELD_QUIET_HOURS,
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
from bot.alerts.blocks import alert_content
from bot.alerts.briefing import KIND_BRIEFING, fill_briefing, restore_briefing
from bot.alerts.catchup import superseded
from bot.alerts.cursors import cursor_settings, sweep_cursor, sweep_date_ranges
from bot.alerts.delivery import (
    OUTCOME_DEFERRED,
    OUTCOME_LOST,
    OUTCOME_PERMANENT,
    OUTCOME_SENT,
    Job,
    Outcome,
    Sender,
    build_senders,
    close_senders,
    deliver,
)
from bot.alerts.digests import digest_key, digest_periods
from bot.alerts.fastplan import plan_alerts
from bot.alerts.reference import upcoming_alerts
from bot.alerts.snooze import add_to_tracker
from bot.alerts.threads import choose_threads, in_thread
from bot.clock import utc_iso
from bot.deps import Deps
from bot.people import is_user_id, names_for
from bot.settings import Settings
from storage import alerts as ledger
from storage.db import Store, connect, fewer_checkpoints
from storage.facts import contests_for, event_developers
from storage.sql import placeholders
from storage.tracker import get_state, latest_history_id, list_deadlines, list_models, set_state

log = logging.getLogger(__name__)

STATE_LAST_SWEEP = "last_sweep"
CLAIM_LEASE = timedelta(minutes=15)  # longer than any sweep's delivery takes
MAX_ATTEMPTS = 10
SKIP_NO_LONGER_APPLIES = "no longer applies (date changed, item removed or unsubscribed)"
# Outcome batches (module docstring, step 5): Slack outcomes wait at most this long or this
# many to be written; a lost batch costs one channel lookup per alert, never a second post.
FLUSH_EVERY = 0.5
FLUSH_SIZE = 5000
READ_BACK = frozenset({ledger.TARGET_SLACK})  # targets where a retry finds an earlier post


def retry_delay(attempts: int) -> timedelta:
    """Backoff between sweeps for a transient failure: 5 min, 10, 20, ... at most 6 hours."""
    delay: timedelta = timedelta(minutes=5) * (2 ** max(attempts - 1, 0))
    return min(delay, timedelta(hours=6))


@dataclass
class SweepResult:
    at: datetime
    dry_run: bool = False
    sent: list[str] = field(default_factory=list)
    already_posted: list[str] = field(default_factory=list)  # found in the channel on retry
    skipped: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    permanent: list[tuple[str, str]] = field(default_factory=list)
    deferred: list[str] = field(default_factory=list)  # left for the next run (shutdown)
    held: list[str] = field(default_factory=list)  # quiet hours: sent when they end
    handed_over: list[str] = field(default_factory=list)  # another sweep took the claim over
    # What would be / was attempted: (alert, is a retry); `planned` describes them.
    attempted: list[tuple[Alert, bool]] = field(default_factory=list)
    settings: Settings | None = None
    # Dry run: default subscriptions a real sweep would give newly configured Teams webhooks,
    # each with the next alerts it will get (a new one gets nothing already due).
    # {"target": "teams:policy", "lead_days": [...], "next": [{"due_at", "kind", "headline"}]}
    new_subscriptions: list[dict[str, Any]] = field(default_factory=list)
    _planned: list[dict[str, Any]] | None = field(default=None, init=False, repr=False)

    @property
    def planned(self) -> list[dict[str, Any]]:
        """The attempted alerts with their headlines, built on first read (only reports read them)."""
        if self._planned is None:
            assert self.settings is not None or not self.attempted
            self._planned = [
                _planned(alert, self.at, self.settings, retry)  # type: ignore[arg-type]
                for alert, retry in self.attempted
            ]
        return self._planned

    def summary(self) -> dict[str, Any]:
        return {
            "at": utc_iso(self.at),
            "ok": True,
            "error": None,
            "dry_run": self.dry_run,
            "sent": len(self.sent),
            "already_posted": len(self.already_posted),
            "skipped": len(self.skipped),
            "failed": len(self.failed),
            "permanent": len(self.permanent),
            "deferred": len(self.deferred),
            "held": len(self.held),
            "handed_over": len(self.handed_over),
        }


# The kinds a subscription must want for the sweep to read history rows / news items.
_READS = {KIND_STATUS: {KIND_STATUS, KIND_DEVELOPMENT}, KIND_NEWS: {KIND_NEWS}}


def _event_owners(db: Database, changes: list[dict[str, Any]]) -> dict[str, list[str]]:
    """The developers of the events among these history rows (for developer filters)."""
    return event_developers(db, {r["entity_id"] for r in changes if r["entity"] == "event"})


def load_tracker(db: Database, subscriptions: list[dict[str, Any]]) -> Tracker:
    since_history = min((s["since_history_id"] for s in subscriptions), default=0)
    since_news = min((s.get("since_news_id", 0) for s in subscriptions), default=0)
    marks = placeholders(HISTORY_ALERT_FIELDS)
    changes = list(
        db.query(
            f"SELECT * FROM history WHERE id > ? AND field IN ({marks}) ORDER BY id",
            [since_history, *HISTORY_ALERT_FIELDS],
        )
    )
    return Tracker(
        models=list_models(db),
        deadlines=list_deadlines(db),
        status_changes=changes,
        event_developers=_event_owners(db, changes),
        news=list(db.query("SELECT * FROM news_items WHERE alert = 1 AND id > ? ORDER BY id", [since_news])),
    )


def load_due_tracker(
    db: Database,
    subscriptions: list[dict[str, Any]],
    now: datetime,
    settings: Settings,
    retries: list[dict[str, Any]] | None = None,
) -> Tracker:
    """The tracker rows a sweep at `now` can need, chosen in SQL (bot/alerts/plan.py, "Cursors").

    Models and deadlines whose dates can have an alert due since each subscription's cursor,
    those changed since, and those of retried alerts; status changes and news after the
    cursors; for digests, what falls in the periods not yet in the ledger (or retried).
    """
    retries = retries or []
    # Read first: a change committed while the rest is read is looked at again next time.
    history_id = latest_history_id(db)
    news_id = ledger.latest_news_id(db)
    cursors = {sub["id"]: sweep_cursor(sub, now, settings) for sub in subscriptions}
    marks = [c.history_id for c in cursors.values() if c is not None]
    changed = ledger.changed_subjects(db, min(marks)) if marks else {}

    recheck = {f"{r['subject_type']}:{r['subject_id']}" for r in retries}
    ids: dict[str, set[int]] = {"model": set(), "deadline": set(), "history": set(), "news": set()}
    for subject in [*changed, *recheck]:
        kind, _, ident = subject.partition(":")
        if kind in ids and ident.isdigit():
            ids[kind].add(int(ident))

    deadline_days: list[tuple[date, date]] = []
    model_days: list[tuple[date, date]] = []
    for sub in subscriptions:
        due_dates, planned_releases = sweep_date_ranges(sub, cursors[sub["id"]], now, settings)
        deadline_days += due_dates
        model_days += planned_releases

    # Real-time subscriptions: changes and news after their cursors (or start).
    after: dict[str, list[int]] = {KIND_STATUS: [], KIND_NEWS: []}
    for sub in subscriptions:
        cursor = cursors[sub["id"]]
        if sub["digest"] == DIGEST_REALTIME:
            for kind, since, done in (
                (KIND_STATUS, sub["since_history_id"], cursor and cursor.history_id),
                (KIND_NEWS, sub["since_news_id"], cursor and cursor.news_id),
            ):
                if kind in sub["kinds"] or (kind == KIND_STATUS and KIND_DEVELOPMENT in sub["kinds"]):
                    after[kind].append(max(since, done or 0))
    # Digest subscriptions: what falls in the periods whose digest is not in the ledger yet
    # (or is being retried), from the oldest such period's start.
    digests = [s for s in subscriptions if s["digest"] != DIGEST_REALTIME]
    periods = [
        (digest_key(s, end, settings), start)
        for s in digests
        for end, start in digest_periods(s, now, settings)
    ]
    done_keys = ledger.known_keys(db, [key for key, _ in periods]) - {r["key"] for r in retries}
    starts = [start for key, start in periods if key not in done_keys]
    digest_from = None
    if starts:  # stored times are ISO text: a day's margin covers any UTC offset (exact check later)
        digest_from = (min(starts) - timedelta(days=1)).astimezone(UTC).date().isoformat()
    digest_after = {
        kind: min((s[since] for s in digests if set(s["kinds"]) & _READS[kind]), default=None)
        if digest_from
        else None
        for kind, since in ((KIND_STATUS, "since_history_id"), (KIND_NEWS, "since_news_id"))
    }

    status_changes = ledger.status_changes_for_sweep(
        db,
        HISTORY_ALERT_FIELDS,
        min(after[KIND_STATUS], default=None),
        digest_after[KIND_STATUS],
        digest_from,
        ids["history"],
    )
    news = ledger.news_for_sweep(
        db, min(after[KIND_NEWS], default=None), digest_after[KIND_NEWS], digest_from, ids["news"]
    )
    models = ledger.models_for_sweep(db, model_days, ids["model"])
    owners = {str(r["entity_id"]) for r in status_changes if r["entity"] == "model"}
    owners.update(m for s in subscriptions for m in s.get("model_filter") or ())  # followed models
    owners -= {str(m["id"]) for m in models}
    return Tracker(
        models=models,
        deadlines=ledger.deadlines_for_sweep(db, deadline_days, ids["deadline"]),
        status_changes=status_changes,
        news=news,
        changed=changed,
        recheck=recheck,
        model_developers=ledger.model_developers(db, owners),
        event_developers=_event_owners(db, status_changes),
        history_id=history_id,
        news_id=news_id,
    )


class SweepPlan(NamedTuple):
    plan: AlertPlan
    retries: list[dict[str, Any]]
    tracker: Tracker


def plan_sweep(
    db: Database,
    subscriptions: list[dict[str, Any]],
    now: datetime,
    settings: Settings,
    lease: timedelta = CLAIM_LEASE,
) -> SweepPlan:
    """What a sweep at `now` does before claiming: retries, the tracker it needs, the plan."""
    retries = ledger.retry_candidates(db, now, lease)
    tracker = load_due_tracker(db, subscriptions, now, settings, retries)
    add_to_tracker(db, tracker, now, settings)  # reminders due and mutes (bot/alerts/snooze.py)
    plan = plan_alerts(tracker, subscriptions, partial(ledger.known_keys, db), now, settings)
    attach_contests(db, plan.send)
    return SweepPlan(plan, retries, tracker)


def attach_contests(db: Database, alerts: Iterable[Alert]) -> None:
    """The competing claims about each contested subject, carried in its alerts' facts (and
    so in the ledger payload a retry sends)."""
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


def active_subscriptions(deps: Deps) -> list[dict[str, Any]]:
    """Subscriptions that can be delivered: Teams ones only while their webhook is configured."""
    return [
        s
        for s in ledger.list_subscriptions(deps.store.db)
        if s["target_type"] != ledger.TARGET_TEAMS or s["target"] in deps.settings.teams_webhooks
    ]


def _ensure_teams_subscriptions(deps: Deps, now: datetime) -> None:
    settings = deps.settings
    ledger.ensure_teams_subscriptions(
        deps.store.db, list(settings.teams_webhooks), list(SUBSCRIBABLE_KINDS), list(settings.lead_days), now
    )


class _RollBack(Exception):
    """Leaves a dry run's transaction without keeping what it wrote."""


def _dry_run_subscriptions(deps: Deps, now: datetime) -> tuple[list[dict[str, Any]], set[int]]:
    """The subscriptions a real sweep would deliver to, a newly configured Teams webhook's
    default one included (its id in the set), made in a transaction that is rolled back: a
    dry run changes nothing."""
    if not deps.settings.teams_webhooks:
        return active_subscriptions(deps), set()
    subscriptions: list[dict[str, Any]] = []
    before: set[int] = set()
    try:
        with deps.store.db.atomic():
            before = {s["id"] for s in ledger.list_subscriptions(deps.store.db)}
            _ensure_teams_subscriptions(deps, now)
            subscriptions = active_subscriptions(deps)
            raise _RollBack
    except _RollBack:
        pass
    return subscriptions, {s["id"] for s in subscriptions} - before


def _name_actors(deps: Deps, alerts: Iterable[Alert]) -> None:
    """Status changes say who made them by name (bot/people.py; the id when Slack cannot be
    reached). The name goes in the alert's facts, so a retry from the ledger shows it too."""
    changes = [a for a in alerts if a.kind == KIND_STATUS and is_user_id(a.facts.get("actor"))]
    if not changes:
        return
    names = names_for(deps, (a.facts["actor"] for a in changes))
    for alert in changes:
        alert.facts["actor_name"] = names[alert.facts["actor"]]


def _planned(alert: Alert, now: datetime, settings: Settings, retry: bool) -> dict[str, Any]:
    return {
        "key": alert.key,
        "target": f"{alert.target_type}:{alert.target}",
        "kind": alert.kind,
        "due_at": utc_iso(alert.due_at),
        "retry": retry,
        "headline": alert_content(alert, now, settings).headline,
    }


def claim_token() -> str:
    """Names one sweep of one process in the claims it makes."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


class ClaimLease:
    """One sweep's hold on its claims while it delivers (storage/alerts.py, "Ownership").

    A claim cannot be taken over before its `claimed_at` + lease, so the sweep holds a key
    for sure while its last renewal is younger than the lease. `holds` runs before each post
    and `renew_if_due` between outcomes: once a third of the lease has passed since the last
    renewal, every claim the sweep still holds is renewed in one statement (on a connection
    of its own, opened only then), and the sweep learns which those are. Time runs from the
    sweep's `now` at the pace of `monotonic`.
    """

    def __init__(
        self,
        store: Store,
        token: str,
        held: Iterable[str],
        start: datetime,
        lease: timedelta,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.token = token
        self._path = store.path
        self._held = set(held)
        self._start = start
        self._started = monotonic()
        self._monotonic = monotonic
        self._renewed = start.replace(microsecond=0)  # claimed_at is stored to the second
        self._lease = lease
        # When the next renewal is due, on the monotonic clock: checked before every post, so
        # the check is one float comparison (a datetime per post cost 6% of a sweep).
        self._renew_due = self._started + (lease / 3).total_seconds() - 1
        self._lock = threading.Lock()
        self._db: Any = None

    def now(self) -> datetime:
        return self._start + timedelta(seconds=self._monotonic() - self._started)

    def add(self, keys: Iterable[str]) -> None:
        with self._lock:
            self._held.update(keys)

    def holds(self, key: str) -> bool:
        """Whether the sweep still holds `key`'s claim (renewing first if due): asked before each post."""
        self.renew_if_due()
        return key in self._held  # replaced whole on renewal, never emptied in place

    def renew_if_due(self) -> None:
        """Also called between outcomes, so that one slow post does not outlast the lease.

        Most calls find nothing due, by one float comparison and without the lock: the
        delivery threads (one per target) ask before every post and would otherwise queue
        on the lock. Until the renewal is due the lease has at least two thirds of its
        length to run, so the keys held are current."""
        if self._monotonic() < self._renew_due:
            return
        with self._lock:
            self._renew_if_due()

    def _renew_if_due(self) -> None:
        if self._monotonic() < self._renew_due:
            return  # another thread renewed while this one waited for the lock
        now = self.now()
        if now - self._renewed >= self._lease / 3:
            if self._db is None:
                self._db = connect(self._path)
            self._held = ledger.renew_claims(self._db, self.token, now)
            self._renewed = now.replace(microsecond=0)
            self._renew_due = self._monotonic() + (self._lease / 3).total_seconds() - 1

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None


def _ledger_outcome(
    job: Job, outcome: Outcome, attempts: int, now: datetime
) -> tuple[ledger.LedgerOutcome, Outcome]:
    """The ledger's record of an outcome: backoff for a retry, permanent after MAX_ATTEMPTS."""
    key = job.alert.key
    if outcome.status == OUTCOME_SENT:
        return ledger.LedgerOutcome(key, ledger.STATUS_SENT, outcome.channel, outcome.ts), outcome
    if outcome.status == OUTCOME_DEFERRED:
        return ledger.LedgerOutcome(key, ledger.RELEASED, error=outcome.error or "deferred"), outcome
    error = outcome.error or "failed"
    if outcome.status != OUTCOME_PERMANENT and attempts + 1 >= MAX_ATTEMPTS:
        error = f"gave up after {attempts + 1} attempts: {error}"
        outcome = Outcome(OUTCOME_PERMANENT, error)
    if outcome.status == OUTCOME_PERMANENT:
        return ledger.LedgerOutcome(key, ledger.STATUS_PERMANENT, error=error), outcome
    delay = retry_delay(attempts + 1)
    if outcome.retry_after:
        delay = max(delay, timedelta(seconds=outcome.retry_after))
    return ledger.LedgerOutcome(key, ledger.STATUS_FAILED, error=error, next_attempt_at=now + delay), outcome


def _record(
    db: Database,
    token: str,
    batch: list[tuple[Job, Outcome]],
    attempts: dict[str, int],
    now: datetime,
    result: SweepResult,
) -> None:
    """Write a batch of outcomes (only for claims still held) and note them in `result`."""
    records = [_ledger_outcome(job, outcome, attempts[job.alert.key], now) for job, outcome in batch]
    lost = set(ledger.record_outcomes(db, token, now, [record for record, _ in records]))
    for record, outcome in records:
        key = record.key
        if key in lost:
            log.warning("alert %s: another sweep took the claim over; its outcome is theirs", key)
            result.handed_over.append(key)
        elif outcome.status == OUTCOME_SENT:
            (result.already_posted if outcome.already_posted else result.sent).append(key)
        elif outcome.status == OUTCOME_DEFERRED:
            result.deferred.append(key)
        elif outcome.status == OUTCOME_PERMANENT:
            result.permanent.append((key, outcome.error or "failed"))
            log.warning("alert %s not deliverable: %s", key, outcome.error)
        else:
            result.failed.append((key, outcome.error or "failed"))


class _Work(NamedTuple):
    send: list[Alert]  # new alerts to claim and deliver
    skip: list[tuple[Alert, str]]  # new alerts to record as skipped
    retry: list[dict[str, Any]]  # ledger rows to deliver again
    drop: list[tuple[dict[str, Any], str]]  # ledger rows to record as skipped


def _work(plan: AlertPlan, retries: list[dict[str, Any]], now: datetime, settings: Settings) -> _Work:
    """The plan with the retries: those that no longer apply dropped, and catch-up over both
    (a stale claim or a failure superseded by a more urgent alert about its subject)."""
    drop = [(r, SKIP_NO_LONGER_APPLIES) for r in retries if r["key"] not in plan.valid]
    retry = [r for r in retries if r["key"] in plan.valid]
    dropped = (
        superseded([*plan.send, *(Alert.from_ledger(r) for r in retry)], now, settings) if retry else set()
    )
    if not dropped:
        return _Work(plan.send, plan.skip, retry, drop)
    return _Work(
        [a for a in plan.send if a.key not in dropped],
        [*plan.skip, *((a, SKIP_SUPERSEDED) for a in plan.send if a.key in dropped)],
        [r for r in retry if r["key"] not in dropped],
        [*drop, *((r, SKIP_SUPERSEDED) for r in retry if r["key"] in dropped)],
    )


_collector_lock = threading.Lock()
_collector_pauses = 0  # sweeps running with the cyclic collector paused (one process-wide switch)
_collector_paused_by_us = False


@contextlib.contextmanager
def cyclic_collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a sweep runs.

    A sweep makes hundreds of thousands of objects (alerts, rows, jobs) that live until it
    ends; the collector would scan them over and over as they accumulate (4.2 s of a 26.6 s
    sweep at 100,000 models, README "Benchmarks"). Reference counting still frees everything
    the sweep drops; only cycles wait, and collection resumes when the last sweep ends. The
    switch is process-wide, so overlapping sweeps share it and a collector someone else
    turned off stays off."""
    global _collector_pauses, _collector_paused_by_us
    with _collector_lock:
        if _collector_pauses == 0:
            _collector_paused_by_us = gc.isenabled()
            gc.disable()
        _collector_pauses += 1
    try:
        yield
    finally:
        with _collector_lock:
            _collector_pauses -= 1
            if _collector_pauses == 0 and _collector_paused_by_us:
                gc.enable()


def run_sweep(
    deps: Deps,
    *,
    now: datetime | None = None,
    senders: dict[str, Sender] | None = None,
    dry_run: bool = False,
    lease: timedelta = CLAIM_LEASE,
    max_workers: int = 64,  # one thread per target up to this: pacing makes them wait, not work
) -> SweepResult:
    """One sweep at `now` (default: the deps clock). See the module docstring."""
    now = now or deps.clock.now()
    # The claims and outcomes of a big sweep rewrite the same ledger pages batch after batch;
    # checkpointing the WAL less often copies each page once rather than once per batch.
    checkpoints = contextlib.nullcontext() if dry_run else fewer_checkpoints(deps.store.db)
    with cyclic_collector_paused(), checkpoints:
        return _run_sweep(
            deps, now=now, senders=senders, dry_run=dry_run, lease=lease, max_workers=max_workers
        )


def _run_sweep(
    deps: Deps,
    *,
    now: datetime,
    senders: dict[str, Sender] | None,
    dry_run: bool,
    lease: timedelta,
    max_workers: int,
) -> SweepResult:
    db = deps.store.db
    settings = deps.settings
    result = SweepResult(at=now, dry_run=dry_run, settings=settings)
    own_senders = senders is None and not dry_run
    claims: ClaimLease | None = None
    try:
        if dry_run:
            subscriptions, added = _dry_run_subscriptions(deps, now)
            for sub in (s for s in subscriptions if s["id"] in added):
                upcoming = upcoming_alerts(load_tracker(db, [sub]), sub, set(), now, settings, limit=5)
                result.new_subscriptions.append(
                    {
                        "target": f"{sub['target_type']}:{sub['target']}",
                        "lead_days": sub["lead_days"],
                        "next": [  # worded as it will be when it is sent
                            {
                                "due_at": a.due_at,
                                "kind": a.kind,
                                "headline": alert_content(a, a.due_at, settings).headline,
                            }
                            for a in upcoming
                        ],
                    }
                )
        else:
            _ensure_teams_subscriptions(deps, now)
            subscriptions = active_subscriptions(deps)
        plan, retries, tracker = plan_sweep(db, subscriptions, now, settings, lease)
        _name_actors(deps, [*plan.send, *(alert for alert, _ in plan.hold)])
        work = _work(plan, retries, now, settings)
        work = work._replace(
            send=[
                fill_briefing(deps, a, now, dry_run=dry_run) if a.kind == KIND_BRIEFING else a
                for a in work.send
            ]
        )
        if dry_run:
            result.attempted = [(a, False) for a in work.send]
            result.attempted += [(Alert.from_ledger(r), True) for r in work.retry]
            result.skipped = [(a.key, reason) for a, reason in work.skip]
            result.skipped += [(r["key"], reason) for r, reason in work.drop]
            return result

        token = claim_token()
        # Where each new Slack date alert goes is decided now and written with its claim.
        threads = choose_threads(db, work.send, subscriptions)
        skip_values = Alert.ledger_values_of(a for a, _ in work.skip)
        hold_values = Alert.ledger_values_of(a for a, _ in plan.hold)
        claimed, skipped, held = ledger.claim_alerts(
            db,
            Alert.ledger_values_of(work.send),
            list(zip(skip_values, [reason for _, reason in work.skip], strict=True)),
            token,
            now,
            hold=[(v, HELD_QUIET_HOURS, until) for v, (_, until) in zip(hold_values, plan.hold, strict=True)],
            threads=threads,
        )
        reasons = {a.key: reason for a, reason in work.skip}
        result.skipped = [(key, reasons[key]) for key in skipped]
        result.held = held
        # Everything due is in the ledger now: the next sweep starts from here.
        ledger.advance_cursors(
            db, subscriptions, now, tracker.history_id, tracker.news_id, cursor_settings(settings)
        )
        won = set(claimed)
        jobs = [Job(alert) for alert in work.send if alert.key in won]
        attempts = dict.fromkeys(won, 0)
        dropped = {r["key"]: reason for r, reason in work.drop}
        for key in ledger.skip_retries(db, work.drop):
            result.skipped.append((key, dropped[key]))
        retried = ledger.reclaim_alerts(db, work.retry, token, now)
        # Send what was claimed (a merged digest exists only in its payload), where it was
        # meant to go (a claim made before threads existed gets its place now).
        alerts = [restore_briefing(deps, Alert.from_ledger(row)) for row in retried]
        decided = {
            r["key"]: (r["thread_ts"], bool(r["broadcast"])) for r in retried if r["thread_ts"] is not None
        }
        placed = choose_threads(db, alerts, subscriptions, decided)
        ledger.set_threads(db, [(key, *where) for key, where in placed.items() if key not in decided])
        threads.update(placed)
        for row, alert in zip(retried, alerts, strict=True):
            jobs.append(Job(alert, check_existing=True))
            attempts[row["key"]] = row["attempts"]
        jobs = [in_thread(job, threads) for job in jobs]
        result.attempted = [(j.alert, j.check_existing) for j in jobs]

        if jobs:
            if senders is None:
                senders = build_senders(settings)
            claims = ClaimLease(deps.store, token, attempts, now, lease)
            _deliver_and_record(deps, jobs, senders, claims, attempts, now, result, max_workers)
        set_state(db, STATE_LAST_SWEEP, json.dumps(result.summary()))
        return result
    except Exception as exc:
        if not dry_run:
            summary = {**result.summary(), "ok": False, "error": f"{type(exc).__name__}: {exc}"}
            try:
                set_state(db, STATE_LAST_SWEEP, json.dumps(summary))
            except Exception:  # the database itself may be what failed
                log.exception("could not record the failed sweep")
        raise
    finally:
        if claims is not None:
            claims.close()
        if own_senders and senders:
            close_senders(senders)


def _deliver_and_record(
    deps: Deps,
    jobs: list[Job],
    senders: dict[str, Sender],
    claims: ClaimLease,
    attempts: dict[str, int],
    now: datetime,
    result: SweepResult,
    max_workers: int,
) -> None:
    """Deliver `jobs` and record their outcomes in batches (module docstring, step 5)."""
    db = deps.store.db
    batch: list[tuple[Job, Outcome]] = []
    oldest = 0.0
    try:
        for item in deliver(
            jobs,
            senders,
            now,
            max_workers=max_workers,
            stop=deps.stopping,
            may_post=lambda job: claims.holds(job.alert.key),
            tick=FLUSH_EVERY,
        ):
            if item is not None:
                job, outcome = item
                if outcome.status == OUTCOME_LOST:
                    result.handed_over.append(job.alert.key)
                    continue
                if not batch:
                    oldest = time.monotonic()
                batch.append(item)
                if job.alert.target_type not in READ_BACK or len(batch) >= FLUSH_SIZE:
                    _record(db, claims.token, batch, attempts, now, result)
                    batch = []
            if batch and time.monotonic() - oldest >= FLUSH_EVERY:
                _record(db, claims.token, batch, attempts, now, result)
                batch = []
            claims.renew_if_due()
    finally:
        # Also when delivery failed: the outcomes in hand are facts worth keeping.
        if batch:
            try:
                _record(db, claims.token, batch, attempts, now, result)
            except Exception:
                log.exception("could not record %d alert outcome(s); their claims are retried", len(batch))


def last_sweep(db: Database) -> dict[str, Any] | None:
    """The last sweep's summary (see SweepResult.summary), or None before the first."""
    value = get_state(db, STATE_LAST_SWEEP)
    return json.loads(value) if value else None
