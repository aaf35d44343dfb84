"""Real signed Slack requests, in Slack's documented shapes, dispatched through a Bolt App."""

from __future__ import annotations

import copy
import itertools
import json
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk.signature import SignatureVerifier

from bot.tenancy.routing import in_workspace
from tests.support import paths
from tests.support.app_process import WAIT_DEADLINE

SIGNING_SECRET = "test-signing-secret-0123456789abcdef"
FIXTURES = paths.SHARED / "fixtures" / "slack"
# Copies of Slack's documented payloads, so the suite runs where ../shared is absent.
LOCAL_FIXTURES = paths.FIXTURES / "slack"


def fixture_path(name: str) -> Path:
    for folder in (FIXTURES, LOCAL_FIXTURES):
        if (folder / name).exists():
            return folder / name
    raise FileNotFoundError(name)


def signed_headers(
    body: str,
    secret: str = SIGNING_SECRET,
    timestamp: int | None = None,
    content_type: str = "application/x-www-form-urlencoded",
) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    return {
        "content-type": content_type,
        "x-slack-request-timestamp": ts,
        "x-slack-signature": signature,
    }


def slash_command_body(
    command: str,
    text: str = "",
    *,
    user_id: str = "U2147483697",
    channel_id: str = "C2147483705",
    response_url: str | None = None,
) -> str:
    """Slack's documented slash-command body with our command, text, user and channel."""
    fields = dict(
        parse_qsl(
            fixture_path("slash_command.slack-docs.form-urlencoded.txt").read_text().strip(),
            keep_blank_values=True,
        )
    )
    fields.update(command=command, text=text, user_id=user_id, channel_id=channel_id)
    if response_url is not None:
        fields["response_url"] = response_url
    return urlencode(fields)


def interactive_body(payload: dict[str, Any]) -> str:
    return urlencode({"payload": json.dumps(payload)})


def view_submission_payload(
    callback_id: str,
    values: dict[str, dict[str, Any]],
    *,
    user_id: str = "U1234567",
    private_metadata: str = "",
    view_id: str = "VNHU13V36",
) -> dict[str, Any]:
    """Slack's documented view_submission payload with our callback_id, state and user."""
    payload = json.loads(fixture_path("view_submission.slack-docs.json").read_text())
    payload = copy.deepcopy(payload)
    payload["user"]["id"] = user_id
    payload["view"].update(
        callback_id=callback_id, private_metadata=private_metadata, id=view_id, state={"values": values}
    )
    payload["view"]["response_urls"] = []
    return payload


def block_actions_payload(
    action_id: str,
    value: str = "",
    *,
    user_id: str = "UA8RXUSPL",
    block_id: str = "b",
    container: dict[str, Any] | None = None,
    channel_id: str | None = "CBR2V3XEX",
    message: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Slack's documented block_actions payload (message container) with one button click."""
    payload = copy.deepcopy(json.loads(fixture_path("block_actions.slack-docs.message.json").read_text()))
    payload["user"]["id"] = user_id
    payload["actions"] = [
        {
            "type": "button",
            "action_id": action_id,
            "block_id": block_id,
            "value": value,
            "action_ts": "1548426417.840180",
        }
    ]
    if container is not None:
        payload["container"] = container
    if channel_id is None:
        payload.pop("channel", None)
    else:
        payload.setdefault("channel", {})["id"] = channel_id
    if message is not None:
        payload["message"] = message
    return payload


def block_suggestion_payload(
    action_id: str,
    block_id: str,
    typed: str,
    *,
    user_id: str = "U0CA5",
    view: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Slack's block_suggestion payload: a type-ahead menu in a modal asking for options."""
    payload = copy.deepcopy(json.loads(fixture_path("block_suggestion.slack-docs.json").read_text()))
    payload["user"]["id"] = user_id
    payload.update(action_id=action_id, block_id=block_id, value=typed)
    if view is not None:
        payload["view"].update(
            callback_id=view.get("callback_id", ""),
            private_metadata=view.get("private_metadata", ""),
            blocks=view.get("blocks", []),
        )
    return payload


_EVENT_IDS = itertools.count(1)


def event_body(event: dict[str, Any], *, event_id: str | None = None) -> str:
    """An Events API envelope (Slack's documented event_callback shape) around `event`. Each
    body gets its own event_id unless one is given: the app answers an event id once."""
    event_id = event_id or f"Ev0PV52K{next(_EVENT_IDS):04d}"
    return json.dumps(
        {
            "token": "verification-token",
            "team_id": "T0EMULATE",
            "api_app_id": "A0APPID",
            "event": event,
            "type": "event_callback",
            "event_id": event_id,
            "event_time": 1515449522,
            "authorizations": [{"team_id": "T0EMULATE", "user_id": "U0BOTUSER", "is_bot": True}],
        }
    )


def app_mention_event(
    text: str, *, user: str = "U061F7AUR", channel: str = "C0POLICY", **more: Any
) -> dict[str, Any]:
    """Slack's documented app_mention event: `<@BOT> text` said in a channel."""
    return {
        "type": "app_mention",
        "user": user,
        "text": f"<@U0BOTUSER> {text}",
        "ts": "1515449522.000016",
        "channel": channel,
        "event_ts": "1515449522.000016",
        **more,
    }


def direct_message_event(
    text: str, *, user: str = "U2147483697", channel: str = "D024BE91L", **more: Any
) -> dict[str, Any]:
    """Slack's documented message.im event: `text` written to the app in its DM."""
    return {
        "type": "message",
        "channel": channel,
        "user": user,
        "text": text,
        "ts": "1355517523.000005",
        "event_ts": "1355517523.000005",
        "channel_type": "im",
        **more,
    }


def dispatch(
    app: App, body: str, *, secret: str = SIGNING_SECRET, timestamp: int | None = None
) -> BoltResponse:
    """Send one signed request through Bolt exactly as the HTTP adapter would (which leaves
    no workspace entered in its thread afterwards: handlers/http/slack_events.py)."""
    with in_workspace(None):
        return app.dispatch(BoltRequest(body=body, headers=signed_headers(body, secret, timestamp)))


def dispatch_command(app: App, command: str, text: str = "", **kwargs: Any) -> BoltResponse:
    return dispatch(app, slash_command_body(command, text, **kwargs))


def dispatch_event(app: App, event: dict[str, Any], **kwargs: Any) -> BoltResponse:
    return dispatch(app, event_body(event, **kwargs))


def dispatch_payload(app: App, payload: dict[str, Any]) -> BoltResponse:
    return dispatch(app, interactive_body(payload))


def command_answer(
    response: BoltResponse | Any, emulator: Any, name: str, timeout: float = WAIT_DEADLINE
) -> dict[str, Any]:
    """What the user sees for a slash command: the answer carried by the ack (a BoltResponse,
    or an httpx response over HTTP) or, for slow work, the one posted to `response_url`."""
    body = response.body if isinstance(response, BoltResponse) else response.text
    if body:
        answer = json.loads(body)
        if answer.get("text") or answer.get("blocks"):
            return dict(answer)
    return dict(emulator.wait_for_response(name, timeout=timeout))
