"""A real APScheduler BackgroundScheduler running the sweep on a short interval."""

from __future__ import annotations

import json
import threading
from datetime import datetime
from typing import Any

from bot.alerts.alert import SKIP_TOLD_TODAY
from bot.alerts.scheduler import (
    MISFIRE_GRACE_SECONDS,
    STARTUP_JOB_ID,
    SWEEP_JOB_ID,
    start_scheduler,
    stop_scheduler,
    sweep_job,
)
from bot.alerts.sweep import last_sweep
from bot.deps import Deps
from storage.tracker import list_deadlines, update_record
from tests.conftest import ADMIN_ID
from tests.support.alerts import CHANNEL, alert_keys, emulator_sender, ledger, subscribe
from tests.support.slack_emulator import SlackEmulator

JUNE_1 = "2026-06-01T12:00:00+00:00"


def test_scheduler_runs_the_sweep_at_start_and_on_its_interval_then_stops(
    deps: Deps, slack_emulator: SlackEmulator
) -> None:
    subscribe(deps, datetime.fromisoformat(JUNE_1))  # the clock says Jul 24 10:00: 7-day alert due
    runs: list[int] = []
    enough = threading.Event()

    def job(deps: Deps, senders: dict[str, Any]) -> None:
        sweep_job(deps, senders)
        runs.append(len(alert_keys(slack_emulator)))
        if len(runs) == 2:  # between runs the deadline moves: the next run must notice
            update_record(
                deps.store.db,
                "deadline",
                list_deadlines(deps.store.db)[0]["id"],
                {"due_date": "2026-07-27"},
                actor=ADMIN_ID,
                at=deps.clock.now(),
            )
        if len(runs) >= 4:
            enough.set()

    senders = {"slack": emulator_sender(slack_emulator, deps.settings)}
    scheduler = start_scheduler(deps, senders=senders, interval_seconds=0.05, job=job)
    try:
        interval_job = scheduler.get_job(SWEEP_JOB_ID)
        assert (interval_job.misfire_grace_time, interval_job.coalesce, interval_job.max_instances) == (
            MISFIRE_GRACE_SECONDS,
            True,
            1,
        )
        assert enough.wait(timeout=20), f"only {len(runs)} sweeps ran"
    finally:
        stop_scheduler(deps)
    assert not scheduler.running
    assert scheduler.get_job(STARTUP_JOB_ID) is None  # the start-up run happened and is gone
    keys = alert_keys(slack_emulator)
    # One post for the July 31 date, however many sweeps ran; the moved date is told by the
    # update in place (one edit, one reply), not by a second alert the same day.
    assert [k.split("|")[2] for k in keys] == ["2026-07-31"]
    assert runs[0] == 1
    assert last_sweep(deps.store.db)["ok"] is True
    assert len(slack_emulator.messages[CHANNEL]) == 2
    assert "due date moved" in slack_emulator.messages[CHANNEL][-1]["text"]
    assert "Jul 27" in json.dumps(slack_emulator.messages[CHANNEL][0]["blocks"])  # edited
    moved = [r for r in ledger(deps).values() if r["subject_date"] == "2026-07-27"]
    assert {r["status"] for r in moved} == {"skipped"}
    assert SKIP_TOLD_TODAY in {r["last_error"] for r in moved}
