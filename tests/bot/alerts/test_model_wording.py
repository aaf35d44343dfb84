"""Model alerts state what the sources say (issue 26, item 11): "may submit ... up to 30 days
before public release", never "the voluntary window is 30 days, so submission is due" or
"overdue", and they show the reports' disagreement over voluntary or mandatory with each
report's words and name instead of taking a side. Slack (emulator) and Teams (a mocked
webhook), real sweeps with a travelled clock."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time

import httpx

from bot.alerts.sending import Sender
from bot.alerts.sweep import run_sweep
from bot.alerts.teams_sender import TeamsSender
from bot.deps import Deps
from bot.settings import Settings
from storage.tracker import create_record
from tests.conftest import ADMIN_ID
from tests.support.alerts import CHANNEL, emulator_sender, subscribe
from tests.support.slack_emulator import SlackEmulator

JUNE_1 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
HOOK_URL = "https://example.webhook.office.com/workflows/policy"
SAYS = "may submit covered frontier models for government examination up to 30 days before public release"
TAKING_SIDES = (
    "so submission is due",
    "submission is due",
    "Submission overdue",
    "is overdue",
    "Submission due",
    "voluntary CAISI review window is",
)


def test_model_alerts_say_what_the_sources_say_and_show_the_disagreement(
    deps: Deps, slack_emulator: SlackEmulator, settings: Settings
) -> None:
    deps.settings = Settings(**{**settings.__dict__, "teams_webhooks": {"policy": HOOK_URL}})
    cards: list[str] = []

    def hook(request: httpx.Request) -> httpx.Response:
        cards.append(request.content.decode())
        return httpx.Response(202)

    teams = TeamsSender(
        deps.settings.teams_webhooks,
        deps.settings,
        client=httpx.Client(transport=httpx.MockTransport(hook)),
        min_interval=0,
    )
    senders: dict[str, Sender] = {"slack": emulator_sender(slack_emulator, deps.settings), "teams": teams}
    run_sweep(deps, now=JUNE_1, senders=senders)  # Teams' default subscription starts
    create_record(
        deps.store.db,
        "model",
        {"developer_id": "meta", "name": "Llama 5", "planned_release": "2026-08-20"},
        actor=ADMIN_ID,
        at=JUNE_1,
    )
    subscribe(deps, JUNE_1, kinds=["window_opens", "overdue", "release"], lead_days=[1])
    for day in (date(2026, 7, 20), date(2026, 7, 22)):  # the window opens Jul 21; then not submitted
        run_sweep(deps, now=datetime.combine(day, time(9), tzinfo=deps.settings.tz), senders=senders)

    slack = [json.dumps(m["blocks"]) + m["text"] for m in slack_emulator.messages[CHANNEL]]
    cards = [card for card in cards if "Llama 5" in card]  # the Teams default also has the deadline
    assert len(slack) == 2 and len(cards) >= 2
    window, not_submitted = slack
    assert "Review window opens tomorrow: Meta Llama 5" in window
    assert "Not submitted, review window open: Meta Llama 5" in not_submitted
    for text in [*slack, *cards]:
        assert SAYS in text
        assert [side for side in TAKING_SIDES if side in text] == []
        # Both accounts, each with the report that gives it.
        assert "a voluntary framework for developers to submit" in text
        assert "the order mandates tech companies to allow up to 30 days" in text
        assert "Stocktwits" in text
