"""Helpers for the admin-form tests: a Bolt App that finishes each listener before
`dispatch` returns, and view_submission state built the way Slack builds it."""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any

from slack_bolt import App, BoltResponse

from tests.support.slack_requests import (
    block_actions_payload,
    block_suggestion_payload,
    dispatch_payload,
    fixture_path,
    view_submission_payload,
)


class InlineExecutor(Executor):
    """Runs each submitted task at once, so a listener's after-ack work (the save, the
    confirmation, the home refresh) is done when `dispatch` returns: no waiting in tests.
    Bolt still acks first, exactly as in production."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001 - handed to the future like a pool would
            future.set_exception(exc)
        return future


def typed_option(value: str) -> dict[str, Any]:
    """A type-ahead menu's option as Slack returns it once chosen (its text does not matter)."""
    return {"text": {"type": "plain_text", "text": str(value)}, "value": value}


def element_state(element: dict[str, Any], value: Any = ...) -> dict[str, Any]:
    """One input element's entry in view.state.values, as Slack sends it.

    `value` ... means "as prefilled"; for selects a value string, for date pickers a
    date string, for text inputs text, for checkboxes True/False (the one box).
    """
    kind = element["type"]
    if kind == "external_select":  # Slack sends back the option it offered (bot.menus)
        if value is ...:
            return {"type": kind, "selected_option": element.get("initial_option")}
        return {"type": kind, "selected_option": None if value is None else typed_option(value)}
    if kind == "multi_external_select":
        if value is ...:
            return {"type": kind, "selected_options": element.get("initial_options", [])}
        chosen = [] if value is None else [value] if isinstance(value, str) else value
        return {"type": kind, "selected_options": [typed_option(v) for v in chosen]}
    if kind == "static_select":
        if value is ...:
            return {"type": kind, "selected_option": element.get("initial_option")}
        option = next((o for o in element["options"] if o["value"] == value), None)
        if option is None and value is not None:  # a forged value no option offers
            option = {"text": {"type": "plain_text", "text": str(value)}, "value": value}
        return {"type": kind, "selected_option": option}
    if kind == "datepicker":
        return {"type": kind, "selected_date": element.get("initial_date") if value is ... else value}
    if kind == "checkboxes":
        if value is ...:
            return {"type": kind, "selected_options": element.get("initial_options", [])}
        return {"type": kind, "selected_options": element["options"] if value else []}
    return {"type": kind, "value": element.get("initial_value") if value is ... else value}


def state_values(view: dict[str, Any], **changes: Any) -> dict[str, dict[str, Any]]:
    """The state Slack submits for `view`: prefilled values, with `changes` by block_id."""
    values: dict[str, dict[str, Any]] = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        element = block["element"]
        values[block["block_id"]] = {
            element["action_id"]: element_state(element, changes.get(block["block_id"], ...))
        }
    return values


def submit_view(app: App, view: dict[str, Any], user_id: str, **changes: Any) -> BoltResponse:
    payload = view_submission_payload(
        view["callback_id"],
        state_values(view, **changes),
        user_id=user_id,
        private_metadata=view.get("private_metadata", ""),
    )
    return dispatch_payload(app, payload)


def ack_body(response: BoltResponse) -> dict[str, Any]:
    """The JSON a listener acked with ({} for a plain ack that closes the modal)."""
    assert response.status == 200, response.body
    return json.loads(response.body) if response.body else {}


def press(
    app: App,
    action_id: str,
    value: str = "",
    *,
    user_id: str,
    channel_id: str | None = None,
    from_home: bool = False,
) -> BoltResponse:
    """A button click in Slack's documented block_actions shape (a message, or the App Home)."""
    if not from_home:
        return dispatch_payload(
            app, block_actions_payload(action_id, value, user_id=user_id, channel_id=channel_id)
        )
    payload = json.loads(fixture_path("block_actions.slack-docs.home_tab.json").read_text())
    payload["user"]["id"] = user_id
    payload["actions"] = [
        {
            "type": "button",
            "action_id": action_id,
            "block_id": "home_admin",
            "value": value,
            "action_ts": "1548426417.840180",
        }
    ]
    return dispatch_payload(app, payload)


def blocks_by_id(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {b["block_id"]: b for b in view["blocks"] if "block_id" in b}


def suggest(app: App, view: dict[str, Any], block_id: str, typed: str, user_id: str) -> list[dict[str, Any]]:
    """Type `typed` into the form's type-ahead menu in `block_id`: the options the app
    answers Slack's signed block_suggestion request with."""
    element = blocks_by_id(view)[block_id]["element"]
    assert element["type"] in ("external_select", "multi_external_select"), element
    payload = block_suggestion_payload(element["action_id"], block_id, typed, user_id=user_id, view=view)
    response = dispatch_payload(app, payload)
    assert response.status == 200, response.body
    options: list[dict[str, Any]] = json.loads(response.body)["options"]
    return options
