"""News watch on Slack: the "Update tracker" button
on news alerts. Thin: the work is in bot/news/watch.py and bot/admin/opening.py."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.deps import Deps
from bot.ids import ACTION_NEWS_ADD_EVENT, ACTION_NEWS_UPDATE_TRACKER
from handlers.directory import SlackDirectory

log = logging.getLogger(__name__)


def update_tracker_from_news(deps: Deps, body: dict[str, Any], client: WebClient) -> None:
    """Open the status form prefilled from the item (non-admins are shown why they cannot)."""
    from bot.admin.opening import news_status_form_view, status_form_view  # loaded on first use

    action = (body.get("actions") or [{}])[0]
    value = str(action.get("value") or "")
    channel = (body.get("channel") or {}).get("id")
    directory = SlackDirectory(client)
    user_id = body["user"]["id"]
    if value.isdigit():
        view = news_status_form_view(deps, directory, int(value), user_id=user_id, channel=channel)
    else:
        view = status_form_view(deps, directory, None, channel=channel, user_id=user_id)
    client.views_open(trigger_id=body["trigger_id"], view=view)


def add_event_from_news(deps: Deps, body: dict[str, Any], client: WebClient) -> None:
    """Open the event form prefilled from the item ("add as an event")."""
    from bot.admin.opening import news_event_form_view

    action = (body.get("actions") or [{}])[0]
    value = str(action.get("value") or "")
    if not value.isdigit():
        return
    view = news_event_form_view(
        deps,
        SlackDirectory(client),
        int(value),
        user_id=body["user"]["id"],
        channel=(body.get("channel") or {}).get("id"),
    )
    client.views_open(trigger_id=body["trigger_id"], view=view)


def register(app: App, deps: Deps) -> None:
    @app.action(ACTION_NEWS_UPDATE_TRACKER)
    def on_update_tracker(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        update_tracker_from_news(deps, body, client)

    @app.action(ACTION_NEWS_ADD_EVENT)
    def on_add_event(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        add_event_from_news(deps, body, client)
