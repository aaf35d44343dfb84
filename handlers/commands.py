"""Slash commands: /holdouts, /deadlines, /aireview <subcommand>. Thin: parse, call bot/, answer."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, Respond
from slack_sdk import WebClient

from bot.commands import CommandRequest, Reply
from bot.deps import Deps

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


def register(app: App, deps: Deps) -> None:
    # Filled in by the read-side work: each command acks first, then answers via respond.
    pass
