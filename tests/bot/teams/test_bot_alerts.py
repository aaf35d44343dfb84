"""Alerts through the Teams bot: an admin subscribes a channel from Teams; the sweep posts the
alert card there proactively (exactly once, by the ledger); when the deadline moves, the card
is edited in place and one follow-up goes in its reply chain. All at the connector stand-in."""

from __future__ import annotations

import json
from datetime import date, datetime, time
from typing import Any

from bot.alerts.delivery import build_senders, close_senders
from bot.alerts.sweep import run_sweep
from bot.alerts.updates import send_updates
from bot.clock import FixedClock
from bot.deps import Deps
from storage.alerts import get_ledger, get_subscription
from storage.teams import personal_conversation
from storage.tracker import list_deadlines, update_record
from tests.bot.teams.conftest import ADMIN_AAD, OTHER_AAD
from tests.conftest import ADMIN_ID
from tests.support.teams_connector import BotServer, Sent, TeamsConnector, message_activity

CHANNEL = "19:policy0001@thread.tacv2"
SOURCE = "https://example.gov/review-process-extended"


def local(deps: Deps, day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=deps.settings.tz)


def say(bot: BotServer, connector: TeamsConnector, text: str, user: str) -> str:
    activity = message_activity(connector, text, conversation_type="channel", mention_bot=True, user_aad=user)
    assert bot.post(activity, connector.inbound_token()).status_code == 200
    return json.dumps(connector.sent("message")[-1].cards)


def test_only_an_admin_subscribes_a_channel(
    admin_bot: BotServer, connector: TeamsConnector, deps: Deps
) -> None:
    refused = say(admin_bot, connector, "subscribe", OTHER_AAD)
    assert "Only admins" in refused
    assert get_subscription(deps.store.db, "teams", f"bot:{CHANNEL}") is None
    assert "Subscribed" in say(admin_bot, connector, "subscribe", ADMIN_AAD)
    assert get_subscription(deps.store.db, "teams", f"bot:{CHANNEL}") is not None
    assert "subscribed already" in say(admin_bot, connector, "subscribe", ADMIN_AAD)
    assert "Unsubscribed" in say(admin_bot, connector, "unsubscribe", ADMIN_AAD)


def test_an_alert_is_posted_once_then_edited_in_place_with_a_follow_up_in_its_chain(
    admin_bot: BotServer, connector: TeamsConnector, deps: Deps
) -> None:
    assert isinstance(deps.clock, FixedClock)
    deps.clock.set(local(deps, date(2026, 7, 2)))  # subscribed in early July
    say(admin_bot, connector, "subscribe", ADMIN_AAD)
    connector.clear()
    senders = build_senders(deps.settings, deps.store)
    try:
        first = run_sweep(deps, now=local(deps, date(2026, 7, 24)), senders=senders)
        posts = [s for s in connector.sent("message") if s.conversation_id == CHANNEL]
        assert first.sent and len(posts) == len(first.sent)
        alert = next(p for p in posts if "Deadline in 7 days" in json.dumps(p.cards))
        again = run_sweep(deps, now=local(deps, date(2026, 7, 24), 12), senders=senders)
        assert not again.sent and len(connector.sent("message")) == len(posts)  # exactly once
        send_updates(deps, now=local(deps, date(2026, 7, 24), 12), senders=senders)  # as after each sweep

        changed = local(deps, date(2026, 7, 27), 10)  # a Monday: not quiet time
        deadline = str(list_deadlines(deps.store.db)[0]["id"])
        update_record(
            deps.store.db,
            "deadline",
            deadline,
            {"due_date": "2026-08-14"},
            actor=ADMIN_ID,
            at=changed,
            source=SOURCE,
            note="The administration extended the deadline.",
        )
        connector.clear()
        result = send_updates(deps, now=changed, senders=senders)
        assert result.sent
        [edit] = [s for s in connector.sent("update") if s.activity_id == alert.new_id]
        assert "Updated" in json.dumps(edit.cards) and "Aug 14, 2026" in json.dumps(edit.cards)
        chain = [
            s for s in connector.sent("message") if s.conversation_id.startswith(CHANNEL + ";messageid=")
        ]
        assert len(chain) == 1 and SOURCE in json.dumps(chain[0].cards)
        assert send_updates(deps, now=changed, senders=senders).sent == []
        assert len(connector.sent("update")) == 1
    finally:
        close_senders(senders)


def press(
    connector: TeamsConnector, key: str, reply_to: str, user: str, name: str, conversation: str
) -> dict[str, Any]:
    """The invoke Teams posts when someone presses an Action.Execute button (Universal Actions)."""
    activity = message_activity(connector, "", conversation_type="channel", user_aad=user, user_name=name)
    activity.update(
        type="invoke",
        name="adaptiveCard/action",
        replyToId=reply_to,
        value={
            "action": {"type": "Action.Execute", "verb": "acknowledge", "data": {"key": key}},
            "trigger": "manual",
        },
    )
    activity["conversation"]["id"] = conversation
    del activity["text"]
    return activity


def test_acknowledge_on_a_bot_card_is_recorded_once_and_refreshes_the_card(
    admin_bot: BotServer, connector: TeamsConnector, deps: Deps
) -> None:
    assert isinstance(deps.clock, FixedClock)
    deps.clock.set(local(deps, date(2026, 7, 2)))
    say(admin_bot, connector, "subscribe", ADMIN_AAD)
    connector.clear()
    senders = build_senders(deps.settings, deps.store)
    try:
        run_sweep(deps, now=local(deps, date(2026, 7, 24)), senders=senders)
    finally:
        close_senders(senders)
    [posted] = [s for s in connector.sent("message") if "Deadline in 7 days" in json.dumps(s.cards)]
    [button] = [a for a in posted.cards[0]["actions"] if a.get("verb") == "acknowledge"]
    assert button["verb"] == "acknowledge"
    key = button["data"]["key"]
    deps.clock.set(local(deps, date(2026, 7, 24), 10))

    in_thread = f"{CHANNEL};messageid={posted.new_id}"
    first = admin_bot.post(
        press(connector, key, str(posted.new_id), OTHER_AAD, "Sam Staffer", in_thread),
        connector.inbound_token(),
    )
    assert first.status_code == 200
    body = first.json()
    assert body["statusCode"] == 200 and body["type"] == "application/vnd.microsoft.card.adaptive"
    assert "Acknowledged by Sam Staffer" in json.dumps(body["value"])
    assert not any(a.get("verb") == "acknowledge" for a in body["value"].get("actions", []))
    [update] = connector.sent("update")  # the posted card, for everyone
    assert update.activity_id == posted.new_id and "Acknowledged by Sam Staffer" in json.dumps(update.cards)
    assert get_ledger(deps.store.db, key)["acknowledged_by"] == "Sam Staffer"

    second = admin_bot.post(
        press(connector, key, str(posted.new_id), ADMIN_AAD, "Pat Policy", in_thread),
        connector.inbound_token(),
    )
    assert "Acknowledged by Sam Staffer" in json.dumps(second.json()["value"])  # the first one stands

    elsewhere = admin_bot.post(
        press(connector, key, "1", ADMIN_AAD, "Pat Policy", "19:other@thread.tacv2"),
        connector.inbound_token(),
    )
    assert "not sent here" in json.dumps(elsewhere.json())
    forged = admin_bot.post(press(connector, key, "1", ADMIN_AAD, "Pat Policy", in_thread), None)
    assert forged.status_code == 401


def seven_day_alert(bot: BotServer, connector: TeamsConnector, deps: Deps, senders: Any) -> Sent:
    """The channel subscribed on July 2 and swept on July 24: the deadline's 7-day alert card."""
    assert isinstance(deps.clock, FixedClock)
    deps.clock.set(local(deps, date(2026, 7, 2)))
    say(bot, connector, "subscribe", ADMIN_AAD)
    run_sweep(deps, now=local(deps, date(2026, 7, 24)), senders=senders)
    [posted] = [s for s in connector.sent("message") if "Deadline in 7 days" in json.dumps(s.cards)]
    return posted


def test_remind_me_on_a_bot_card_arrives_in_the_pressers_personal_chat_once(
    admin_bot: BotServer, connector: TeamsConnector, deps: Deps
) -> None:
    senders = build_senders(deps.settings, deps.store)
    try:
        posted = seven_day_alert(admin_bot, connector, deps, senders)
        [remind] = [
            a
            for a in posted.cards[0]["actions"]
            if a.get("verb") == "remind" and a["data"]["choice"] == "day"
        ]
        deps.clock.set(local(deps, date(2026, 7, 24), 10))
        in_thread = f"{CHANNEL};messageid={posted.new_id}"
        pressed = press(
            connector, remind["data"]["key"], str(posted.new_id), OTHER_AAD, "Sam Staffer", in_thread
        )
        pressed["value"]["action"].update(verb="remind", data=remind["data"])

        connector.clear()  # Sam never wrote to the bot: it opens their personal chat
        told = admin_bot.post(pressed, connector.inbound_token()).json()
        assert told["type"] == "application/vnd.microsoft.activity.message" and "remind you" in told["value"]
        [create] = connector.sent("create")
        assert create.path == "/v3/conversations" and create.body["members"] == [
            {"id": pressed["from"]["id"]}
        ]
        assert (
            create.body["tenantId"] == pressed["conversation"]["tenantId"] and create.body["isGroup"] is False
        )
        assert create.body["bot"]["id"] == pressed["recipient"]["id"]
        again_told = admin_bot.post(pressed, connector.inbound_token()).json()
        assert "remind you" in again_told["value"] and len(connector.sent("create")) == 1  # kept

        connector.clear()
        due = run_sweep(deps, now=local(deps, date(2026, 7, 25), 11), senders=senders)
        again = run_sweep(deps, now=local(deps, date(2026, 7, 25), 12), senders=senders)
    finally:
        close_senders(senders)
    personal = personal_conversation(deps.store.db, OTHER_AAD)
    assert personal is not None and personal.startswith("a:proactive-")
    reminders = [s for s in connector.sent("message") if s.conversation_id == personal]
    assert len(reminders) == 1 and due.sent and not again.sent
    assert "Deadline" in json.dumps(reminders[0].cards)


def test_when_teams_refuses_to_open_the_personal_chat_the_presser_is_told_and_nothing_is_saved(
    admin_bot: BotServer, connector: TeamsConnector, deps: Deps
) -> None:
    senders = build_senders(deps.settings, deps.store)
    try:
        posted = seven_day_alert(admin_bot, connector, deps, senders)
    finally:
        close_senders(senders)
    [remind] = [a for a in posted.cards[0]["actions"] if a.get("verb") == "remind"][:1]
    in_thread = f"{CHANNEL};messageid={posted.new_id}"
    pressed = press(connector, remind["data"]["key"], str(posted.new_id), OTHER_AAD, "Sam Staffer", in_thread)
    pressed["value"]["action"].update(verb="remind", data=remind["data"])
    connector.state.refuse_create = 403
    try:
        told = admin_bot.post(pressed, connector.inbound_token()).json()
    finally:
        connector.state.refuse_create = 0
    assert told["type"] == "application/vnd.microsoft.activity.message"
    assert "Teams would not let me open a personal chat with you (HTTP 403)" in told["value"]
    assert len(connector.sent("create")) == 1 and personal_conversation(deps.store.db, OTHER_AAD) is None
    assert not list(deps.store.db.query("SELECT * FROM reminders"))  # no reminder saved


def test_an_admin_mutes_a_deadline_here_and_its_next_alert_is_not_posted(
    admin_bot: BotServer, connector: TeamsConnector, deps: Deps
) -> None:
    assert isinstance(deps.clock, FixedClock)
    deps.clock.set(local(deps, date(2026, 7, 2)))
    say(admin_bot, connector, "subscribe", ADMIN_AAD)
    senders = build_senders(deps.settings, deps.store)
    try:
        run_sweep(deps, now=local(deps, date(2026, 7, 24)), senders=senders)
        [posted] = [s for s in connector.sent("message") if "Deadline in 7 days" in json.dumps(s.cards)]
        [mute] = [a for a in posted.cards[0]["actions"] if a.get("verb") == "mute_form"]
        deps.clock.set(local(deps, date(2026, 7, 24), 10))
        in_thread = f"{CHANNEL};messageid={posted.new_id}"

        def pressing(verb: str, user: str, data: dict[str, Any]) -> dict[str, Any]:
            activity = press(
                connector, mute["data"]["key"], str(posted.new_id), user, "Pat Policy", in_thread
            )
            activity["value"]["action"].update(verb=verb, data=data)
            body: dict[str, Any] = admin_bot.post(activity, connector.inbound_token()).json()
            return body

        assert "Only admins" in pressing("mute_form", OTHER_AAD, mute["data"])["value"]
        form = pressing("mute_form", ADMIN_AAD, mute["data"])
        assert form["type"] == "application/vnd.microsoft.card.adaptive"
        [confirm] = form["value"]["actions"]
        assert "Only admins" in pressing("mute", OTHER_AAD, confirm["data"])["value"]
        done = pressing("mute", ADMIN_AAD, {**confirm["data"], "mute_until": "2026-08-31"})
        assert "muted here until" in done["value"]

        connector.clear()
        later = run_sweep(deps, now=local(deps, date(2026, 7, 28)), senders=senders)  # the 3-day alert
    finally:
        close_senders(senders)
    assert not [s for s in connector.sent("message") if "Deadline" in json.dumps(s.cards)]
    assert not later.sent
    assert any(
        key.startswith("deadline|") and "mute" in reason for key, reason in later.skipped
    )  # it was due
