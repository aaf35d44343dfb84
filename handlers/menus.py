"""Type-ahead menus: Slack's block_suggestion requests (as the user types in an
external_select) answered with options from bot.menus. Same in Socket Mode and HTTP mode;
over HTTP, Bolt verifies the signature first, like every other request."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.deps import Deps
from bot.menus import MENU_ACTIONS, menu_options


def answer_options(deps: Deps, ack: Ack, payload: dict[str, Any]) -> None:
    typed = str(payload.get("value") or "")
    ack(options=menu_options(deps.store.db, deps.names, str(payload.get("action_id")), typed))


def register(app: App, deps: Deps) -> None:
    def on_options(ack: Ack, payload: dict[str, Any]) -> None:
        answer_options(deps, ack, payload)

    for action_id in MENU_ACTIONS:
        app.options(action_id)(on_options)
