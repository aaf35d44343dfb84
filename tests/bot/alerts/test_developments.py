"""`development` alerts: a new event (an order, a request, a statement...) reaches the
channels that chose the kind, in real time, saying when it took effect and when it was
recorded, with its sources; developer filters apply to the developers it concerns."""

from __future__ import annotations

from datetime import timedelta

from bot.deps import Deps
from storage.facts import create_event, source_by_seed_key
from tests.support.alerts import CHANNEL, OTHER_CHANNEL, subscribe, sweep
from tests.support.blockkit import visible_text
from tests.support.slack_emulator import SlackEmulator


def _event(deps: Deps, developers: list[str], summary: str) -> None:
    wire = source_by_seed_key(deps.store.db, "report:wire")
    assert wire is not None
    create_event(
        deps.store.db,
        kind="restriction",
        effective="2026-07",
        summary=summary,
        developer_ids=developers,
        source_ids=[wire["id"]],
        actor="UADMIN0001",
        at=deps.clock.now(),
    )


def test_a_new_event_reaches_channels_that_chose_developments(
    deps: Deps, slack_emulator: SlackEmulator
) -> None:
    now = deps.clock.now()
    subscribe(deps, now, kinds=["development"])
    subscribe(deps, now, channel=OTHER_CHANNEL, kinds=["status"])  # did not choose the kind
    _event(deps, ["anthropic"], "The government lifted the restriction on Anthropic's newest model.")

    result = sweep(deps, slack_emulator, now + timedelta(minutes=5))
    assert len(result.sent) == 1
    [message] = slack_emulator.messages[CHANNEL]
    text = visible_text(message["blocks"])
    assert "Development: Restriction: Anthropic" in text
    assert "Took effect July 2026; recorded Jul 24, 2026 10:00 EDT" in text
    assert "lifted the restriction" in text
    assert (
        "US Government Urges Meta to Conduct Security Reviews on AI Models (wire summary), June 2026" in text
    )
    assert OTHER_CHANNEL not in slack_emulator.messages
    # The seed's own events (recorded before the subscription) are not sent.
    assert "Brennan" not in text


def test_developer_filters_apply_to_the_developers_an_event_concerns(
    deps: Deps, slack_emulator: SlackEmulator
) -> None:
    now = deps.clock.now()
    subscribe(deps, now, kinds=["development"], developer_filter=["openai"])
    _event(deps, ["meta"], "Meta was asked again.")
    _event(deps, [], "A second executive order amended the framework.")  # concerns every developer
    _event(deps, ["openai", "meta"], "OpenAI and Meta were both asked.")

    sweep(deps, slack_emulator, now + timedelta(minutes=5))
    texts = [visible_text(m["blocks"]) for m in slack_emulator.messages[CHANNEL]]
    assert len(texts) == 2
    assert any("second executive order" in t for t in texts)
    assert any("OpenAI and Meta were both asked" in t for t in texts)
