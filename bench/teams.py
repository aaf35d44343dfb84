"""The Teams bot's benchmark (issue 29): a message to its answer, beside Slack's, and memory.

    python -m bench.teams [--requests N] [--json PATH]

Everything on 127.0.0.1: the Slack emulator, the Bot Connector stand-in
(tests/support/teams_connector.py: it publishes the signing keys, issues the bot's
tokens and records what the bot sends) and the real app (`python app.py`, HTTP mode, the
seeded tracker, the Teams bot on). In the same run, alternating blocks:
- Teams: a signed message Activity `holdouts` posted to /api/messages, each in a
  conversation of its own, timed to the moment the connector receives the bot's answer;
- Slack: a signed `/holdouts` posted to /slack/events, timed to the answer's arrival at
  response_url (or to the ack, when the answer is in it);
at 1 and 8 concurrent conversations. Memory: the app's resident set at idle with the bot
and without it (a second app, the same settings but the Teams ones), after the same
warm-up, and the difference. Medians and p99 of N samples per cell; the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from bench.common import TimedEmulator, pct, rss_kib
from bench.processes import app_env
from tests.support.app_process import AppProcess, free_port
from tests.support.slack_requests import signed_headers, slash_command_body
from tests.support.teams_connector import TeamsConnector, message_activity

LEVELS = (1, 8)


class TimedConnector(TeamsConnector):
    """The stand-in, noting when the answer for each conversation arrives."""

    def arrival(self, conversation: str) -> float | None:
        with self.state.lock:
            for sent in self.state.sent:
                if sent.conversation_id == conversation and sent.kind == "message":
                    return sent.at
        return None


def teams_once(client: httpx.Client, app: AppProcess, connector: TimedConnector, n: int) -> float:
    conversation = f"a:1bench{n:08d}"
    activity = message_activity(connector, "holdouts", conversation_id=conversation)
    token = connector.inbound_token()
    started = time.perf_counter()
    response = client.post(
        f"{app.url}/api/messages", json=activity, headers={"Authorization": f"Bearer {token}"}
    )
    response.raise_for_status()
    arrived = connector.arrival(conversation)
    if arrived is None:
        raise RuntimeError("the bot answered nothing")
    return arrived - started


def slack_once(client: httpx.Client, app: AppProcess, emu: TimedEmulator, n: int) -> float:
    name = f"bench-{n}"
    body = slash_command_body("/holdouts", "", response_url=emu.response_url(name))
    started = time.perf_counter()
    response = client.post(app.url + "/slack/events", content=body.encode(), headers=signed_headers(body))
    acked = time.perf_counter()
    response.raise_for_status()
    if response.content.strip():
        return acked - started  # answered in the ack
    deadline = time.monotonic() + 30
    while name not in emu.arrivals:
        if time.monotonic() > deadline:
            raise RuntimeError("Slack's answer never came")
        time.sleep(0.001)
    return emu.arrivals[name] - started


def run_block(one: Callable[[httpx.Client, int], float], level: int, count: int, base: int) -> list[float]:
    local = threading.local()

    def task(n: int) -> float:
        if not hasattr(local, "client"):
            local.client = httpx.Client(timeout=60)
        return one(local.client, base + n)

    with ThreadPoolExecutor(level) as pool:
        return list(pool.map(task, range(count)))


def summary(samples: list[float]) -> dict[str, float | int]:
    return {
        "n": len(samples),
        "median_ms": round(statistics.median(samples) * 1000, 1),
        "p99_ms": round(pct(samples, 0.99) * 1000, 1),
    }


def idle_rss(app: AppProcess, settle: float = 2.0) -> int:
    time.sleep(settle)  # a benchmark's idle: no request in flight
    return rss_kib(app.proc.pid)


def measure(requests: int, folder: Path) -> dict[str, Any]:
    results: dict[str, Any] = {"requests_per_cell": requests, "latency": {}, "memory_kib": {}}
    with TimedEmulator() as emu, TimedConnector() as connector:
        with_bot = AppProcess(
            app_env(emu, folder / "bot.db", PORT=str(free_port()), **connector.settings_env()), folder
        )
        without = AppProcess(app_env(emu, folder / "plain.db", PORT=str(free_port())), folder)
        try:
            for app in (with_bot, without):
                app.wait_for_http(timeout=120)
            counter = iter(range(10**9))
            with httpx.Client(timeout=60) as client:  # the same warm-up for both, then Teams once
                for app in (with_bot, without):
                    for _ in range(3):
                        slack_once(client, app, emu, next(counter))
                for _ in range(3):
                    teams_once(client, with_bot, connector, next(counter))
            results["memory_kib"] = {"with_teams_bot": idle_rss(with_bot), "without": idle_rss(without)}
            results["memory_kib"]["added_by_teams_bot"] = (
                results["memory_kib"]["with_teams_bot"] - results["memory_kib"]["without"]
            )
            for level in LEVELS:
                teams: list[float] = []
                slack: list[float] = []
                for block in range(4):  # alternating order, a quarter of the samples each
                    share = max(1, requests // 4)
                    runs = [
                        (teams, lambda c, n: teams_once(c, with_bot, connector, n)),
                        (slack, lambda c, n: slack_once(c, with_bot, emu, n)),
                    ]
                    for samples, one in runs if block % 2 == 0 else reversed(runs):
                        samples += run_block(one, level, share, next(counter) * 1000)
                results["latency"][f"{level}_concurrent"] = {"teams": summary(teams), "slack": summary(slack)}
        finally:
            with_bot.stop()
            without.stop()
    results["load_average"] = os.getloadavg()
    results["cpus"] = os.cpu_count()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.teams")
    parser.add_argument("--requests", type=int, default=200, help="samples per platform and level")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-teams-") as folder:
        results = measure(args.requests, Path(folder))
    text = json.dumps(results, indent=2)
    print(text)
    if args.json:
        Path(args.json).write_text(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
