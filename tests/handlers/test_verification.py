"""Unverified Slack requests through Bolt's dispatch, as the app builds it: 401 and nothing else.

Before the strict check, a timestamp that is not a whole number made slack_sdk's verifier
raise inside Bolt; Bolt then ran the app's error handler, which posted an apology to the
`response_url` of the unverified body (anyone could make the app POST anywhere).
"""

from __future__ import annotations

import logging
import time

import pytest
from slack_bolt import App, BoltRequest
from slack_sdk import WebClient

from bot import ids
from bot.deps import Deps
from handlers import build_app
from handlers.verification import StrictRequestVerification, verification_problem
from tests.conftest import BOT_TOKEN
from tests.support.admin_forms import InlineExecutor
from tests.support.slack_emulator import SlackEmulator
from tests.support.slack_requests import (
    SIGNING_SECRET,
    block_actions_payload,
    command_answer,
    interactive_body,
    signed_headers,
    slash_command_body,
)

BAD_TIMESTAMPS = ["abc", "1e9", "0x10", "1.5", "", " 1", "1_0", "١٢٣", "-5", "99999999999999999999"]
MARKER = "attacker-text-7f3a"


@pytest.fixture
def inline_app(deps: Deps, slack_emulator: SlackEmulator) -> App:
    """The app as built for HTTP mode, with listeners run inline so nothing can run later."""
    client = WebClient(token=BOT_TOKEN, base_url=slack_emulator.api_url)
    return build_app(deps, client=client, listener_executor=InlineExecutor())


def _history(deps: Deps) -> int:
    return next(iter(deps.store.db.query("SELECT count(*) AS n FROM history")))["n"]


def _problem_headers(problem: str, body: str) -> tuple[str, dict[str, str]]:
    headers = signed_headers(body)
    if problem.startswith("timestamp="):
        headers["x-slack-request-timestamp"] = problem.removeprefix("timestamp=")
    elif problem == "no timestamp":
        del headers["x-slack-request-timestamp"]
    elif problem == "no signature":
        del headers["x-slack-signature"]
    elif problem == "unsigned":
        headers = {"content-type": "application/x-www-form-urlencoded"}
    elif problem == "wrong signature":
        headers = signed_headers(body, secret="not-the-signing-secret")
    elif problem == "stale":
        headers = signed_headers(body, timestamp=int(time.time()) - 6 * 60)
    elif problem == "future":
        headers = signed_headers(body, timestamp=int(time.time()) + 6 * 60)
    elif problem == "tampered body":
        body = body.replace("U_PRESSER", "U_OTHER00")
    return body, headers


PROBLEMS = [f"timestamp={t}" for t in BAD_TIMESTAMPS] + [
    "no timestamp",
    "no signature",
    "unsigned",
    "wrong signature",
    "stale",
    "future",
    "tampered body",
]


@pytest.mark.parametrize("problem", PROBLEMS)
@pytest.mark.parametrize("kind", ["button", "command"])
def test_an_unverified_request_gets_401_and_causes_nothing(
    inline_app: App,
    deps: Deps,
    slack_emulator: SlackEmulator,
    caplog: pytest.LogCaptureFixture,
    problem: str,
    kind: str,
) -> None:
    sink = slack_emulator.response_url("sink")
    if kind == "button":
        payload = block_actions_payload(ids.ACTION_ALERT_ACKNOWLEDGE, MARKER, user_id="U_PRESSER")
        payload["response_url"] = sink
        body = interactive_body(payload)
    else:
        body = slash_command_body("/holdouts", MARKER, user_id="U_PRESSER", response_url=sink)
    body, headers = _problem_headers(problem, body)
    history_before = _history(deps)
    calls_before = len(slack_emulator.calls)  # building the app made its auth.test

    with caplog.at_level(logging.DEBUG):
        answer = inline_app.dispatch(BoltRequest(body=body, headers=headers))

    assert answer.status == 401
    assert slack_emulator.responses == []  # nothing reached the response_url sink
    assert slack_emulator.calls[calls_before:] == []  # no Web API call either
    assert _history(deps) == history_before
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 1, lines
    assert lines[0].startswith("slack request refused (401): ")
    assert MARKER not in lines[0] and "hooks" not in lines[0] and sink not in lines[0]


def test_a_signed_request_still_reaches_its_listener(bolt_app: App, slack_emulator: SlackEmulator) -> None:
    body = slash_command_body("/holdouts", response_url=slack_emulator.response_url("ok"))

    answer = bolt_app.dispatch(BoltRequest(body=body, headers=signed_headers(body)))

    assert answer.status == 200
    assert "Meta" in str(command_answer(answer, slack_emulator, "ok"))


def test_the_strict_check_runs_before_every_other_middleware(bolt_app: App) -> None:
    first = bolt_app._middleware_list[0]
    assert isinstance(first, StrictRequestVerification)
    assert not any(type(m).__name__ == "RequestVerification" for m in bolt_app._middleware_list)


def test_an_unsigned_url_verification_is_not_answered(bolt_app: App) -> None:
    body = '{"type": "url_verification", "challenge": "c-123", "token": "t"}'
    answer = bolt_app.dispatch(BoltRequest(body=body, headers={"content-type": "application/json"}))
    assert answer.status == 401
    assert "c-123" not in answer.body


@pytest.mark.parametrize(
    ("timestamp", "signature", "expected"),
    [
        (None, "v0=x", "no X-Slack-Request-Timestamp"),
        ("123", None, "no X-Slack-Signature"),
        ("1e9", "v0=x", "X-Slack-Request-Timestamp is not a whole number of seconds"),
        ("1000", "v0=x", "X-Slack-Request-Timestamp is more than five minutes from now"),
        ("1700000000", "v0=x", "wrong signature"),
        ("1700000000", "v0=\udcff", "wrong signature"),
    ],
)
def test_verification_problems_are_named_in_our_words(
    timestamp: str | None, signature: str | None, expected: str
) -> None:
    assert verification_problem(SIGNING_SECRET, b"body", timestamp, signature, 1700000100.0) == expected


def test_a_good_signature_passes() -> None:
    headers = signed_headers("a=1", timestamp=1700000000)
    timestamp, signature = headers["x-slack-request-timestamp"], headers["x-slack-signature"]
    problem = verification_problem(SIGNING_SECRET, b"a=1", timestamp, signature, 1700000100.0)
    assert problem is None
