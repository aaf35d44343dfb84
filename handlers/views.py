"""Admin form submissions (view_submission). Thin: bot.admin.edits checks, validates and
saves; this acks and makes the Slack calls.

A refusal or a validation problem answers inline (`response_action: "errors"` on the
field); a picker answers with the next form (`response_action: "update"`). After a save
the modal closes, and the admin gets a confirmation (in the channel they started from,
else by DM) and a refreshed App Home.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot import ids
from bot.deps import Deps
from handlers.directory import SlackDirectory
from handlers.home import publish_home

if TYPE_CHECKING:
    from bot.admin.saving import Saved

log = logging.getLogger(__name__)


def confirm_saved(deps: Deps, client: WebClient, user_id: str, saved: Saved) -> None:
    from bot.admin import edits

    reply = edits.confirmation(saved)
    sent = False
    if saved.channel:
        try:
            client.chat_postEphemeral(
                channel=saved.channel, user=user_id, text=reply.text, blocks=reply.blocks
            )
            sent = True
        except SlackApiError as exc:  # e.g. the bot is not in that channel: fall back to a DM
            log.info("ephemeral confirmation in %s failed (%s); sending a DM", saved.channel, exc)
    if not sent:
        try:
            client.chat_postMessage(channel=user_id, text=reply.text, blocks=reply.blocks)
        except (SlackApiError, SlackClientError):
            log.exception("could not confirm a saved change to %s", user_id)
    try:
        publish_home(deps, client, user_id)
    except (SlackApiError, SlackClientError):
        log.exception("could not refresh the App Home of %s", user_id)


def on_admin_submission(deps: Deps, ack: Ack, body: dict[str, Any], client: WebClient) -> None:
    from bot.admin import edits  # loaded at the first submission

    view = body["view"]
    user_id = body["user"]["id"]
    outcome = edits.submit(deps, SlackDirectory(client), view["callback_id"], user_id, view)
    if outcome.errors:
        ack(response_action="errors", errors=outcome.errors)
        return
    if outcome.view is not None:
        ack(response_action="update", view=outcome.view)
        return
    ack()
    if outcome.saved is not None:
        confirm_saved(deps, client, user_id, outcome.saved)


def register(app: App, deps: Deps) -> None:
    def on_submission(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        on_admin_submission(deps, ack, body, client)

    for callback_id in ids.ADMIN_FORM_MAIN_BLOCK:
        app.view(callback_id)(on_submission)
