"""What `GET /healthz` reports: database reachable, scheduler running, the last sweep."""

from __future__ import annotations

import json
from typing import Any

from bot.clock import utc_iso
from bot.deps import Deps
from storage.maintenance import probe_database
from storage.tracker import get_state

LAST_SWEEP_KEY = "last_sweep"  # app_state row bot/alerts/sweep.py writes (JSON, with "ok" and "at")


def _last_sweep(deps: Deps) -> Any:
    try:
        raw = get_state(deps.store.db, LAST_SWEEP_KEY)
    except Exception as exc:  # reported, never raised: health must answer
        return {"error": f"cannot read the last sweep: {exc}"}
    if raw is None:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return {"raw": raw}


def health_report(deps: Deps) -> tuple[bool, dict[str, Any]]:
    """(healthy, report). Healthy: the database answers, the scheduler runs, and the last
    sweep (if any yet) completed. A sweep whose deliveries partly failed still completed:
    those alerts are retried and shown to admins, the app itself is fine."""
    db_problem = probe_database(deps.settings.db_path)
    scheduler = deps.runtime.scheduler
    scheduler_running = bool(scheduler is not None and getattr(scheduler, "running", False))
    last_sweep = _last_sweep(deps) if db_problem is None else None
    sweep_ok = not isinstance(last_sweep, dict) or last_sweep.get("ok", True) is not False
    healthy = db_problem is None and scheduler_running and sweep_ok
    report: dict[str, Any] = {
        "status": "ok" if healthy else "unavailable",
        "time": utc_iso(deps.clock.now()),
        "mode": deps.runtime.mode,
        "database": {"ok": db_problem is None, **({"error": db_problem} if db_problem else {})},
        "scheduler": {"running": scheduler_running},
        "last_sweep": last_sweep,
    }
    return healthy, report
