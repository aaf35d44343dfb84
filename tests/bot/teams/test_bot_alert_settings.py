"""A Teams conversation's alerts, at the connector stand-in: the `alerts` card titled by where
it is asked, its Unmute buttons (Action.Execute, admins only, this conversation's mutes only),
and the alert settings dialog, validated as Slack's subscribe form."""

from __future__ import annotations

import json
from typing import Any

import pytest
from jsonschema import Draft6Validator

from bot.deps import Deps
from bot.domain import today_in
from storage.snooze import active_mutes, save_mute
from tests.bot.teams.conftest import ADMIN_AAD, OTHER_AAD
from tests.support import paths
from tests.support.teams_connector import BotServer, Sent, TeamsConnector, message_activity

CHANNEL = "19:policy0001@thread.tacv2"
CARD_SCHEMA = Draft6Validator(
    json.loads((paths.SCHEMAS / "adaptive-card.1.5.0.json").read_text(encoding="utf-8"))
)
SHAPES: dict[str, dict[str, Any]] = {
    "personal": {},
    "groupChat": {"conversation_type": "groupChat"},
    "channel": {"conversation_type": "channel", "mention_bot": True},
}


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
    [unmute] = [a for a in admin_card["actions"] if a.get("verb") == "unmute"]
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


def dialog(
    bot: BotServer, connector: TeamsConnector, name: str, data: dict[str, Any], user: str
) -> dict[str, Any]:
    """A dialog invoke in the channel, as Teams posts it (task/fetch from the button, task/submit
    from the form)."""
    activity = message_activity(connector, "", conversation_type="channel", user_aad=user)
    activity.update(type="invoke", name=name, value={"data": data, "context": {"theme": "default"}})
    del activity["text"]
    response = bot.post(activity, connector.inbound_token())
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def form_of(answer: dict[str, Any]) -> dict[str, Any]:
    assert answer["task"]["type"] == "continue", answer
    card: dict[str, Any] = answer["task"]["value"]["card"]["content"]
    return card


def inputs(card: dict[str, Any]) -> dict[str, Any]:
    return {e["id"]: e.get("value") for e in card["body"] if str(e.get("type", "")).startswith("Input.")}


def slack_errors(**entered: str) -> dict[str, str]:
    """What Slack's subscribe form says to the same answers (the reference)."""
    from bot import ids
    from bot.alerts.subscribe_form import parse_subscribe_state

    state = {
        ids.BLOCK_SUBSCRIBE_KINDS: {
            "value": {"selected_options": [{"value": k} for k in entered["kinds"].split(",") if k]}
        },
        ids.BLOCK_SUBSCRIBE_LEADS: {"value": {"value": entered["leads"]}},
        ids.BLOCK_SUBSCRIBE_QUIET_START: {"value": {"selected_time": entered["quiet_start"] or None}},
        ids.BLOCK_SUBSCRIBE_QUIET_END: {"value": {"selected_time": entered["quiet_end"] or None}},
    }
    return parse_subscribe_state(state)[1]


# What the admin enters in the alert settings dialog, field by field.
CHOSEN_SETTINGS = {
    "subscribe_kinds": "deadline,status",
    "subscribe_leads": "3, 14",
    "subscribe_mode": "daily",
    "subscribe_developers": "meta",
    "subscribe_delivery_days": "every_day",
    "subscribe_quiet_start": "18:00",
    "subscribe_quiet_end": "08:00",
    "subscribe_threads": "false",
    "subscribe_briefing": "true",
}


def test_an_admin_changes_alert_settings_in_a_dialog_checked_as_slacks_subscribe_form(
    admin_bot: BotServer, connector: TeamsConnector, deps: Deps
) -> None:
    from storage.alerts import get_subscription

    [offer] = say(admin_bot, connector, "subscribe").cards
    [button] = offer["actions"]
    assert button["data"]["msteams"]["type"] == "task/fetch"
    refused = dialog(admin_bot, connector, "task/fetch", button["data"], OTHER_AAD)
    assert refused["task"]["type"] == "message" and "Only admins" in refused["task"]["value"]

    form = form_of(dialog(admin_bot, connector, "task/fetch", button["data"], ADMIN_AAD))
    errors_in_schema = sorted(CARD_SCHEMA.iter_errors(form), key=str)
    assert not errors_in_schema, errors_in_schema[0].message
    shown = inputs(form)
    assert shown["subscribe_leads"] == ",".join(str(d) for d in deps.settings.lead_days)
    assert "deadline" in shown["subscribe_kinds"].split(",") and shown["subscribe_briefing"] == "false"
    [save] = form["actions"]
    before = get_subscription(deps.store.db, "teams", f"bot:{CHANNEL}")

    wrong = {"kinds": "", "leads": "30, 400", "quiet_start": "22:00", "quiet_end": ""}
    answer = form_of(
        dialog(
            admin_bot,
            connector,
            "task/submit",
            {
                **save["data"],
                "subscribe_kinds": wrong["kinds"],
                "subscribe_leads": wrong["leads"],
                "subscribe_quiet_start": wrong["quiet_start"],
                "subscribe_developers": "meta,nobody",
            },
            ADMIN_AAD,
        )
    )
    errors = slack_errors(**wrong)
    assert len(errors) == 3
    text = json.dumps(answer, ensure_ascii=False)
    for message in [*errors.values(), "Choose developers from the menu."]:
        assert message in text, message
    assert inputs(answer)["subscribe_leads"] == "30, 400"  # what was entered, kept
    assert get_subscription(deps.store.db, "teams", f"bot:{CHANNEL}") == before

    chosen = {**save["data"], **CHOSEN_SETTINGS}
    not_admin = dialog(admin_bot, connector, "task/submit", chosen, OTHER_AAD)
    assert "Only admins" in not_admin["task"]["value"]
    assert get_subscription(deps.store.db, "teams", f"bot:{CHANNEL}") == before

    connector.clear()
    done = dialog(admin_bot, connector, "task/submit", chosen, ADMIN_AAD)
    assert done["task"] == {"type": "message", "value": "Saved."}
    sub = get_subscription(deps.store.db, "teams", f"bot:{CHANNEL}")
    assert sub is not None
    assert (sub["kinds"], sub["lead_days"], sub["digest"], sub["developer_filter"]) == (
        ["deadline", "status"],
        [14, 3],
        "daily",
        ["meta"],
    )
    assert (sub["delivery_days"], sub["quiet_start"], sub["quiet_end"], sub["threads"]) == (
        "every_day",
        "18:00",
        "08:00",
        0,
    )
    assert sub["briefing_since"] and sub["created_by"] == before["created_by"]
    [confirmation] = connector.sent("message")
    said = json.dumps(confirmation.cards, ensure_ascii=False)
    assert confirmation.conversation_id.startswith(CHANNEL) and "alert settings are saved" in said
    assert "14, 3" in said and "18:00 to 08:00" in said
