"""Real signed Teams outgoing-webhook requests, and checks for the Adaptive Cards answered.

The Activity follows the shape Microsoft documents for outgoing webhooks (a channel
message with the app's <at> mention in `text`, a `mention` entity, the HTML rendering as
an attachment); the signature is computed the way Teams does it: HMAC-SHA256 of the raw
body keyed with the base64-decoded secret, sent as `Authorization: HMAC <base64>`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from functools import cache
from typing import Any

from jsonschema import Draft6Validator

from tests.support import paths

# A made-up 256-bit secret in the form Teams issues (base64).
TEAMS_SECRET = base64.b64encode(bytes(range(7, 39))).decode()
APP_NAME = "Review Watch"
SCHEMAS = paths.SCHEMAS  # vendored: see schemas/LICENSE-NOTES.md
SCHEMA_VERSIONS = ("1.4.0", "1.5.0")
MAX_TEAMS_MESSAGE_BYTES = 28 * 1024


def activity(text: str, *, mention: str = APP_NAME, user: str = "Pat Policy") -> dict[str, Any]:
    """A channel message as Teams posts it to an outgoing webhook."""
    return {
        "type": "message",
        "id": "1722441600000",
        "timestamp": "2026-07-24T14:00:00.000Z",
        "localTimestamp": "2026-07-24T10:00:00.000-04:00",
        "serviceUrl": "https://smba.trafficmanager.net/amer/",
        "channelId": "msteams",
        "from": {"id": "29:1a2b3c4d", "name": user, "aadObjectId": "7f1c0000-0000-4000-8000-00000000abcd"},
        "conversation": {
            "isGroup": True,
            "id": "19:policy@thread.skype;messageid=1722441600000",
            "name": None,
            "conversationType": "channel",
            "tenantId": "72f988bf-0000-4000-8000-000000000000",
        },
        "recipient": None,
        "textFormat": "plain",
        "locale": "en-US",
        "text": text,
        "attachments": [{"contentType": "text/html", "content": f"<div>{text}</div>"}],
        "entities": [
            {"type": "clientInfo", "locale": "en-US", "country": "US", "platform": "Web"},
            {
                "type": "mention",
                "mentioned": {"id": "28:reviewwatch", "name": mention},
                "text": f"<at>{mention}</at>",
            },
        ],
        "channelData": {
            "teamsChannelId": "19:policy@thread.skype",
            "teamsTeamId": "19:team@thread.skype",
            "tenant": {"id": "72f988bf-0000-4000-8000-000000000000"},
        },
    }


def mention_body(command: str, **kwargs: Any) -> bytes:
    """The body Teams sends for `@Review Watch <command>` (with its usual trailing newline)."""
    mention = kwargs.get("mention", APP_NAME)
    return json.dumps(activity(f"<at>{mention}</at> {command}\n", **kwargs)).encode("utf-8")


def hmac_header(body: bytes, secret: str = TEAMS_SECRET) -> dict[str, str]:
    digest = hmac.new(base64.b64decode(secret), body, hashlib.sha256).digest()
    return {"Authorization": "HMAC " + base64.b64encode(digest).decode(), "Content-Type": "application/json"}


@cache
def _validators(at_least: str = "1.4") -> tuple[Draft6Validator, ...]:
    """The schemas of every version a card of version `at_least` must be valid in."""
    return tuple(
        Draft6Validator(json.loads((SCHEMAS / f"adaptive-card.{v}.json").read_text(encoding="utf-8")))
        for v in SCHEMA_VERSIONS
        if tuple(map(int, v.split(".")[:2])) >= tuple(map(int, at_least.split(".")))
    )


def card_of(reply: dict[str, Any]) -> dict[str, Any]:
    """The Adaptive Card in a reply Activity, after checking the Activity's shape and the card
    against the 1.4 and 1.5 schemas (only 1.5 for a card that declares 1.5, e.g. for a Table)."""
    assert reply["type"] == "message"
    [attachment] = reply["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    validators = _validators(card["version"])
    assert validators, f"no schema for card version {card['version']}"
    for validator in validators:
        errors = sorted(validator.iter_errors(card), key=lambda e: list(e.path))
        assert errors == [], [f"{list(e.path)}: {e.message[:200]}" for e in errors[:5]]
    return card


def card_lines(card: dict[str, Any]) -> list[str]:
    """The text a reader sees, one string per TextBlock / RichTextBlock / fact."""
    lines: list[str] = []

    def walk(elements: list[dict[str, Any]]) -> None:
        for element in elements:
            kind = element["type"]
            if kind == "TextBlock":
                lines.append(element["text"])
            elif kind == "RichTextBlock":
                lines.append("".join(i if isinstance(i, str) else i["text"] for i in element["inlines"]))
            elif kind == "FactSet":
                lines.extend(f"{f['title']}: {f['value']}" for f in element["facts"])
            elif kind == "Container":
                walk(element["items"])
            elif kind == "Table":
                for row in element["rows"]:
                    cells = [
                        " ".join(i["text"] for b in c["items"] for i in b["inlines"]) for c in row["cells"]
                    ]
                    lines.append(" | ".join(cells))

    walk(card["body"])
    return lines


def card_text(card: dict[str, Any]) -> str:
    return "\n".join(card_lines(card))
