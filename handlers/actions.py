"""Admin buttons (App Home, `/aireview admin`, alert and news messages) open the forms.

A button's action_id is one of ids.ACTION_ADMIN_*, optionally followed by `:anything`
(so one surface can show several), and its value may name the record to open.
"""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot import ids
from bot.deps import Deps
from handlers.directory import SlackDirectory


def on_admin_button(
    deps: Deps, ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient
) -> None:
    from bot.admin import opening  # the forms load when an admin first opens one

    ack()
    view = opening.form_for_action(
        deps,
        SlackDirectory(client),
        user_id=body["user"]["id"],
        action=action["action_id"].split(":", 1)[0],
        value=action.get("value") or None,
        channel=(body.get("channel") or {}).get("id"),
    )
    client.views_open(trigger_id=body["trigger_id"], view=view)


def on_status_developer_chosen(
    deps: Deps, ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient
) -> None:
    from bot.admin import opening

    ack()
    chosen = (action.get("selected_option") or {}).get("value")
    view = body.get("view")
    if not chosen or not view:
        return
    form = opening.reloaded_status_form(deps, SlackDirectory(client), body["user"]["id"], view, chosen)
    if form is not None:
        client.views_update(view_id=view["id"], hash=view.get("hash"), view=form)


def register(app: App, deps: Deps) -> None:
    def on_button(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        on_admin_button(deps, ack, body, action, client)

    def on_developer(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        on_status_developer_chosen(deps, ack, body, action, client)

    for action_id in ids.ADMIN_FORM_ACTIONS:
        app.action(re.compile(rf"^{re.escape(action_id)}(:.*)?$"))(on_button)
    app.action(ids.ACTION_FORM_DEVELOPER_PICK)(on_developer)
