"""Publishing a person's App Home (on opening it, and after they change the tracker)."""

from __future__ import annotations

from slack_sdk import WebClient

from bot.deps import Deps
from bot.read import home_view
from handlers.directory import SlackDirectory


def publish_home(deps: Deps, client: WebClient, user_id: str) -> None:
    client.views_publish(user_id=user_id, view=home_view(deps, user_id, SlackDirectory(client)))
