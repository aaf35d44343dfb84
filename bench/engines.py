"""SQLite and PostgreSQL side by side (issue 27), in one run:

1. sweep: the whole sweep at each size (1k and 10k models; 100k with --large) on each engine,
   against that engine's hand-written limit (bench/sweeps.py `physical_limit`: the raw SELECT,
   one executemany INSERT of the ledger rows, one executemany UPDATE of their outcomes);
   paired, alternating runs on fresh copies after a warm-up pair; medians.
2. answers: /holdouts over signed HTTP requests to a running instance on each engine, at 1 and
   8 concurrent clients (the ack, which carries the answer); median and p99.
3. failover: two instances on PostgreSQL, the scheduler's holder killed with SIGKILL; seconds
   until the other holds the scheduler and until its first alert is posted.
4. memory: resident memory of an idle instance on each engine after start and the answers.

    python -m bench.engines --server postgresql://postgres@127.0.0.1:55432/postgres [--large] [--sweep-only]
    python -m bench.engines --models 100000 --repeats 2 --sweep-only   # one size alone
    python -m bench.engines --models 100000 --sweep-only --engine sqlite  # one engine's sweep alone

Each part's figures carry the load average before and after it (other work on the machine
moves the absolute times; the ratios of paired runs less).

(`--server`, or REVIEWWATCH_TEST_DATABASE_URL: a maintenance URL; databases are made and dropped.)
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import tempfile
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from bench.common import pct, rss_kib, settings_for
from bench.sweeps import limit_rows, physical_limit, whole_sweep
from bench.tracker import bench_now, build_bench_db
from tests.support.app_process import AppProcess, clean_env, free_port, wait_until
from tests.support.pg_databases import database_url
from tests.support.slack_emulator import SlackEmulator
from tests.support.slack_requests import SIGNING_SECRET, signed_headers, slash_command_body


def _admin(server: str, *statements: str) -> None:
    import psycopg

    with psycopg.connect(server, autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement.encode())


ENGINES = ("sqlite", "postgresql")


class Engines:
    """The SQLite base file and its PostgreSQL twin; fresh copies of each."""

    def __init__(self, server: str, folder: Path, models: int, postgresql: bool = True) -> None:
        from storage.copy import copy_database

        self.server, self.folder, self.postgresql = server, folder, postgresql
        self.base = folder / f"base-{models}.db"
        self.now = bench_now()
        started = time.perf_counter()
        build_bench_db(
            self.base,
            settings_for(self.base),
            now=self.now,
            models=models,
            ledger_until=self.now - timedelta(days=1),
        )
        self.built_s = time.perf_counter() - started
        self.prefix = f"rwbench_{uuid.uuid4().hex[:8]}_{models}"
        if postgresql:
            _admin(server, f'CREATE DATABASE "{self.prefix}_base"')
            copy_database(str(self.base), database_url(server, f"{self.prefix}_base"))
        self.copies = 0

    def fresh(self, engine: str) -> str:
        self.copies += 1
        if engine == "sqlite":
            path = self.folder / f"run-{self.copies}.db"
            path.write_bytes(self.base.read_bytes())
            return str(path)
        name = f"{self.prefix}_{self.copies}"
        _admin(self.server, f'CREATE DATABASE "{name}" TEMPLATE "{self.prefix}_base"')
        return database_url(self.server, name)

    def drop(self, location: str) -> None:
        if location.startswith("postgresql://"):
            name = location.rsplit("/", 1)[1]
            _admin(self.server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        else:
            for path in Path(location).parent.glob(Path(location).name + "*"):
                path.unlink()

    def close(self) -> None:
        if self.postgresql:
            _admin(self.server, f'DROP DATABASE IF EXISTS "{self.prefix}_base" WITH (FORCE)')


def sweep_figures(
    server: str, folder: Path, models: int, repeats: int, engines_run: tuple[str, ...] = ENGINES
) -> dict[str, Any]:
    engines = Engines(server, folder, models, postgresql="postgresql" in engines_run)
    result: dict[str, Any] = {"models": models, "build_s": round(engines.built_s, 1), "load": _load()}
    try:
        for engine in engines_run:
            rows_location = engines.fresh(engine)
            ledger_rows = limit_rows(rows_location, settings_for(Path("x")), engines.now)
            engines.drop(rows_location)
            whole: list[float] = []
            limit: list[float] = []
            sent = len(ledger_rows)
            for rep in range(repeats + 1):
                for part in ("whole", "limit") if rep % 2 == 0 else ("limit", "whole"):
                    fresh = engines.fresh(engine)
                    if part == "whole":
                        seconds, outcome = whole_sweep(fresh, settings_for(Path("x")), engines.now)
                        sent = outcome["sent"]
                        if rep:
                            whole.append(seconds)
                    else:
                        seconds = physical_limit(fresh, ledger_rows, sent)
                        if rep:
                            limit.append(seconds)
                    engines.drop(fresh)
            result[engine] = {
                "alerts": len(ledger_rows),
                "whole_s": round(statistics.median(whole), 2),
                "limit_s": round(statistics.median(limit), 2),
                "ratio": round(statistics.median(whole) / statistics.median(limit), 2),
                "samples": repeats,
                "pairs": [[round(w, 2), round(lim, 2)] for w, lim in zip(whole, limit, strict=True)],
                "load_after": _load(),
            }
    finally:
        engines.close()
    return result


def _load() -> list[float]:
    return [round(n, 2) for n in os.getloadavg()]


def _start(emu: SlackEmulator, location: str, folder: Path, name: str, **extra: str) -> AppProcess:
    where = folder / name
    where.mkdir()
    env = clean_env(
        SLACK_BOT_TOKEN="xoxb-bench",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=emu.api_url,
        REVIEWWATCH_DATABASE_URL=location
        if location.startswith("postgresql://")
        else f"sqlite:///{location}",
        REVIEWWATCH_LOG_LEVEL="WARNING",
        PORT=str(free_port()),
        **extra,
    )
    app = AppProcess(env, where)
    app.wait_for_http(120)
    return app


def _ack_times(app: AppProcess, clients: int, per_client: int) -> list[float]:
    times: list[float] = []
    lock = threading.Lock()

    def client() -> None:
        with httpx.Client(timeout=30) as http:
            for _ in range(per_client):
                body = slash_command_body("/holdouts")
                started = time.perf_counter()
                answer = http.post(
                    app.url + "/slack/events", content=body.encode(), headers=signed_headers(body)
                )
                elapsed = time.perf_counter() - started
                assert answer.status_code == 200
                with lock:
                    times.append(elapsed)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return times


def answers_and_memory(server: str, folder: Path, requests: int) -> dict[str, Any]:
    engines = Engines(server, folder, 5000)
    result: dict[str, Any] = {}
    try:
        with SlackEmulator() as emu:
            for engine in ("sqlite", "postgresql"):
                location = engines.fresh(engine)
                app = _start(emu, location, folder, f"answers-{engine}")
                try:
                    started_rss = rss_kib(app.proc.pid) / 1024
                    _ack_times(app, 1, 5)  # warm-up
                    levels = {}
                    for clients in (1, 8):
                        samples = _ack_times(app, clients, max(1, requests // clients))
                        levels[str(clients)] = {
                            "median_ms": round(statistics.median(samples) * 1000, 1),
                            "p99_ms": round(pct(samples, 99) * 1000, 1),
                            "n": len(samples),
                        }
                    result[engine] = {
                        "answers": levels,
                        "rss_after_start_mib": round(started_rss, 1),
                        "rss_after_answers_mib": round(rss_kib(app.proc.pid) / 1024, 1),
                    }
                finally:
                    app.kill()  # not stop(): its start-up sweep of the bench tracker may still run
                    engines.drop(location)
    finally:
        engines.close()
    return result


def failover(server: str, folder: Path) -> dict[str, Any]:
    """Two instances on one PostgreSQL; the holder is killed with SIGKILL while it delivers."""
    from tests.bot.alerts.test_instances import holds_scheduler, prepare

    name = f"rwbench_{uuid.uuid4().hex[:8]}_failover"
    _admin(server, f'CREATE DATABASE "{name}"')
    url = database_url(server, name)
    try:
        prepare(url)
        with SlackEmulator() as emu:
            emu.delay("chat.postMessage", 3.0, times=1)
            first = _start(emu, url, folder, "failover-first", REVIEWWATCH_CLAIM_LEASE="6")
            wait_until(lambda: emu.in_flight("chat.postMessage") >= 1, 60, "the first delivery")
            second = _start(emu, url, folder, "failover-second", REVIEWWATCH_CLAIM_LEASE="6")
            try:
                posts_before = len(emu.calls_to("chat.postMessage"))
                first.proc.send_signal(signal.SIGKILL)
                killed = time.perf_counter()
                wait_until(lambda: holds_scheduler(second), 60, "the takeover")
                took_over = time.perf_counter() - killed
                wait_until(lambda: len(emu.calls_to("chat.postMessage")) > posts_before, 60, "the next post")
                first_post = time.perf_counter() - killed
            finally:
                first.kill()
                second.kill()
        return {"takeover_s": round(took_over, 1), "first_alert_s": round(first_post, 1)}
    finally:
        _admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.engines")
    parser.add_argument("--server", default=os.environ.get("REVIEWWATCH_TEST_DATABASE_URL"))
    parser.add_argument("--large", action="store_true", help="also 100,000 models")
    parser.add_argument("--models", type=int, action="append", help="only this size (repeatable)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--engine", choices=ENGINES, action="append", help="only this engine's sweep figures (repeatable)"
    )
    parser.add_argument("--requests", type=int, default=80)
    parser.add_argument("--no-sweep", action="store_true", help="skip part 1")
    parser.add_argument("--sweep-only", action="store_true", help="part 1 only")
    args = parser.parse_args()
    if not args.server:
        parser.error("give --server postgresql://... (or REVIEWWATCH_TEST_DATABASE_URL)")
    sizes = args.models or ((1_000, 10_000, 100_000) if args.large else (1_000, 10_000))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        figures: dict[str, Any] = {"machine": {"cpus": os.cpu_count(), "load": os.getloadavg()}}
        figures["sweep"] = (
            []
            if args.no_sweep
            else [
                sweep_figures(args.server, folder, n, args.repeats, tuple(args.engine or ENGINES))
                for n in sizes
            ]
        )
        print(json.dumps(figures["sweep"]), flush=True)
        if args.sweep_only:
            figures["machine"]["load_after"] = os.getloadavg()
            print(json.dumps(figures, indent=2))
            return
        figures["answers"] = {"load": _load(), **answers_and_memory(args.server, folder, args.requests)}
        print(json.dumps(figures["answers"]), flush=True)
        figures["failover"] = {"load": _load(), **failover(args.server, folder)}
        print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
