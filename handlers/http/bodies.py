"""Request bodies read with a cap, so an oversized post costs neither time nor memory.

A declared Content-Length over the cap is refused before a byte of the body is read; a
body without one (chunked, under another WSGI server) is read up to the cap and cut there.
Waitress enforces the largest cap itself (`MAX_REQUEST_BODY_BYTES` in runtime.py).
"""

from __future__ import annotations

from typing import Any

Environ = dict[str, Any]
REFUSAL_ENVIRON = "reviewwatch.refusal"  # why a request was refused, for its one log line


def note_refusal(environ: Environ, reason: str) -> None:
    """Put `reason` (our words, never the request's) on the request's log line."""
    environ[REFUSAL_ENVIRON] = reason


class BodyTooLarge(Exception):
    """The request body is over its endpoint's cap."""


def read_capped_body(environ: Environ, cap: int) -> bytes:
    """The raw body; BodyTooLarge when it is (or says it is) longer than `cap` bytes."""
    declared = str(environ.get("CONTENT_LENGTH") or "").strip()
    length = int(declared) if declared.isdigit() else None
    if length is not None and length > cap:
        raise BodyTooLarge
    stream = environ.get("wsgi.input")
    if stream is None or length == 0:
        return b""
    body: bytes = stream.read(cap + 1 if length is None else length)
    if len(body) > cap:
        raise BodyTooLarge
    return body
