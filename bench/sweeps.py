"""Part 2 (sweep) and part 3 (fanout): the whole sweep against its physical limit, the
same work done by hand in SQLite, at each size; and alerts due at once over several
channels, delivered to an emulator that holds each channel to one message a second."""

from __future__ import annotations

import json
import shutil
import statistics
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bench.common import TimedEmulator, met, settings_for, spread, timed
from bench.tracker import CHANNELS, bench_now, build_bench_db
from bot.clock import FixedClock
from bot.deps import Deps
from bot.settings import Settings


class InstantSender:
    """Answers every post at once: the sweep's own cost, delivery taken out."""

    target_type = "slack"

    def send(self, alert: Any, now: datetime, *, check_existing: bool) -> Any:
        from bot.alerts.sending import OUTCOME_SENT, Outcome

        return Outcome(OUTCOME_SENT, channel=alert.target, ts="1.000000")


def _fresh_copy(base: Path, to: Path) -> Path:
    for old in to.parent.glob(to.name + "*"):
        old.unlink()
    shutil.copyfile(base, to)
    return to


def whole_sweep(db_path: Path, settings: Settings, now: datetime) -> tuple[float, dict[str, int]]:
    """Seconds of one scheduled sweep (plan, claims, cursors, delivery, outcomes, summary)."""
    from bot.alerts.sweep import run_sweep
    from storage.db import open_store

    store = open_store(db_path)
    try:
        deps = Deps(settings=settings, store=store, clock=FixedClock(now))
        result: list[Any] = []
        elapsed = timed(lambda: result.append(run_sweep(deps, now=now, senders={"slack": InstantSender()})))
        done = result[0]
        return elapsed, {"sent": len(done.sent), "skipped": len(done.skipped)}
    finally:
        store.close()


def limit_rows(
    db_path: Path, settings: Settings, now: datetime, *, skipped: bool = True
) -> list[tuple[Any, ...]]:
    """The ledger rows the sweep writes (its plan), to write by hand; without `skipped`, only
    those of the alerts it sends."""
    from bot.alerts.alert import Alert
    from bot.alerts.sweep_plan import active_subscriptions, plan_sweep
    from storage.db import open_store

    store = open_store(db_path)
    try:
        deps = Deps(settings=settings, store=store, clock=FixedClock(now))
        plan = plan_sweep(store.db, active_subscriptions(deps), now, settings).plan
        return Alert.ledger_values_of([*plan.send, *(a for a, _ in plan.skip if skipped)])
    finally:
        store.close()


def physical_limit(db_path: Path, rows: list[tuple[Any, ...]], sent: int) -> float:
    """Seconds of the same work done by hand in SQLite: the raw SELECT of the tracker rows, one
    executemany INSERT of the ledger rows in one transaction, one executemany UPDATE of `sent`
    outcomes in another (outcomes differ per row: the message's ts). Both in key order, as the
    sweep writes them: the fastest order by hand too."""
    from storage.alerts import LEDGER_VALUES
    from storage.db import connect
    from storage.sql import placeholders

    db = connect(db_path)
    columns = f"{LEDGER_VALUES}, status, attempts, claimed_at, claim_token, created_at"
    insert = f"INSERT INTO alert_ledger ({columns}) VALUES ({placeholders(range(16))})"
    update = (
        "UPDATE alert_ledger SET status = 'sent', sent_at = ?, attempts = attempts + 1, "
        "message_channel = ?, message_ts = ? WHERE key = ?"
    )
    stamp = "2026-07-24T14:00:00+00:00"
    in_key_order = sorted(rows, key=lambda row: row[0])

    def work() -> None:
        db.execute("SELECT * FROM models").fetchall()
        db.execute("SELECT * FROM deadlines").fetchall()
        with db.atomic():
            db.conn.executemany(insert, [(*r, "claimed", 0, stamp, "bench", stamp) for r in in_key_order])
        with db.atomic():
            db.conn.executemany(update, [(stamp, r[7], "1.000000", r[0]) for r in in_key_order[:sent]])

    try:
        return timed(work)
    finally:
        db.close()


def plan_and_select(db_path: Path, settings: Settings, now: datetime) -> tuple[float, float]:
    """Seconds of the sweep's planning step (read-only) and of a plain SELECT of the tracker rows."""
    from bot.alerts.sweep_plan import active_subscriptions, plan_sweep
    from storage.db import open_store

    store = open_store(db_path)
    try:
        deps = Deps(settings=settings, store=store, clock=FixedClock(now))
        db = store.db

        def select() -> None:
            list(db.query("SELECT * FROM models"))
            list(db.query("SELECT * FROM deadlines"))

        return timed(lambda: plan_sweep(db, active_subscriptions(deps), now, settings)), timed(select)
    finally:
        store.close()


def sweep_cost(
    folder: Path, sizes: tuple[int, ...], channels: int = CHANNELS, repeats: int = 5
) -> list[dict[str, Any]]:
    """The whole sweep against its physical limit, and the plan against the SELECT: paired,
    alternating runs (each on a fresh copy of the database) after one warm-up pair."""
    now = bench_now()
    rows = []
    for models in sizes:
        base = folder / f"sweep-{models}.db"
        settings = settings_for(base)
        built = time.perf_counter()
        counts = build_bench_db(
            base, settings, now=now, models=models, channels=channels, ledger_until=now - timedelta(days=1)
        )
        built = time.perf_counter() - built
        ledger_rows = limit_rows(base, settings, now)
        copy = folder / f"sweep-{models}-run.db"
        whole: list[float] = []
        limit: list[float] = []
        plans: list[float] = []
        selects: list[float] = []
        outcome: dict[str, int] = {}
        for rep in range(repeats + 1):  # rep 0: the warm-up, not counted
            for part in ("whole", "limit") if rep % 2 == 0 else ("limit", "whole"):
                fresh = _fresh_copy(base, copy)
                if part == "whole":
                    seconds, outcome = whole_sweep(fresh, settings_for(fresh), now)
                    if rep:
                        whole.append(seconds)
                else:
                    seconds = physical_limit(fresh, ledger_rows, outcome.get("sent", len(ledger_rows)))
                    if rep:
                        limit.append(seconds)
            plan_s, select_s = plan_and_select(base, settings, now)
            if rep:
                plans.append(plan_s)
                selects.append(select_s)
        alerts = outcome["sent"] + outcome["skipped"]
        rows.append(
            {
                "models": models,
                "build_s": round(built, 1),
                "ledger_rows": counts["ledger"],
                "alerts": alerts,
                "sent": outcome["sent"],
                "samples": repeats,
                "whole": spread(whole),
                "limit": spread(limit),
                "plan": spread(plans),
                "select": spread(selects),
                "whole_ratio": round(statistics.median(whole) / statistics.median(limit), 2),
                "plan_ratio": round(statistics.median(plans) / statistics.median(selects), 2),
                "whole_us_per_alert": round(statistics.median(whole) / max(alerts, 1) * 1e6, 1),
            }
        )
    return rows


def fan_out(emu: TimedEmulator, folder: Path, per_channel: tuple[int, ...]) -> dict[str, Any]:
    from bot.alerts.sweep import run_sweep
    from storage.db import open_store

    db_path = folder / "fanout.db"
    settings = settings_for(db_path, emu.api_url)
    now = bench_now()
    today = now.astimezone(settings.tz).date().isoformat()
    stamp = (now - timedelta(days=1)).isoformat()
    store = open_store(db_path)
    try:
        db = store.db
        developers, models, subs = _fan_out_tracker(per_channel, today, stamp)
        with db.atomic():
            db["developers"].insert_all(developers)
            db["models"].insert_all(models)
            db["subscriptions"].insert_all(subs)
        deps = Deps(settings=settings, store=store, clock=FixedClock(now))
        emu.reset()
        emu.rate_limit_per_channel = 1.0
        started = time.perf_counter()
        result = run_sweep(deps, now=now)
        elapsed = time.perf_counter() - started
        emu.rate_limit_per_channel = None
        keys: Counter[str] = Counter()
        for messages in emu.messages.values():
            for message in messages:
                keys[message["metadata"]["event_payload"]["key"]] += 1
        statuses = Counter(r["status"] for r in db.query("SELECT status FROM alert_ledger"))
        limited = sum(1 for c in emu.calls_to("chat.postMessage") if c.failed)
    finally:
        store.close()
        emu.rate_limit_per_channel = None
    busiest = max(per_channel)
    ideal = float(busiest - 1)  # the busiest channel's posts, one second apart
    return {
        "alerts": sum(per_channel),
        "channels": len(per_channel),
        "busiest_channel": busiest,
        "total_s": round(elapsed, 2),
        "ideal_s": ideal,
        "ratio": round(elapsed / max(ideal, 1.0), 2),
        "delivered": sum(keys.values()),
        "distinct": len(keys),
        "exactly_once": len(keys) == sum(per_channel)
        and set(keys.values()) == {1}
        and statuses == Counter({"sent": sum(per_channel)}),
        "answered_429": limited,
        "sweep_sent": len(result.sent),
    }


def _fan_out_tracker(
    per_channel: tuple[int, ...], today: str, stamp: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """A developer per channel with `count` models released today, each channel subscribed
    to its developer's releases."""
    developers, models, subs = [], [], []
    for n, count in enumerate(per_channel):
        dev = f"fan-{n:02d}"
        developers.append(
            {
                "id": dev,
                "name": f"Fan {n}",
                "status": "signed",
                "created_at": stamp,
                "updated_at": stamp,
                "updated_by": "UADMIN0001",
            }
        )
        for k in range(count):
            models.append(
                {
                    "developer_id": dev,
                    "name": f"Model {k}",
                    "planned_release": today,
                    "review_status": "submitted",
                    "submitted": today,
                    "created_at": stamp,
                    "updated_at": stamp,
                    "updated_by": "UADMIN0001",
                }
            )
        subs.append(
            {
                "target_type": "slack",
                "target": f"CFAN{n:04d}",
                "kinds": '["release"]',
                "lead_days": "[0]",
                "digest": "realtime",
                "developer_filter": json.dumps([dev]),
                "created_by": "UADMIN0001",
                "created_at": stamp,
                "updated_at": stamp,
            }
        )
    return developers, models, subs


def sweep_rows(row: dict[str, Any]) -> list[str]:
    whole, limit, plan, select = row["whole"], row["limit"], row["plan"], row["select"]
    n = row["samples"]
    goal = row["models"] >= 10_000
    return [
        f"| Whole sweep, {row['models']:,} models ({row['ledger_rows']:,} ledger rows; {row['alerts']:,} "
        f"alerts, {row['sent']:,} sent), median [min-max] (n={n}) | {whole['median_ms']} "
        f"[{whole['min_ms']}-{whole['max_ms']}] ms ({row['whole_us_per_alert']} us/alert) | "
        f"SQLite limit {limit['median_ms']} [{limit['min_ms']}-{limit['max_ms']}] ms | "
        f"{'<= 3x the limit' if goal else 'flat cost per alert'} | "
        f"{met(row['whole_ratio'] <= 3) if goal else ''} (ratio {row['whole_ratio']}) |",
        f"| Sweep planning step, {row['models']:,} models (n={n}) | {plan['median_ms']} ms | "
        f"SELECT {select['median_ms']} ms | | ratio {row['plan_ratio']} |",
    ]


def fan_out_rows(fo: dict[str, Any]) -> list[str]:
    return [
        f"| Fan-out, {fo['alerts']} alerts / {fo['channels']} channels "
        f"(busiest {fo['busiest_channel']}), 1 msg/s per channel | "
        f"{fo['total_s']} s, {fo['answered_429']} x 429 | ideal {fo['ideal_s']} s | "
        "<= 1.1x ideal, once each | "
        f"{met(fo['ratio'] <= 1.1 and fo['exactly_once'])} (ratio {fo['ratio']}, "
        f"exactly once: {fo['exactly_once']}) |"
    ]
