"""Part 1 (commands) and part 4 (footprint): what the user sees when asking Review Watch,
at 1 and 8 concurrent clients, against the bare app answering the same replies; and the
app's memory and start time around that workload."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bench.bare_app import ACK_CHANNEL
from bench.common import QUICK, Size, TimedEmulator, figures, met, rss_kib, settings_for, timed
from bench.processes import (
    BareApp,
    bench_env,
    idle_rss_mib,
    start_one,
    start_times,
    wait_first_answer,
    wait_startup_sweep,
)
from bench.tracker import build_bench_db
from bot.clock import FixedClock
from tests.support.app_process import AppProcess
from tests.support.slack_requests import signed_headers, slash_command_body

# The answers timed under load (issue 17): the 200-developer/5,000-model tracker's slowest.
ANSWER_COMMANDS = (("/holdouts", ""), ("/deadlines", "90"), ("/aireview", "status meta"))
LEVELS = (1, 8)  # concurrent clients


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
        times = [timed(lambda: blocks.models_reply(answers.models_answer(deps))) for _ in range(runs + 5)]
        return {**figures(times[5:]), "models": store.db.execute("SELECT COUNT(*) FROM models").fetchone()[0]}
    finally:
        store.close()


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


def answer_rows(level: dict[str, Any]) -> list[str]:
    n, app, ack, cold = level["clients"], level["app"], level["app_ack"], level["app_cold"]
    bare, bare_ack = level["bare_respond"], level["bare_ack"]
    p99_goal = 50 if n == 1 else 150
    ok = level["ratio"] <= 1.5 and app["p99_ms"] < p99_goal
    return [
        f"| Answer seen by the user, {n} client(s), median / p99 (n={app['n']}); /holdouts, "
        f"/deadlines 90, /aireview status meta | {app['median_ms']} / {app['p99_ms']} ms | "
        f"in the ack {bare_ack['median_ms']} / {bare_ack['p99_ms']} ms; at response_url "
        f"{bare['median_ms']} / {bare['p99_ms']} ms (n={bare['n']}) | <= 1.5x bare, p99 < {p99_goal} ms | "
        f"{met(ok)} (ratio {level['ratio']}; {level['ratio_to_respond']} to response_url) |",
        f"| Ack, {n} client(s), median / p99 | {ack['median_ms']} / {ack['p99_ms']} ms | "
        f"{bare_ack['median_ms']} / {bare_ack['p99_ms']} ms | acks not starved | |",
        f"| The same, {n} client(s), a tracker change before every question (nothing answered from "
        f"memory), median / p99 (n={cold['n']}) | {cold['median_ms']} / {cold['p99_ms']} ms | in the ack "
        f"{bare_ack['median_ms']} / {bare_ack['p99_ms']} ms | (worst case, for comparison) | "
        f"ratio {level['cold_ratio']} |",
    ]


def footprint_rows(fp: dict[str, Any]) -> list[str]:
    st = fp["start"]
    return [
        f"| Idle resident memory after start | {fp['app_idle_mib']} MiB | {fp['bare_idle_mib']} MiB | "
        f"<= 1.3x | {met(fp['idle_ratio'] <= 1.3)} (ratio {fp['idle_ratio']}) |",
        f"| Idle resident memory after {fp['app_requests']:,} requests (peak) | {fp['app_after_mib']} "
        f"({fp['app_peak_mib']}) MiB | {fp['bare_after_mib']} ({fp['bare_peak_mib']}) MiB after "
        f"{fp['bare_requests']:,} | <= 1.3x | {met(fp['after_ratio'] <= 1.3)} "
        f"(ratio {fp['after_ratio']}) |",
        f"| Start to first answered request, median (max), {st['runs']} paired runs | "
        f"{st['app_median_s']} ({st['app_max_s']}) s | {st['bare_median_s']} ({st['bare_max_s']}) s | "
        f"< 1 s | {met(st['app_median_s'] < 1)} |",
    ]
