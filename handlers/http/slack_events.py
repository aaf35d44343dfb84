"""`POST /slack/events`: a request is checked before Bolt sees it.

In order: the body's size (413 over MAX_BODY_BYTES, from Content-Length before reading),
Slack's signature and timestamp (401), then whether the body parses as Slack sends it
(400). Only then does Bolt build its request and dispatch it. A refused request causes
nothing else (no listener, no error handler, no outbound call, no database write); its
reason, in our words, goes on the request's one log line.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltRequest
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.request.internals import parse_body

from bot.tenancy.routing import in_workspace
from handlers.http.bodies import BodyTooLarge, Environ, nested_too_deep, note_refusal, read_capped_body
from handlers.verification import verification_problem

MAX_BODY_BYTES = 1024 * 1024  # Slack's payloads (a full modal's state included) stay far below

Response = tuple[int, dict[str, str], bytes]


def refuse(environ: Environ, status: int, reason: str) -> Response:
    note_refusal(environ, reason)
    body = json.dumps({"error": "invalid request" if status != 413 else "request too large"})
    return status, {"Content-Type": "application/json"}, body.encode()


def _parses(text: str, content_type: str | None) -> bool:
    try:
        parsed: Any = parse_body(text, content_type)
    except (ValueError, RecursionError):  # broken or absurdly deep JSON, in the body or its `payload`
        return False
    return isinstance(parsed, dict) and not nested_too_deep(parsed)


class SlackEvents:
    """The route's handler (`plain`-style: environ -> status, headers, body)."""

    def __init__(self, bolt_app: App, signing_secret: str, now: Callable[[], float] = time.time) -> None:
        self.bolt_app = bolt_app
        self.signing_secret = signing_secret
        self.now = now

    def __call__(self, environ: Environ) -> Response:
        try:
            body = read_capped_body(environ, MAX_BODY_BYTES)
        except BodyTooLarge:
            return refuse(environ, 413, f"body over {MAX_BODY_BYTES:,} bytes")
        problem = verification_problem(
            self.signing_secret,
            body,
            environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP"),
            environ.get("HTTP_X_SLACK_SIGNATURE"),
            self.now(),
        )
        if problem is not None:
            return refuse(environ, 401, problem)
        request = WsgiHttpRequest(environ)
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return refuse(environ, 400, "signed body is not UTF-8")
        content_type = environ.get("CONTENT_TYPE")
        if not _parses(text, content_type):
            return refuse(environ, 400, "signed body is not a Slack payload (malformed or too deeply nested)")
        # In OAuth mode Bolt's middleware enters the request's workspace in this (waitress's)
        # thread; leaving it here would hand the next request on the thread, a /healthz or a
        # board page, that workspace's database. The listener pool has copied it already.
        with in_workspace(None):
            answer = self.bolt_app.dispatch(
                BoltRequest(body=text, query=request.query_string, headers=request.get_headers())
            )
        headers = {name: values[0] for name, values in answer.headers.items() if values}
        return answer.status, headers, answer.body.encode("utf-8")
