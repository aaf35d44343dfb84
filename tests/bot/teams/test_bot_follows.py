"""A person follows a developer from their personal chat with the Teams bot, as in Slack; the
followed alerts then arrive in that chat, sent by the bot (exactly once, by the ledger)."""

from __future__ import annotations

import json
from datetime import timedelta

from bot.alerts.delivery import build_senders, close_senders
from bot.alerts.sweep import run_sweep
from bot.clock import FixedClock
from bot.deps import Deps
from storage.alerts import get_subscription
from storage.tracker import update_record
from tests.support.teams_connector import BotServer, TeamsConnector, message_activity

USER = "7f1c0000-0000-4000-8000-00000000abcd"


def say(bot: BotServer, connector: TeamsConnector, text: str, **shape: object) -> str:
    activity = message_activity(connector, text, user_aad=USER, **shape)  # type: ignore[arg-type]
    assert bot.post(activity, connector.inbound_token()).status_code == 200
    return json.dumps(connector.sent("message")[-1].cards, ensure_ascii=False)


def test_follow_in_the_personal_chat_brings_the_developers_alerts_there(
    bot: BotServer, connector: TeamsConnector, deps: Deps
) -> None:
    personal = message_activity(connector, "", user_aad=USER)["conversation"]["id"]
    assert "personal chat" in say(
        bot, connector, "follow meta", conversation_type="channel", mention_bot=True
    )
    answer = say(bot, connector, "follow meta")
    assert "You now follow Meta" in answer and "messages in this chat" in answer
    sub = get_subscription(deps.store.db, "teams", f"bot:{personal}")
    assert sub is not None and sub["developer_filter"] == ["meta"]
    assert "Meta" in say(bot, connector, "following")

    assert isinstance(deps.clock, FixedClock)
    later = deps.clock.now() + timedelta(hours=1)
    update_record(
        deps.store.db,
        "developer",
        "meta",
        {"status": "signed", "status_since": "2026-07-24"},
        actor="UADMIN0001",
        at=later,
        source="https://example.gov/meta-signs",
        note=None,
    )
    connector.clear()
    senders = build_senders(deps.settings, deps.store)
    try:
        first = run_sweep(deps, now=later + timedelta(minutes=5), senders=senders)
        again = run_sweep(deps, now=later + timedelta(minutes=10), senders=senders)
    finally:
        close_senders(senders)
    delivered = [s for s in connector.sent("message") if s.conversation_id == personal]
    assert first.sent and len(delivered) == len(first.sent) and not again.sent
    assert "Meta" in json.dumps(delivered[0].cards)

    assert "no longer follow Meta" in say(bot, connector, "unfollow meta")
    assert get_subscription(deps.store.db, "teams", f"bot:{personal}") is None
