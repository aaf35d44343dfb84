"""`python app.py` in Socket Mode end to end: apps.connections.open on the emulator (via
SLACK_API_URL), a real WebSocket, a slash_commands envelope, the acknowledgement and answer."""

from __future__ import annotations

import json
import re
import signal
from pathlib import Path
from urllib.parse import parse_qsl

import httpx

from tests.support.app_process import AppProcess, clean_env, free_port, wait_until
from tests.support.slack_emulator import SlackEmulator
from tests.support.slack_requests import slash_command_body

BOT_TOKEN = "xoxb-socket-mode-test-token"
APP_TOKEN = "xapp-1-A0APPID-socket-mode-test-token"


def test_socket_mode_answers_a_slash_command_over_the_websocket(
    slack_emulator: SlackEmulator, tmp_path: Path
) -> None:
    env = clean_env(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_APP_TOKEN=APP_TOKEN,
        SLACK_API_URL=slack_emulator.api_url,
        REVIEWWATCH_DB=str(tmp_path / "reviewwatch.db"),
    )
    app = AppProcess(env, tmp_path)
    try:
        slack_emulator.wait_for_socket()
        opened = slack_emulator.last("apps.connections.open")
        assert opened.token == APP_TOKEN  # the Socket Mode URL came from SLACK_API_URL
        command = dict(
            parse_qsl(
                slash_command_body("/holdouts", response_url=slack_emulator.response_url("socket-holdouts"))
            )
        )

        envelope_id = slack_emulator.send_envelope("slash_commands", command)

        ack = slack_emulator.wait_for_ack(envelope_id)
        assert ack["envelope_id"] == envelope_id
        answer = ack.get("payload") or slack_emulator.wait_for_response("socket-holdouts")
        assert "Meta" in json.dumps(answer)

        assert app.stop(signal.SIGTERM) == 0, app.logs
        assert "Socket Mode: connected" in app.logs
        assert APP_TOKEN not in app.logs and BOT_TOKEN not in app.logs
    finally:
        app.kill()


def test_the_watchdog_reopens_a_connection_slack_went_silent_on(
    slack_emulator: SlackEmulator, tmp_path: Path
) -> None:
    health_port = free_port()
    env = clean_env(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_APP_TOKEN=APP_TOKEN,
        SLACK_API_URL=slack_emulator.api_url,
        REVIEWWATCH_DB=str(tmp_path / "reviewwatch.db"),
        REVIEWWATCH_SOCKET_SILENCE_LIMIT="2",
        REVIEWWATCH_HEALTH_PORT=str(health_port),
    )
    app = AppProcess(env, tmp_path)
    healthz = f"http://127.0.0.1:{health_port}/healthz"

    def health() -> httpx.Response | None:
        try:
            return httpx.get(healthz, timeout=2)
        except httpx.TransportError:
            return None

    try:
        slack_emulator.wait_for_socket()
        first = wait_until(lambda: (r := health()) is not None and r.status_code == 200 and r, 20, "healthy")
        assert isinstance(first, httpx.Response)
        assert first.json()["mode"] == "socket"
        assert first.json()["slack"]["silence_limit_seconds"] == 2
        assert first.json()["slack"]["seconds_since_contact"] <= 2

        # Half-dead, and Slack will not hand out a new connection for now: deaf, so 503.
        slack_emulator.fail("apps.connections.open", error="internal_error", times=1000)
        assert slack_emulator.silence_sockets() == 1
        wait_until(
            lambda: any(c.failed for c in slack_emulator.calls_to("apps.connections.open")), 15, "a try"
        )
        deaf = health()
        assert deaf is not None and deaf.status_code == 503
        assert deaf.json()["slack"]["ok"] is False and deaf.json()["slack"]["seconds_since_contact"] > 2

        # Slack answers again: the watchdog's next attempt opens a new connection that works.
        slack_emulator.clear_failures()
        wait_until(
            lambda: any(not c.failed for c in slack_emulator.calls_to("apps.connections.open")[1:]),
            20,
            "a new connection",
        )
        wait_until(lambda: (r := health()) is not None and r.status_code == 200, 20, "healthy again")
        command = dict(
            parse_qsl(slash_command_body("/holdouts", response_url=slack_emulator.response_url("after")))
        )
        envelope_id = slack_emulator.send_envelope("slash_commands", command)
        ack = slack_emulator.wait_for_ack(envelope_id)
        assert "Meta" in json.dumps(ack.get("payload") or slack_emulator.wait_for_response("after"))

        assert app.stop(signal.SIGTERM) == 0, app.logs
        silences = re.findall(r"Socket Mode: nothing from Slack for (\d+) s \(limit 2 s\)", app.logs)
        assert silences and all(int(s) >= 2 for s in silences)
        # One line per attempt to reconnect, not one per check.
        assert len(silences) <= len(slack_emulator.calls_to("apps.connections.open")) - 1
    finally:
        app.kill()
