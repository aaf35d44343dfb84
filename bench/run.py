"""Review Watch benchmarks (issue 9): one command, four measurements, side by side.

    python -m bench.run            # the full run (a few minutes); figures in README, "Benchmarks"
    python -m bench.run --quick    # a tiny tracker, seconds (tests/test_bench_smoke.py)
    python -m bench.run --only footprint --only commands   # some parts alone (repeatable)

Everything runs on 127.0.0.1 in a temporary folder: the Slack emulator (tests/), the real
app (`python app.py`, HTTP mode, scheduler on) and a bare Bolt app (bench/bare_app.py).

1. Command round trip: signed /holdouts and /deadlines POSTs, interleaved between the app
   and the bare app. The app acks at once and posts its answer to response_url, so both
   the ack and the answer's arrival at the emulator are timed.
2. Sweep cost: computing the due alerts (subscriptions, tracker, ledger, plan, retries)
   at growing model counts, against a plain SELECT of the same rows.
3. Fan-out: alerts due at once over several channels, delivered by the real sweep to the
   emulator holding each channel to one message a second (429 + Retry-After beyond it).
4. Footprint: resident memory and time from start to the first answered request.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from bench.tracker import CHANNELS, bench_now, build_bench_db
from bot.clock import FixedClock
from bot.deps import Deps
from bot.settings import Settings
from tests.support.app_process import AppProcess, clean_env, free_port
from tests.support.slack_emulator import SlackEmulator
from tests.support.slack_requests import SIGNING_SECRET, signed_headers, slash_command_body

BOT_TOKEN = "xoxb-bench-token"
COMMANDS = (("/holdouts", ""), ("/deadlines", "90"))
# The parts `--only` picks; footprint's "after the run" figure is taken after the command
# round trip, so footprint runs that too.
PARTS = ("commands", "sweep", "fanout", "footprint")


@dataclass(frozen=True)
class Size:
    models: int
    requests: int  # per command and app
    sweep_models: tuple[int, ...]
    fanout: tuple[int, ...]  # alerts per channel
    channels: int = CHANNELS  # subscribed channels in the generated trackers


FULL = Size(
    5000, 200, (1_000, 10_000, 100_000), (10, 9, 8, 7, 6, 6, 5, 5, 5, 5, 4, 4, 4, 4, 3, 3, 3, 3, 3, 3)
)
QUICK = Size(300, 10, (100, 200, 400), (3, 2, 1, 1), channels=3)


class TimedEmulator(SlackEmulator):
    """The emulator, noting when each response_url post arrives."""

    def __init__(self) -> None:
        super().__init__()
        self.arrivals: dict[str, float] = {}

    def _handle_response(self, name: str, body: dict[str, Any]) -> Any:
        self.arrivals.setdefault(name, time.perf_counter())
        return super()._handle_response(name, body)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def settings_for(db: Path, api_url: str = "http://127.0.0.1:9/api/") -> Settings:
    return Settings(
        slack_bot_token=BOT_TOKEN, slack_signing_secret=SIGNING_SECRET, db_path=str(db), slack_api_url=api_url
    )


# ---------------------------------------------------------------- processes


def rss_kib(pid: int, field: str = "VmRSS") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def post_command(client: httpx.Client, url: str, command: str, text: str, response_url: str) -> int:
    body = slash_command_body(command, text, response_url=response_url)
    return client.post(url + "/slack/events", content=body.encode(), headers=signed_headers(body)).status_code


def wait_first_answer(
    proc: subprocess.Popen[bytes], url: str, emu: TimedEmulator, timeout: float = 60
) -> None:
    """Until a signed /holdouts is answered 200 (polled, bounded)."""
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=2.0) as client:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"{url}: the process exited with {proc.returncode}")
            try:
                if post_command(client, url, "/holdouts", "", emu.response_url("warmup")) == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.01)
    raise RuntimeError(f"{url} did not answer within {timeout}s")


class BareApp:
    def __init__(self, env: dict[str, str], cwd: Path) -> None:
        self.port = int(env["PORT"])
        self._log = (cwd / "bare.log").open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bench.bare_app"],
            env={**env, "PYTHONPATH": str(ROOT)},
            cwd=ROOT,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self._log.close()


ROOT = Path(__file__).resolve().parents[1]


def start_both(emu: TimedEmulator, folder: Path, db: Path) -> tuple[AppProcess, BareApp, dict[str, Any]]:
    """Start the app and the bare app one after the other; time each to its first answer."""
    env = clean_env(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=emu.api_url,
        REVIEWWATCH_DB=str(db),
        REVIEWWATCH_LOG_LEVEL="WARNING",
        REVIEWWATCH_ADMINS="UADMIN0001",
    )
    footprint: dict[str, Any] = {}
    started = time.perf_counter()
    app = AppProcess({**env, "PORT": str(free_port())}, folder)
    wait_first_answer(app.proc, app.url, emu)
    footprint["app_start_s"] = round(time.perf_counter() - started, 2)
    footprint["app_rss_mib"] = round(rss_kib(app.proc.pid) / 1024, 1)
    started = time.perf_counter()
    bare = BareApp({**env, "PORT": str(free_port())}, folder)
    wait_first_answer(bare.proc, bare.url, emu)
    footprint["bare_start_s"] = round(time.perf_counter() - started, 2)
    footprint["bare_rss_mib"] = round(rss_kib(bare.proc.pid) / 1024, 1)
    return app, bare, footprint


def wait_startup_sweep(app: AppProcess, timeout: float = 180) -> float:
    """Seconds until /healthz shows the start-up sweep's summary (polled, bounded)."""
    started = time.perf_counter()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        report = httpx.get(app.url + "/healthz", timeout=5).json()
        if report.get("last_sweep"):
            return round(time.perf_counter() - started, 2)
        time.sleep(0.1)
    raise RuntimeError("the start-up sweep did not finish in time")


# ---------------------------------------------------------------- 1. round trip


def round_trip(emu: TimedEmulator, app: AppProcess, bare: BareApp, requests: int) -> dict[str, Any]:
    acks: dict[str, list[float]] = {"app": [], "bare": []}
    answers: list[float] = []
    per_command: dict[str, list[float]] = {c: [] for c, _ in COMMANDS}
    deadline = time.monotonic() + 300
    with httpx.Client(timeout=10) as app_client, httpx.Client(timeout=10) as bare_client:
        targets = [("app", app.url, app_client), ("bare", bare.url, bare_client)]
        for i in range(requests):
            for command, text in COMMANDS:
                for name, url, client in targets if i % 2 == 0 else targets[::-1]:
                    if time.monotonic() > deadline:
                        raise RuntimeError("round trip: over the time bound")
                    reply = f"{name}-{command.strip('/')}-{i}"
                    body = slash_command_body(command, text, response_url=emu.response_url(reply))
                    headers = signed_headers(body)
                    sent = time.perf_counter()
                    status = client.post(url + "/slack/events", content=body.encode(), headers=headers)
                    acked = time.perf_counter()
                    if status.status_code != 200:
                        raise RuntimeError(f"{name} {command}: HTTP {status.status_code}")
                    acks[name].append(acked - sent)
                    if name == "app":
                        emu.wait_for_response(reply, timeout=10)
                        answers.append(emu.arrivals[reply] - sent)
                        per_command[command].append(emu.arrivals[reply] - sent)
    app_median, bare_median = statistics.median(acks["app"]), statistics.median(acks["bare"])
    return {
        "requests": len(acks["app"]),
        "app_ack_median_ms": ms(app_median),
        "app_ack_p99_ms": ms(pct(acks["app"], 0.99)),
        "bare_ack_median_ms": ms(bare_median),
        "bare_ack_p99_ms": ms(pct(acks["bare"], 0.99)),
        "ack_ratio": round(app_median / bare_median, 2),
        "app_answer_median_ms": ms(statistics.median(answers)),
        "app_answer_p99_ms": ms(pct(answers, 0.99)),
        **{f"answer_{c.strip('/')}_median_ms": ms(statistics.median(v)) for c, v in per_command.items()},
    }


# ---------------------------------------------------------------- 2. sweep cost


class InstantSender:
    """Answers every post at once: the sweep's own cost, delivery taken out."""

    target_type = "slack"

    def send(self, alert: Any, now: datetime, *, check_existing: bool) -> Any:
        from bot.alerts.delivery import OUTCOME_SENT, Outcome

        return Outcome(OUTCOME_SENT, channel=alert.target, ts="1.000000")


def _fresh_copy(base: Path, to: Path) -> Path:
    for old in to.parent.glob(to.name + "*"):
        old.unlink()
    shutil.copyfile(base, to)
    return to


def _timed(fn: Any) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def whole_sweep(db_path: Path, settings: Settings, now: datetime) -> tuple[float, dict[str, int]]:
    """Seconds of one scheduled sweep (plan, claims, cursors, delivery, outcomes, summary)."""
    from bot.alerts.sweep import run_sweep
    from storage.db import open_store

    store = open_store(db_path)
    try:
        deps = Deps(settings=settings, store=store, clock=FixedClock(now))
        result: list[Any] = []
        elapsed = _timed(lambda: result.append(run_sweep(deps, now=now, senders={"slack": InstantSender()})))
        done = result[0]
        return elapsed, {"sent": len(done.sent), "skipped": len(done.skipped)}
    finally:
        store.close()


def limit_rows(db_path: Path, settings: Settings, now: datetime) -> list[tuple[Any, ...]]:
    """The ledger rows the sweep writes (its plan), to write by hand."""
    from bot.alerts.plan import Alert
    from bot.alerts.sweep import active_subscriptions, plan_sweep
    from storage.db import open_store

    store = open_store(db_path)
    try:
        deps = Deps(settings=settings, store=store, clock=FixedClock(now))
        plan = plan_sweep(store.db, active_subscriptions(deps), now, settings).plan
        return Alert.ledger_values_of([*plan.send, *(a for a, _ in plan.skip)])
    finally:
        store.close()


def physical_limit(db_path: Path, rows: list[tuple[Any, ...]], sent: int) -> float:
    """Seconds of the same work done by hand in SQLite: the raw SELECT of the tracker rows, one
    executemany INSERT of the ledger rows in one transaction, one executemany UPDATE of `sent`
    outcomes in another (outcomes differ per row: the message's ts)."""
    from storage.alerts import LEDGER_VALUES
    from storage.db import connect

    db = connect(db_path)
    columns = f"{LEDGER_VALUES}, status, attempts, claimed_at, claim_token, created_at"
    insert = f"INSERT INTO alert_ledger ({columns}) VALUES ({', '.join('?' * 16)})"
    update = (
        "UPDATE alert_ledger SET status = 'sent', sent_at = ?, attempts = attempts + 1, "
        "message_channel = ?, message_ts = ? WHERE key = ?"
    )
    stamp = "2026-07-24T14:00:00+00:00"

    def work() -> None:
        db.execute("SELECT * FROM models").fetchall()
        db.execute("SELECT * FROM deadlines").fetchall()
        with db.atomic():
            db.conn.executemany(insert, [(*r, "claimed", 0, stamp, "bench", stamp) for r in rows])
        with db.atomic():
            db.conn.executemany(update, [(stamp, r[7], "1.000000", r[0]) for r in rows[:sent]])

    try:
        return _timed(work)
    finally:
        db.close()


def plan_and_select(db_path: Path, settings: Settings, now: datetime) -> tuple[float, float]:
    """Seconds of the sweep's planning step (read-only) and of a plain SELECT of the tracker rows."""
    from bot.alerts.sweep import active_subscriptions, plan_sweep
    from storage.db import open_store

    store = open_store(db_path)
    try:
        deps = Deps(settings=settings, store=store, clock=FixedClock(now))
        db = store.db

        def select() -> None:
            list(db.query("SELECT * FROM models"))
            list(db.query("SELECT * FROM deadlines"))

        return _timed(lambda: plan_sweep(db, active_subscriptions(deps), now, settings)), _timed(select)
    finally:
        store.close()


def spread(values: list[float]) -> dict[str, Any]:
    return {"median_ms": ms(statistics.median(values)), "min_ms": ms(min(values)), "max_ms": ms(max(values))}


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


# ---------------------------------------------------------------- 3. fan-out


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


# ---------------------------------------------------------------- the run


def machine() -> dict[str, Any]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "system": platform.platform(),
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def run(size: Size, folder: Path, parts: Iterable[str] = PARTS) -> dict[str, Any]:
    chosen = set(parts)
    results: dict[str, Any] = {"machine": machine()}
    with TimedEmulator() as emu:
        if chosen & {"commands", "footprint"}:
            # The app's tracker: its ledger is filled up to the real now, since the app's sweep
            # (at start-up and every 5 minutes) reads the system clock.
            db = folder / "app.db"
            counts = build_bench_db(
                db, settings_for(db), now=datetime.now(UTC), models=size.models, channels=size.channels
            )
            results["tracker"] = counts
            app, bare, footprint = start_both(emu, folder, db)
            try:
                # Steady state: the start-up sweep (which reads the whole tracker) has finished.
                footprint["startup_sweep_s"] = wait_startup_sweep(app)
                results["round_trip"] = round_trip(emu, app, bare, size.requests)
                footprint["app_rss_after_mib"] = round(rss_kib(app.proc.pid) / 1024, 1)
                footprint["bare_rss_after_mib"] = round(rss_kib(bare.proc.pid) / 1024, 1)
                footprint["app_peak_mib"] = round(rss_kib(app.proc.pid, "VmHWM") / 1024, 1)
                footprint["bare_peak_mib"] = round(rss_kib(bare.proc.pid, "VmHWM") / 1024, 1)
                footprint["rss_ratio"] = round(footprint["app_rss_mib"] / footprint["bare_rss_mib"], 2)
                footprint["rss_after_ratio"] = round(
                    footprint["app_rss_after_mib"] / footprint["bare_rss_after_mib"], 2
                )
            finally:
                app.stop()
                bare.stop()
            results["footprint"] = footprint
        if "fanout" in chosen:
            results["fan_out"] = fan_out(emu, folder, size.fanout)
    if "sweep" in chosen:
        results["sweep"] = sweep_cost(folder, size.sweep_models, size.channels)
    return results


def report(results: dict[str, Any]) -> str:
    """The table of the parts that ran."""
    lines = ["| Measure | Review Watch | Bare Bolt | Target | Met |", "|---|---|---|---|---|"]
    if "round_trip" in results:
        lines += _round_trip_rows(results["round_trip"])
    for row in results.get("sweep", []):
        lines.append(
            f"| Sweep computation, {row['models']:,} models ({row['ledger_rows']:,} ledger rows) | "
            f"{row['compute_ms']} ms ({row['compute_us_per_model']} us/model) | "
            f"SELECT {row['select_ms']} ms | "
            f"<= 3x SELECT at 10,000 | ratio {row['ratio']} |"
        )
    if "fan_out" in results:
        fo = results["fan_out"]
        lines.append(
            f"| Fan-out, {fo['alerts']} alerts / {fo['channels']} channels "
            f"(busiest {fo['busiest_channel']}) | "
            f"{fo['total_s']} s, {fo['answered_429']} x 429 | ideal {fo['ideal_s']} s | "
            "<= 1.1x ideal, once each | "
            f"{_met(fo['ratio'] <= 1.1 and fo['exactly_once'])} (ratio {fo['ratio']}, "
            f"exactly once: {fo['exactly_once']}) |"
        )
    if "footprint" in results:
        fp = results["footprint"]
        lines += [
            f"| Resident memory after first answer / after the run (peak) | {fp['app_rss_mib']} / "
            f"{fp['app_rss_after_mib']} ({fp['app_peak_mib']}) MiB | {fp['bare_rss_mib']} / "
            f"{fp['bare_rss_after_mib']} MiB | <= 1.3x | "
            f"{_met(fp['rss_after_ratio'] <= 1.3)} (ratio {fp['rss_ratio']} / {fp['rss_after_ratio']}) |",
            f"| Start to first answered request | {fp['app_start_s']} s | {fp['bare_start_s']} s | < 2 s | "
            f"{_met(fp['app_start_s'] < 2)} |",
        ]
    m = results["machine"]
    lines.append(
        f"\nMachine: {m['cores']} cores, {m['cpu']}, Python {m['python']}, {m['system']} ({m['at']})"
    )
    return "\n".join(lines)


def _round_trip_rows(rt: dict[str, Any]) -> list[str]:
    return [
        f"| Command ack, median / p99 ({rt['requests']} requests) | {rt['app_ack_median_ms']} / "
        f"{rt['app_ack_p99_ms']} ms | {rt['bare_ack_median_ms']} / {rt['bare_ack_p99_ms']} ms | "
        f"ratio <= 1.5, p99 < 50 ms | {_met(rt['ack_ratio'] <= 1.5 and rt['app_ack_p99_ms'] < 50)} "
        f"(ratio {rt['ack_ratio']}) |",
        f"| Answer at response_url, median / p99 | {rt['app_answer_median_ms']} / "
        f"{rt['app_answer_p99_ms']} ms (/holdouts {rt['answer_holdouts_median_ms']}, /deadlines "
        f"{rt['answer_deadlines_median_ms']} median) | (only acks) | p99 < 50 ms | "
        f"{_met(rt['app_answer_p99_ms'] < 50)} |",
    ]


def _met(ok: bool) -> str:
    return "yes" if ok else "**no**"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a tiny tracker: a smoke test, not figures")
    parser.add_argument(
        "--only",
        action="append",
        choices=PARTS,
        metavar="PART",
        help=f"run only this part (repeatable): {', '.join(PARTS)}; footprint also runs "
        "the command round trip, its workload",
    )
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON to PATH")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (databases, logs)")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="reviewwatch-bench-"))
    try:
        results = run(QUICK if args.quick else FULL, folder, args.only or PARTS)
    finally:
        if args.keep:
            print(f"kept {folder}", file=sys.stderr)
        else:
            shutil.rmtree(folder, ignore_errors=True)
    print(report(results))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    threading.current_thread().name = "bench"
    sys.exit(main())
