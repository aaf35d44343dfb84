"""Alert listeners: the subscribe form's submission and the Acknowledge button.

The `/aireview subscribe|unsubscribe|alerts` subcommands are registered here too (the
/aireview dispatcher in handlers/commands.py runs them).
"""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot import ids
from bot.alerts.commands import (
    acknowledge_alert,
    alert_problems_home_section,
    announce_subscription,
    save_subscription_form,
)
from bot.deps import Deps
from bot.read.home import add_home_section


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
    errors, saved = save_subscription_form(deps, user_id, channel_id, view["state"]["values"], client)
    if errors:
        ack(response_action="errors", errors=errors)
        return
    ack()
    assert saved is not None
    announce_subscription(deps, client, channel_id, saved, user_id)


def on_acknowledge(
    deps: Deps, ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient
) -> None:
    ack()
    acknowledge_alert(
        deps,
        client,
        key=action.get("value") or "",
        user_id=body["user"]["id"],
        channel_id=(body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id"),
        message=body.get("message"),
    )


def register(app: App, deps: Deps) -> None:
    add_home_section(deps, alert_problems_home_section)

    def on_submit(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        on_subscribe_submit(deps, ack, body, view, client)

    def on_ack(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        on_acknowledge(deps, ack, body, action, client)

    app.view(ids.VIEW_SUBSCRIBE)(on_submit)
    app.action(ids.ACTION_ALERT_ACKNOWLEDGE)(on_ack)
