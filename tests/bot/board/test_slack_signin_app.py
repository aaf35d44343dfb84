"""Sign in with Slack through the real `python app.py` in HTTP mode, configured as an operator
would (SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and the Slack addresses in the environment, all
pointing at the Slack emulator on 127.0.0.1): the bot still answers a slash command with its
token, and a person signs in with Slack and reads a private developer page."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.support.app_process import AppProcess, clean_env, free_port
from tests.support.slack_emulator import (
    OPENID_AUTHORIZE_PATH,
    OPENID_CLIENT_ID,
    OPENID_CLIENT_SECRET,
    OPENID_KEYS_PATH,
    SlackEmulator,
)
from tests.support.slack_requests import SIGNING_SECRET, command_answer, signed_headers, slash_command_body


@pytest.fixture(scope="module")
def emu() -> Iterator[SlackEmulator]:
    with SlackEmulator() as emulator:
        yield emulator


@pytest.fixture(scope="module")
def running(emu: SlackEmulator, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppProcess]:
    folder: Path = tmp_path_factory.mktemp("board-slack-signin-app")
    port = free_port()
    env = clean_env(
        SLACK_BOT_TOKEN="xoxb-board-signin-test",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=emu.api_url,
        SLACK_CLIENT_ID=OPENID_CLIENT_ID,
        SLACK_CLIENT_SECRET=OPENID_CLIENT_SECRET,
        REVIEWWATCH_SLACK_OPENID_AUTHORIZE_URL=emu.base_url + OPENID_AUTHORIZE_PATH,
        REVIEWWATCH_SLACK_OPENID_KEYS_URL=emu.base_url + OPENID_KEYS_PATH,
        REVIEWWATCH_SLACK_OPENID_ISSUER=emu.base_url,
        REVIEWWATCH_PUBLIC_URL=f"http://127.0.0.1:{port}",
        REVIEWWATCH_DB=str(folder / "reviewwatch.db"),
        PORT=str(port),
    )
    app = AppProcess(env, folder)
    try:
        app.wait_for_http()
        yield app
    finally:
        app.stop()


def test_the_bot_answers_with_its_token_while_sign_in_with_slack_is_set(
    running: AppProcess, emu: SlackEmulator
) -> None:
    body = slash_command_body("/holdouts", response_url=emu.response_url("holdouts-signin"))

    answer = httpx.post(
        running.url + "/slack/events", content=body.encode(), headers=signed_headers(body), timeout=10
    )

    assert answer.status_code == 200
    assert "Meta" in json.dumps(command_answer(answer, emu, "holdouts-signin"))


def test_a_person_signs_in_with_slack_and_reads_a_private_page(
    running: AppProcess, emu: SlackEmulator
) -> None:
    with httpx.Client(timeout=10, follow_redirects=True) as client:
        asked = client.get(running.url + "/board/developers/meta")
        assert asked.status_code == 403 and "Sign in with Slack" in asked.text

        page = client.get(running.url + "/board/login", params={"next": "/board/developers/meta"})

    assert page.status_code == 200 and str(page.url) == running.url + "/board/developers/meta"
    assert "Meta" in page.text
    assert [r.status_code for r in page.history] == [302, 302, 303]
    assert emu.openid.authorize_requests[-1]["redirect_uri"] == running.url + "/board/login/callback"
    code = parse_qs(urlsplit(str(page.history[-1].url)).query)["code"][0]
    assert OPENID_CLIENT_SECRET not in running.logs and code not in running.logs
