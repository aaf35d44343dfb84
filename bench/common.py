"""What the benchmarks share: the sizes of a run, the timed emulator, settings for a
benchmark database, and the small helpers that turn samples into figures."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.tracker import CHANNELS
from bot.settings import Settings
from tests.support.app_process import clean_env
from tests.support.slack_emulator import SlackEmulator
from tests.support.slack_requests import SIGNING_SECRET

BOT_TOKEN = "xoxb-bench-token"
ROOT = Path(__file__).resolve().parents[1]


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


def rss_kib(pid: int, field: str = "VmRSS") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def spread(values: list[float]) -> dict[str, Any]:
    return {"median_ms": ms(statistics.median(values)), "min_ms": ms(min(values)), "max_ms": ms(max(values))}


def figures(values: list[float]) -> dict[str, Any]:
    return {"median_ms": ms(statistics.median(values)), "p99_ms": ms(pct(values, 0.99)), "n": len(values)}


def timed(fn: Any) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def met(ok: bool) -> str:
    return "met" if ok else "**missed**"


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
