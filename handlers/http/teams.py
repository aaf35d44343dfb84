"""`POST /teams/messages`: the Microsoft Teams outgoing webhook (HTTP mode).

Teams posts a message Activity when someone @mentions the app in a channel, signed with
`Authorization: HMAC <base64>`: the HMAC-SHA256 of the raw UTF-8 body, keyed with the
base64-decoded secret Teams showed when the webhook was created
(REVIEWWATCH_TEAMS_OUTGOING_SECRET). A missing, malformed or wrong signature gets 401 and
no answer. With no secret configured the endpoint does not exist (404), like the calendar
feed without its token. The answer goes back in the response (Teams waits 5 seconds).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
from typing import Any

from bot.deps import Deps
from handlers.http.bodies import BodyTooLarge, json_object, note_refusal, read_capped_body

log = logging.getLogger("reviewwatch.teams")

PATH_TEAMS_MESSAGES = "/teams/messages"
MAX_BODY_BYTES = 256 * 1024  # a Teams message is at most about 28 KB; leave room for its envelope
_SCHEME = "hmac"

Response = tuple[int, dict[str, str], bytes]


def signing_key(secret: str) -> bytes | None:
    """The HMAC key Teams signs with, or None when the secret is not valid base64."""
    try:
        return base64.b64decode(secret.strip(), validate=True)
    except (binascii.Error, ValueError):
        return None


def signature(key: bytes, body: bytes) -> str:
    """What Teams puts after `HMAC ` for this body."""
    return base64.b64encode(hmac.new(key, body, hashlib.sha256).digest()).decode("ascii")


def signature_ok(key: bytes, body: bytes, authorization: str | None) -> bool:
    scheme, _, given = (authorization or "").strip().partition(" ")
    if scheme.lower() != _SCHEME or not given.strip():
        return False
    return hmac.compare_digest(given.strip().encode("utf-8", "replace"), signature(key, body).encode("ascii"))


def _text(status: int, message: str) -> Response:
    return status, {"Content-Type": "text/plain; charset=utf-8"}, f"{message}\n".encode()


def _json(activity: dict[str, Any]) -> Response:
    from bot.teams.reply import reply_bytes

    return (
        200,
        {"Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store"},
        reply_bytes(activity),
    )


def teams_messages_response(deps: Deps, environ: dict[str, Any]) -> Response:
    secret = deps.settings.teams_outgoing_secret
    if not secret:
        return _text(404, "Not found")
    try:
        body = read_capped_body(environ, MAX_BODY_BYTES)
    except BodyTooLarge:
        note_refusal(environ, f"body over {MAX_BODY_BYTES:,} bytes")
        return _text(413, "Request too large")
    key = signing_key(secret)
    if key is None:
        log.error(
            "REVIEWWATCH_TEAMS_OUTGOING_SECRET is not valid base64: copy the security token "
            "Teams showed when the outgoing webhook was created"
        )
        return _text(401, "Unauthorized")
    if not signature_ok(key, body, environ.get("HTTP_AUTHORIZATION")):
        note_refusal(environ, "missing or wrong HMAC signature")
        return _text(401, "Unauthorized")
    activity = json_object(body)  # None when broken, not an object or nested too deep
    if activity is None:
        note_refusal(environ, "signed body is not a JSON message activity")
        return _text(400, "Expected a JSON message activity")
    sender = activity.get("from")
    if not isinstance(sender, dict):
        sender = {}
    user = sender.get("aadObjectId") or sender.get("id") or "-"
    # Imported on the first Teams message: an app without Teams never loads its answers
    # (docs/benchmarks.md, import costs).
    from bot.teams.answers import answer_activity
    from bot.teams.reply import notice_card, reply_activity

    try:
        answer = answer_activity(deps, activity)
    except Exception:  # the asker gets a sentence, not Teams' generic failure
        log.exception("teams message failed user=%s", user)
        return _json(
            reply_activity(
                notice_card(
                    "Review Watch could not answer just now. Try again in a minute; if it keeps failing, "
                    "tell whoever runs Review Watch."
                )
            )
        )
    log.info("teams message %s user=%s", answer.command, user)
    return _json(answer.activity)
