"""The alert sweep: what is due now and not yet in the ledger is claimed, delivered, recorded.

`run_sweep` is a function of (tracker, subscriptions, ledger, now) plus delivery; the
scheduler (bot/alerts/scheduler.py) and `python app.py sweep` only call it. One run:

1. gives each configured Teams webhook its default subscription;
2. plans (bot/alerts/plan.py): new alerts to send, catch-up alerts to record as skipped. It
   reads only what can have become due since each subscription's cursor (the tracker rows
   by date and by history, the ledger by key: `load_due_tracker`, `plan_sweep`);
3. claims each new alert with an INSERT into the ledger (a concurrent sweep loses), then
   advances the subscriptions' cursors to this run;
4. picks up retries: transient failures whose time came, and claims left behind by a
   run that died mid-delivery (older than the lease). A Slack retry first looks in the
   channel for a message carrying the key, so a post made just before a crash is
   recorded instead of repeated; a retry whose alert no longer applies (date moved,
   unsubscribed) is recorded as skipped;
5. delivers in parallel per target and records each outcome as it arrives;
6. stores a summary in app_state "last_sweep" (JSON) for /healthz and admins.

`dry_run=True` does steps 2 and 4 without writing anything (cursors included) and returns
what would be sent.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Any, NamedTuple

from sqlite_utils import Database

from bot.alerts.blocks import alert_content
from bot.alerts.delivery import (
    OUTCOME_DEFERRED,
    OUTCOME_PERMANENT,
    OUTCOME_SENT,
    Job,
    Outcome,
    Sender,
    build_senders,
    close_senders,
    deliver,
)
from bot.alerts.plan import (
    DIGEST_REALTIME,
    HELD_QUIET_HOURS,
    KIND_NEWS,
    KIND_STATUS,
    STATUS_FIELDS,
    SUBSCRIBABLE_KINDS,
    Alert,
    AlertPlan,
    Tracker,
    cursor_settings,
    digest_key,
    digest_periods,
    plan_alerts,
    sweep_cursor,
    sweep_date_ranges,
)
from bot.clock import utc_iso
from bot.deps import Deps
from bot.settings import Settings
from storage import alerts as ledger
from storage.tracker import get_state, latest_history_id, list_deadlines, list_models, set_state

log = logging.getLogger(__name__)

STATE_LAST_SWEEP = "last_sweep"
CLAIM_LEASE = timedelta(minutes=15)  # longer than any sweep's delivery takes
MAX_ATTEMPTS = 10
SKIP_NO_LONGER_APPLIES = "no longer applies (date changed, item removed or unsubscribed)"


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
    planned: list[dict[str, Any]] = field(default_factory=list)  # what would be / was attempted

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
        }


def load_tracker(db: Database, subscriptions: list[dict[str, Any]]) -> Tracker:
    since_history = min((s["since_history_id"] for s in subscriptions), default=0)
    since_news = min((s.get("since_news_id", 0) for s in subscriptions), default=0)
    marks = ", ".join("?" for _ in STATUS_FIELDS)
    return Tracker(
        models=list_models(db),
        deadlines=list_deadlines(db),
        status_changes=list(
            db.query(
                f"SELECT * FROM history WHERE id > ? AND field IN ({marks}) ORDER BY id",
                [since_history, *STATUS_FIELDS],
            )
        ),
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
                if kind in sub["kinds"]:
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
        kind: min((s[since] for s in digests if kind in s["kinds"]), default=None) if digest_from else None
        for kind, since in ((KIND_STATUS, "since_history_id"), (KIND_NEWS, "since_news_id"))
    }

    status_changes = ledger.status_changes_for_sweep(
        db,
        STATUS_FIELDS,
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
    owners -= {str(m["id"]) for m in models}
    return Tracker(
        models=models,
        deadlines=ledger.deadlines_for_sweep(db, deadline_days, ids["deadline"]),
        status_changes=status_changes,
        news=news,
        changed=changed,
        recheck=recheck,
        model_developers=ledger.model_developers(db, owners),
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
    plan = plan_alerts(tracker, subscriptions, partial(ledger.known_keys, db), now, settings)
    return SweepPlan(plan, retries, tracker)


def active_subscriptions(deps: Deps) -> list[dict[str, Any]]:
    """Subscriptions that can be delivered: Teams ones only while their webhook is configured."""
    return [
        s
        for s in ledger.list_subscriptions(deps.store.db)
        if s["target_type"] != ledger.TARGET_TEAMS or s["target"] in deps.settings.teams_webhooks
    ]


def _planned(alert: Alert, now: datetime, deps: Deps, retry: bool) -> dict[str, Any]:
    return {
        "key": alert.key,
        "target": f"{alert.target_type}:{alert.target}",
        "kind": alert.kind,
        "due_at": utc_iso(alert.due_at),
        "retry": retry,
        "headline": alert_content(alert, now, deps.settings).headline,
    }


def _record(
    db: Database, job: Job, outcome: Outcome, attempts: int, now: datetime, result: SweepResult
) -> None:
    key = job.alert.key
    if outcome.status == OUTCOME_SENT:
        ledger.record_sent(db, key, now, outcome.channel, outcome.ts)
        (result.already_posted if outcome.already_posted else result.sent).append(key)
        return
    if outcome.status == OUTCOME_DEFERRED:
        # Never attempted: due again at once after restart, without spending an attempt.
        ledger.release_claim(db, key, now, outcome.error or "deferred")
        result.deferred.append(key)
        return
    error = outcome.error or "failed"
    if outcome.status != OUTCOME_PERMANENT and attempts + 1 >= MAX_ATTEMPTS:
        error = f"gave up after {attempts + 1} attempts: {error}"
        outcome = Outcome(OUTCOME_PERMANENT, error)
    if outcome.status == OUTCOME_PERMANENT:
        ledger.record_failure(db, key, now, error, None)
        result.permanent.append((key, error))
        log.warning("alert %s not deliverable: %s", key, error)
    else:
        delay = retry_delay(attempts + 1)
        if outcome.retry_after:
            delay = max(delay, timedelta(seconds=outcome.retry_after))
        ledger.record_failure(db, key, now, error, now + delay)
        result.failed.append((key, error))


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
    db = deps.store.db
    settings = deps.settings
    result = SweepResult(at=now, dry_run=dry_run)
    own_senders = senders is None and not dry_run
    try:
        if not dry_run:
            ledger.ensure_teams_subscriptions(
                db,
                list(settings.teams_webhooks),
                list(SUBSCRIBABLE_KINDS),
                list(settings.lead_days),
                now,
            )
        subscriptions = active_subscriptions(deps)
        plan, retries, tracker = plan_sweep(db, subscriptions, now, settings, lease)
        if dry_run:
            result.planned = [_planned(a, now, deps, False) for a in plan.send]
            result.planned += [
                _planned(Alert.from_ledger(r), now, deps, True) for r in retries if r["key"] in plan.valid
            ]
            result.skipped = [(a.key, reason) for a, reason in plan.skip]
            return result

        jobs: list[Job] = []
        attempts: dict[str, int] = {}
        for alert, reason in plan.skip:
            if ledger.claim_alert(db, alert.ledger_row(), ledger.STATUS_SKIPPED, now, reason):
                result.skipped.append((alert.key, reason))
        for alert, until in plan.hold:
            if ledger.hold_alert(db, alert.ledger_row(), now, until, HELD_QUIET_HOURS):
                result.held.append(alert.key)
        for alert in plan.send:
            if ledger.claim_alert(db, alert.ledger_row(), ledger.STATUS_CLAIMED, now):
                jobs.append(Job(alert))
                attempts[alert.key] = 0
        # Everything due is in the ledger now: the next sweep starts from here.
        ledger.advance_cursors(
            db, subscriptions, now, tracker.history_id, tracker.news_id, cursor_settings(settings)
        )
        for row in retries:
            if row["key"] not in plan.valid:
                ledger.record_skipped(db, row["key"], SKIP_NO_LONGER_APPLIES)
                result.skipped.append((row["key"], SKIP_NO_LONGER_APPLIES))
            elif ledger.reclaim_alert(db, row, now):
                # Send what was claimed (a merged digest exists only in its payload).
                alert = Alert.from_ledger(row)
                jobs.append(Job(alert, check_existing=True))
                attempts[alert.key] = row["attempts"]
        result.planned = [_planned(j.alert, now, deps, j.check_existing) for j in jobs]

        if jobs:
            if senders is None:
                senders = build_senders(settings)
            for job, outcome in deliver(jobs, senders, now, max_workers=max_workers, stop=deps.stopping):
                _record(db, job, outcome, attempts[job.alert.key], now, result)
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
        if own_senders and senders:
            close_senders(senders)


def last_sweep(db: Database) -> dict[str, Any] | None:
    """The last sweep's summary (see SweepResult.summary), or None before the first."""
    value = get_state(db, STATE_LAST_SWEEP)
    return json.loads(value) if value else None
