"""APScheduler wiring: one idempotent sweep job, every five minutes and once at start-up.

The scheduler only calls `run_sweep`; all state is in our tables, so a missed or
coalesced run loses nothing (the next run finds what is due). `stop_scheduler` waits for
a running sweep to finish before the app closes the database.

One instance at a time runs the jobs: each job first checks that this process holds the
scheduler's lock (storage/leader.py: a PostgreSQL advisory lock on a session of its own, or
a lock file beside the SQLite database), and an election job every ELECTION_SECONDS takes
the lock when it is free. An instance that takes over sweeps at once, which catches up what
fell due meanwhile; the ledger's claims keep that from repeating anything.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, timedelta
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.alerts.delivery import build_senders, close_senders
from bot.alerts.sending import Sender
from bot.alerts.sweep import run_sweep
from bot.alerts.updates import send_updates
from bot.clock import SystemClock
from bot.deps import Deps
from storage.leader import SchedulerLease, scheduler_lease

log = logging.getLogger(__name__)

SWEEP_JOB_ID = "alert-sweep"
STARTUP_JOB_ID = "alert-sweep-startup"
SWEEP_INTERVAL_SECONDS = 300
# A run delayed by up to this long (e.g. a busy host) still happens; later ones coalesce.
MISFIRE_GRACE_SECONDS = 240
ELECTION_JOB_ID = "scheduler-election"
TAKEOVER_JOB_ID = "alert-sweep-takeover"
# How often a standing-by instance tries for the lock, and the holder checks it still has it:
# a dead holder's work is taken over within this (plus the server noticing a silent network).
ELECTION_SECONDS = 5.0


def _only_when_held(lease: SchedulerLease, job: Callable[..., Any]) -> Callable[..., Any]:
    """`job`, run only while this instance holds the scheduler's lock."""

    def held_job(*args: Any, **kwargs: Any) -> Any:
        if not lease.try_hold():
            return None
        return job(*args, **kwargs)

    held_job.__name__ = getattr(job, "__name__", "job")
    return held_job


def _elect(
    lease: SchedulerLease, scheduler: BackgroundScheduler, sweep: Callable[..., Any], args: list[Any]
) -> None:
    """Take the lock if free, or notice it was lost. Taking it sweeps at once (the catch-up)
    and again once the claims a dead holder left have outlived their lease (args[0]'s
    REVIEWWATCH_CLAIM_LEASE), so those are sent then rather than at the next interval."""
    had = lease.held
    holds = lease.try_hold()
    if holds and not had:
        log.info("this instance now runs the scheduler (alert sweeps, news, reminders)")
        # APScheduler keeps real time (as the start-up run below): the system clock's
        after_lease = SystemClock().now() + timedelta(seconds=args[0].settings.claim_lease + 1)
        for job_id, run_at in ((TAKEOVER_JOB_ID, None), (f"{TAKEOVER_JOB_ID}-after-lease", after_lease)):
            scheduler.add_job(
                sweep,
                "date",
                run_date=run_at,
                args=args,
                id=job_id,
                replace_existing=True,
                misfire_grace_time=MISFIRE_GRACE_SECONDS,
            )
    elif had and not holds:
        log.warning("lost the scheduler lock on %s; another instance takes over", lease.describe())


def sweep_job(deps: Deps, senders: dict[str, Sender]) -> None:
    """The scheduled job: one sweep; a failure is logged (and kept in last_sweep), never raised."""
    try:  # REVIEWWATCH_CLAIM_LEASE: how soon a dead instance's claims are taken over
        result = run_sweep(deps, senders=senders, lease=timedelta(seconds=deps.settings.claim_lease))
    except Exception:
        log.exception("alert sweep failed")
        return
    if result.sent or result.failed or result.permanent:
        log.info("alert sweep: %s", result.summary())
    try:  # then correct sent alerts whose facts changed (bot/alerts/updates.py)
        updates = send_updates(deps, senders=senders)
    except Exception:
        log.exception("alert updates failed")
        return
    if updates.sent or updates.failed:
        log.info("alert updates: %d sent, %d failed", len(updates.sent), len(updates.failed))


def start_scheduler(
    deps: Deps,
    *,
    senders: dict[str, Sender] | None = None,
    interval_seconds: float = SWEEP_INTERVAL_SECONDS,
    run_at_start: bool = True,
    job: Callable[[Deps, dict[str, Sender]], Any] = sweep_job,
    more_jobs: Sequence[Callable[..., None]] = (),
    lease: SchedulerLease | None = None,
) -> BackgroundScheduler:
    """Start a BackgroundScheduler running the sweep now and every `interval_seconds`.

    `more_jobs` are other features' jobs, each called as `add(scheduler, deps,
    run_at_start=...)` before the scheduler starts (the news watch's fetch)."""
    own = senders is None
    senders = build_senders(deps.settings, deps.store) if senders is None else senders
    scheduler = BackgroundScheduler(
        timezone=UTC,
        executors={"default": ThreadPoolExecutor(max_workers=1)},
    )
    # The job gives its thread's database connection back after each run (storage/db.py).
    job = deps.store.releasing(job)
    scheduler.add_job(
        job,
        IntervalTrigger(seconds=interval_seconds, timezone=UTC),
        args=[deps, senders],
        id=SWEEP_JOB_ID,
        name="alert sweep",
        misfire_grace_time=MISFIRE_GRACE_SECONDS,
        coalesce=True,
        max_instances=1,
        replace_existing=True,
    )
    if run_at_start:
        # A one-off run now (APScheduler keeps real time; the sweep reads the injected
        # clock). The single worker thread keeps it from overlapping the interval job.
        scheduler.add_job(
            job,
            "date",
            args=[deps, senders],
            id=STARTUP_JOB_ID,
            name="alert sweep at start-up",
            misfire_grace_time=MISFIRE_GRACE_SECONDS,
            coalesce=True,
            max_instances=1,
            replace_existing=True,
        )
    for add_job in more_jobs:
        add_job(scheduler, deps, run_at_start=run_at_start)
    lease = lease or scheduler_lease(deps.store)
    _hold_for_jobs(deps, scheduler, lease, job, [deps, senders])
    scheduler.start()
    deps.runtime.scheduler = scheduler
    deps.runtime.scheduler_lease = lease
    if own:
        deps.runtime.senders = senders
    return scheduler


def _hold_for_jobs(
    deps: Deps,
    scheduler: BackgroundScheduler,
    lease: SchedulerLease,
    sweep: Callable[..., Any],
    args: list[Any],
) -> None:
    """Every job runs only while this instance holds the lock; the election job takes it."""
    for scheduled in scheduler.get_jobs():
        scheduled.modify(func=_only_when_held(lease, scheduled.func))
    if not lease.try_hold():
        log.warning(
            "another instance runs the scheduler on %s: this one answers requests and sends no "
            "alerts, and takes over if that one stops",
            lease.describe(),
        )
    scheduler.add_job(
        deps.store.releasing(_elect),
        IntervalTrigger(seconds=ELECTION_SECONDS, timezone=UTC),
        args=[lease, scheduler, _only_when_held(lease, sweep), args],
        id=ELECTION_JOB_ID,
        name="scheduler election",
        misfire_grace_time=MISFIRE_GRACE_SECONDS,
        coalesce=True,
        max_instances=1,
        replace_existing=True,
    )


def stop_scheduler(deps: Deps, scheduler: BackgroundScheduler | None = None) -> None:
    """Stop the sweep schedule, waiting for a running sweep; close senders it created."""
    scheduler = scheduler or deps.runtime.scheduler
    deps.stopping.set()  # a running sweep finishes the delivery in hand, defers the rest
    if scheduler is not None and scheduler.running:
        scheduler.shutdown(wait=True)
    deps.runtime.scheduler = None
    lease, deps.runtime.scheduler_lease = deps.runtime.scheduler_lease, None
    if lease is not None:
        lease.release()
    senders, deps.runtime.senders = deps.runtime.senders, None
    if senders:
        close_senders(senders)
