"""What `GET /healthz` reports: database reachable, scheduler running and whether this
instance holds it (one instance sweeps at a time), the last sweep (whichever instance ran
it: it is read from the database) and how long ago it was, and how long ago Slack was last
heard from (with its limit in Socket Mode, where a silent connection means the app is deaf);
in OAuth mode also each workspace's figures (bot/tenancy/figures.py)."""

from __future__ import annotations

import json
from datetime import datetime
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


def _age(since: datetime | None, now: datetime) -> float | None:
    """Seconds from `since` to `now`, exact: what the limits judge (`_shown` rounds them)."""
    return None if since is None else max((now - since).total_seconds(), 0.0)


def _shown(age: float | None) -> float | None:
    """An age as the report shows it, to a tenth of a second."""
    return None if age is None else round(age, 1)


def _sweep_age(deps: Deps, last_sweep: Any, now: datetime) -> float | None:
    """Seconds since the last sweep (or since start-up, before the first one)."""
    at = last_sweep.get("at") if isinstance(last_sweep, dict) else None
    try:
        since = datetime.fromisoformat(at) if isinstance(at, str) else deps.runtime.started_at
    except ValueError:
        since = deps.runtime.started_at
    return _age(since, now)


def health_report(deps: Deps) -> tuple[bool, dict[str, Any]]:
    """(healthy, report). Healthy: the database answers, the scheduler runs, the last sweep
    (if any yet) completed and is not older than REVIEWWATCH_SWEEP_STALE_LIMIT, and in
    Socket Mode Slack was heard from within REVIEWWATCH_SOCKET_SILENCE_LIMIT. A sweep whose
    deliveries partly failed still completed: those alerts are retried and shown to admins."""
    settings, runtime = deps.settings, deps.runtime
    now = deps.clock.now()
    db_problem = probe_database(settings.db_path)
    scheduler = runtime.scheduler
    scheduler_running = bool(scheduler is not None and getattr(scheduler, "running", False))
    last_sweep = _last_sweep(deps) if db_problem is None else None
    sweep_ok = not isinstance(last_sweep, dict) or last_sweep.get("ok", True) is not False
    # Ages are judged exact and shown to a tenth: 2.04 s is past a 2 s limit (the watchdog,
    # handlers/http/watchdog.py, has reconnected by then) though it shows as 2.0.
    sweep_age = _sweep_age(deps, last_sweep, now) if scheduler_running else None
    sweep_fresh = sweep_age is None or sweep_age <= settings.sweep_stale_limit
    socket_mode = runtime.mode == "socket"
    contact_age = _age(runtime.contact() or (runtime.started_at if socket_mode else None), now)
    contact_ok = not socket_mode or contact_age is None or contact_age <= settings.socket_silence_limit
    healthy = db_problem is None and scheduler_running and sweep_ok and sweep_fresh and contact_ok
    report: dict[str, Any] = {
        "status": "ok" if healthy else "unavailable",
        "time": utc_iso(now),
        "mode": runtime.mode,
        "database": {"ok": db_problem is None, **({"error": db_problem} if db_problem else {})},
        "scheduler": {
            "running": scheduler_running,
            # Several instances: only the one holding the scheduler's lock sweeps (storage/leader.py)
            "holds_scheduler": bool(getattr(runtime.scheduler_lease, "held", False)),
            "seconds_since_sweep": _shown(sweep_age),
            "stale_limit_seconds": settings.sweep_stale_limit,
            "stale": not sweep_fresh,
        },
        "last_sweep": last_sweep,
        "slack": {
            "seconds_since_contact": _shown(contact_age),
            "silence_limit_seconds": settings.socket_silence_limit if socket_mode else None,
            "ok": contact_ok,
            **({"reconnects": runtime.reconnects} if socket_mode else {}),
        },
    }
    if runtime.workspace_figures is not None:  # OAuth mode: per workspace, reported not judged
        try:
            report["workspaces"] = runtime.workspace_figures(now)
        except Exception as exc:  # health must answer
            report["workspaces"] = {"error": f"cannot read the workspaces: {exc}"}
    return healthy, report
