"""News watch on Slack: the "Update tracker" button
on news alerts. Thin: the work is in bot/news/watch.py and bot/admin/edits.py."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.admin.edits import status_form_view
from bot.deps import Deps
from bot.ids import ACTION_NEWS_UPDATE_TRACKER
from handlers.directory import SlackDirectory
from storage.news import get_item

log = logging.getLogger(__name__)


def update_tracker_from_news(deps: Deps, body: dict[str, Any], client: WebClient) -> None:
    """Open the status form prefilled with the item's link as source and the developer it
    mentions (non-admins are shown why they cannot)."""
    action = (body.get("actions") or [{}])[0]
    value = str(action.get("value") or "")
    item = get_item(deps.store.db, int(value)) if value.isdigit() else None
    developer_id = item["developers"][0] if item and item["developers"] else None
    source = item["link"] if item and item["link"] else None
    if item and not source:
        source = f"{item.get('source') or 'News'}: {item['title']}"
    note = f"From the news: {item['title']}"[:2900] if item else None
    channel = (body.get("channel") or {}).get("id")
    view = status_form_view(
        deps,
        SlackDirectory(client),
        developer_id,
        source=source,
        note=note,
        channel=channel,
        user_id=body["user"]["id"],
    )
    client.views_open(trigger_id=body["trigger_id"], view=view)


def register(app: App, deps: Deps) -> None:
    @app.action(ACTION_NEWS_UPDATE_TRACKER)
    def on_update_tracker(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        update_tracker_from_news(deps, body, client)
