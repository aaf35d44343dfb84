"""Type-ahead menus' options requests reach the real `python app.py` in both modes: over
HTTP (signed and verified at /slack/events, the manifest's options load URL) and over the
Socket Mode WebSocket (the options travel in the envelope's acknowledgement)."""

from __future__ import annotations

import signal
from pathlib import Path

import httpx

from bot import ids
from tests.support.app_process import AppProcess, clean_env, free_port
from tests.support.slack_emulator import SlackEmulator
from tests.support.slack_requests import (
    SIGNING_SECRET,
    block_suggestion_payload,
    interactive_body,
    signed_headers,
)

BOT_TOKEN = "xoxb-menus-test-token"
APP_TOKEN = "xapp-1-A0APPID-menus-test-token"
TYPO = "Antropic"  # the seed's Anthropic, misspelt


def test_http_mode_answers_a_signed_options_request_and_refuses_an_unsigned_one(
    slack_emulator: SlackEmulator, tmp_path: Path
) -> None:
    env = clean_env(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=slack_emulator.api_url,
        REVIEWWATCH_DB=str(tmp_path / "reviewwatch.db"),
        PORT=str(free_port()),
    )
    app = AppProcess(env, tmp_path)
    try:
        app.wait_for_http()
        body = interactive_body(
            block_suggestion_payload(ids.ACTION_MENU_DEVELOPER, ids.BLOCK_DEVELOPER, TYPO)
        )
        url = app.url + "/slack/events"

        answer = httpx.post(url, content=body.encode(), headers=signed_headers(body), timeout=10)
        unsigned = httpx.post(
            url, content=body.encode(), headers={"content-type": "application/x-www-form-urlencoded"}
        )

        assert answer.status_code == 200
        options = answer.json()["options"]
        assert options[0] == {
            "text": {"type": "plain_text", "text": "Anthropic", "emoji": True},
            "value": "anthropic",
        }
        assert unsigned.status_code == 401 and "options" not in unsigned.text
    finally:
        app.stop()


def test_socket_mode_answers_an_options_request_in_the_acknowledgement(
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
        payload = block_suggestion_payload(ids.ACTION_MENU_DEVELOPER, ids.BLOCK_DEVELOPER, TYPO)

        envelope_id = slack_emulator.send_envelope("interactive", payload)

        ack = slack_emulator.wait_for_ack(envelope_id)
        assert [o["value"] for o in ack["payload"]["options"]][:1] == ["anthropic"]
        assert app.stop(signal.SIGTERM) == 0, app.logs
    finally:
        app.kill()
