"""A dry run of the sweep (`python app.py sweep --dry-run`): the plan a real sweep would make
at `now`, and the report of it. Nothing is written: not the ledger, not the cursors, not the
default subscriptions of newly configured Teams webhooks (made in a transaction rolled back)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.alerts.alert import Alert
from bot.alerts.blocks import alert_content
from bot.alerts.reference import upcoming_alerts
from bot.alerts.sweep_plan import (
    SweepWork,
    active_subscriptions,
    ensure_teams_subscriptions,
    load_tracker,
    sweep_work,
)
from bot.alerts.sweep_result import SweepResult
from bot.deps import Deps
from storage import alerts as ledger


def dry_run_sweep(deps: Deps, now: datetime, lease: timedelta) -> SweepResult:
    """What a sweep at `now` would send and skip (steps 2 and 4 of bot/alerts/sweep.py)."""
    subscriptions, added = _dry_run_subscriptions(deps, now)
    work = sweep_work(deps, subscriptions, now, lease, dry_run=True)
    new = [sub for sub in subscriptions if sub["id"] in added]
    return dry_run_report(deps, now, work, new)


def dry_run_report(deps: Deps, now: datetime, work: SweepWork, new: list[dict[str, Any]]) -> SweepResult:
    """The dry run's result: what would be attempted (new alerts and retries) and skipped, and
    the default subscriptions a real sweep would make, each with the next alerts it will get."""
    result = SweepResult(at=now, dry_run=True, settings=deps.settings)
    result.attempted = [(a, False) for a in work.send]
    result.attempted += [(Alert.from_ledger(r), True) for r in work.retry]
    result.skipped = [(a.key, reason) for a, reason in work.skip]
    result.skipped += [(r["key"], reason) for r, reason in work.drop]
    result.new_subscriptions = [_new_subscription(deps, sub, now) for sub in new]
    return result


def _new_subscription(deps: Deps, sub: dict[str, Any], now: datetime) -> dict[str, Any]:
    """A new subscription and its next alerts (a new one gets nothing already due)."""
    settings = deps.settings
    upcoming = upcoming_alerts(load_tracker(deps.store.db, [sub]), sub, set(), now, settings, limit=5)
    return {
        "target": f"{sub['target_type']}:{sub['target']}",
        "lead_days": sub["lead_days"],
        "next": [  # worded as it will be when it is sent
            {"due_at": a.due_at, "kind": a.kind, "headline": alert_content(a, a.due_at, settings).headline}
            for a in upcoming
        ],
    }


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
            ensure_teams_subscriptions(deps, now)
            subscriptions = active_subscriptions(deps)
            raise _RollBack
    except _RollBack:
        pass
    return subscriptions, {s["id"] for s in subscriptions} - before
