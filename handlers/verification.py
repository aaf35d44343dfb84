"""Slack request verification that refuses instead of raising.

Bolt's own check (slack_sdk's SignatureVerifier) calls `int()` on the timestamp header, so
`abc`, `1e9`, `0x10`, `1.5` or an empty value raised inside Bolt's dispatch; Bolt then ran
the app's error handler, which answered the `response_url` from the unverified body. Here
every failure is a reason string (our words, nothing from the request) and a 401, and the
check runs first, before any other middleware, listener or error handler.

The same function guards `POST /slack/events` before Bolt parses the body
(handlers/http/slack_events.py) and, as a Bolt middleware, `app.dispatch` itself.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import time
from collections.abc import Callable, Sequence
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware, RequestVerification

log = logging.getLogger("reviewwatch.verification")

MAX_AGE_SECONDS = 5 * 60  # Slack's advice: older requests may be replays
_WHOLE_SECONDS = re.compile(r"[0-9]{1,12}")  # ASCII digits only: int() also takes "1_0", " 1", "١"
_VERSION = "v0"


def verification_problem(
    signing_secret: str,
    body: bytes,
    timestamp: str | None,
    signature: str | None,
    now: float,
) -> str | None:
    """Why this request is not from Slack, or None when its signature is good and fresh."""
    if not timestamp:
        return "no X-Slack-Request-Timestamp"
    if not signature:
        return "no X-Slack-Signature"
    if not _WHOLE_SECONDS.fullmatch(timestamp):
        return "X-Slack-Request-Timestamp is not a whole number of seconds"
    if abs(now - int(timestamp)) > MAX_AGE_SECONDS:
        return "X-Slack-Request-Timestamp is more than five minutes from now"
    base = b"%s:%s:%s" % (_VERSION.encode(), timestamp.encode("ascii"), body)
    expected = f"{_VERSION}=" + hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
        return "wrong signature"
    return None


def _first(values: str | Sequence[str] | None) -> str | None:
    if values is None or isinstance(values, str):
        return values
    return values[0] if values else None


class StrictRequestVerification(Middleware):
    """Bolt middleware: 401 and one log line for any request that fails verification."""

    def __init__(self, signing_secret: str, now: Callable[[], float] = time.time) -> None:
        self.signing_secret = signing_secret
        self.now = now

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse:
        if req.mode == "socket_mode":  # arrives over the app's own authenticated WebSocket
            return next()
        problem = verification_problem(
            self.signing_secret,
            req.raw_body.encode("utf-8"),
            _first(req.headers.get("x-slack-request-timestamp")),
            _first(req.headers.get("x-slack-signature")),
            self.now(),
        )
        if problem is not None:
            log.warning("slack request refused (401): %s", problem)
            return BoltResponse(status=401, body={"error": "invalid request"})
        return next()


def use_strict_verification(app: App, signing_secret: str) -> None:
    """Put StrictRequestVerification first in the app's middleware, in place of Bolt's.

    `App.use` would append it after authorization and url_verification; Bolt offers no
    public way to put a middleware first, hence the list edit (tests/handlers check it).
    """
    middleware: list[Any] = app._middleware_list
    middleware[:] = [StrictRequestVerification(signing_secret)] + [
        m for m in middleware if not isinstance(m, RequestVerification)
    ]
