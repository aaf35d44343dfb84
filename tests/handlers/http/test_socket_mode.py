"""`python app.py` in Socket Mode end to end: apps.connections.open on the emulator (via
SLACK_API_URL), a real WebSocket, a slash_commands envelope, the acknowledgement and answer."""

from __future__ import annotations

import json
import signal
from pathlib import Path
from urllib.parse import parse_qsl

from tests.support.app_process import AppProcess, clean_env
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
        slack_emulator.wait_for_socket(timeout=20)
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
