"""Log lines: one per event, with level and identifiers, never a token, secret or webhook URL."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from bot.ops.logging_setup import REDACTED, configure_logging, log_context
from bot.settings import Settings

SECRET = "signing-secret-abcdef0123456789"
WEBHOOK = "https://example.invalid/teams/hook-0123456789"


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    stream = io.StringIO()
    configure_logging(
        Settings(
            slack_bot_token="xoxb-111-222-abcdef",
            slack_signing_secret=SECRET,
            teams_webhooks={"policy": WEBHOOK},
            calendar_token="cal-token-987654",
        ),
        stream,
    )
    yield stream
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])


def test_tokens_secrets_and_webhook_urls_never_appear(captured: io.StringIO) -> None:
    log = logging.getLogger("reviewwatch.test")
    log.info("auth header Bearer xoxb-111-222-abcdef and an app token xapp-1-A1-999-ffff")
    log.info("someone else's token xoxp-5-6-7 and a bot token in a body token=xoxb-9-9")
    log.warning("secret %s, webhook %s, outlook https://x.webhook.office.com/webhookb2/abc", SECRET, WEBHOOK)
    log.info("GET /calendar.ics?token=cal-token-987654 and https://hooks.slack.com/commands/T1/2/3")

    text = captured.getvalue()
    for leaked in (
        "xoxb-",
        "xapp-1",
        "xoxp-",
        SECRET,
        WEBHOOK,
        "webhook.office.com",
        "cal-token-987654",
        "hooks.slack.com",
    ):
        assert leaked not in text
    assert text.count(REDACTED) >= 8


def test_each_event_is_one_line_with_level_and_identifiers(captured: io.StringIO) -> None:
    log = logging.getLogger("reviewwatch.test")
    with log_context(request_id="abc123", alert="deadline:7:C1"):
        try:
            raise RuntimeError("delivery broke\nbadly")
        except RuntimeError:
            log.exception("alert failed")
    log.info("after")

    lines = captured.getvalue().splitlines()
    assert len(lines) == 2
    assert " ERROR reviewwatch.test: alert failed" in lines[0]
    assert "Traceback" in lines[0] and "delivery broke | badly" in lines[0]
    assert "request_id=abc123" in lines[0] and "alert=deadline:7:C1" in lines[0]
    assert " INFO " in lines[1] and "request_id" not in lines[1]
