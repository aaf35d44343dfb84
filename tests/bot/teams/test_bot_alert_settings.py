"""A Teams conversation's alerts, at the connector stand-in: the `alerts` card titled by where
it is asked, its Unmute buttons (Action.Execute, admins only, this conversation's mutes only),
and the alert settings dialog, validated as Slack's subscribe form."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from bot.deps import Deps
from bot.domain import today_in
from storage.snooze import active_mutes, save_mute
from tests.bot.teams.conftest import with_teams_bot
from tests.support.teams_connector import BotServer, Sent, TeamsConnector, message_activity

ADMIN_AAD = "7f1c0000-0000-4000-8000-00000000abcd"
OTHER_AAD = "0a0a0000-0000-4000-8000-000000000001"
CHANNEL = "19:policy0001@thread.tacv2"
SHAPES: dict[str, dict[str, Any]] = {
    "personal": {},
    "groupChat": {"conversation_type": "groupChat"},
    "channel": {"conversation_type": "channel", "mention_bot": True},
}


@pytest.fixture
def admin_bot(deps: Deps, connector: TeamsConnector) -> Iterator[BotServer]:
    with_teams_bot(deps, connector, REVIEWWATCH_TEAMS_ADMINS=ADMIN_AAD)
    connector.clear()
    server = BotServer(deps, typing_after=5.0)
    yield server
    server.close()


def say(
    bot: BotServer, connector: TeamsConnector, text: str, user: str = ADMIN_AAD, where: str = "channel"
) -> Sent:
    connector.clear()
    activity = message_activity(connector, text, user_aad=user, **SHAPES[where])
    assert bot.post(activity, connector.inbound_token()).status_code == 200
    [sent] = connector.sent("message")
    return sent


def invoke(
    bot: BotServer, connector: TeamsConnector, verb: str, data: dict[str, Any], user: str, conversation: str
) -> dict[str, Any]:
    """An Action.Execute press, as Teams posts it (an `adaptiveCard/action` invoke)."""
    activity = message_activity(connector, "", conversation_type="channel", user_aad=user)
    activity.update(
        type="invoke",
        name="adaptiveCard/action",
        value={"action": {"type": "Action.Execute", "verb": verb, "data": data}, "trigger": "manual"},
    )
    activity["conversation"]["id"] = conversation
    del activity["text"]
    response = bot.post(activity, connector.inbound_token())
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def mute_xai(deps: Deps, target: str) -> int:
    row = save_mute(
        deps.store.db,
        target_type="teams",
        target=target,
        subject_type="developer",
        subject_id="xai",
        title="xAI",
        until=None,
        actor="teams:" + ADMIN_AAD,
        now=deps.clock.now(),
    )
    return int(row["id"])


def mutes_here(deps: Deps) -> list[dict[str, Any]]:
    today = today_in(deps.settings.tz, deps.clock.now())
    return active_mutes(deps.store.db, today, "teams", f"bot:{CHANNEL}")


@pytest.mark.parametrize(
    ("where", "title"),
    [
        ("personal", "Alerts for this personal chat"),
        ("groupChat", "Alerts for this group chat"),
        ("channel", "Alerts for this channel"),
    ],
)
def test_the_alerts_card_is_titled_by_where_it_is_asked(
    admin_bot: BotServer, connector: TeamsConnector, where: str, title: str
) -> None:
    [card] = say(admin_bot, connector, "alerts", OTHER_AAD, where).cards
    assert card["body"][0]["inlines"][0]["text"] == title
    assert "this channel" not in json.dumps(card) or where == "channel"


def test_an_admin_unmutes_from_the_alerts_card_and_it_is_refreshed_for_them(
    admin_bot: BotServer, connector: TeamsConnector, deps: Deps
) -> None:
    say(admin_bot, connector, "subscribe")
    mute_id = mute_xai(deps, f"bot:{CHANNEL}")
    elsewhere = mute_xai(deps, "bot:19:other@thread.tacv2")

    [member_card] = say(admin_bot, connector, "alerts", OTHER_AAD).cards
    assert "xAI" in json.dumps(member_card) and not member_card.get("actions")
    [admin_card] = say(admin_bot, connector, "alerts").cards
    [unmute] = admin_card["actions"]
    assert unmute["type"] == "Action.Execute" and unmute["verb"] == "unmute"
    assert "Its buttons are in Slack" not in json.dumps(admin_card)

    refused = invoke(admin_bot, connector, "unmute", unmute["data"], OTHER_AAD, CHANNEL)
    assert "Only admins" in refused["value"] and len(mutes_here(deps)) == 1
    other = invoke(admin_bot, connector, "unmute", {"mute_id": elsewhere}, ADMIN_AAD, CHANNEL)
    assert "not muted here" in other["value"]  # another conversation's mute stays
    done = invoke(admin_bot, connector, "unmute", unmute["data"], ADMIN_AAD, CHANNEL)
    assert done["type"] == "application/vnd.microsoft.card.adaptive"
    shown = json.dumps(done["value"], ensure_ascii=False)
    assert "Alerts about xAI come here again" in shown and "Muted here" not in shown
    assert mutes_here(deps) == [] and unmute["data"] == {"mute_id": mute_id}
    again = invoke(admin_bot, connector, "unmute", unmute["data"], ADMIN_AAD, CHANNEL)
    assert "not muted here" in again["value"]
