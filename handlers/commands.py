"""Slash commands: /holdouts, /deadlines, /aireview <subcommand>. Thin: parse, call bot/, answer."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.deps import Deps
from bot.read.commands import run_aireview, run_deadlines, run_holdouts
from bot.replies import CommandRequest, CommandRun, Reply
from handlers.errors import user_message
from storage.tracker import TrackerError

log = logging.getLogger(__name__)

COMMAND_HOLDOUTS = "/holdouts"
COMMAND_DEADLINES = "/deadlines"
COMMAND_AIREVIEW = "/aireview"
COMMANDS = (COMMAND_HOLDOUTS, COMMAND_DEADLINES, COMMAND_AIREVIEW)


def _request(command: dict[str, Any], client: WebClient, respond: Respond) -> CommandRequest:
    return CommandRequest(
        text=(command.get("text") or "").strip(),
        user_id=command.get("user_id", ""),
        channel_id=command.get("channel_id"),
        trigger_id=command.get("trigger_id"),
        slack_client=client,
        respond=respond,
    )


def send_reply(respond: Respond, reply: Reply | None) -> None:
    if reply is None:
        return
    respond(
        text=reply.text,
        blocks=reply.blocks or None,
        response_type="in_channel" if reply.in_channel else "ephemeral",
    )


def answer(deps: Deps, run: CommandRun, request: CommandRequest, respond: Respond) -> None:
    """Run a command and respond; the one place errors become a message the user sees."""
    try:
        reply = run(deps, request)
    except TrackerError as exc:  # a refusal worded for users
        reply = Reply(text=str(exc))
    except Exception as exc:
        log.exception("command failed: %r", request.text)
        reply = Reply(text=user_message(exc))
    send_reply(respond, reply)


def register(app: App, deps: Deps) -> None:
    runs: dict[str, CommandRun] = {
        COMMAND_HOLDOUTS: run_holdouts,
        COMMAND_DEADLINES: run_deadlines,
        COMMAND_AIREVIEW: run_aireview,
    }

    def on_command(ack: Ack, command: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()  # within Slack's 3 seconds; the answer follows through response_url
        answer(deps, runs[command["command"]], _request(command, client, respond), respond)

    for name in COMMANDS:
        app.command(name)(on_command)
