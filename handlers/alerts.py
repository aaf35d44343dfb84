"""Alert listeners: the subscribe form's submission, the Acknowledge button, an alert's
menu (Remind me, Mute this subject here), the mute form and the Unmute button.

The `/aireview subscribe|unsubscribe|alerts` subcommands are in bot/alerts/commands.py
and reach Slack through handlers/commands.py like every other command.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import ids
from bot.alerts.commands import (
    acknowledge_alert,
    alert_menu_choice,
    not_in_channel_text,
    save_mute_form,
    save_subscription_form,
    unmute,
)
from bot.alerts.overview import subscribed_message
from bot.deps import Deps
from handlers.directory import SlackDirectory

log = logging.getLogger(__name__)


def announce_subscription(client: WebClient, channel_id: str, sub: dict[str, Any], user_id: str) -> None:
    """Say in the channel that alerts are on; if the bot cannot post there, tell the admin why."""
    message = subscribed_message(channel_id, sub, user_id)
    try:
        client.chat_postMessage(channel=channel_id, text=message.text, blocks=message.blocks)
    except SlackApiError as exc:
        error = exc.response.get("error") or "error"
        log.warning("cannot post to %s after subscribing: %s", channel_id, error)
        try:
            client.chat_postMessage(channel=user_id, text=not_in_channel_text(channel_id, error))
        except SlackApiError:
            log.exception("cannot tell %s about %s", user_id, channel_id)


def on_subscribe_submit(
    deps: Deps, ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient
) -> None:
    user_id = body["user"]["id"]
    channel_id = json.loads(view.get("private_metadata") or "{}").get("channel_id")
    if not channel_id:
        ack(
            response_action="errors",
            errors={ids.BLOCK_SUBSCRIBE_KINDS: "This form lost its channel; run /aireview subscribe again."},
        )
        return
    errors, saved = save_subscription_form(
        deps, user_id, channel_id, view["state"]["values"], SlackDirectory(client)
    )
    if errors:
        ack(response_action="errors", errors=errors)
        return
    ack()
    assert saved is not None
    announce_subscription(client, channel_id, saved, user_id)


def on_acknowledge(
    deps: Deps, ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient
) -> None:
    ack()
    message = body.get("message")
    channel_id = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
    blocks = acknowledge_alert(
        deps, key=action.get("value") or "", user_id=body["user"]["id"], message=message
    )
    if blocks is None or not channel_id or not message:
        return
    client.chat_update(
        channel=channel_id, ts=message["ts"], text=message.get("text") or "Alert", blocks=blocks
    )


def _channel_of(body: dict[str, Any]) -> str | None:
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
    return str(channel) if channel else None


def tell(client: WebClient, body: dict[str, Any], text: str) -> None:
    """A private line to the person who clicked: ephemeral in the channel, else a DM."""
    user_id, channel = body["user"]["id"], _channel_of(body)
    try:
        if channel and not channel.startswith("D"):
            client.chat_postEphemeral(channel=channel, user=user_id, text=text)
            return
    except SlackApiError as exc:
        log.warning("cannot answer %s in %s: %s", user_id, channel, exc.response.get("error"))
    client.chat_postMessage(channel=user_id, text=text)


def on_alert_menu(
    deps: Deps, ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient
) -> None:
    """An alert's overflow menu: Remind me (saved, then confirmed) or Mute (opens the form)."""
    ack()
    value = (action.get("selected_option") or {}).get("value") or ""
    reply = alert_menu_choice(
        deps,
        value=value,
        user_id=body["user"]["id"],
        channel_id=_channel_of(body),
        directory=SlackDirectory(client),
    )
    if reply.modal is not None:
        client.views_open(trigger_id=body["trigger_id"], view=reply.modal)
    elif reply.text:
        tell(client, body, reply.text)


def on_mute_submit(
    deps: Deps, ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient
) -> None:
    user_id = body["user"]["id"]
    errors, confirmation = save_mute_form(
        deps,
        user_id=user_id,
        metadata=json.loads(view.get("private_metadata") or "{}"),
        values=view["state"]["values"],
        directory=SlackDirectory(client),
    )
    if errors:
        ack(response_action="errors", errors=errors)
        return
    ack()
    if confirmation:
        client.chat_postMessage(channel=user_id, text=confirmation)


def on_unmute(deps: Deps, ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
    ack()
    text = unmute(
        deps,
        mute_id=str(action.get("value") or ""),
        user_id=body["user"]["id"],
        channel_id=_channel_of(body),
        directory=SlackDirectory(client),
    )
    tell(client, body, text)


def register(app: App, deps: Deps) -> None:
    def on_submit(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        on_subscribe_submit(deps, ack, body, view, client)

    def on_ack(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        on_acknowledge(deps, ack, body, action, client)

    def on_menu(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        on_alert_menu(deps, ack, body, action, client)

    def on_mute(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        on_mute_submit(deps, ack, body, view, client)

    def on_unmute_click(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        on_unmute(deps, ack, body, action, client)

    app.view(ids.VIEW_SUBSCRIBE)(on_submit)
    app.action(ids.ACTION_ALERT_ACKNOWLEDGE)(on_ack)
    app.action(ids.ACTION_ALERT_MORE)(on_menu)
    app.view(ids.VIEW_MUTE)(on_mute)
    app.action(ids.ACTION_ALERT_UNMUTE)(on_unmute_click)
