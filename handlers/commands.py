"""Slash commands: /holdouts, /deadlines, /aireview <subcommand>. Thin: parse, call bot/,
then make the Slack calls the reply asks for (respond, open a modal, upload a file)."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.deps import Deps
from bot.replies import CommandRequest, CommandRun, Reply
from handlers.directory import SlackDirectory
from handlers.errors import user_message
from handlers.exports import upload_file
from storage.tracker import TrackerError

log = logging.getLogger(__name__)


def _request(command: dict[str, Any], client: WebClient) -> CommandRequest:
    return CommandRequest(
        text=(command.get("text") or "").strip(),
        user_id=command.get("user_id", ""),
        channel_id=command.get("channel_id"),
        trigger_id=command.get("trigger_id"),
        directory=SlackDirectory(client),
    )


def send_reply(reply: Reply | None, respond: Respond, client: WebClient, request: CommandRequest) -> None:
    """Show `reply` to the person who asked: open its modal, upload its file, answer."""
    if reply is None:
        return
    if reply.modal is not None and request.trigger_id:
        client.views_open(trigger_id=request.trigger_id, view=reply.modal)
    if reply.upload is not None and request.channel_id:
        problem = upload_file(client, request.channel_id, reply.upload)
        if problem:
            reply = Reply(text=problem)
    if not reply.text and not reply.blocks:
        return  # the modal or the file is the answer
    respond(
        text=reply.text,
        blocks=reply.blocks or None,
        response_type="in_channel" if reply.in_channel else "ephemeral",
    )


def answer(deps: Deps, run: CommandRun, request: CommandRequest, respond: Respond, client: WebClient) -> None:
    """Run a command and answer; the one place errors become a message the user sees."""
    try:
        reply = run(deps, request)
    except TrackerError as exc:  # a refusal worded for users
        reply = Reply(text=str(exc))
    except Exception as exc:
        log.exception("command failed: %r", request.text)
        reply = Reply(text=user_message(exc))
    send_reply(reply, respond, client, request)


def register(app: App, deps: Deps) -> None:
    runs: dict[str, CommandRun] = {f"/{c.name}": c.run for c in deps.slash_commands}

    def on_command(ack: Ack, command: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()  # within Slack's 3 seconds; the answer follows through response_url
        answer(deps, runs[command["command"]], _request(command, client), respond, client)

    for name in runs:
        app.command(name)(on_command)
