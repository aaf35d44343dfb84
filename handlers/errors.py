"""The one error handler: whatever a listener failed to handle becomes a clear reply.

Listeners answer expected refusals themselves (inline modal errors, usage lines); this is
the safety net for the rest, so a user never sees only Slack's generic failure.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App

from bot.deps import Deps
from storage.db import DatabaseUnavailable
from storage.tracker import TrackerError

log = logging.getLogger(__name__)

DATABASE_DOWN = "Review Watch cannot reach its database right now; please try again shortly."
UNEXPECTED = "Sorry, something went wrong handling that. The error has been logged for the admins."


def user_message(error: Exception) -> str:
    if isinstance(error, TrackerError):
        return str(error)  # refusals are worded for users
    if isinstance(error, DatabaseUnavailable):
        return DATABASE_DOWN
    return UNEXPECTED


def register(app: App, deps: Deps) -> None:
    @app.error
    def on_error(error: Exception, body: dict[str, Any], respond: Any = None) -> None:
        kind = body.get("type") or body.get("command") or "request"
        log.error("unhandled %s: %s: %s", kind, type(error).__name__, error, exc_info=error)
        if respond is not None and (body.get("response_url") or body.get("response_urls")):
            try:
                respond(text=user_message(error), response_type="ephemeral", replace_original=False)
            except Exception:  # Slack itself may be what failed; the log line above stands
                log.warning("could not tell the user about the error")
