"""The benchmark's tracker: tests/large_tracker.py plus 50 subscribed channels and a year of history.

`build_bench_db(path, models=5000, now=...)` writes a fresh database file:

- 200 developers, `models` models, 500 deadlines (tests/large_tracker.py, bulk inserts);
- a year of changes in history: ten a day (status, review status, planned release, note);
- 50 Slack channels subscribed a year before `now`: 30 take every kind in real time, 15
  follow ten developers each, 5 take a daily digest;
- the alert ledger as it stands after a year of sweeps: every alert due up to
  `ledger_until` (default `now`) is recorded as sent or skipped, so a sweep at `now`
  finds only what fell due since; the subscriptions' sweep cursors are at `ledger_until`.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.alerts.alert import SUBSCRIBABLE_KINDS
from bot.alerts.cursors import cursor_settings
from bot.alerts.fastplan import plan_alerts
from bot.alerts.sweep_plan import load_tracker
from bot.clock import utc_iso
from bot.settings import Settings
from storage import alerts as ledger
from storage.db import open_store
from storage.tracker import latest_history_id
from tests.support.large_tracker import ACTOR, make_large_tracker

CHANNELS = 50
HISTORY_PER_DAY = 10
DEFAULT_LEADS = [30, 14, 7, 3, 1, 0]


def channel_id(n: int) -> str:
    return f"CBENCH{n:04d}"


def _subscriptions(now: datetime, developers: int, channels: int) -> list[dict[str, Any]]:
    created = utc_iso(now - timedelta(days=365))
    rows = []
    for n in range(channels):
        digest = "daily" if n >= channels - channels // 10 else "realtime"
        follows = None
        if channels * 3 // 5 <= n < channels - channels // 10:
            follows = json.dumps(sorted(f"dev-{(n * 10 + k) % developers:03d}" for k in range(10)))
        rows.append(
            {
                "id": n + 1,
                "target_type": ledger.TARGET_SLACK,
                "target": channel_id(n),
                "kinds": json.dumps(sorted(SUBSCRIBABLE_KINDS)),
                "lead_days": json.dumps(DEFAULT_LEADS),
                "digest": digest,
                "developer_filter": follows,
                "since_history_id": 0,
                "since_news_id": 0,
                "created_by": ACTOR,
                "created_at": created,
                "updated_at": created,
            }
        )
    return rows


def _year_of_history(now: datetime, developers: int, models: int) -> list[dict[str, Any]]:
    rows = []
    start = now - timedelta(days=365)
    fields = ("status", "review_status", "planned_release", "note")
    for day in range(365):
        for k in range(HISTORY_PER_DAY):
            at = start + timedelta(days=day, minutes=37 * k)
            field = fields[(day + k) % len(fields)]
            n = day * HISTORY_PER_DAY + k
            if field == "status":
                entity, entity_id = "developer", f"dev-{n % developers:03d}"
                old, new = "negotiating", "signed" if n % 3 else "holdout"
            else:
                entity, entity_id = "model", str(n % models + 1)
                old, new = {
                    "review_status": ("not_submitted", "submitted"),
                    "planned_release": ("2026-09-01", "2026-10-01"),
                    "note": ("", "Agency briefing held."),
                }[field]
            rows.append(
                {
                    "entity": entity,
                    "entity_id": entity_id,
                    "subject": f"{entity} {entity_id}",
                    "field": field,
                    "old": old,
                    "new": new,
                    "actor": ACTOR,
                    "at": utc_iso(at),
                    "note": "Reported in the weekly review call.",
                    "source": "https://example.org/weekly",
                }
            )
    return rows


def fill_ledger(path: str | Path, settings: Settings, until: datetime) -> int:
    """Record every alert due up to `until` as sent (or skipped by catch-up), as a year of sweeps would."""
    store = open_store(path)
    try:
        db = store.db
        subs = ledger.list_subscriptions(db)
        plan = plan_alerts(load_tracker(db, subs), subs, ledger.ledger_keys(db), until, settings)
        stamp = utc_iso(until)
        rows = []
        for alert, status in [(a, ledger.STATUS_SENT) for a in plan.send] + [
            (a, ledger.STATUS_SKIPPED) for a, _ in plan.skip
        ]:
            row = alert.ledger_row()
            row.update(
                status=status,
                attempts=1,
                created_at=utc_iso(alert.due_at),
                payload="{}",
                sent_at=stamp if status == ledger.STATUS_SENT else None,
            )
            rows.append(row)
        with db.atomic():
            db["alert_ledger"].insert_all(rows, batch_size=2000)
        ledger.advance_cursors(
            db, subs, until, latest_history_id(db), ledger.latest_news_id(db), cursor_settings(settings)
        )
        return len(rows)
    finally:
        store.close()


def build_bench_db(
    path: str | Path,
    settings: Settings,
    *,
    now: datetime,
    models: int = 5000,
    developers: int = 200,
    deadlines: int = 500,
    channels: int = CHANNELS,
    ledger_until: datetime | None = None,
) -> dict[str, int]:
    """A fresh database at `path` (see the module docstring); returns the row counts."""
    store = open_store(path)
    try:
        db = store.db
        counts = make_large_tracker(db, developers=developers, models=models, deadlines=deadlines)
        history = _year_of_history(now, developers, models)
        subs = _subscriptions(now, developers, channels)
        with db.atomic():
            db["history"].insert_all(history, batch_size=2000)
            db["subscriptions"].insert_all(subs)
        counts["history"] += len(history)
        counts["subscriptions"] = len(subs)
    finally:
        store.close()
    counts["ledger"] = fill_ledger(path, settings, ledger_until or now)
    return counts


def bench_now() -> datetime:
    """The benchmark's fixed 'now' for computations: 2026-07-24 10:00 in New York (as the tests)."""
    return datetime(2026, 7, 24, 14, 0, tzinfo=UTC)
