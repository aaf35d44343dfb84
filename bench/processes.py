"""The benchmark's processes: the real app and the bare Bolt app started on free ports,
timed from start to the first answered request, and their resident memory."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from bench.common import BOT_TOKEN, ROOT, TimedEmulator, rss_kib
from tests.support.app_process import AppProcess, clean_env, free_port
from tests.support.slack_requests import SIGNING_SECRET, signed_headers, slash_command_body


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


def app_env(emu: TimedEmulator, db: Path, **extra: str) -> dict[str, str]:
    """A benchmarked app's environment: the emulator's Slack, its own database, quiet logs."""
    return clean_env(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=emu.api_url,
        REVIEWWATCH_DB=str(db),
        REVIEWWATCH_LOG_LEVEL="WARNING",
        **extra,
    )


def bench_env(emu: TimedEmulator, db: Path, replies: Path) -> dict[str, str]:
    """app_env with an admin, and where the bare app writes the replies it saw."""
    return app_env(emu, db, REVIEWWATCH_ADMINS="UADMIN0001", BENCH_REPLIES=str(replies))


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
