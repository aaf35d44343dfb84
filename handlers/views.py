"""Admin form submissions (view_submission). Thin: bot.edits checks, validates and saves.

A refusal or a validation problem answers inline (`response_action: "errors"` on the
field); a picker answers with the next form (`response_action: "update"`). After a save
the modal closes, and the admin gets a confirmation and a refreshed App Home.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.admin import edits
from bot.deps import Deps


def on_admin_submission(deps: Deps, ack: Ack, body: dict[str, Any], client: WebClient) -> None:
    view = body["view"]
    outcome = edits.submit(deps, client, view["callback_id"], body["user"]["id"], view)
    if outcome.errors:
        ack(response_action="errors", errors=outcome.errors)
        return
    if outcome.view is not None:
        ack(response_action="update", view=outcome.view)
        return
    ack()
    if outcome.saved is not None:
        edits.confirm_saved(deps, client, body["user"]["id"], outcome.saved)


def register(app: App, deps: Deps) -> None:
    def on_submission(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        on_admin_submission(deps, ack, body, client)

    for callback_id in edits.MAIN_BLOCK:
        app.view(callback_id)(on_submission)
