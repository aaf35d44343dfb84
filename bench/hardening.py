"""Hardening benchmarks (issue 14): what an attacker's requests and a hostile feed cost.

    python -m bench.hardening            # both measures (about 1.5 minutes)
    python -m bench.hardening --quick    # small sizes, seconds
    python -m bench.run --only hardening # the same, from the main benchmark

1. Oversized posts: the real app (`python app.py`, HTTP mode) receives 20 unsigned 60 MB
   bodies on /slack/events; its resident memory is sampled throughout and its peak (VmHWM,
   reset before the posts) is compared with its idle RSS. Goal: peak < 1.2x idle.
2. Dripping feed: a local server answers a feed fetch with a status line and then one header
   byte every 50 ms, forever; the production fetch (its 30 s deadline) is timed until it
   gives up. Goal: at most the deadline + 1 s.
3. Held connections (issue 26): 300 sockets held open on the real app (200 stopped halfway
   through their headers, 100 announcing a 1 MiB body and sending none), then `GET /healthz`
   and a signed `/holdouts` are timed 10 times each. Goal: every answer within 1 s.

Everything runs on 127.0.0.1; this module is self-contained so bench/run.py only calls it.
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.support.app_process import AppProcess, clean_env, free_port
from tests.support.hostile_feeds import DrippingServer
from tests.support.slack_emulator import SlackEmulator
from tests.support.slack_requests import SIGNING_SECRET, signed_headers, slash_command_body

MIB = 1024 * 1024


@dataclass(frozen=True)
class HardeningSize:
    posts: int
    post_mib: int
    deadline_s: float  # the fetch deadline the dripping feed is timed against


FULL = HardeningSize(posts=20, post_mib=60, deadline_s=30.0)
QUICK = HardeningSize(posts=3, post_mib=8, deadline_s=1.0)


def _status_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _post_unsigned(port: int, body: bytes) -> str:
    """One unsigned POST of `body` over a plain socket: the status, or how the server hung up."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        head = (
            "POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        try:
            sock.sendall(head.encode() + body)
        except OSError:
            pass  # refused from the header: the server stops reading and closes
        try:
            answer = sock.recv(4096).decode("latin-1")
        except OSError as exc:
            return f"closed ({exc.__class__.__name__})"
    return answer.split(" ", 2)[1] if answer.startswith("HTTP/") else "closed"


def oversized_posts(emu: SlackEmulator, folder: Path, size: HardeningSize) -> dict[str, Any]:
    env = clean_env(
        SLACK_BOT_TOKEN="xoxb-bench-hardening",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=emu.api_url,
        REVIEWWATCH_DB=str(folder / "hardening.db"),
        REVIEWWATCH_LOG_LEVEL="WARNING",
        PORT=str(free_port()),
    )
    app = AppProcess(env, folder)
    try:
        app.wait_for_http()
        deadline = time.monotonic() + 120
        while not httpx.get(app.url + "/healthz", timeout=5).json().get("last_sweep"):
            if time.monotonic() > deadline:
                raise RuntimeError("the start-up sweep did not finish")
            time.sleep(0.1)
        pid = app.proc.pid
        idle_kib = _status_kib(pid, "VmRSS")
        Path(f"/proc/{pid}/clear_refs").write_text("5")  # reset VmHWM: the peak from here on
        sampled = [idle_kib]
        stop = threading.Event()

        def sample() -> None:
            while not stop.is_set():
                sampled.append(_status_kib(pid, "VmRSS"))
                time.sleep(0.005)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        body = b"x" * (size.post_mib * MIB)
        statuses: list[str] = []
        started = time.perf_counter()
        for _ in range(size.posts):
            statuses.append(_post_unsigned(app.port or 0, body))
        took = time.perf_counter() - started
        stop.set()
        sampler.join()
        peak_kib = max(_status_kib(pid, "VmHWM"), max(sampled))
        after_kib = _status_kib(pid, "VmRSS")
    finally:
        app.stop()
    return {
        "posts": size.posts,
        "post_mib": size.post_mib,
        "statuses": {s: statuses.count(s) for s in sorted(set(statuses))},
        "idle_mib": round(idle_kib / 1024, 1),
        "peak_mib": round(peak_kib / 1024, 1),
        "after_mib": round(after_kib / 1024, 1),
        "peak_ratio": round(peak_kib / idle_kib, 3),
        "seconds_per_post": round(took / size.posts, 3),
    }


HELD_HALF_HEADERS = 200
HELD_SILENT_BODIES = 100
PROBES = 10


def _hold(port: int) -> list[socket.socket]:
    held = []
    for number in range(HELD_HALF_HEADERS + HELD_SILENT_BODIES):
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        if number < HELD_HALF_HEADERS:
            sock.sendall(b"POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty")
        else:
            sock.sendall(
                f"POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {MIB}\r\n\r\n".encode()
            )
        held.append(sock)
    return held


def timed(call: Any) -> tuple[float, int]:
    started = time.perf_counter()
    try:
        status = call().status_code
    except httpx.TransportError:
        status = 0  # no answer within the client's timeout
    return time.perf_counter() - started, status


def held_connections(emu: SlackEmulator, folder: Path) -> dict[str, Any]:
    env = clean_env(
        SLACK_BOT_TOKEN="xoxb-bench-hardening",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=emu.api_url,
        REVIEWWATCH_DB=str(folder / "held.db"),
        REVIEWWATCH_LOG_LEVEL="WARNING",
        PORT=str(free_port()),
    )
    app = AppProcess(env, folder)
    health: list[tuple[float, int]] = []
    command: list[tuple[float, int]] = []
    try:
        app.wait_for_http()
        held = _hold(app.port or 0)
        try:
            for _ in range(PROBES):
                health.append(timed(lambda: httpx.get(app.url + "/healthz", timeout=5)))
                body = slash_command_body("/holdouts", response_url=emu.response_url("bench-held"))
                command.append(
                    timed(
                        lambda body=body: httpx.post(
                            app.url + "/slack/events", content=body, headers=signed_headers(body), timeout=5
                        )
                    )
                )
        finally:
            for sock in held:
                sock.close()
    finally:
        app.stop()
    return {
        "held": HELD_HALF_HEADERS + HELD_SILENT_BODIES,
        "probes": PROBES,
        "healthz_max_ms": round(max(s for s, _ in health) * 1000),
        "command_max_ms": round(max(s for s, _ in command) * 1000),
        "all_answered": all(status == 200 for _, status in health + command),
    }


def dripping_feed(size: HardeningSize) -> dict[str, Any]:
    from bot.news.feed_client import FetchError, fetch, make_http_client

    client = make_http_client(allow_private=True)  # the server is on 127.0.0.1
    with DrippingServer(interval=0.05, give_up=size.deadline_s + 30) as server:
        started = time.perf_counter()
        try:
            fetch(client, server.url(), deadline_seconds=size.deadline_s)
            outcome = "fetched (unexpected)"
        except FetchError as exc:
            outcome = str(exc)
        held = time.perf_counter() - started
    return {"deadline_s": size.deadline_s, "held_s": round(held, 2), "outcome": outcome}


def measure(folder: Path, quick: bool = False, emu: SlackEmulator | None = None) -> dict[str, Any]:
    size = QUICK if quick else FULL
    if emu is None:
        with SlackEmulator() as own:
            return measure(folder, quick, own)
    return {
        "oversized": oversized_posts(emu, folder, size),
        "dripping": dripping_feed(size),
        "held": held_connections(emu, folder),
    }


def report_rows(results: dict[str, Any]) -> list[str]:
    """Rows for bench/run.py's table (| Measure | Review Watch | Bare Bolt | Target | Met |)."""
    over, drip = results["oversized"], results["dripping"]
    answered = ", ".join(f"{n} x {s}" for s, n in over["statuses"].items())
    return [
        f"| Peak RSS while {over['posts']} unsigned {over['post_mib']} MB bodies are posted to "
        f"/slack/events ({answered}) | {over['idle_mib']} idle -> {over['peak_mib']} MiB peak "
        f"({over['seconds_per_post'] * 1000:.0f} ms each) | | < 1.2x idle | "
        f"{'yes' if over['peak_ratio'] < 1.2 else '**no**'} (ratio {over['peak_ratio']}) |",
        f"| A feed dripping header bytes holds a fetch | {drip['held_s']} s ({drip['outcome']}) | | "
        f"<= deadline {drip['deadline_s']:g} s + 1 s | "
        f"{'yes' if drip['held_s'] <= drip['deadline_s'] + 1 else '**no**'} |",
        *_held_rows(results.get("held")),
    ]


def _held_rows(held: dict[str, Any] | None) -> list[str]:
    if held is None:
        return []
    slowest = max(held["healthz_max_ms"], held["command_max_ms"])
    met = held["all_answered"] and slowest < 1000
    return [
        f"| Slowest of {held['probes']} /healthz and {held['probes']} signed /holdouts while "
        f"{held['held']} sockets are held open | {held['healthz_max_ms']} ms /healthz, "
        f"{held['command_max_ms']} ms /holdouts{'' if held['all_answered'] else ' (some unanswered)'} | | "
        f"< 1 s each | {'yes' if met else '**no**'} |"
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.hardening", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes and a 1 s deadline: a smoke run")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON to PATH")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="reviewwatch-bench-hardening-"))
    try:
        results = measure(folder, args.quick)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print("\n".join(report_rows(results)))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
