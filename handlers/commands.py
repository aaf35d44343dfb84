"""Slash commands: /holdouts, /deadlines, /aireview <subcommand>. Thin: parse, call bot/,
then make the Slack calls the reply asks for (answer, open a modal, upload a file).

A quick command's answer goes back in the ack itself, which is what the user sees soonest
(Slack waits 3 seconds for it); if it is not ready within ACK_BUDGET seconds, the command
is acked empty then and answered through `response_url`. A command marked slow
(Subcommand.slow) is acked at once and shows "Working on it..." until its answer comes.
Replies that open a modal or upload a file are acked empty and then do so.
"""

from __future__ import annotations

import logging
import threading
from typing import Any, Protocol

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.deps import Deps
from bot.replies import WORKING_TEXT, CommandRequest, CommandRun, Reply
from handlers.directory import SlackDirectory
from handlers.errors import user_message
from handlers.exports import upload_file
from storage.tracker import TrackerError

log = logging.getLogger(__name__)

ACK_BUDGET = 2.0  # seconds: well inside Slack's 3, leaving room for the network


def _request(command: dict[str, Any], client: WebClient) -> CommandRequest:
    return CommandRequest(
        text=(command.get("text") or "").strip(),
        user_id=command.get("user_id", ""),
        channel_id=command.get("channel_id"),
        trigger_id=command.get("trigger_id"),
        directory=SlackDirectory(client),
        team_id=command.get("team_id"),
    )


class ReplySink(Protocol):
    """Where an answer goes: the slash command's response_url, or a message in a conversation."""

    placeholder: bool  # WORKING_TEXT is showing and the answer must replace it

    def working(self) -> None: ...

    def show(self, reply: Reply) -> None: ...


class ResponseUrlSink:
    """Answers through a slash command's response_url (Bolt's `respond`)."""

    def __init__(self, respond: Respond) -> None:
        self.respond = respond
        self.placeholder = False

    def working(self) -> None:
        self.respond(text=WORKING_TEXT, response_type="ephemeral")
        self.placeholder = True

    def show(self, reply: Reply) -> None:
        if self.placeholder and reply.in_channel:
            # An only-you message cannot become one for everyone: remove it, then post.
            self.respond(delete_original=True)
        elif self.placeholder:
            self.respond(text=reply.text, blocks=reply.blocks or None, replace_original=True)
            return
        self.respond(
            text=reply.text,
            blocks=reply.blocks or None,
            response_type="in_channel" if reply.in_channel else "ephemeral",
        )


class MessageSink:
    """Answers with a message in a conversation (a thread under a mention, or a DM)."""

    def __init__(self, client: WebClient, channel: str, thread_ts: str | None) -> None:
        self.client = client
        self.channel = channel
        self.thread_ts = thread_ts
        self.placeholder = False
        self._placeholder_ts: str | None = None

    def working(self) -> None:
        posted = self.client.chat_postMessage(
            channel=self.channel, thread_ts=self.thread_ts, text=WORKING_TEXT
        )
        self._placeholder_ts = posted.get("ts")
        self.placeholder = self._placeholder_ts is not None

    def show(self, reply: Reply) -> None:
        blocks = reply.blocks or None
        if self._placeholder_ts is not None:
            self.client.chat_update(
                channel=self.channel, ts=self._placeholder_ts, text=reply.text, blocks=blocks
            )
        else:
            self.client.chat_postMessage(
                channel=self.channel, thread_ts=self.thread_ts, text=reply.text, blocks=blocks
            )


def send_reply(reply: Reply | None, sink: ReplySink, client: WebClient, request: CommandRequest) -> None:
    """Show `reply` to the person who asked: open its modal, upload its file, answer."""
    if reply is None:
        return
    if reply.modal is not None and request.trigger_id:
        client.views_open(trigger_id=request.trigger_id, view=reply.modal)
    upload = reply.upload
    if upload is not None and request.channel_id:
        problem = upload_file(client, request.channel_id, upload, thread_ts=request.thread_ts)
        if problem:
            reply = Reply(text=problem)
        elif sink.placeholder and not reply.text:
            reply = Reply(text=f"Done: {upload.filename} is in this conversation.")
    if not reply.text and not reply.blocks:
        return  # the modal or the file is the answer
    sink.show(reply)


def compute_reply(deps: Deps, run: CommandRun, request: CommandRequest) -> Reply | None:
    """Run a command; the one place errors become a message the user sees."""
    try:
        return run(deps, request)
    except TrackerError as exc:  # a refusal worded for users
        return Reply(text=str(exc))
    except Exception as exc:
        log.exception("command failed: %r", request.text)
        return Reply(text=user_message(exc))


def answer(
    deps: Deps,
    run: CommandRun,
    request: CommandRequest,
    sink: ReplySink,
    client: WebClient,
    *,
    slow: bool = False,
) -> None:
    """Run a command and answer through `sink`.

    A slow command shows WORKING_TEXT first, which the answer (or the error) replaces."""
    if slow:
        sink.working()
    send_reply(compute_reply(deps, run, request), sink, client, request)


class AckGate:
    """Acks a command exactly once: with its answer if that comes within `budget` seconds,
    else empty when the budget runs out (from a timer thread) so Slack does not time out."""

    def __init__(self, ack: Ack, budget: float = ACK_BUDGET) -> None:
        self._ack = ack
        self._lock = threading.Lock()
        self._acked = False
        self._timer = threading.Timer(budget, self._ack_empty)
        self._timer.daemon = True
        self._timer.start()

    def _ack_empty(self) -> None:
        with self._lock:
            if not self._acked:
                self._acked = True
                self._ack()

    def answer(self, reply: Reply | None) -> bool:
        """Ack with `reply` if it is a plain message and the ack is still open (True); else
        make sure the command is acked, for the caller to answer otherwise (False)."""
        self._timer.cancel()
        with self._lock:
            if self._acked:
                return False
            self._acked = True
            plain = reply is not None and reply.modal is None and reply.upload is None
            if plain and reply is not None and (reply.text or reply.blocks):
                self._ack(
                    text=reply.text,
                    blocks=reply.blocks or None,
                    response_type="in_channel" if reply.in_channel else "ephemeral",
                )
                return True
            self._ack()
            return False


def register(app: App, deps: Deps) -> None:
    runs: dict[str, CommandRun] = {f"/{c.name}": c.run for c in deps.slash_commands}

    def on_command(ack: Ack, command: dict[str, Any], client: WebClient, respond: Respond) -> None:
        request = _request(command, client)
        run, sink = runs[command["command"]], ResponseUrlSink(respond)
        if deps.is_slow(command["command"].lstrip("/"), request.text):
            ack()  # within Slack's 3 seconds; "Working on it...", then the answer, follow
            answer(deps, run, request, sink, client, slow=True)
            return
        gate = AckGate(ack)
        reply = compute_reply(deps, run, request)
        if not gate.answer(reply):
            send_reply(reply, sink, client, request)

    for name in runs:
        app.command(name)(on_command)
