"""Type-ahead menus (issue 20): how fast the app answers Slack's options requests.

    python -m bench.run --only options

The real app (`python app.py`, HTTP mode) on the large tracker (tests/support/large_tracker.py:
200 developers, 5,000 models, 500 deadlines) answers signed block_suggestion POSTs, as Slack
sends them while someone types in the developer, model and deadline menus: the HTTP round
trip is timed (Slack waits 3 s; the goal is p99 under 50 ms). Queries mix an empty menu, a
start, a part, an exact slug, typos, and a text nothing matches (the slowest: every name is
scored for a typo). The first request after the tracker changed rebuilds that menu's names;
it is timed apart.
"""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bot import ids
from storage.db import open_store
from storage.tracker import update_record
from tests.support.app_process import AppProcess, clean_env, free_port
from tests.support.large_tracker import make_large_tracker
from tests.support.slack_emulator import SlackEmulator
from tests.support.slack_requests import (
    SIGNING_SECRET,
    block_suggestion_payload,
    interactive_body,
    signed_headers,
)

BOT_TOKEN = "xoxb-bench-token"
# What people type, per menu (action_id -> block_id, queries).
MENUS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "developers": (
        ids.ACTION_MENU_DEVELOPER,
        ids.BLOCK_DEVELOPER,
        ("", "Developer 1", "149", "dev-042", "Develper 149 Labs", "devloper 15", "labs 07", "zzqx"),
    ),
    "models": (
        ids.ACTION_MENU_MODEL,
        ids.BLOCK_PICK,
        ("", "Model 01", "developer 149 labs model 0149", "149", "Modle 0150", "mdoel 4242", "zzqx"),
    ),
    "deadlines": (
        ids.ACTION_MENU_DEADLINE,
        ids.BLOCK_PICK,
        ("", "Deadline 1", "comment period", "Dedline 150", "zzqx"),
    ),
}


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def _ask(client: httpx.Client, url: str, action_id: str, block_id: str, typed: str) -> tuple[float, int]:
    body = interactive_body(block_suggestion_payload(action_id, block_id, typed, user_id="UADMIN0001"))
    sent = time.perf_counter()
    answer = client.post(url + "/slack/events", content=body.encode(), headers=signed_headers(body))
    took = time.perf_counter() - sent
    if answer.status_code != 200:
        raise RuntimeError(f"options {action_id} {typed!r}: HTTP {answer.status_code}")
    return took, len(answer.json()["options"])


def measure_options(emu: SlackEmulator, folder: Path, models: int, rounds: int) -> dict[str, Any]:
    """Round trips of `rounds` x every query of every menu, interleaved, on a fresh tracker."""
    db_path = folder / "options.db"
    store = open_store(db_path)
    try:
        counts = make_large_tracker(store.db, models=models)
    finally:
        store.close()
    env = clean_env(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=emu.api_url,
        REVIEWWATCH_DB=str(db_path),
        REVIEWWATCH_LOG_LEVEL="WARNING",
        PORT=str(free_port()),
    )
    app = AppProcess(env, folder)
    results: dict[str, Any] = {"tracker": counts}
    try:
        app.wait_for_http()
        with httpx.Client(timeout=10) as client:
            first = {name: _ask(client, app.url, a, b, "")[0] for name, (a, b, _) in MENUS.items()}
            times: dict[str, list[float]] = {name: [] for name in MENUS}
            shown: dict[str, int] = {}
            for _ in range(rounds):
                for name, (action_id, block_id, queries) in MENUS.items():
                    for typed in queries:
                        took, count = _ask(client, app.url, action_id, block_id, typed)
                        times[name].append(took)
                        shown[f"{name}:{typed}"] = count
            after_change = _after_a_change(db_path, client, app.url)
    finally:
        app.stop()
    every = [t for values in times.values() for t in values]
    results.update(
        {
            "requests": len(every),
            "median_ms": _ms(statistics.median(every)),
            "p99_ms": _ms(_pct(every, 0.99)),
            "menus": {
                name: {
                    "requests": len(values),
                    "median_ms": _ms(statistics.median(values)),
                    "p99_ms": _ms(_pct(values, 0.99)),
                    "max_ms": _ms(max(values)),
                    "first_ms": _ms(first[name]),
                    "after_change_ms": _ms(after_change[name]),
                }
                for name, values in times.items()
            },
            "options_shown": shown,
        }
    )
    return results


def _after_a_change(db_path: Path, client: httpx.Client, url: str) -> dict[str, float]:
    """Each menu's first answer after an admin's edit (its names are read again)."""
    took: dict[str, float] = {}
    for name, (action_id, block_id, _) in MENUS.items():
        store = open_store(db_path)
        try:
            update_record(
                store.db,
                "developer",
                "dev-000",
                {"note": f"bench edit before {name}"},
                actor="UADMIN0001",
                at=datetime.now(UTC),
            )
        finally:
            store.close()
        took[name] = _ask(client, url, action_id, block_id, "Developer 1")[0]
    return took


def report_rows(results: dict[str, Any]) -> list[str]:
    """The benchmark table's rows (docs/benchmarks.md) for the options requests."""
    menus = results["menus"]
    per_menu = ", ".join(f"{name} {m['median_ms']} / {m['p99_ms']}" for name, m in menus.items())
    ok = results["p99_ms"] < 50
    rebuilt = " / ".join(f"{m['after_change_ms']}" for m in menus.values())
    firsts = " / ".join(f"{m['first_ms']}" for m in menus.values())
    slowest = max(max(m["after_change_ms"], m["first_ms"]) for m in menus.values())
    return [
        f"| Type-ahead menu options over HTTP, median / p99 ({results['requests']} signed "
        f"block_suggestion requests; {per_menu} ms) | {results['median_ms']} / {results['p99_ms']} ms "
        f"| | p99 < 50 ms | {'yes' if ok else '**no**'} |",
        f"| First options answer (names read), developers / models / deadlines | after start "
        f"{firsts} ms; after an edit {rebuilt} ms | | < 3 s (Slack's limit) | "
        f"{'yes' if slowest < 3000 else '**no**'} |",
    ]
