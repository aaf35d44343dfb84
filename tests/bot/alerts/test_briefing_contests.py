"""Contested facts shown with their competing claims and sources on every surface that states
them (issue 26, item 10): the weekly briefing lists all four of the reports' disagreements,
each claim with its report, in Slack and on the Teams card; `/aireview compare` counts the
contested events (Anthropic's restriction); status and the App Home mark contested events; the
timeline's data flags them."""

from __future__ import annotations

from datetime import date

from slack_bolt import App

from bot.deps import Deps
from storage.facts import list_events
from storage.timeline import events_in_range
from tests.bot.alerts.test_briefing import briefed, local, teams_briefing, teams_deps
from tests.bot.read.test_commands import ask, shown
from tests.bot.read.test_compare import table_of
from tests.bot.read.test_home import open_home
from tests.support.alerts import CHANNEL, sweep
from tests.support.blockkit import message_errors, view_errors, visible_text
from tests.support.slack_emulator import SlackEmulator
from tests.support.teams_requests import card_lines

WIRE = "US Government Urges Meta to Conduct Security Reviews on AI Models (wire summary), June 2026"
STOCKTWITS = "Stocktwits (citing The New York Times), June 2026"
# Each seeded disagreement: what it is about, and a claim each report makes.
CONFLICTS = [
    ("Meta (developer)", f"{WIRE} says “Meta anticipates signing", f"{STOCKTWITS} says “Meta has not yet"),
    ("Google DeepMind (developer)", f"{WIRE} says “Google DeepMind”", f"{STOCKTWITS} says “Google”"),
    (
        "Order: President Trump",
        f"{WIRE} says “a voluntary framework",
        f"{STOCKTWITS} says “the order mandates",
    ),
    ("Restriction: Anthropic", f"{WIRE} says “suspend access", f"{STOCKTWITS} says “restrict access"),
]


def test_the_weekly_briefing_lists_every_conflict_with_its_claims_and_sources(
    deps: Deps, slack_emulator: SlackEmulator
) -> None:
    briefed(deps)
    sweep(deps, slack_emulator, local(deps, date(2026, 7, 27)))
    [message] = slack_emulator.messages[CHANNEL]
    assert message_errors(message) == []
    text = visible_text(message["blocks"])
    contested = text[text.index("Contested facts") :]
    for about, first, second in CONFLICTS:
        assert about in contested and first in contested and second in contested, about

    card = "\n".join(card_lines(teams_briefing(teams_deps(deps), date(2026, 7, 27))))
    for about, first, second in CONFLICTS:
        assert about in card and first in card and second in card, about


def test_compare_status_home_and_timeline_mark_contested_events(
    deps: Deps, bolt_app: App, slack_emulator: SlackEmulator
) -> None:
    rows = {r[0]: r for r in table_of(ask(bolt_app, slack_emulator, "/aireview", "compare")["blocks"])}
    assert rows["Anthropic"][7] == "1"  # the restriction the reports disagree on

    status = shown(ask(bolt_app, slack_emulator, "/aireview", "status anthropic"))
    assert "*Contested*\n1 development :warning:" in status
    assert "• :warning: *Contested* · June 2026 · Restriction: The government ordered Anthropic" in status
    assert f"{WIRE} says “suspend access to its most advanced models for foreign nationals”" in status

    open_home(bolt_app, slack_emulator, "UMEMBER001")
    view = slack_emulator.wait_for_call("views.publish").args["view"]
    assert view_errors(view) == []
    home = visible_text(view["blocks"])
    assert "Contested facts" in home
    for about, first, second in CONFLICTS:
        assert about in home and first in home and second in home, about

    [restriction] = [e for e in list_events(deps.store.db, "anthropic") if e["kind"] == "restriction"]
    drawn = {e["id"]: e for e in events_in_range(deps.store.db, date(2026, 6, 1), date(2026, 6, 30))}
    assert drawn[restriction["id"]]["contested"] == 1
    assert drawn[restriction["id"]]["developer_ids"] == ["anthropic"]
    statement = next(e for e in drawn.values() if e["kind"] == "statement")
    assert statement["contested"] == 0
