"""Events: app_home_opened publishes the viewer's App Home; an @mention (app_mention) or a
direct message (message.im) is a question, answered in a thread under it or in the DM.

Each event is handled once: Slack's retries (`X-Slack-Retry-Num`) and replays of a signed
request carry the same `event_id`, and a delivery whose id was taken already is acknowledged
and dropped (storage/slack_events.py remembers the ids, across restarts)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk import WebClient

from bot.deps import Deps
from bot.read import answer_message, message_command_text
from bot.replies import CommandRequest, split_command
from handlers.commands import MessageSink, answer
from handlers.directory import SlackDirectory
from handlers.home import publish_home
from storage.slack_events import take_event

log = logging.getLogger(__name__)


def is_question(event: dict[str, Any]) -> bool:
    """A person's new message: not a bot's (ours included), not an edit, deletion or other
    subtype (joins, file shares, thread broadcasts)."""
    return bool(event.get("user")) and not (
        event.get("bot_id") or event.get("subtype") or event.get("edited")
    )


def answer_in_conversation(
    deps: Deps, event: dict[str, Any], client: WebClient, thread_ts: str | None
) -> None:
    request = CommandRequest(
        text=message_command_text(str(event.get("text") or "")),
        user_id=str(event["user"]),
        channel_id=event.get("channel"),
        directory=SlackDirectory(client),
        asked_in_message=True,
        thread_ts=thread_ts,
    )
    sink = MessageSink(client, str(event["channel"]), thread_ts)
    answer(deps, answer_message, request, sink, client, slow=deps.is_slow(*split_command(request.text)))


def once_per_event(deps: Deps) -> Callable[..., BoltResponse | None]:
    """Bolt global middleware: an Events API delivery whose event_id was taken already is
    acknowledged (200, so Slack stops retrying) and goes no further."""

    def take_once(
        body: dict[str, Any], request: BoltRequest, next: Callable[[], None]
    ) -> BoltResponse | None:
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if not isinstance(event_id, str) or not event_id:
            next()
            return None
        # Given back at once: in Socket Mode this thread is the socket client's, which no
        # listener wrapper releases (the listeners themselves run on Bolt's own pool).
        taken = deps.store.releasing(lambda: take_event(deps.store.db, str(event_id), deps.clock.now()))()
        if taken:
            next()
            return None
        retry = (request.headers.get("x-slack-retry-num") or ["-"])[0] if request is not None else "-"
        log.info("slack event %s already taken (retry %s): acknowledged, not answered again", event_id, retry)
        return BoltResponse(status=200, body="")

    return take_once


def register(app: App, deps: Deps) -> None:
    app.use(once_per_event(deps))

    def on_app_home_opened(event: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") != "home":  # the Messages tab needs no view
            return
        publish_home(deps, client, event["user"])

    def on_app_mention(event: dict[str, Any], client: WebClient) -> None:
        # A mention inside our DM also arrives as message.im, which answers it there.
        if not is_question(event) or str(event.get("channel", "")).startswith("D"):
            return
        answer_in_conversation(deps, event, client, thread_ts=event.get("thread_ts") or event.get("ts"))

    def on_message(event: dict[str, Any], client: WebClient) -> None:
        if event.get("channel_type") != "im" or not is_question(event):
            return
        answer_in_conversation(deps, event, client, thread_ts=event.get("thread_ts"))

    app.event("app_home_opened")(on_app_home_opened)
    app.event("app_mention")(on_app_mention)
    app.event("message")(on_message)
