"""`python app.py` serves the Teams bot at /api/messages on its HTTP port in HTTP mode, and
on the health port in Socket Mode, only when the bot's settings are set."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.app_process import AppProcess, clean_env, free_port, run_main
from tests.support.slack_emulator import SlackEmulator
from tests.support.slack_requests import SIGNING_SECRET
from tests.support.teams_connector import TeamsConnector, message_activity

BOT_TOKEN = "xoxb-teams-bot-mode-token"


@pytest.fixture(scope="module")
def emu() -> Iterator[SlackEmulator]:
    with SlackEmulator() as emulator:
        yield emulator


@pytest.fixture(scope="module")
def connector() -> Iterator[TeamsConnector]:
    with TeamsConnector() as server:
        yield server


def test_http_mode_answers_a_signed_activity_and_refuses_a_forged_one(
    emu: SlackEmulator, connector: TeamsConnector, tmp_path: Path
) -> None:
    env = clean_env(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=emu.api_url,
        REVIEWWATCH_DB=str(tmp_path / "reviewwatch.db"),
        PORT=str(free_port()),
        **connector.settings_env(),
    )
    app = AppProcess(env, tmp_path)
    try:
        app.wait_for_http()
        activity = message_activity(connector, "deadlines 30", conversation_type="channel", mention_bot=True)
        forged = httpx.post(f"{app.url}/api/messages", json=activity, timeout=30)
        assert forged.status_code == 401
        assert connector.sent() == []
        signed = httpx.post(
            f"{app.url}/api/messages",
            json=activity,
            headers={"Authorization": f"Bearer {connector.inbound_token()}"},
            timeout=30,
        )
        assert signed.status_code == 200
        assert [s.kind for s in connector.sent() if s.kind == "message"] == ["message"]
        assert app.stop() == 0
        assert "POST /api/messages: the Teams bot" in app.logs
        assert connector.settings_env()["REVIEWWATCH_TEAMS_APP_PASSWORD"] not in app.logs
    finally:
        app.stop()
        connector.clear()


def test_without_the_bot_settings_there_is_no_endpoint(emu: SlackEmulator, tmp_path: Path) -> None:
    env = clean_env(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=emu.api_url,
        REVIEWWATCH_DB=str(tmp_path / "reviewwatch.db"),
        PORT=str(free_port()),
    )
    app = AppProcess(env, tmp_path)
    try:
        app.wait_for_http()
        assert httpx.post(f"{app.url}/api/messages", json={}, timeout=10).status_code == 404
    finally:
        app.stop()


def test_socket_mode_serves_the_bot_on_the_health_port(
    emu: SlackEmulator, connector: TeamsConnector, tmp_path: Path
) -> None:
    health_port = free_port()
    env = clean_env(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_APP_TOKEN="xapp-1-A0APPID-teams-bot-socket-token",
        SLACK_API_URL=emu.api_url,
        REVIEWWATCH_DB=str(tmp_path / "reviewwatch.db"),
        REVIEWWATCH_HEALTH_PORT=str(health_port),
        **connector.settings_env(),
    )
    app = AppProcess(env, tmp_path)
    app.port = health_port
    try:
        app.wait_for_http()
        activity = message_activity(connector, "holdouts")
        token = connector.inbound_token()
        assert httpx.post(f"{app.url}/api/messages", json=activity, timeout=30).status_code == 401
        answered = httpx.post(
            f"{app.url}/api/messages", json=activity, headers={"Authorization": f"Bearer {token}"}, timeout=30
        )
        assert answered.status_code == 200
        assert "Meta" in str(connector.sent("message")[0].cards)
    finally:
        app.stop()
        connector.clear()


def test_socket_mode_without_a_health_port_says_where_the_bot_would_listen(
    emu: SlackEmulator, connector: TeamsConnector, tmp_path: Path
) -> None:
    env = clean_env(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_APP_TOKEN="xapp-1-A0APPID-teams-bot-socket-token",
        SLACK_API_URL=emu.api_url,
        REVIEWWATCH_DB=str(tmp_path / "reviewwatch.db"),
        **connector.settings_env(),
    )
    done = run_main([], env, tmp_path)
    assert done.returncode != 0
    assert "set REVIEWWATCH_HEALTH_PORT" in done.stdout + done.stderr
