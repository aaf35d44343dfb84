"""`python app.py` in HTTP mode, as a real subprocess on waitress, against the Slack emulator."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from storage.db import open_store
from tests.support.app_process import AppProcess, clean_env, free_port, wait_until
from tests.support.slack_emulator import SlackEmulator
from tests.support.slack_requests import (
    SIGNING_SECRET,
    command_answer,
    fixture_path,
    signed_headers,
    slash_command_body,
)

BOT_TOKEN = "xoxb-http-mode-test-token"
CALENDAR_TOKEN = "calendar-feed-token-0123456789"


def http_env(emu: SlackEmulator, db: Path, **extra: str) -> dict[str, str]:
    return clean_env(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=emu.api_url,
        REVIEWWATCH_DB=str(db),
        PORT=str(free_port()),
        REVIEWWATCH_ADMINS="UADMIN0001",
        **extra,
    )


@pytest.fixture(scope="module")
def emu() -> Iterator[SlackEmulator]:
    with SlackEmulator() as emulator:
        yield emulator


@pytest.fixture(scope="module")
def running(emu: SlackEmulator, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppProcess]:
    folder = tmp_path_factory.mktemp("http-mode")
    env = http_env(emu, folder / "reviewwatch.db", REVIEWWATCH_CALENDAR_TOKEN=CALENDAR_TOKEN)
    app = AppProcess(env, folder)
    try:
        app.wait_for_http()
        yield app
    finally:
        app.stop()


def post_events(app: AppProcess, body: str, headers: dict[str, str]) -> httpx.Response:
    return httpx.post(app.url + "/slack/events", content=body.encode(), headers=headers, timeout=10)


def history_rows(app: AppProcess) -> int:
    store = open_store(app.cwd / "reviewwatch.db")
    try:
        return next(iter(store.db.query("SELECT count(*) AS n FROM history")))["n"]
    finally:
        store.close()


def test_a_signed_holdouts_command_over_http_gets_its_answer(running: AppProcess, emu: SlackEmulator) -> None:
    body = slash_command_body("/holdouts", response_url=emu.response_url("holdouts"))

    answer = post_events(running, body, signed_headers(body))

    assert answer.status_code == 200
    reply = command_answer(answer, emu, "holdouts")
    shown = json.dumps(reply)
    assert "Meta" in shown
    assert "OpenAI" not in reply.get("text", "")  # signed developers are not holdouts


@pytest.mark.parametrize(
    "problem", ["unsigned", "wrong signature", "timestamp six minutes old", "tampered body"]
)
def test_a_request_that_is_not_from_slack_gets_401_and_changes_nothing(
    running: AppProcess, emu: SlackEmulator, problem: str
) -> None:
    name = "bad-" + problem.replace(" ", "-")
    body = slash_command_body("/holdouts", "share", response_url=emu.response_url(name))
    headers = signed_headers(body)
    if problem == "unsigned":
        headers = {"content-type": "application/x-www-form-urlencoded"}
    elif problem == "wrong signature":
        headers = signed_headers(body, secret="not-the-signing-secret")
    elif problem == "timestamp six minutes old":
        headers = signed_headers(body, timestamp=int(time.time()) - 6 * 60)
    else:
        body = body.replace("share", "sh4re")  # signed one body, sent another
    calls_before, history_before = len(emu.calls), history_rows(running)

    answer = post_events(running, body, headers)

    assert answer.status_code == 401
    # A signed request sent afterwards is answered, so the bad one had its chance to act.
    good = slash_command_body("/holdouts", response_url=emu.response_url(name + "-after"))
    after = post_events(running, good, signed_headers(good))
    assert after.status_code == 200
    assert "Meta" in json.dumps(command_answer(after, emu, name + "-after"))
    assert [n for n, _ in emu.responses if n == name] == []
    assert [c.method for c in emu.calls[calls_before:]] in ([], ["auth.test"])
    assert history_rows(running) == history_before


def test_url_verification_echoes_the_challenge(running: AppProcess) -> None:
    payload = json.loads(fixture_path("url_verification.slack-docs.json").read_text())
    body = json.dumps(payload)

    answer = post_events(running, body, signed_headers(body, content_type="application/json"))

    assert answer.status_code == 200
    assert answer.json() == {"challenge": payload["challenge"]}


def test_unknown_paths_and_methods_are_refused(running: AppProcess) -> None:
    assert httpx.get(running.url + "/nope").status_code == 404
    assert httpx.get(running.url + "/slack/events").status_code == 405


def test_healthz_reports_database_scheduler_and_last_sweep(running: AppProcess) -> None:
    answer = wait_until(
        lambda: (r := httpx.get(running.url + "/healthz")).json().get("last_sweep") and r,
        what="the start-up sweep to be recorded",
    )
    assert isinstance(answer, httpx.Response)

    report = answer.json()
    assert answer.status_code == 200, report
    assert report["status"] == "ok"
    assert report["database"]["ok"] is True
    assert report["scheduler"]["running"] is True
    assert report["mode"] == "http"
    assert report["last_sweep"]
    assert report["scheduler"]["stale"] is False and report["scheduler"]["stale_limit_seconds"] == 600


def test_healthz_reports_how_long_ago_slack_last_sent_a_request(
    running: AppProcess, emu: SlackEmulator
) -> None:
    body = slash_command_body("/holdouts", response_url=emu.response_url("contact"))
    assert post_events(running, body, signed_headers(body)).status_code == 200
    report = httpx.get(running.url + "/healthz").json()
    assert report["slack"]["seconds_since_contact"] < 5
    assert report["slack"]["silence_limit_seconds"] is None  # HTTP mode: Slack calls only when people act


def test_the_calendar_feed_is_served_with_its_token(running: AppProcess) -> None:
    feed = httpx.get(running.url + "/calendar.ics", params={"token": CALENDAR_TOKEN})
    wrong = httpx.get(running.url + "/calendar.ics", params={"token": "guess"})

    assert feed.status_code == 200
    assert feed.headers["content-type"].startswith("text/calendar")
    assert "BEGIN:VCALENDAR" in feed.text
    assert wrong.status_code == 404


def test_logs_have_one_line_per_request_and_no_secrets(running: AppProcess) -> None:
    httpx.get(running.url + "/healthz", headers={"X-Request-Id": "probe-42"})

    logs = wait_until(lambda: "probe-42" in running.logs and running.logs, what="the request log")
    assert isinstance(logs, str)
    assert re.search(r" INFO reviewwatch\.http: GET /healthz 200 \d+ms request_id=probe-42$", logs, re.M)
    assert re.search(r" INFO reviewwatch\.run: slack slash_command /holdouts user=\w+ request_id=", logs)
    for secret in (BOT_TOKEN, SIGNING_SECRET, CALENDAR_TOKEN):
        assert secret not in logs


def test_healthz_is_503_when_the_database_is_gone(emu: SlackEmulator, tmp_path: Path) -> None:
    db = tmp_path / "reviewwatch.db"
    app = AppProcess(http_env(emu, db), tmp_path)
    try:
        app.wait_for_http()
        for path in tmp_path.glob("reviewwatch.db*"):
            path.unlink()

        answer = httpx.get(app.url + "/healthz")

        assert answer.status_code == 503
        assert answer.json()["database"]["ok"] is False
        assert "reviewwatch.db" in answer.json()["database"]["error"]
    finally:
        assert app.stop() == 0
