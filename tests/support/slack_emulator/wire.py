"""What the emulator and its callers share: the workspace it plays, the record of a call,
the replies it answers with, and the form fields it reads as JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

TEAM_ID = "T0EMULATE"
TEAM_DOMAIN = "review-watch-test"
BOT_USER_ID = "U0BOTUSER"
BOT_ID = "B0BOTID"
APP_ID = "A0APPID"
BOT_FIELDS = {"user": BOT_USER_ID, "bot_id": BOT_ID, "app_id": APP_ID, "team": TEAM_ID}

Json = dict[str, Any]

# Form fields that carry JSON text; slack_sdk encodes these when it sends a form body.
JSON_FIELDS = frozenset({"blocks", "attachments", "view", "metadata", "files", "unfurls", "user_auth_blocks"})
AUTH_FREE_METHODS = frozenset(
    {"api.test", "oauth.access", "oauth.v2.access", "oauth.v2.exchange", "openid.connect.token"}
)
# Placeholder until start(): then apps.connections.open answers the emulator's own endpoint.
UNSTARTED_SOCKET_URL = "ws://127.0.0.1:1/"
SOCKET_PATH = "/socket"


@dataclass
class Call:
    """One Web API request as the emulator received it (header names are lower-case)."""

    method: str
    args: dict[str, Any]
    headers: dict[str, str]
    failed: bool = False

    @property
    def token(self) -> str | None:
        auth = self.headers.get("authorization", "")
        return auth[len("Bearer ") :] if auth.startswith("Bearer ") else self.args.get("token")


@dataclass
class Failure:
    method: str
    status: int
    error: str | None
    retry_after: int | None
    remaining: int
    channel: str | None
    after_applying: bool = False


@dataclass
class Reply:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Delay:
    method: str
    seconds: float
    remaining: int


def ok(**fields: Any) -> Json:
    return {"ok": True, **fields}


def error(error: str) -> Json:
    return {"ok": False, "error": error}


def truthy(value: Any) -> bool:
    return value is True or str(value).lower() in {"1", "true"}


def ts_value(ts: Any, default: str) -> Decimal:
    try:
        return Decimal(str(ts if ts not in (None, "") else default))
    except InvalidOperation:
        return Decimal(default)


def decode_json_fields(args: dict[str, Any]) -> Json:
    for key in JSON_FIELDS & args.keys():
        if isinstance(args[key], str):
            try:
                args[key] = json.loads(args[key])
            except ValueError:
                pass  # leave malformed JSON as sent, so a test can see it
    return args
