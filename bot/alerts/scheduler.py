"""APScheduler wiring: one idempotent sweep job, every five minutes and once at start-up.

The scheduler only calls `run_sweep`; all state is in our tables, so a missed or
coalesced run loses nothing (the next run finds what is due). `stop_scheduler` waits for
a running sweep to finish before the app closes the database.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.alerts.delivery import build_senders, close_senders
from bot.alerts.sending import Sender
from bot.alerts.sweep import run_sweep
from bot.alerts.updates import send_updates
from bot.deps import Deps

log = logging.getLogger(__name__)

SWEEP_JOB_ID = "alert-sweep"
STARTUP_JOB_ID = "alert-sweep-startup"
SWEEP_INTERVAL_SECONDS = 300
# A run delayed by up to this long (e.g. a busy host) still happens; later ones coalesce.
MISFIRE_GRACE_SECONDS = 240


def sweep_job(deps: Deps, senders: dict[str, Sender]) -> None:
    """The scheduled job: one sweep; a failure is logged (and kept in last_sweep), never raised."""
    try:
        result = run_sweep(deps, senders=senders)
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
    scheduler.start()
    deps.runtime.scheduler = scheduler
    if own:
        deps.runtime.senders = senders
    return scheduler


def stop_scheduler(deps: Deps, scheduler: BackgroundScheduler | None = None) -> None:
    """Stop the sweep schedule, waiting for a running sweep; close senders it created."""
    scheduler = scheduler or deps.runtime.scheduler
    deps.stopping.set()  # a running sweep finishes the delivery in hand, defers the rest
    if scheduler is not None and scheduler.running:
        scheduler.shutdown(wait=True)
    deps.runtime.scheduler = None
    senders, deps.runtime.senders = deps.runtime.senders, None
    if senders:
        close_senders(senders)
