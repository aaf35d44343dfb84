"""Review Watch benchmarks (issues 9 and 17): one command, every figure beside its baseline.

    python -m bench.run --json bench-results.json   # the full run; figures in docs/benchmarks.md
    python -m bench.run --quick    # a tiny tracker, well under a minute (tests/bench/test_smoke_*.py)
    python -m bench.run --only sweep --only imports   # some parts alone (repeatable)

Everything runs on 127.0.0.1 in a temporary folder: the Slack emulator (tests/), the real
app (`python app.py`, HTTP mode, scheduler on) and a bare Bolt app (bench/bare_app.py) on
the same server stack, answering each command with a reply of the same size. Method:
paired runs in alternating order after a warm-up, medians and p99 (or min-max) with the
number of samples, the machine and its load average printed with the figures.

1. commands: what the user sees (the answer's arrival at response_url, or the ack carrying
   it) for /holdouts, /deadlines 90 and /aireview status meta on the 200-developer /
   5,000-model tracker, with 1 and 8 concurrent clients, against the bare app answering
   the same replies through response_url and in the ack; the app's acks; and
   `/aireview models` in-process.
2. sweep: the whole sweep (plan, claims, cursors, delivery by a sender that answers at once,
   outcomes) against its physical limit, the same work done by hand in SQLite (the raw
   SELECT, one executemany INSERT of the ledger rows, one executemany UPDATE of their
   outcomes); and the planning step against the SELECT; at 1k, 10k and 100k models.
3. fanout: alerts due at once over several channels, delivered by the real sweep to the
   emulator holding each channel to one message a second (429 + Retry-After beyond it).
4. footprint: idle resident memory after start and after the commands' requests, and start
   to first answered request (paired, alternating starts), against the bare app.
5. imports: what the app imports at start, and what each lazily imported module costs.
6. options: type-ahead menus' options requests (bench/options.py).
7. hardening: oversized unsigned posts and a dripping feed (bench/hardening.py).
8. runtime: the App Home after a change, memory around a drawn picture, and answers after
   a tracker change at 8 clients (bench/runtime.py).
9. workspaces: a sweep over 1,000 workspaces against one workspace with 3,000 channels, and
   finding a request's workspace (bench/workspaces.py).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from bench.bare_app import ACK_CHANNEL
from bench.tracker import CHANNELS, bench_now, build_bench_db
from bot.clock import FixedClock
from bot.deps import Deps
from bot.settings import Settings
from tests.support.app_process import AppProcess, clean_env, free_port
from tests.support.slack_emulator import SlackEmulator
from tests.support.slack_requests import SIGNING_SECRET, signed_headers, slash_command_body

BOT_TOKEN = "xoxb-bench-token"
# The answers timed under load (issue 17): the 200-developer/5,000-model tracker's slowest.
ANSWER_COMMANDS = (("/holdouts", ""), ("/deadlines", "90"), ("/aireview", "status meta"))
LEVELS = (1, 8)  # concurrent clients
# The parts `--only` picks; footprint's memory figures are taken around the answers under
# load, so footprint runs that too.
PARTS = (
    "commands",
    "sweep",
    "fanout",
    "footprint",
    "imports",
    "options",
    "hardening",
    "timeline",
    "runtime",
    "workspaces",
)


@dataclass(frozen=True)
class Size:
    models: int
    requests: int  # per target, concurrency level and block
    blocks: int  # paired blocks per concurrency level (after a warm-up block)
    sweep_models: tuple[int, ...]
    sweep_repeats: int
    fanout: tuple[int, ...]  # alerts per channel
    start_runs: int  # paired starts of the app and the bare app
    models_runs: int  # in-process /aireview models answers
    channels: int = CHANNELS  # subscribed channels in the generated trackers


FULL = Size(
    5000,
    120,
    4,
    (1_000, 10_000, 100_000),
    5,
    (10, 9, 8, 7, 6, 6, 5, 5, 5, 5, 4, 4, 4, 4, 3, 3, 3, 3, 3, 3),
    5,
    200,
)
QUICK = Size(300, 8, 1, (100, 400), 2, (3, 2, 1, 1), 1, 10, channels=3)


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


def bench_env(emu: TimedEmulator, db: Path, replies: Path) -> dict[str, str]:
    return clean_env(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=emu.api_url,
        REVIEWWATCH_DB=str(db),
        REVIEWWATCH_LOG_LEVEL="WARNING",
        REVIEWWATCH_ADMINS="UADMIN0001",
        BENCH_REPLIES=str(replies),
    )


def start_one(kind: str, env: dict[str, str], folder: Path) -> AppProcess | BareApp:
    env = {**env, "PORT": str(free_port())}
    return AppProcess(env, folder) if kind == "app" else BareApp(env, folder)


def start_times(emu: TimedEmulator, folder: Path, env: dict[str, str], runs: int) -> dict[str, Any]:
    """Start to first answered request, paired and alternating (app then bare, bare then app)
    after one warm-up pair (the OS file cache)."""
    times: dict[str, list[float]] = {"app": [], "bare": []}
    for run in range(runs + 1):
        for kind in ("app", "bare") if run % 2 == 0 else ("bare", "app"):
            started = time.perf_counter()
            proc = start_one(kind, env, folder)
            try:
                wait_first_answer(proc.proc, proc.url, emu)
                if run:
                    times[kind].append(time.perf_counter() - started)
            finally:
                proc.stop()
    return {
        "runs": runs,
        "app_median_s": round(statistics.median(times["app"]), 3),
        "app_max_s": round(max(times["app"]), 3),
        "bare_median_s": round(statistics.median(times["bare"]), 3),
        "bare_max_s": round(max(times["bare"]), 3),
    }


def idle_rss_mib(pid: int, settle: float = 1.0) -> float:
    time.sleep(settle)  # let the last request's threads go idle
    return round(rss_kib(pid) / 1024, 1)


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


# ---------------------------------------------------------------- 1. answers under load


def capture_replies(emu: TimedEmulator, app: AppProcess, path: Path) -> dict[str, int]:
    """Review Watch's answer to each benchmarked command, for the bare app to send back (the
    same size); returns each answer's size in bytes."""
    replies: dict[str, Any] = {}
    with httpx.Client(timeout=10) as client:
        for n, (command, text) in enumerate(ANSWER_COMMANDS):
            _, _, body = one_request(emu, client, app.url, command, text, "auto", f"capture-{n}")
            replies[f"{command} {text}".strip()] = {
                key: body[key] for key in ("text", "blocks", "response_type") if key in body
            }
    path.write_text(json.dumps(replies))
    return {key: len(json.dumps(reply)) for key, reply in replies.items()}


class Counted:
    """Requests sent to each target, for the memory figures."""

    def __init__(self) -> None:
        self.sent: Counter[str] = Counter()
        self._lock = threading.Lock()

    def add(self, target: str, n: int = 1) -> None:
        with self._lock:
            self.sent[target] += n


def one_request(
    emu: TimedEmulator, client: httpx.Client, url: str, command: str, text: str, mode: str, name: str
) -> tuple[float, float, dict[str, Any]]:
    """(ack seconds, seconds until the user sees the answer, the answer). Mode "ack": the
    answer is the ack's body; "respond": it arrives at response_url; "auto": whichever."""
    channel = ACK_CHANNEL if mode == "ack" else "C2147483705"
    body = slash_command_body(command, text, channel_id=channel, response_url=emu.response_url(name))
    headers = signed_headers(body)
    sent = time.perf_counter()
    answer = client.post(url + "/slack/events", content=body.encode(), headers=headers)
    acked = time.perf_counter()
    if answer.status_code != 200:
        raise RuntimeError(f"{url} {command}: HTTP {answer.status_code}")
    in_ack = json.loads(answer.content) if answer.content else {}
    if mode != "respond" and "blocks" in in_ack:
        return acked - sent, acked - sent, in_ack
    if mode == "ack":
        raise RuntimeError(f"{url} {command}: the ack carries no answer")
    reply = emu.wait_for_response(name, timeout=10)
    return acked - sent, emu.arrivals[name] - sent, reply


def tracker_change(db: Path) -> Callable[[], None]:
    """A write to the tracker before each question (untimed): the app must compute every
    answer instead of answering from memory (bot/read/commands.py `remembered`)."""

    def change() -> None:
        with sqlite3.connect(db, timeout=10) as conn:
            conn.execute("UPDATE developers SET name = name WHERE id = (SELECT MIN(id) FROM developers)")

    return change


def block_of_requests(
    emu: TimedEmulator,
    target: tuple[str, str, str],
    clients: int,
    per_client: int,
    tag: str,
    before_each: Callable[[], None] | None = None,
) -> list[tuple[float, float]]:
    """`clients` threads at once, each sending `per_client` commands (cycling) to one target,
    each after `before_each` (not timed) when given."""
    name, url, mode = target
    samples: list[tuple[float, float]] = []
    lock = threading.Lock()
    start = threading.Barrier(clients)
    errors: list[BaseException] = []

    def client_run(n: int) -> None:
        try:
            with httpx.Client(timeout=10) as client:
                start.wait(10)
                for i in range(per_client):
                    command, text = ANSWER_COMMANDS[(n + i) % len(ANSWER_COMMANDS)]
                    if before_each is not None:
                        before_each()
                    ack, seen, _ = one_request(emu, client, url, command, text, mode, f"{tag}-{name}-{n}-{i}")
                    with lock:
                        samples.append((ack, seen))
        except BaseException as exc:  # noqa: BLE001 - raised on the bench's thread
            errors.append(exc)

    threads = [threading.Thread(target=client_run, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    if errors:
        raise errors[0]
    return samples


def figures(values: list[float]) -> dict[str, Any]:
    return {"median_ms": ms(statistics.median(values)), "p99_ms": ms(pct(values, 0.99)), "n": len(values)}


def answers_under_load(
    emu: TimedEmulator, app: AppProcess, bare: BareApp, size: Size, counted: Counted, db: Path
) -> dict[str, Any]:
    """What the user sees, Review Watch (answering in the ack, or through response_url when
    the work is slow) against the bare app answering the same replies in the ack and through
    response_url, at each concurrency level: paired blocks in alternating order after a
    warm-up block per target. "app_cold" is the app with a tracker change before every
    question, so that no answer comes from memory: the worst case, shown beside the rest."""
    targets = [
        ("app", app.url, "auto"),
        ("bare_ack", bare.url, "ack"),
        ("bare", bare.url, "respond"),
        ("app_cold", app.url, "auto"),
    ]
    change = tracker_change(db)
    levels: dict[str, Any] = {}
    for clients in LEVELS:
        per_client = max(1, size.requests // clients)
        seen: dict[str, list[float]] = {t[0]: [] for t in targets}
        acks: list[float] = []
        for block in range(size.blocks + 1):  # block 0: the warm-up
            for target in targets if block % 2 else targets[::-1]:
                before = change if target[0] == "app_cold" else None
                samples = block_of_requests(emu, target, clients, per_client, f"c{clients}b{block}", before)
                counted.add(target[1], len(samples))
                if block:
                    seen[target[0]] += [s for _, s in samples]
                    if target[0] == "app":
                        acks += [a for a, _ in samples]
        app_fig, bare_fig, ack_fig = figures(seen["app"]), figures(seen["bare"]), figures(seen["bare_ack"])
        cold_fig = figures(seen["app_cold"])
        levels[str(clients)] = {
            "clients": clients,
            "app": app_fig,
            "app_cold": cold_fig,
            "cold_ratio": round(cold_fig["median_ms"] / ack_fig["median_ms"], 2),
            "app_ack": figures(acks),
            "bare_respond": bare_fig,
            "bare_ack": ack_fig,
            "ratio": round(app_fig["median_ms"] / ack_fig["median_ms"], 2),
            "ratio_to_respond": round(app_fig["median_ms"] / bare_fig["median_ms"], 2),
        }
    return levels


def models_answer_time(db: Path, now: datetime, runs: int) -> dict[str, Any]:
    """In-process time of `/aireview models` (the answer and its Block Kit) on the app's tracker."""
    from bot.catalog import make_deps
    from bot.read import answers, blocks
    from storage.db import open_store

    store = open_store(db)
    try:
        deps = make_deps(settings_for(db), store, FixedClock(now))
        times = [_timed(lambda: blocks.models_reply(answers.models_answer(deps))) for _ in range(runs + 5)]
        return {**figures(times[5:]), "models": store.db.execute("SELECT COUNT(*) FROM models").fetchone()[0]}
    finally:
        store.close()


# ---------------------------------------------------------------- 2. sweep cost


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
    from bot.alerts.alert import Alert
    from bot.alerts.sweep_plan import active_subscriptions, plan_sweep
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
        return _timed(work)
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


# ---------------------------------------------------------------- 4. import costs


def python_json(script: str, *args: str) -> Any:
    """What `script` prints as JSON, run in a fresh Python process (the project on its path)."""
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        env={**clean_env(), "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


# What the running app imports at start (HTTP mode, with every listener registered), and
# what it imports only when used.
LISTENERS = (
    "handlers.actions, handlers.alerts, handlers.commands, handlers.events, handlers.feeds, "
    "handlers.menus, handlers.views"
)
PREPARE = "import bot.ops.memory; bot.ops.memory.prepare_process()"  # what app.main() does first
START_IMPORTS = f"{PREPARE}; import app, handlers.http.runtime, handlers.http.routes, {LISTENERS}"
BARE_IMPORTS = "import slack_bolt, slack_bolt.adapter.wsgi, slack_sdk, waitress"
LAZY_IMPORTS = (
    "bot.teams.answers",
    "bot.admin.edits",
    "bot.news.watch",
    "bot.exports.files",
    "httpx",
    "feedparser",
    "icalendar",
    "holidays",
    "bot.exports.timeline",
)
# What each part of the app adds at start, imported one after another in a fresh process (the
# order the app's own imports need): the bare app's libraries first, then the design's base
# libraries, then ours.
START_CHAIN = (
    ("Bolt, slack_sdk and waitress (all the bare app imports)", BARE_IMPORTS),
    (
        "sqlite-utils (with click, dateutil, pluggy)",
        f"{PREPARE}; import sqlite_utils",
    ),
    (
        "APScheduler (background scheduler, thread pool, interval trigger)",
        "import apscheduler.schedulers.background, apscheduler.executors.pool, apscheduler.triggers.interval",
    ),
    (
        "storage/ (queries, migrations)",
        "import storage.db, storage.migrations, storage.tracker, storage.alerts",
    ),
    (
        "the kernel (settings, deps, Block Kit, lookup)",
        "import bot.deps, bot.blockkit, bot.lookup, bot.menus",
    ),
    ("bot/read (answers, App Home)", "import bot.read"),
    ("bot/admin's commands (the forms load on first use)", "import bot.admin"),
    ("bot/exports' commands (the files and the picture load on first use)", "import bot.exports"),
    ("bot/news' commands and schedule (the watch loads on first use)", "import bot.news"),
    ("bot/alerts (plan, sweep, delivery, briefing, follows)", "import bot.alerts, bot.catalog"),
    ("handlers/ and app.py", f"import app, handlers.http.runtime, handlers.http.routes, {LISTENERS}"),
)
_CHAIN_PROBE = """
import json, sys, time
def rss():
    return next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmRSS:"))
steps = []
for statement in json.loads(sys.argv[1]):
    started, before = time.perf_counter(), rss()
    exec(statement)
    steps.append({"ms": (time.perf_counter() - started) * 1000, "kib": rss() - before})
print(json.dumps(steps))
"""
_PROBE = """
import importlib, json, sys, time
def rss():
    return next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmRSS:"))
started, before = time.perf_counter(), rss()
{base}
base_ms, base_kib = (time.perf_counter() - started) * 1000, rss() - before
loaded = {module!r} in sys.modules
started, before = time.perf_counter(), rss()
importlib.import_module({module!r})
print(json.dumps({{"base_ms": base_ms, "base_kib": base_kib, "loaded_at_start": loaded,
                  "ms": (time.perf_counter() - started) * 1000, "kib": rss() - before}}))
"""


# The quick run's shortcut: every lazy module imported in turn in one fresh process after the
# start imports (each figure then leaves out what an earlier one loaded: a smoke check, not figures).
_PROBE_IN_TURN = """
import importlib, json, sys, time
def rss():
    return next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmRSS:"))
started, before = time.perf_counter(), rss()
{base}
rows = {{"": {{"base_ms": (time.perf_counter() - started) * 1000, "base_kib": rss() - before}}}}
modules = json.loads(sys.argv[1])
at_start = {{module: module in sys.modules for module in modules}}
for module in modules:
    started, before = time.perf_counter(), rss()
    importlib.import_module(module)
    rows[module] = {{"loaded_at_start": at_start[module], "ms": (time.perf_counter() - started) * 1000,
                    "kib": rss() - before}}
print(json.dumps(rows))
"""


def import_costs(runs: int, in_turn: bool = False) -> dict[str, Any]:
    """Each lazily imported module's cost (median of `runs` fresh processes): milliseconds and
    resident KiB on top of what the app imports at start; and the start imports themselves.
    `in_turn` (the quick run): one process imports the lazy modules one after another."""

    def probe(base: str, module: str) -> list[dict[str, Any]]:
        return [python_json(_PROBE.format(base=base, module=module)) for _ in range(runs)]

    def med(rows: list[dict[str, Any]], key: str) -> float:
        return round(statistics.median(r[key] for r in rows), 1)

    statements = json.dumps([statement for _, statement in START_CHAIN])
    chains = [python_json(_CHAIN_PROBE, statements) for _ in range(runs)]
    chain = [
        {
            "what": what,
            "ms": round(statistics.median(c[i]["ms"] for c in chains), 1),
            "kib": round(statistics.median(c[i]["kib"] for c in chains)),
        }
        for i, (what, _) in enumerate(START_CHAIN)
    ]
    in_turn_rows = (
        python_json(_PROBE_IN_TURN.format(base=START_IMPORTS), json.dumps(LAZY_IMPORTS)) if in_turn else {}
    )
    start = [in_turn_rows[""]] if in_turn else probe(START_IMPORTS, "json")
    bare = probe(BARE_IMPORTS, "json")
    costs: dict[str, Any] = {
        "start": {"ms": med(start, "base_ms"), "mib": round(med(start, "base_kib") / 1024, 1)},
        "chain": chain,
    }
    costs["bare_start"] = {"ms": med(bare, "base_ms"), "mib": round(med(bare, "base_kib") / 1024, 1)}
    for module in LAZY_IMPORTS:
        rows = [in_turn_rows[module]] if in_turn else probe(START_IMPORTS, module)
        costs[module] = {
            "loaded_at_start": any(r["loaded_at_start"] for r in rows),
            "ms": med(rows, "ms"),
            "kib": med(rows, "kib"),
        }
    return costs


# ---------------------------------------------------------------- 8. the timeline picture


def timeline_draw_times(folder: Path, models: int, runs: int, import_runs: int = 7) -> dict[str, Any]:
    """Drawing `/aireview timeline` (90 days: the query, the layout and the PNG, as the
    listener uploads it), in-process after one warm-up draw (which imports matplotlib), on
    the seeded tracker and on the large one; the first draw in a fresh process; and the
    start-up imports with and without issue 16's modules (`import_runs` paired processes)."""
    from bot.catalog import make_deps
    from bot.exports import timeline_file
    from storage.db import open_store
    from storage.seed import seed

    now = bench_now()
    trackers = {"seeded": folder / "timeline-seeded.db", "large": folder / "timeline-large.db"}
    store = open_store(trackers["seeded"])
    seed(store.db, at=now)
    store.close()
    build_bench_db(trackers["large"], settings_for(trackers["large"]), now=now, models=models)
    out: dict[str, Any] = {}
    for name, db in trackers.items():
        store = open_store(db)
        try:
            deps = make_deps(settings_for(db), store, FixedClock(now))
            picture = timeline_file(deps)
            assert picture is not None and picture.content.startswith(b"\x89PNG")
            times = [_timed(functools.partial(timeline_file, deps)) for _ in range(runs)]
            out[name] = {**spread(times), "n": runs, "kib": len(picture.content) // 1024}
        finally:
            store.close()
    out["first_draw"] = python_json(_FIRST_DRAW, str(trackers["seeded"]))
    out["feature_imports"] = feature_imports(import_runs)
    return out


# Issue 16's modules (the picture, what changed, the briefing, labs side by side, follows).
GLANCE_MODULES = (
    "bot.read.changes",
    "bot.read.compare",
    "bot.alerts.briefing",
    "bot.alerts.follows",
    "bot.exports.timeline",
    "storage.timeline",
    "storage.changes",
    "storage.compare",
    "storage.follows",
    "storage.briefing",
)
# The app's start-up imports in a fresh process, with those modules, or with each replaced by
# an empty stand-in (whatever is asked of it is another stand-in): what they add at start.
_FEATURE_PROBE = """
import json, sys, time, types
class StandIn:
    def __call__(self, *args, **kwargs): return self
    def __iter__(self): return iter(())
    def __getattr__(self, name): return self
    def __mro_entries__(self, bases): return (object,)
class StandInModule(types.ModuleType):
    def __getattr__(self, name):
        if name.startswith("__"): raise AttributeError(name)
        return StandIn()
def rss():
    return next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmRSS:"))
started, before = time.perf_counter(), rss()
if sys.argv[1] == "without":
    for name in json.loads(sys.argv[2]):
        sys.modules[name] = StandInModule(name)
import bot.ops.memory; bot.ops.memory.prepare_process()
import app, handlers.http.runtime, handlers.http.routes
print(json.dumps({"ms": (time.perf_counter() - started) * 1000, "kib": rss() - before,
                  "plotting": any(m in sys.modules for m in ("matplotlib", "PIL"))}))
"""


def feature_imports(runs: int) -> dict[str, Any]:
    """Start-up imports with and without GLANCE_MODULES: fresh processes, alternating."""
    seen: dict[str, list[dict[str, Any]]] = {"with": [], "without": []}
    for run in range(runs + 1):  # run 0: the warm-up (the OS file cache)
        for side in ("with", "without") if run % 2 == 0 else ("without", "with"):
            done = python_json(_FEATURE_PROBE, side, json.dumps(GLANCE_MODULES))
            if run:
                seen[side].append(done)
    return {
        side: {
            "ms": round(statistics.median(r["ms"] for r in rows), 1),
            "mib": round(statistics.median(r["kib"] for r in rows) / 1024, 1),
            "plotting": any(r["plotting"] for r in rows),
        }
        for side, rows in seen.items()
    } | {"runs": runs}


# The first picture in a fresh process: importing matplotlib (numpy, PIL) and drawing.
_FIRST_DRAW = """
import json, sys, time
import bot.ops.memory; bot.ops.memory.prepare_process()
from bench.run import settings_for
from bench.tracker import bench_now
from bot.catalog import make_deps
from bot.clock import FixedClock
from bot.exports import timeline_file
from storage.db import open_store
def rss():
    return next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmRSS:"))
store = open_store(sys.argv[1])
deps = make_deps(settings_for(sys.argv[1]), store, FixedClock(bench_now()))
started, before = time.perf_counter(), rss()
timeline_file(deps)
print(json.dumps({"ms": round((time.perf_counter() - started) * 1000, 1), "kib": rss() - before}))
"""


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
    try:
        load = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        load = []
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "system": platform.platform(),
        "load_before": load,
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def run(size: Size, folder: Path, parts: Iterable[str] = PARTS) -> dict[str, Any]:
    chosen = set(parts)
    results: dict[str, Any] = {"machine": machine(), "size": size.__dict__}
    with TimedEmulator() as emu:
        if chosen & {"commands", "footprint"}:
            results.update(answers_and_footprint(emu, folder, size, "footprint" in chosen))
        if "fanout" in chosen:
            results["fan_out"] = fan_out(emu, folder, size.fanout)
        if "options" in chosen:
            from bench.options import measure_options

            results["options"] = measure_options(emu, folder, size.models, 3 if size is QUICK else 30)
        if "hardening" in chosen:  # bench/hardening.py: oversized posts, a dripping feed
            from bench import hardening

            results["hardening"] = hardening.measure(folder, quick=size == QUICK, emu=emu)
        if "runtime" in chosen:  # bench/runtime.py: the App Home, a picture's memory, cold answers
            from bench import runtime

            results["runtime"] = runtime.measure(folder, quick=size == QUICK, emu=emu)
    if "workspaces" in chosen:  # bench/workspaces.py: many workspaces against one
        from bench import workspaces

        results["workspaces"] = workspaces.measure(folder / "workspaces", quick=size is QUICK)
    if "sweep" in chosen:
        results["sweep"] = sweep_cost(folder, size.sweep_models, size.channels, size.sweep_repeats)
    if "imports" in chosen:
        results["imports"] = import_costs(max(1, size.start_runs), in_turn=size is QUICK)
    if "timeline" in chosen:
        quick = size is QUICK  # the quick run: one round of fresh processes, not a median of 3
        results["timeline"] = timeline_draw_times(folder, size.models, 2 if quick else 7, 1 if quick else 7)
    try:
        results["machine"]["load_after"] = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        pass
    return results


def answers_and_footprint(emu: TimedEmulator, folder: Path, size: Size, footprint: bool) -> dict[str, Any]:
    # The app's tracker: its ledger is filled up to the real now, since the app's sweep (at
    # start-up and every 5 minutes) reads the system clock.
    db = folder / "app.db"
    now = datetime.now(UTC)
    results: dict[str, Any] = {
        "tracker": build_bench_db(db, settings_for(db), now=now, models=size.models, channels=size.channels)
    }
    replies = folder / "replies.json"
    env = bench_env(emu, db, replies)
    fp: dict[str, Any] = {}
    app = start_one("app", env, folder)
    bare = None
    try:
        assert isinstance(app, AppProcess)
        wait_first_answer(app.proc, app.url, emu)
        fp["startup_sweep_s"] = wait_startup_sweep(app)  # idle: the start-up sweep has finished
        results["reply_bytes"] = capture_replies(emu, app, replies)
        bare = start_one("bare", env, folder)
        assert isinstance(bare, BareApp)
        wait_first_answer(bare.proc, bare.url, emu)
        settle = 0.2 if size is QUICK else 1.0  # the quick run's figures are not kept
        fp["app_idle_mib"] = idle_rss_mib(app.proc.pid, settle)
        fp["bare_idle_mib"] = idle_rss_mib(bare.proc.pid, 0)
        counted = Counted()
        results["answers"] = answers_under_load(emu, app, bare, size, counted, db)
        fp["app_requests"], fp["bare_requests"] = counted.sent[app.url], counted.sent[bare.url]
        fp["app_after_mib"] = idle_rss_mib(app.proc.pid, settle)
        fp["bare_after_mib"] = idle_rss_mib(bare.proc.pid, 0)
        fp["app_peak_mib"] = round(rss_kib(app.proc.pid, "VmHWM") / 1024, 1)
        fp["bare_peak_mib"] = round(rss_kib(bare.proc.pid, "VmHWM") / 1024, 1)
        fp["idle_ratio"] = round(fp["app_idle_mib"] / fp["bare_idle_mib"], 2)
        fp["after_ratio"] = round(fp["app_after_mib"] / fp["bare_after_mib"], 2)
    finally:
        app.stop()
        if bare is not None:
            bare.stop()
    results["models_answer"] = models_answer_time(db, datetime.now(UTC), size.models_runs)
    if footprint:
        fp["start"] = start_times(emu, folder, env, size.start_runs)
        results["footprint"] = fp
    return results


def report(results: dict[str, Any]) -> str:
    """The table of the parts that ran: each figure with its goal and whether it was met."""
    lines = ["| Measure | Review Watch | Baseline | Goal | Met |", "|---|---|---|---|---|"]
    for level in results.get("answers", {}).values():
        lines += _answer_rows(level)
    if "models_answer" in results:
        ma = results["models_answer"]
        lines.append(
            f"| `/aireview models` answer in-process, {ma['models']:,} models, median / p99 (n={ma['n']}) | "
            f"{ma['median_ms']} / {ma['p99_ms']} ms | | < 10 ms | {_met(ma['median_ms'] < 10)} |"
        )
    for row in results.get("sweep", []):
        lines += _sweep_rows(row)
    if "workspaces" in results:
        from bench.workspaces import report_rows

        lines += report_rows(results["workspaces"])
    if "fan_out" in results:
        fo = results["fan_out"]
        lines.append(
            f"| Fan-out, {fo['alerts']} alerts / {fo['channels']} channels "
            f"(busiest {fo['busiest_channel']}), 1 msg/s per channel | "
            f"{fo['total_s']} s, {fo['answered_429']} x 429 | ideal {fo['ideal_s']} s | "
            "<= 1.1x ideal, once each | "
            f"{_met(fo['ratio'] <= 1.1 and fo['exactly_once'])} (ratio {fo['ratio']}, "
            f"exactly once: {fo['exactly_once']}) |"
        )
    if "options" in results:
        from bench.options import report_rows

        lines += report_rows(results["options"])
    if "footprint" in results:
        fp = results["footprint"]
        st = fp["start"]
        lines += [
            f"| Idle resident memory after start | {fp['app_idle_mib']} MiB | {fp['bare_idle_mib']} MiB | "
            f"<= 1.3x | {_met(fp['idle_ratio'] <= 1.3)} (ratio {fp['idle_ratio']}) |",
            f"| Idle resident memory after {fp['app_requests']:,} requests (peak) | {fp['app_after_mib']} "
            f"({fp['app_peak_mib']}) MiB | {fp['bare_after_mib']} ({fp['bare_peak_mib']}) MiB after "
            f"{fp['bare_requests']:,} | <= 1.3x | {_met(fp['after_ratio'] <= 1.3)} "
            f"(ratio {fp['after_ratio']}) |",
            f"| Start to first answered request, median (max), {st['runs']} paired runs | "
            f"{st['app_median_s']} ({st['app_max_s']}) s | {st['bare_median_s']} ({st['bare_max_s']}) s | "
            f"< 1 s | {_met(st['app_median_s'] < 1)} |",
        ]
    if "imports" in results:
        lines += _import_rows(results["imports"])
    if "timeline" in results:
        tl = results["timeline"]
        for name, label in (
            ("seeded", "the seeded tracker"),
            ("large", f"{results['size']['models']:,} models"),
        ):
            row = tl[name]
            goal = "< 1 s" if name == "large" else ""
            met = _met(row["median_ms"] < 1000) if name == "large" else ""
            lines.append(
                f"| Timeline picture, 90 days, {label} (query, layout, PNG of {row['kib']} KiB), median "
                f"[min-max] (n={row['n']}) | {row['median_ms']} [{row['min_ms']}-{row['max_ms']}] ms | | "
                f"{goal} | {met} |"
            )
        fi = tl["feature_imports"]
        lines.append(
            f"| Start-up imports with issue 16's modules (picture, changes, briefing, compare, follows), "
            f"median of {fi['runs']} fresh processes | {fi['with']['ms']} ms, {fi['with']['mib']} MiB | "
            f"without them {fi['without']['ms']} ms, {fi['without']['mib']} MiB | no growth at start | "
            f"plotting loaded at start: {'yes' if fi['with']['plotting'] else 'no'} |"
        )
        first = tl["first_draw"]
        lines.append(
            f"| The first picture in a process (imports matplotlib), seeded tracker | {first['ms']} ms, "
            f"+{first['kib'] / 1024:.1f} MiB resident | | not at start | (only when drawn) |"
        )
    if "hardening" in results:
        from bench.hardening import report_rows as hardening_rows

        lines += hardening_rows(results["hardening"])
    if "runtime" in results:
        from bench.runtime import report_rows as runtime_rows

        lines += runtime_rows(results["runtime"])
    m = results["machine"]
    lines.append(
        f"\nMachine: {m['cores']} cores, {m['cpu']}, Python {m['python']}, {m['system']}; load average "
        f"{m.get('load_before')} before, {m.get('load_after')} after ({m['at']})"
    )
    return "\n".join(lines)


def _answer_rows(level: dict[str, Any]) -> list[str]:
    n, app, ack, cold = level["clients"], level["app"], level["app_ack"], level["app_cold"]
    bare, bare_ack = level["bare_respond"], level["bare_ack"]
    p99_goal = 50 if n == 1 else 150
    ok = level["ratio"] <= 1.5 and app["p99_ms"] < p99_goal
    return [
        f"| Answer seen by the user, {n} client(s), median / p99 (n={app['n']}); /holdouts, "
        f"/deadlines 90, /aireview status meta | {app['median_ms']} / {app['p99_ms']} ms | "
        f"in the ack {bare_ack['median_ms']} / {bare_ack['p99_ms']} ms; at response_url "
        f"{bare['median_ms']} / {bare['p99_ms']} ms (n={bare['n']}) | <= 1.5x bare, p99 < {p99_goal} ms | "
        f"{_met(ok)} (ratio {level['ratio']}; {level['ratio_to_respond']} to response_url) |",
        f"| Ack, {n} client(s), median / p99 | {ack['median_ms']} / {ack['p99_ms']} ms | "
        f"{bare_ack['median_ms']} / {bare_ack['p99_ms']} ms | acks not starved | |",
        f"| The same, {n} client(s), a tracker change before every question (nothing answered from "
        f"memory), median / p99 (n={cold['n']}) | {cold['median_ms']} / {cold['p99_ms']} ms | in the ack "
        f"{bare_ack['median_ms']} / {bare_ack['p99_ms']} ms | (worst case, for comparison) | "
        f"ratio {level['cold_ratio']} |",
    ]


def _sweep_rows(row: dict[str, Any]) -> list[str]:
    whole, limit, plan, select = row["whole"], row["limit"], row["plan"], row["select"]
    n = row["samples"]
    goal = row["models"] >= 10_000
    return [
        f"| Whole sweep, {row['models']:,} models ({row['ledger_rows']:,} ledger rows; {row['alerts']:,} "
        f"alerts, {row['sent']:,} sent), median [min-max] (n={n}) | {whole['median_ms']} "
        f"[{whole['min_ms']}-{whole['max_ms']}] ms ({row['whole_us_per_alert']} us/alert) | "
        f"SQLite limit {limit['median_ms']} [{limit['min_ms']}-{limit['max_ms']}] ms | "
        f"{'<= 3x the limit' if goal else 'flat cost per alert'} | "
        f"{_met(row['whole_ratio'] <= 3) if goal else ''} (ratio {row['whole_ratio']}) |",
        f"| Sweep planning step, {row['models']:,} models (n={n}) | {plan['median_ms']} ms | "
        f"SELECT {select['median_ms']} ms | | ratio {row['plan_ratio']} |",
    ]


def _import_rows(costs: dict[str, Any]) -> list[str]:
    start, bare = costs["start"], costs["bare_start"]
    rows = [
        f"| Imports at start (HTTP mode) | {start['ms']} ms, {start['mib']} MiB | "
        f"Bolt + waitress {bare['ms']} ms, {bare['mib']} MiB | | |"
    ]
    for step in costs.get("chain", []):
        rows.append(f"| At start, in order: {step['what']} | +{step['ms']} ms, +{step['kib']:,} KiB | | | |")
    for module, cost in costs.items():
        if module in ("start", "bare_start", "chain"):
            continue
        where = "loaded at start" if cost["loaded_at_start"] else "imported when used"
        rows.append(f"| Import `{module}` ({where}) | +{cost['ms']} ms, +{cost['kib']:.0f} KiB | | | |")
    return rows


def _met(ok: bool) -> str:
    return "met" if ok else "**missed**"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a tiny tracker: a smoke test, not figures")
    parser.add_argument(
        "--only",
        action="append",
        choices=PARTS,
        metavar="PART",
        help=f"run only this part (repeatable): {', '.join(PARTS)}; footprint also runs "
        "the commands under load, its workload",
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
