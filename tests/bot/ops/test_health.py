"""`/healthz`'s limits: a stale sweep (more than REVIEWWATCH_SWEEP_STALE_LIMIT, two sweep
intervals by default) and, in Socket Mode, Slack silent for longer than
REVIEWWATCH_SOCKET_SILENCE_LIMIT make it 503. A real scheduler, an injected clock, the
route served by the real WSGI app."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from io import BytesIO
from typing import Any

import pytest

from bot.alerts.scheduler import start_scheduler, stop_scheduler
from bot.alerts.sweep import run_sweep
from bot.clock import FixedClock
from bot.deps import Deps
from handlers.http.routes import build_health_app


def get_healthz(deps: Deps) -> tuple[int, dict[str, Any]]:
    seen: dict[str, str] = {}

    def start_response(status: str, headers: list[tuple[str, str]], *rest: Any) -> None:
        seen["status"] = status

    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/healthz", "wsgi.input": BytesIO(b"")}
    body = b"".join(build_health_app(deps)(environ, start_response))
    return int(seen["status"].split()[0]), json.loads(body)


@pytest.fixture
def running(deps: Deps) -> Iterator[Deps]:
    """A started scheduler that never fires during the test (its interval is an hour)."""
    start_scheduler(deps, senders={}, interval_seconds=3600, run_at_start=False)
    deps.runtime.mode = "http"
    deps.runtime.started_at = deps.clock.now()
    try:
        yield deps
    finally:
        stop_scheduler(deps)


def test_healthz_turns_503_while_the_sweep_is_stale(running: Deps, clock: FixedClock) -> None:
    run_sweep(running, senders={})
    status, report = get_healthz(running)
    assert status == 200 and report["scheduler"]["stale"] is False
    assert report["scheduler"]["seconds_since_sweep"] == 0

    clock.advance(timedelta(minutes=10))  # two five-minute intervals: still fine
    assert get_healthz(running)[0] == 200

    clock.advance(timedelta(seconds=1))
    status, report = get_healthz(running)
    assert status == 503 and report["status"] == "unavailable"
    assert report["scheduler"] == {
        "running": True,
        "holds_scheduler": True,
        "seconds_since_sweep": 601.0,
        "stale_limit_seconds": 600,
        "stale": True,
    }

    run_sweep(running, senders={})  # the scheduler caught up
    assert get_healthz(running)[0] == 200


def test_before_the_first_sweep_the_start_time_counts(running: Deps, clock: FixedClock) -> None:
    assert get_healthz(running)[0] == 200
    clock.advance(timedelta(minutes=11))
    status, report = get_healthz(running)
    assert status == 503 and report["last_sweep"] is None and report["scheduler"]["stale"] is True


def test_socket_mode_is_503_when_slack_has_been_silent_past_the_limit(
    running: Deps, clock: FixedClock
) -> None:
    run_sweep(running, senders={})
    running.runtime.mode = "socket"
    running.runtime.last_contact = clock.now()
    clock.advance(timedelta(seconds=120))
    status, report = get_healthz(running)
    assert status == 200
    assert report["slack"] == {
        "seconds_since_contact": 120.0,
        "silence_limit_seconds": 120,
        "ok": True,
        "reconnects": 0,
    }

    clock.advance(timedelta(seconds=5))
    status, report = get_healthz(running)
    assert status == 503 and report["slack"]["ok"] is False

    running.runtime.last_contact = clock.now()  # a pong came back
    assert get_healthz(running)[0] == 200


def test_a_silence_just_past_the_limit_is_503_though_its_age_shows_rounded(
    running: Deps, clock: FixedClock
) -> None:
    """The watchdog reconnects as soon as the silence passes the limit; /healthz judges the
    same exact age (it once judged the age it shows, to a tenth, and said 200 at 120.04 s)."""
    run_sweep(running, senders={})
    running.runtime.mode = "socket"
    running.runtime.last_contact = clock.now()
    clock.advance(timedelta(seconds=120, milliseconds=40))
    status, report = get_healthz(running)
    assert report["slack"]["seconds_since_contact"] == 120.0  # as shown
    assert status == 503 and report["slack"]["ok"] is False  # as judged


def test_http_mode_reports_the_age_of_the_last_request_without_a_limit(
    running: Deps, clock: FixedClock
) -> None:
    run_sweep(running, senders={})
    running.runtime.last_contact = clock.now()
    clock.advance(timedelta(minutes=9))
    status, report = get_healthz(running)
    assert status == 200
    assert report["slack"] == {"seconds_since_contact": 540.0, "silence_limit_seconds": None, "ok": True}
