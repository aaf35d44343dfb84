"""The Teams bot answers in personal chats, group chats and channels (standard, private,
shared), with or without an @mention in chats, at the connector stand-in: every command of
the one command table, as Adaptive Cards with the same facts and sources as Slack."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.deps import Deps
from bot.replies import CommandRequest
from bot.teams.answers import answer_activity
from tests.bot.teams.conftest import with_teams_bot
from tests.support.teams_connector import BotServer, Sent, TeamsConnector, message_activity


def ask(bot: BotServer, connector: TeamsConnector, text: str, **shape: Any) -> list[Sent]:
    connector.clear()
    activity = message_activity(connector, text, **shape)
    response = bot.post(activity, connector.inbound_token())
    assert response.status_code == 200
    sent = connector.sent()
    assert sent, "the bot sent nothing"
    for item in sent:
        assert item.conversation_id == activity["conversation"]["id"]  # the same conversation and thread
    return sent


def card_text(sent: list[Sent]) -> str:
    return json.dumps([card for s in sent for card in s.cards], ensure_ascii=False)


@pytest.mark.parametrize(
    "shape",
    [
        {"conversation_type": "personal"},
        {"conversation_type": "groupChat"},
        {"conversation_type": "groupChat", "mention_bot": True},
        {"conversation_type": "channel", "mention_bot": True},  # a standard channel
        {"conversation_type": "channel", "mention_bot": True, "conversation_id": "19:private01@thread.tacv2"},
        {"conversation_type": "channel", "mention_bot": True, "conversation_id": "19:shared01@thread.skype"},
    ],
)
def test_status_is_answered_everywhere_with_the_same_card_as_the_webhook(
    bot: BotServer, connector: TeamsConnector, deps: Deps, shape: dict[str, Any]
) -> None:
    sent = ask(bot, connector, "status meta", **shape)
    assert [s.kind for s in sent] == ["message"]
    expected = answer_activity(deps, message_activity(connector, "status meta", mention_bot=True))
    assert sent[0].cards == [a["content"] for a in expected.activity["attachments"]]
    text = card_text(sent)
    assert "Meta" in text and "working through the details" in text and "Source" in text


def test_every_command_of_the_table_gets_an_answer_not_help(
    bot: BotServer, connector: TeamsConnector, deps: Deps
) -> None:
    names = {c.name for c in deps.subcommands.all()} | {c.name for c in deps.slash_commands} - {"aireview"}
    for name in sorted(names - {"help"}):
        text = card_text(ask(bot, connector, name))
        assert "There is no command" not in text, name
        assert "Review Watch in Teams" not in text, name  # not the help card


def test_models_carry_the_slack_answer_facts(bot: BotServer, connector: TeamsConnector, deps: Deps) -> None:
    text = card_text(ask(bot, connector, "models meta"))
    slack = deps.subcommands.get("models")
    assert slack is not None
    reply = slack.run(deps, CommandRequest("meta", user_id="U1"))
    assert reply is not None
    assert "Muse Spark" in text and "Muse Spark" in json.dumps(reply.blocks)
    assert "*" not in text.replace("**", "")  # Slack's bold markers became bold runs


def test_help_says_how_to_ask_where_it_was_asked(bot: BotServer, connector: TeamsConnector) -> None:
    assert "no @mention needed" in card_text(ask(bot, connector, "help"))
    assert "Mention @Review Watch in this channel" in card_text(
        ask(bot, connector, "", conversation_type="channel", mention_bot=True)
    )
    near = card_text(ask(bot, connector, "holdout"))
    assert "There is no command" in near and "Did you mean" in near


def test_a_slow_answer_shows_typing_first(deps: Deps, connector: TeamsConnector) -> None:
    with_teams_bot(deps, connector)
    server = BotServer(deps, typing_after=0.0)
    try:
        sent = ask(server, connector, "holdouts")
    finally:
        server.close()
    assert [s.kind for s in sent] == ["typing", "message"]
    assert "Meta" in card_text(sent)
