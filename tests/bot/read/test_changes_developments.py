"""`/aireview changes` tells what happened (issue 26, item 13): over the seeded tracker it says
what the reports say happened since the date asked, each dated at its precision with its
sources (never "Nothing changed since Jan 1, 2026"); an event an admin adds about Meta is
filed under Meta, not "Deadlines and the framework"; new conflicts and changed "since" dates
are listed. Asked as a person would: a signed slash command, admin forms submitted as Slack
sends them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from slack_bolt import App
from slack_sdk import WebClient

from bot import ids
from bot.clock import FixedClock
from bot.deps import Deps
from handlers import build_app
from tests.bot.admin.test_contest_forms import open_form, submit
from tests.bot.admin.test_event_form import opened, submit_event
from tests.bot.read.test_commands import ask, shown
from tests.conftest import ADMIN_ID, BOT_TOKEN
from tests.support.admin_forms import InlineExecutor, press, submit_view
from tests.support.slack_emulator import SlackEmulator
from tests.support.slack_requests import dispatch_command


@pytest.fixture
def app(deps: Deps, slack_emulator: SlackEmulator) -> App:
    client = WebClient(token=BOT_TOKEN, base_url=slack_emulator.api_url)
    return build_app(deps, client=client, listener_executor=InlineExecutor())


def section_of(text: str, title: str) -> str:
    """The lines under one developer's heading in the answer."""
    lines = text.split("\n")
    start = (
        lines.index(f"*{title}*")
        if f"*{title}*" in lines
        else next(i for i, line in enumerate(lines) if line.startswith(f"*{title}*"))
    )
    out = []
    for line in lines[start + 1 :]:
        if line.startswith("*") and not line.startswith("*•"):
            break
        out.append(line)
    return "\n".join(out)


def test_over_the_seeded_tracker_it_says_what_happened_since_the_date(
    app: App, slack_emulator: SlackEmulator
) -> None:
    text = shown(ask(app, slack_emulator, "/aireview", "changes 2026-01-01"))
    assert "Nothing changed" not in text
    assert "What changed since Jan 1, 2026" in text
    assert "*Tue Jun 2, 2026* · Order: President Trump signed an executive order" in text
    assert "*May 2026* · xAI: signed since May 2026" in text
    assert "*April 2026* · Release: Meta released its Muse Spark AI model." in text
    assert "*date not reported; reported June 2026* · Formal request: Federal officials asked Meta" in text
    # The reports' disagreements, by the reports' date, each claim with its report.
    anthropic = section_of(text, "Anthropic")
    assert "Restriction: Anthropic: The government ordered Anthropic" in anthropic
    assert "conflicting reports. The reports differ on what Anthropic was ordered to do" in anthropic
    assert "says “suspend access to its most advanced models for foreign nationals”" in text
    # Filed under their developers; each with its sources.
    assert "Formal request: Federal officials asked Meta" in section_of(text, "Meta")
    assert "Restriction: The government ordered Anthropic" in section_of(text, "Anthropic")
    assert "_as the sources date it · Source: Stocktwits (citing The New York Times), June 2026_" in text
    # A week back from July 24 nothing happened: the answer says so.
    assert "Nothing changed since Jul 17, 2026 (7 days)." in shown(
        ask(app, slack_emulator, "/aireview", "changes 7d")
    )


def test_an_admins_event_about_meta_a_new_conflict_and_a_moved_since_date(
    deps: Deps, app: App, slack_emulator: SlackEmulator, clock: FixedClock
) -> None:
    press(app, ids.ACTION_ADMIN_ADD_EVENT, user_id=ADMIN_ID, from_home=True)
    body = submit_event(
        app,
        opened(slack_emulator),
        ("meta",),
        event_kind="request",
        effective_date="2026-07-22",
        summary="Officials wrote to Meta again.",
        source="https://example.gov/letter",
    )
    assert body == {}
    clock.advance(timedelta(minutes=5))
    contest = open_form(app, slack_emulator, ids.ACTION_ADMIN_CONTEST)
    body = submit(
        app,
        contest,
        developer="xai",
        fact="status",
        reason="Two accounts of when xAI signed.",
        claim_a="xAI signed in May.",
        claim_a_source=None,
        claim_a_new_source="https://example.org/xai-may",
        claim_b="xAI signed in June.",
        claim_b_source=None,
        claim_b_new_source="Trade press bulletin, June 2026",
    )
    assert body == {}
    clock.advance(timedelta(minutes=5))
    dispatch_command(
        app, "/aireview", "update openai", user_id=ADMIN_ID, response_url=slack_emulator.response_url("u")
    )
    status = slack_emulator.last("views.open").args["view"]
    assert (
        submit_view(
            app, status, ADMIN_ID, effective_date="2026-07-20", source="https://example.org/openai"
        ).status
        == 200
    )

    text = shown(ask(app, slack_emulator, "/aireview", "changes 1d"))
    meta = section_of(text, "Meta")
    assert "Formal request: Meta: Officials wrote to Meta again." in meta
    assert "Deadlines and the framework" not in text
    xai = section_of(text, "xAI")
    assert "xAI: newly contested. Two accounts of when xAI signed." in xai
    assert (
        "says “xAI signed in May.”" in xai
        and "Trade press bulletin, June 2026 says “xAI signed in June.”" in xai
    )
    openai = section_of(text, "OpenAI")
    assert "OpenAI: status since (empty) → 2026-07-20" in openai
