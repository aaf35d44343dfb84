"""Slack's retries and replays of one event are answered once (issue 26, item 20): the real
app in HTTP mode, real signed requests, the Slack emulator, and a restart in between."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.handlers.http.test_http_mode import http_env
from tests.support.app_process import AppProcess, wait_until
from tests.support.slack_emulator import SlackEmulator
from tests.support.slack_requests import app_mention_event, event_body, signed_headers


@pytest.fixture()
def emu() -> Iterator[SlackEmulator]:
    with SlackEmulator() as emulator:
        yield emulator


def start(emu: SlackEmulator, db: Path, folder: Path) -> AppProcess:
    app = AppProcess(http_env(emu, db), folder)
    app.wait_for_http()
    return app


def send(app: AppProcess, body: str, **more_headers: str) -> int:
    answer = httpx.post(
        app.url + "/slack/events",
        content=body.encode(),
        headers={**signed_headers(body), **more_headers},
        timeout=10,
    )
    return answer.status_code


def replies_in_thread(emu: SlackEmulator, ts: str) -> list[str]:
    return [
        str(c.args.get("text")) for c in emu.calls_to("chat.postMessage") if c.args.get("thread_ts") == ts
    ]


def test_the_same_mention_sent_three_times_and_after_a_restart_gets_one_reply(
    emu: SlackEmulator, tmp_path: Path
) -> None:
    db = tmp_path / "reviewwatch.db"
    mention = app_mention_event("holdouts", ts="1780000000.000100", event_ts="1780000000.000100")
    body = event_body(mention, event_id="Ev0RETRY0001")
    app = start(emu, db, tmp_path)
    try:
        assert send(app, body) == 200
        wait_until(lambda: replies_in_thread(emu, "1780000000.000100"), what="the first reply")
        # Slack's retry of the same event, and a replay of the very same signed request.
        assert send(app, body, **{"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}) == 200
        assert send(app, body) == 200
    finally:
        app.stop()
    app = start(emu, db, tmp_path)
    try:
        assert send(app, body, **{"X-Slack-Retry-Num": "2", "X-Slack-Retry-Reason": "http_timeout"}) == 200
        # A new event after them is answered: when its reply is in, the duplicates had their chance.
        other = app_mention_event("holdouts", ts="1780000000.000200", event_ts="1780000000.000200")
        assert send(app, event_body(other, event_id="Ev0RETRY0002")) == 200
        wait_until(lambda: replies_in_thread(emu, "1780000000.000200"), what="the new event's reply")
    finally:
        app.stop()

    [reply] = replies_in_thread(emu, "1780000000.000100")
    assert "Meta" in reply
    assert app.logs.count("slack event Ev0RETRY0001 already taken (retry 2)") == 1
