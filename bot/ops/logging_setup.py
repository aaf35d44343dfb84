"""Logging: one line per event, with its level and request/alert identifiers, and no secrets.

Every log record of the process (ours, Bolt's, slack_sdk's, waitress's, APScheduler's)
goes through one handler whose formatter redacts Slack tokens, the signing secret, Teams
webhook URLs and the other secret settings, and folds tracebacks onto the same line.

Identifiers: `log_context(request_id=..., alert=...)` sets them for the code it wraps
(on that thread); each line then ends with `request_id=... alert=...`.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import re
import sys
from collections.abc import Iterable, Iterator
from typing import TextIO

from bot.settings import Settings

REDACTED = "[redacted]"
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# Anything that looks like a credential, whether or not it is one of ours.
_SECRET_PATTERNS = (
    re.compile(r"\bxox[a-z]-[A-Za-z0-9-]+"),  # Slack bot/user/refresh tokens
    re.compile(r"\bxapp-[A-Za-z0-9-]+"),  # Slack app-level tokens
    re.compile(r"https://hooks\.slack\.com/\S+"),  # incoming webhooks and response_urls
    re.compile(
        r"https?://[^\s\"'<>]*(?:webhook\.office\.com|logic\.azure\.com|powerplatform\.com|"
        r"powerautomate\.com)[^\s\"'<>]*"
    ),  # Teams / Power Automate webhooks
    re.compile(r"(?i)(token=)[^&\s\"']+"),  # ?token=... in a URL (the calendar feed)
)

_context: contextvars.ContextVar[tuple[tuple[str, str], ...]] = contextvars.ContextVar(
    "reviewwatch_log_context", default=()
)


@contextlib.contextmanager
def log_context(**ids: object) -> Iterator[None]:
    """Attach identifiers (request_id, alert, envelope, ...) to every line logged inside."""
    merged = dict(_context.get())
    merged.update({k: str(v) for k, v in ids.items() if v is not None})
    token = _context.set(tuple(merged.items()))
    try:
        yield
    finally:
        _context.reset(token)


def secret_values(settings: Settings) -> list[str]:
    """The configured secret values to blank out wherever they appear."""
    values = [
        settings.slack_bot_token,
        settings.slack_app_token,
        settings.slack_signing_secret,
        settings.teams_outgoing_secret,
        settings.calendar_token,
        settings.slack_client_secret,  # slack_sdk's DEBUG lines show oauth.v2.access's form
        *settings.token_keys,
        *settings.teams_webhooks.values(),
    ]
    return [v for v in values if v and len(v) >= 4]


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub(lambda m: (m.group(1) if m.groups() else "") + REDACTED, text)
    return text


class OneLineRedactingFormatter(logging.Formatter):
    """Formats a record (traceback included) as one line with secrets removed."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__(LOG_FORMAT)
        self.secrets = list(secrets)

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        ids = _context.get()
        if ids:
            line += " " + " ".join(f"{k}={v}" for k, v in ids)
        line = redact(line, self.secrets)
        return line.replace("\r", "").replace("\n", " | ")


def configure_logging(
    settings: Settings, stream: TextIO | None = None, *, minimum: int = logging.DEBUG
) -> logging.Handler:
    """Send every logger's records to `stream` (stderr) through the redacting formatter,
    at REVIEWWATCH_LOG_LEVEL or `minimum`, whichever is higher."""
    level = max(logging.getLevelNamesMapping()[settings.log_level], minimum)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(OneLineRedactingFormatter(secret_values(settings)))
    handler.setLevel(level)
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # Libraries that set their own logger levels still go through our one handler.
    for name in ("slack_bolt", "slack_sdk", "waitress", "apscheduler"):
        logging.getLogger(name).setLevel(level)
    return handler
