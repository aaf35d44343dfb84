"""The one error handler: a listener failure reaches the user as a clear private reply."""

from __future__ import annotations

from slack_sdk import WebClient

from bot import ids
from bot.deps import Deps
from handlers import build_app
from handlers.errors import DATABASE_DOWN, UNEXPECTED
from tests.conftest import BOT_TOKEN
from tests.support.admin_forms import InlineExecutor
from tests.support.slack_emulator import SlackEmulator
from tests.support.slack_requests import (
    block_actions_payload,
    command_answer,
    dispatch_command,
    dispatch_payload,
)


def _press_acknowledge(deps: Deps, slack_emulator: SlackEmulator) -> list[dict]:
    app = build_app(
        deps,
        client=WebClient(token=BOT_TOKEN, base_url=slack_emulator.api_url),
        listener_executor=InlineExecutor(),
    )
    payload = block_actions_payload(ids.ACTION_ALERT_ACKNOWLEDGE, "deadline|1|2026-07-31|7|slack:C1")
    payload["response_url"] = slack_emulator.response_url("ack")
    # (The HTTP status is not asserted: the inline executor runs the listener before Bolt
    # looks for the ack, which production's thread pool does not.)
    dispatch_payload(app, payload)
    return [body for name, body in slack_emulator.responses if name == "ack"]


def test_a_listener_that_cannot_reach_the_database_tells_the_user(
    deps: Deps, slack_emulator: SlackEmulator
) -> None:
    deps.store.close()  # the database goes away under a running app
    [reply] = _press_acknowledge(deps, slack_emulator)
    assert reply["text"] == DATABASE_DOWN
    assert reply["response_type"] == "ephemeral"


def test_an_unexpected_failure_is_reported_without_details(
    deps: Deps, slack_emulator: SlackEmulator, monkeypatch
) -> None:
    import storage.alerts

    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("internal detail")

    monkeypatch.setattr(storage.alerts, "acknowledge", broken)
    [reply] = _press_acknowledge(deps, slack_emulator)
    assert reply["text"] == UNEXPECTED
    assert "internal detail" not in reply["text"]


def test_a_command_that_cannot_reach_the_database_says_so_privately(
    deps: Deps, slack_emulator: SlackEmulator
) -> None:
    app = build_app(
        deps,
        client=WebClient(token=BOT_TOKEN, base_url=slack_emulator.api_url),
        listener_executor=InlineExecutor(),
    )
    deps.store.close()
    response = dispatch_command(app, "/holdouts", response_url=slack_emulator.response_url("cmd"))
    reply = command_answer(response, slack_emulator, "cmd")
    assert reply["text"] == DATABASE_DOWN and reply["response_type"] == "ephemeral"
