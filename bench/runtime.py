"""Weight at run time (issue 25): what the App Home, a drawn picture and a tracker change
cost the running app, on the large tracker (200 developers, 5,000 models).

    python -m bench.runtime              # the three measures (a few minutes)
    python -m bench.runtime --quick      # a small tracker, a smoke run
    python -m bench.run --only runtime   # the same, from the main benchmark

1. App Home after a change: `publish_home` in-process, after a tracker change (a history
   row, so the picture is out of date): until the view is published, and until the view
   with the fresh picture is published (the App Home's redraw hook, when there is one).
2. Memory around a picture: the real app (`python app.py`, HTTP mode) idle after start,
   after an App Home open has drawn and uploaded the picture, and after the drawing worker
   has exited (polled: the app's child processes, bounded), each its resident memory.
3. Answers after a tracker change: 8 clients, a tracker change before every question (no
   answer from memory), against the bare app answering the same replies in the ack; paired
   blocks in alternating order after a warm-up block, as bench/answers.py's.

Everything runs on 127.0.0.1; bench/run.py only calls `measure` and `report_rows`.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bench.answers import Counted, block_of_requests, capture_replies, tracker_change
from bench.common import TimedEmulator, figures, rss_kib, settings_for
from bench.processes import BareApp, bench_env, start_one, wait_first_answer, wait_startup_sweep
from bench.tracker import bench_now, build_bench_db
from tests.support.app_process import AppProcess
from tests.support.slack_requests import event_body, signed_headers

HOME_USER = "UBENCHHOME1"
COLD_CLIENTS = 8


def _home_waiter() -> Any:
    """The App Home's hook that waits for pictures being drawn (None before there was one)."""
    import handlers.home

    return getattr(handlers.home, "wait_for_home_pictures", None)


def home_publish_times(folder: Path, emu: TimedEmulator, models: int, runs: int) -> dict[str, Any]:
    """Publishing the App Home right after a tracker change, in-process on the large tracker."""
    from slack_sdk import WebClient

    from bot.catalog import make_deps
    from bot.clock import FixedClock
    from handlers.home import publish_home
    from storage.db import open_store
    from storage.tracker import update_record

    db_path = folder / "home.db"
    now = bench_now()
    build_bench_db(db_path, settings_for(db_path), now=now, models=models, channels=3)
    store = open_store(db_path)
    wait = _home_waiter()
    try:
        deps = make_deps(settings_for(db_path), store, FixedClock(now))
        client = WebClient(token="xoxb-bench", base_url=emu.api_url)
        publish_home(deps, client, HOME_USER)  # warm-up: the first picture (and its worker)
        if wait is not None:
            wait(120)
        developer = store.db.execute("SELECT MIN(id) FROM developers").fetchone()[0]
        published, fresh = [], []
        for run in range(runs):
            update_record(store.db, "developer", developer, {"note": f"bench {run}"}, actor="UBENCH", at=now)
            started = time.perf_counter()
            publish_home(deps, client, HOME_USER)
            published.append(time.perf_counter() - started)
            if wait is not None:
                wait(120)
            fresh.append(time.perf_counter() - started)
    finally:
        if wait is not None:
            wait(120)
        store.close()
    return {
        "models": models,
        "runs": runs,
        "published_ms": round(statistics.median(published) * 1000, 1),
        "published_max_ms": round(max(published) * 1000, 1),
        "fresh_picture_ms": round(statistics.median(fresh) * 1000, 1),
        "background": wait is not None,
    }


def _children(pid: int) -> list[int]:
    """The app's drawing workers (multiprocessing's "spawn" children; its resource tracker,
    a small process that stays, is not one)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return [c for c in found if b"spawn_main" in _cmdline(c)]


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _rss_mib(pid: int, settle: float) -> float:
    time.sleep(settle)  # the request's threads go idle and the heap is trimmed
    return round(rss_kib(pid) / 1024, 1)


def _open_home(app: AppProcess) -> None:
    event = {"type": "app_home_opened", "user": HOME_USER, "channel": "D0HOME", "tab": "home"}
    body = event_body(event, event_id=f"Ev{time.monotonic_ns()}")
    answer = httpx.post(
        app.url + "/slack/events", content=body.encode(), headers=signed_headers(body), timeout=30
    )
    if answer.status_code != 200:
        raise RuntimeError(f"app_home_opened: HTTP {answer.status_code}")


def picture_memory(
    folder: Path,
    emu: TimedEmulator,
    models: int,
    worker_wait_s: float,
    worker_idle_s: int | None = None,
    settle: float = 2.0,
) -> dict[str, Any]:
    """Resident memory of the running app: idle, after a picture was drawn, after the worker left.
    `worker_idle_s` sets the app's REVIEWWATCH_PICTURE_WORKER_IDLE (None: the default, 30 s)."""
    db = folder / "memory.db"
    build_bench_db(db, settings_for(db), now=datetime.now(UTC), models=models, channels=3)
    env = bench_env(emu, db, folder / "unused.json")
    if worker_idle_s is not None:
        env["REVIEWWATCH_PICTURE_WORKER_IDLE"] = str(worker_idle_s)
    app = start_one("app", env, folder)
    assert isinstance(app, AppProcess)
    try:
        wait_first_answer(app.proc, app.url, emu)
        wait_startup_sweep(app)
        pid = app.proc.pid
        idle = _rss_mib(pid, settle)
        emu.reset()
        started = time.perf_counter()
        _open_home(app)
        deadline = time.monotonic() + 120
        while not any(
            b["type"] == "image" for c in emu.calls_to("views.publish") for b in c.args["view"]["blocks"]
        ):
            if time.monotonic() > deadline:
                raise RuntimeError("no App Home with a picture within 120 s")
            time.sleep(0.05)
        drawn_s = time.perf_counter() - started
        after_draw = _rss_mib(pid, settle)
        workers = _children(pid)
        deadline = time.monotonic() + worker_wait_s
        while _children(pid) and time.monotonic() < deadline:
            time.sleep(0.25)
        left = not _children(pid)
        after_exit = _rss_mib(pid, settle)
    finally:
        app.stop()
    return {
        "idle_mib": idle,
        "after_draw_mib": after_draw,
        "after_worker_mib": after_exit,
        "worker_processes": len(workers),
        "worker_exited": left,
        "picture_s": round(drawn_s, 2),
        "ratio": round(after_exit / idle, 3),
    }


def cold_answers(folder: Path, emu: TimedEmulator, models: int, requests: int, blocks: int) -> dict[str, Any]:
    """8 clients, a tracker change before each question, against the bare app in the ack."""
    db = folder / "cold.db"
    build_bench_db(db, settings_for(db), now=datetime.now(UTC), models=models, channels=3)
    replies = folder / "cold-replies.json"
    env = bench_env(emu, db, replies)
    app = start_one("app", env, folder)
    bare = None
    try:
        assert isinstance(app, AppProcess)
        wait_first_answer(app.proc, app.url, emu)
        wait_startup_sweep(app)
        capture_replies(emu, app, replies)
        bare = start_one("bare", env, folder)
        assert isinstance(bare, BareApp)
        wait_first_answer(bare.proc, bare.url, emu)
        targets = [("bare_ack", bare.url, "ack"), ("app_cold", app.url, "auto")]
        change, counted = tracker_change(db), Counted()
        seen: dict[str, list[float]] = {t[0]: [] for t in targets}
        per_client = max(1, requests // COLD_CLIENTS)
        for block in range(blocks + 1):  # block 0: the warm-up
            for target in targets if block % 2 else targets[::-1]:
                before = change if target[0] == "app_cold" else None
                samples = block_of_requests(emu, target, COLD_CLIENTS, per_client, f"cold{block}", before)
                counted.add(target[1], len(samples))
                if block:
                    seen[target[0]] += [s for _, s in samples]
    finally:
        app.stop()
        if bare is not None:
            bare.stop()
    cold, ack = figures(seen["app_cold"]), figures(seen["bare_ack"])
    return {
        "clients": COLD_CLIENTS,
        "app_cold": cold,
        "bare_ack": ack,
        "p99_ratio": round(cold["p99_ms"] / ack["p99_ms"], 2),
        "median_ratio": round(cold["median_ms"] / ack["median_ms"], 2),
    }


PARTS = ("home", "memory", "cold")


def measure(
    folder: Path, quick: bool = False, emu: TimedEmulator | None = None, parts: tuple[str, ...] = PARTS
) -> dict[str, Any]:
    if emu is None:
        with TimedEmulator() as own:
            return measure(folder, quick, own, parts)
    models = 300 if quick else 5000
    out: dict[str, Any] = {}
    if "home" in parts:
        out["home"] = home_publish_times(folder, emu, models, 2 if quick else 5)
    if "memory" in parts:
        # The quick run has the drawing worker leave after 1 s instead of the product's 30 s, so
        # that it still sees it leave without waiting for it.
        if quick:
            out["memory"] = picture_memory(folder, emu, models, 10, worker_idle_s=1, settle=0.5)
        else:
            out["memory"] = picture_memory(folder, emu, models, 90)
    if "cold" in parts:
        out["cold"] = cold_answers(folder, emu, models, 16 if quick else 120, 1 if quick else 4)
    return out


def report_rows(results: dict[str, Any]) -> list[str]:
    """Rows for bench/run.py's table (| Measure | Review Watch | Baseline | Goal | Met |)."""
    rows = []
    if "home" in results:
        h = results["home"]
        rows.append(
            f"| App Home published right after a tracker change, {h['models']:,} models, median (max), "
            f"n={h['runs']} | {h['published_ms']} ({h['published_max_ms']}) ms; with the fresh picture "
            f"{h['fresh_picture_ms']} ms | | never waits for the picture | "
            f"{'yes' if h['background'] and h['published_max_ms'] < 500 else '**no**'} |"
        )
    if "memory" in results:
        m = results["memory"]
        rows.append(
            f"| Resident memory: idle / after a picture is drawn ({m['picture_s']} s) / after the "
            f"drawing worker exits | {m['idle_mib']} / {m['after_draw_mib']} / {m['after_worker_mib']} MiB "
            f"(worker exited: {m['worker_exited']}) | idle | within 10% of idle | "
            f"{'yes' if m['ratio'] <= 1.1 else '**no**'} (ratio {m['ratio']}) |"
        )
    if "cold" in results:
        c = results["cold"]
        cold, ack = c["app_cold"], c["bare_ack"]
        rows.append(
            f"| Answers, {c['clients']} clients, a tracker change before every question, median / p99 "
            f"(n={cold['n']}) | {cold['median_ms']} / {cold['p99_ms']} ms | bare app in the ack "
            f"{ack['median_ms']} / {ack['p99_ms']} ms | p99 < 150 ms | "
            f"{'yes' if cold['p99_ms'] < 150 else '**no**'} (p99 ratio {c['p99_ratio']}) |"
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.runtime", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a small tracker: a smoke run")
    parser.add_argument("--only", action="append", choices=PARTS, help="one measure (repeatable)")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON to PATH")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="reviewwatch-bench-runtime-"))
    try:
        results = measure(folder, args.quick, parts=tuple(args.only or PARTS))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print("\n".join(report_rows(results)))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
