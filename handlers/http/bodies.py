"""Request bodies read with a cap, so an oversized post costs neither time nor memory.

A declared Content-Length over the cap is refused before a byte of the body is read; a
body without one (chunked, under another WSGI server) is read up to the cap and cut there.
Waitress enforces the largest cap itself (`MAX_REQUEST_BODY_BYTES` in runtime.py).

A signed body must also be a plain JSON object: `json_object` refuses one nested deeper than
MAX_JSON_DEPTH (Slack's fullest modal nests about 15 levels) instead of letting the parser,
or later code walking the value, run out of stack.
"""

from __future__ import annotations

import json
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


MAX_JSON_DEPTH = 64


def nested_too_deep(value: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether `value` (parsed JSON) nests lists and objects more than `limit` levels."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def json_object(text: str | bytes) -> dict[str, Any] | None:
    """`text` parsed as a JSON object, or None when it is not one: broken, not UTF-8, not an
    object, or nested too deep (the parser itself gives up past about 1,000 levels)."""
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        return None
    if not isinstance(value, dict) or nested_too_deep(value):
        return None
    return value
