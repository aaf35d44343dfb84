"""The slash commands Bolt handles are exactly those manifest.yml declares."""

from __future__ import annotations

from slack_bolt import App

from tests.support.slack_emulator import SlackEmulator
from tests.support.slack_requests import command_answer, dispatch_command
from tests.test_manifest import manifest_commands


def test_every_manifest_command_is_handled(bolt_app: App, slack_emulator: SlackEmulator) -> None:
    for n, command in enumerate(sorted(manifest_commands())):
        name = f"manifest{n}"
        response = dispatch_command(bolt_app, command, "help", response_url=slack_emulator.response_url(name))
        assert response.status == 200, command
        assert command_answer(response, slack_emulator, name)["text"]


def test_an_undeclared_command_is_not_handled(bolt_app: App, slack_emulator: SlackEmulator) -> None:
    response = dispatch_command(bolt_app, "/nope", "", response_url=slack_emulator.response_url("nope"))
    assert response.status == 404
    assert slack_emulator.responses == []


def test_registered_commands_match_the_manifest() -> None:
    from bot.read import SLASH_COMMANDS

    assert {f"/{c.name}" for c in SLASH_COMMANDS} == manifest_commands()
