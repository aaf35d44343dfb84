"""Events: app_home_opened publishes the viewer's App Home dashboard."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.deps import Deps
from handlers.home import publish_home

log = logging.getLogger(__name__)


def register(app: App, deps: Deps) -> None:
    def on_app_home_opened(event: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") != "home":  # the Messages tab needs no view
            return
        publish_home(deps, client, event["user"])

    app.event("app_home_opened")(on_app_home_opened)
