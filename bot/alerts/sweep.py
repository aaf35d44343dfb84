"""The alert sweep: what is due now and not yet in the ledger is claimed, delivered, recorded.

`run_sweep` is a function of (tracker, subscriptions, ledger, now) plus delivery; the
scheduler (bot/alerts/scheduler.py) and `python app.py sweep` only call it. One run:

1. gives each configured Teams webhook its default subscription;
2. plans (bot/alerts/sweep_plan.py, with bot/alerts/fastplan.py): new alerts to send,
   catch-up alerts to record as skipped. It reads only what can have become due since each
   subscription's cursor (the tracker rows by date and by history, the ledger by key:
   `load_due_tracker`, `plan_sweep`), and skips the reads of retries, reminders and mutes
   that one question asked first says would find nothing (storage/sweep_probe.py);
3. claims the new alerts in one transaction (INSERTs a concurrent sweep loses; each claim
   carries this sweep's token) and, in the same one, advances the subscriptions' cursors to
   this run;
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
   least every FLUSH_EVERY seconds (all that came in by then), Teams outcomes at once. A crash
   loses at most an unrecorded batch of Slack outcomes: those claims are retried after the
   lease and found in the channel by their key, so nothing is posted twice; Teams cannot
   be read back, so its outcomes are never held back;
6. stores a summary in app_state "last_sweep" (JSON) for /healthz and admins, in the last
   outcomes' transaction (one commit, not two: a workspace's sweep in OAuth mode pays each).

`dry_run=True` does steps 2 and 4 without writing anything (cursors included) and returns
what would be sent (bot/alerts/dry_run.py). Step 5 is bot/alerts/claims.py.
"""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from sqlite_utils import Database

from bot.alerts.alert import HELD_QUIET_HOURS, KIND_REMINDER, Alert
from bot.alerts.briefing import restore_briefing
from bot.alerts.claims import ClaimLease, claim_token, deliver_and_record
from bot.alerts.cursors import cursor_settings
from bot.alerts.delivery import Job, build_senders, close_senders
from bot.alerts.dry_run import dry_run_sweep
from bot.alerts.render import current_all
from bot.alerts.sending import Sender
from bot.alerts.sweep_plan import (
    CLAIM_LEASE,
    SweepWork,
    active_subscriptions,
    ensure_teams_subscriptions,
    sweep_work,
)
from bot.alerts.sweep_result import SweepResult
from bot.alerts.threads import choose_threads, in_thread, placed_jobs
from bot.deps import Deps
from storage import alerts as ledger
from storage.db import SMALL_SWEEP_ROWS, fewer_checkpoints
from storage.generation import generation_on
from storage.tracker import get_state, set_state

log = logging.getLogger(__name__)

STATE_LAST_SWEEP = "last_sweep"


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
    if dry_run:
        with cyclic_collector_paused():
            return dry_run_sweep(deps, now, lease)
    with cyclic_collector_paused():
        return _live_sweep(deps, now, senders, lease, max_workers)


def _live_sweep(
    deps: Deps, now: datetime, senders: dict[str, Sender] | None, lease: timedelta, max_workers: int
) -> SweepResult:
    db = deps.store.db
    result = SweepResult(at=now, settings=deps.settings)
    own_senders = senders is None
    claims: ClaimLease | None = None
    bulk = contextlib.ExitStack()
    try:
        ensure_teams_subscriptions(deps, now)
        subscriptions = active_subscriptions(deps)
        work = sweep_work(deps, subscriptions, now, lease, dry_run=False)
        if _rows_written(work) >= SMALL_SWEEP_ROWS:
            # A big sweep's claims and outcomes rewrite the same ledger pages batch after batch:
            # checkpointing the WAL less often copies each page once rather than once per batch.
            # A small one (a workspace's few alerts) skips the two pragmas this costs.
            bulk.enter_context(fewer_checkpoints(db))
        token = claim_token()
        jobs, attempts, threads = _claim_new(deps, subscriptions, work, token, now, result)
        retried = _reclaim_retries(deps, subscriptions, work, token, now, threads, attempts, result)
        unchanged = work.generation == generation_on(db)
        jobs = _as_now(deps, jobs, retried, threads, now, unchanged)
        result.attempted = [(j.alert, j.check_existing) for j in jobs]

        def summarise() -> None:
            set_state(db, STATE_LAST_SWEEP, json.dumps(result.summary()))

        if jobs:
            if senders is None:
                senders = build_senders(deps.settings, deps.store)
            claims = ClaimLease(deps.store, token, attempts, now, lease)
            deliver_and_record(deps, jobs, senders, claims, attempts, now, result, max_workers, summarise)
        else:
            summarise()
        return result
    except Exception as exc:
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
        bulk.close()


def _rows_written(work: SweepWork) -> int:
    """The ledger rows a sweep's plan writes (claims, skips, holds, retries)."""
    return len(work.send) + len(work.skip) + len(work.plan.hold) + len(work.retry) + len(work.drop)


def _claim_new(
    deps: Deps,
    subscriptions: list[dict[str, Any]],
    work: SweepWork,
    token: str,
    now: datetime,
    result: SweepResult,
) -> tuple[list[Job], dict[str, int], dict[str, tuple[str, bool]]]:
    """Step 3: claim the new alerts (recording the skipped and held ones), advance the cursors.
    Returns the jobs for the alerts this sweep won, their attempts so far, and where each
    new Slack date alert goes (decided now and written with its claim)."""
    db = deps.store.db
    threads = choose_threads(db, work.send, subscriptions)
    skip_values = Alert.ledger_values_of(a for a, _ in work.skip)
    hold = work.plan.hold
    hold_values = Alert.ledger_values_of(a for a, _ in hold)
    tracker = work.tracker
    with db.atomic():  # one write transaction for the claims and the cursors (one commit, not two)
        claimed, skipped, held = ledger.claim_alerts(
            db,
            Alert.ledger_values_of(work.send),
            list(zip(skip_values, [reason for _, reason in work.skip], strict=True)),
            token,
            now,
            hold=[(v, HELD_QUIET_HOURS, until) for v, (_, until) in zip(hold_values, hold, strict=True)],
            threads=threads,
        )
        # Everything due is in the ledger now: the next sweep starts from here.
        ledger.advance_cursors(
            db, subscriptions, now, tracker.history_id, tracker.news_id, cursor_settings(deps.settings)
        )
    reasons = {a.key: reason for a, reason in work.skip}
    result.skipped = [(key, reasons[key]) for key in skipped]
    result.held = held
    won = set(claimed)
    jobs = placed_jobs(work.send, threads, won)  # placed now: one pass
    return jobs, dict.fromkeys(won, 0), threads


def _as_now(
    deps: Deps,
    new: list[Job],
    retried: list[Job],
    threads: dict[str, tuple[str, bool]],
    now: datetime,
    unchanged: bool,
) -> list[Job]:
    """The jobs to deliver (new ones, then retries), worded from the tracker as it is now, not
    as when planned (bot/alerts/render.py), and placed in their threads. New alerts planned
    just now from rows unchanged since (`unchanged`) already are, but for reminders (what a
    reminder repeats was worded long ago): only the others are restated, so the sweep's
    hundreds of thousands of new jobs are not gone over again."""
    again = (
        [i for i, job in enumerate(new) if job.alert.kind == KIND_REMINDER] if unchanged else range(len(new))
    )
    worded = current_all(
        deps.store.db, [*(new[i].alert for i in again), *(j.alert for j in retried)], now, deps.settings
    )
    jobs = list(new)
    for i, alert in zip(again, worded, strict=False):
        jobs[i] = in_thread(new[i], threads, alert)
    jobs += [in_thread(job, threads, alert) for job, alert in zip(retried, worded[len(again) :], strict=True)]
    return jobs


def _reclaim_retries(
    deps: Deps,
    subscriptions: list[dict[str, Any]],
    work: SweepWork,
    token: str,
    now: datetime,
    threads: dict[str, tuple[str, bool]],
    attempts: dict[str, int],
    result: SweepResult,
) -> list[Job]:
    """Step 4: record the retries that no longer apply as skipped, take over the others. A
    retry is sent as it was claimed (a merged digest exists only in its payload), where it
    was meant to go (a claim made before threads existed gets its place now)."""
    db = deps.store.db
    dropped = {r["key"]: reason for r, reason in work.drop}
    for key in ledger.skip_retries(db, work.drop):
        result.skipped.append((key, dropped[key]))
    retried = ledger.reclaim_alerts(db, work.retry, token, now)
    alerts = [restore_briefing(deps, Alert.from_ledger(row)) for row in retried]
    decided = {
        r["key"]: (r["thread_ts"], bool(r["broadcast"])) for r in retried if r["thread_ts"] is not None
    }
    placed = choose_threads(db, alerts, subscriptions, decided)
    ledger.set_threads(db, [(key, *where) for key, where in placed.items() if key not in decided])
    threads.update(placed)
    jobs = []
    for row, alert in zip(retried, alerts, strict=True):
        jobs.append(Job(alert, check_existing=True))
        attempts[row["key"]] = row["attempts"]
    return jobs


def last_sweep(db: Database) -> dict[str, Any] | None:
    """The last sweep's summary (see SweepResult.summary), or None before the first."""
    value = get_state(db, STATE_LAST_SWEEP)
    return json.loads(value) if value else None
