"""The per-workspace figures /healthz reports in OAuth mode (bot/ops/health.py): how many
workspaces, and for each the age of its last sweep and its deliveries that failed for good,
read from the registry (bot/tenancy/jobs.py writes them after each run). They are reported,
not judged: one workspace's revoked token does not make the instance unhealthy."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from storage import workspaces as registry
from storage.db import Store


def _age(at: str | None, now: datetime) -> float | None:
    if not at:
        return None
    return round(max((now - datetime.fromisoformat(at)).total_seconds(), 0.0), 1)


def workspace_figures(home: Store, now: datetime, stale_limit: int) -> dict[str, Any]:
    """{count, forgotten, never_swept, stale, with_problems, each: {key: {...}}}."""
    rows = registry.all_workspaces(home.db)
    home.release()
    each: dict[str, dict[str, Any]] = {}
    forgotten = 0
    for row in rows:
        if row["status"] != registry.STATUS_ACTIVE:
            forgotten += 1
            continue
        figures: dict[str, Any] = {
            "seconds_since_sweep": _age(row["last_sweep_at"], now),
            "delivery_problems": int(row["last_sweep_problems"] or 0),
        }
        if row["last_sweep_error"]:
            figures["error"] = row["last_sweep_error"]
        each[str(row["key"])] = figures
    ages = [f["seconds_since_sweep"] for f in each.values()]
    return {
        "count": len(each),
        "forgotten": forgotten,
        "never_swept": sum(1 for age in ages if age is None),
        "stale": sum(1 for age in ages if age is not None and age > stale_limit),
        "with_problems": sum(1 for f in each.values() if f["delivery_problems"] or "error" in f),
        "each": each,
    }
