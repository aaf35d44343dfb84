"""Teams delivery: the Workflows webhook envelope carrying a valid Adaptive Card, pacing,
and 429 / 500 / 400 handling, over httpx with a MockTransport (no network)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from typing import Any

import httpx
import pytest
from jsonschema import Draft6Validator

from bot.alerts.alert import SUBSCRIBABLE_KINDS, Alert
from bot.alerts.cards import alert_card
from bot.alerts.sending import Pacer
from bot.alerts.sweep import run_sweep
from bot.alerts.teams_sender import TeamsSender
from bot.cardkit import MAX_TEAMS_BYTES, envelope_size
from bot.deps import Deps
from bot.settings import Settings
from storage.alerts import get_subscription
from tests.support import paths
from tests.support.alerts import SleepRecorder, ledger
from tests.support.teams_requests import card_lines

TESTS = paths.TESTS
SCHEMA = TESTS / "schemas" / "adaptive-card.1.5.0.json"  # vendored: see LICENSE-NOTES.md
SHARED_SCHEMA = TESTS.parents[1] / "shared" / "schemas" / "adaptive-card.1.5.0.json"
ENVELOPE_FIXTURE = TESTS / "fixtures" / "teams" / "webhook_adaptive_card_envelope.msteams-docs.json"
HOOK_URL = "https://example.webhook.office.com/workflows/policy"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return Settings(**{**settings.__dict__, "teams_webhooks": {"policy": HOOK_URL}})


class Webhook:
    """Plays a Teams Workflows webhook: answers each request from a script of statuses."""

    def __init__(self, *statuses: int | tuple[int, dict[str, str]]) -> None:
        self.script = list(statuses)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        step = self.script.pop(0) if self.script else 202
        status, headers = step if isinstance(step, tuple) else (step, {})
        return httpx.Response(status, headers=headers, text="" if status < 400 else "Bad things")

    @property
    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(r.content) for r in self.requests]


def teams_sender(deps: Deps, hook: Webhook, sleep: SleepRecorder) -> TeamsSender:
    client = httpx.Client(transport=httpx.MockTransport(hook), timeout=httpx.Timeout(5.0))
    return TeamsSender(
        deps.settings.teams_webhooks, deps.settings, client=client, min_interval=0, backoff=0.01, sleep=sleep
    )


def at_nine(deps: Deps, day: date) -> datetime:
    return datetime.combine(day, time(9), tzinfo=deps.settings.tz)


def run(deps: Deps, hook: Webhook, sleep: SleepRecorder | None = None, day: date = date(2026, 7, 24)):
    senders = {"teams": teams_sender(deps, hook, sleep or SleepRecorder())}
    return run_sweep(deps, now=at_nine(deps, day), senders=senders)


def card_validator() -> Draft6Validator:
    return Draft6Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))


def make_subscription_old(deps: Deps) -> None:
    """A first sweep on June 1 gives the webhook its default subscription, started then."""
    run_sweep(deps, now=datetime(2026, 6, 1, tzinfo=UTC), senders={})


def test_vendored_schema_matches_shared_copy() -> None:
    if SHARED_SCHEMA.exists():
        assert SCHEMA.read_bytes() == SHARED_SCHEMA.read_bytes()


def test_each_configured_webhook_gets_a_default_subscription(deps: Deps) -> None:
    make_subscription_old(deps)
    sub = get_subscription(deps.store.db, "teams", "policy")
    assert sub is not None
    assert sub["kinds"] == sorted(SUBSCRIBABLE_KINDS) and sub["lead_days"] == [30, 14, 7, 3, 1, 0]


def test_alert_card_is_a_valid_adaptive_card_in_the_webhook_envelope(deps: Deps) -> None:
    make_subscription_old(deps)
    hook = Webhook(202)
    result = run(deps, hook)
    assert len(result.sent) == 1
    [body] = hook.bodies
    fixture = json.loads(ENVELOPE_FIXTURE.read_text(encoding="utf-8"))
    assert body["type"] == fixture["type"] == "message"
    attachment = body["attachments"][0]
    assert attachment["contentType"] == fixture["attachments"][0]["contentType"]
    card = attachment["content"]
    assert list(card_validator().iter_errors(card)) == []
    text = json.dumps(card)
    assert "Deadline in 7 days: Formal pre-release review process" in text
    assert "Fri Jul 31, 2026" in text and "Stocktwits" in text  # when, and the source
    assert envelope_size(body) < MAX_TEAMS_BYTES
    assert hook.requests[0].headers["content-type"] == "application/json"


def test_a_huge_digest_card_is_trimmed_under_28_kb(deps: Deps) -> None:
    items = [
        {"kind": "news", "title": "x" * 400, "at": "2026-07-24T13:00:00+00:00", "source": None, "link": None}
        for _ in range(200)
    ]
    alert = Alert(
        kind="digest",
        subject_type="digest",
        subject_id="daily",
        subject_date="2026-07-24",
        lead_days=None,
        target_type="teams",
        target="policy",
        subscription_id=1,
        due_at=at_nine(deps, date(2026, 7, 24)),
        title="Daily digest: 200 update(s)",
        facts={"mode": "daily", "items": items},
    )
    envelope = alert_card(alert, alert.due_at, deps.settings)
    assert envelope_size(envelope) < MAX_TEAMS_BYTES
    card = envelope["attachments"][0]["content"]
    assert list(card_validator().iter_errors(card)) == []
    assert "more item(s) not shown" in card_lines(card)[-1]


def test_teams_429_honours_retry_after_then_delivers_once(deps: Deps) -> None:
    make_subscription_old(deps)
    hook, sleep = Webhook((429, {"Retry-After": "4"}), 202), SleepRecorder()
    result = run(deps, hook, sleep)
    assert len(result.sent) == 1 and len(hook.requests) == 2
    assert 4.0 in sleep.waits


def test_teams_500s_are_retried_with_backoff(deps: Deps) -> None:
    make_subscription_old(deps)
    hook, sleep = Webhook(500, 503, 202), SleepRecorder()
    assert len(run(deps, hook, sleep).sent) == 1
    assert len(hook.requests) == 3 and sleep.waits == [0.01, 0.02]


def test_teams_500s_that_persist_are_retried_on_a_later_sweep(deps: Deps) -> None:
    make_subscription_old(deps)
    hook = Webhook(*([500] * 4))
    [(key, error)] = run(deps, hook).failed
    assert error.startswith("HTTP 500")
    assert ledger(deps)[key]["status"] == "failed"
    later = run_sweep(
        deps,
        now=at_nine(deps, date(2026, 7, 24)).replace(minute=30),
        senders={"teams": teams_sender(deps, hook, SleepRecorder())},
    )
    assert later.sent == [key] and len(hook.requests) == 5


def test_teams_400_is_permanent_and_not_retried(deps: Deps) -> None:
    make_subscription_old(deps)
    hook = Webhook(400)
    [(key, error)] = run(deps, hook).permanent
    assert error.startswith("HTTP 400") and len(hook.requests) == 1
    run(deps, hook, day=date(2026, 7, 25))
    assert len(hook.requests) == 1
    assert ledger(deps)[key]["status"] == "permanent"


def test_pacing_keeps_each_target_to_its_rate() -> None:
    sleep = SleepRecorder()
    pacer = Pacer(0.25, sleep, monotonic=lambda: 100.0)  # four a second, time standing still
    for _ in range(3):
        pacer.wait("policy")
    pacer.wait("other")  # another target is not held back
    assert sleep.waits == [0.25, 0.5]


@pytest.mark.parametrize(
    ("token", "webhooks", "kinds"),
    [
        ("xoxb-test-token", {}, ["slack"]),
        (None, {"policy": "https://example.org/hook"}, ["teams"]),
        ("xoxb-test-token", {"policy": "https://example.org/hook"}, ["slack", "teams"]),
    ],
)
def test_the_app_delivers_to_slack_with_a_bot_token_and_to_teams_with_named_webhooks(
    token: str | None, webhooks: dict[str, str], kinds: list[str]
) -> None:
    # A Teams-only install still delivers; a Slack-only one builds no Teams sender (nor its client).
    from bot.alerts.delivery import build_senders, close_senders
    from bot.settings import Settings

    senders = build_senders(Settings(slack_bot_token=token, teams_webhooks=webhooks))
    try:
        assert sorted(senders) == kinds
    finally:
        close_senders(senders)
