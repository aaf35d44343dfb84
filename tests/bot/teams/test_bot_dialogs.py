"""Admins change a developer's status from Teams: `update meta` offers a button, the button
opens the status form as a dialog (task/fetch), the submission (task/submit) is validated,
version-checked and saved with history by the Slack form's code, errors inline."""

from __future__ import annotations

import json
from typing import Any

from bot.deps import Deps
from storage.tracker import get_record, list_deadlines, list_history
from tests.bot.teams.conftest import ADMIN_AAD, OTHER_AAD
from tests.support.teams_connector import BotServer, TeamsConnector, message_activity

SOURCE = "https://example.gov/meta-signs"


def invoke(connector: TeamsConnector, name: str, data: dict[str, Any], user: str) -> dict[str, Any]:
    """A dialog invoke as Teams posts it (task/fetch from a card button, task/submit from the form)."""
    activity = message_activity(connector, "", user_aad=user, user_name="Pat Policy")
    activity.update(type="invoke", name=name, value={"data": data, "context": {"theme": "default"}})
    del activity["text"]
    return activity


def post(bot: BotServer, connector: TeamsConnector, activity: dict[str, Any]) -> dict[str, Any]:
    response = bot.post(activity, connector.inbound_token())
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def form_of(answer: dict[str, Any]) -> dict[str, Any]:
    assert answer["task"]["type"] == "continue"
    card: dict[str, Any] = answer["task"]["value"]["card"]["content"]
    return card


def test_an_admin_changes_a_status_from_a_teams_dialog(
    admin_bot: BotServer, connector: TeamsConnector, deps: Deps
) -> None:
    admin_bot.post(message_activity(connector, "update meta", user_aad=ADMIN_AAD), connector.inbound_token())
    [offer] = connector.sent("message")
    [button] = offer.cards[0]["actions"]
    assert button["data"]["msteams"]["type"] == "task/fetch"

    form = form_of(post(admin_bot, connector, invoke(connector, "task/fetch", button["data"], ADMIN_AAD)))
    [save] = form["actions"]
    version = get_record(deps.store.db, "developer", "meta")["version"]
    assert save["data"]["version"] == version

    submitted = {
        **save["data"],
        "status": "signed",
        "effective_date": "2026-07-20",
        "effective_precision": "day",
    }
    missing_source = form_of(
        post(admin_bot, connector, invoke(connector, "task/submit", submitted, ADMIN_AAD))
    )
    assert "Source is required" in json.dumps(missing_source)  # inline, the values kept
    assert get_record(deps.store.db, "developer", "meta")["status"] != "signed"

    done = post(
        admin_bot, connector, invoke(connector, "task/submit", {**submitted, "source": SOURCE}, ADMIN_AAD)
    )
    assert done["task"]["type"] == "message"
    meta = get_record(deps.store.db, "developer", "meta")
    assert meta["status"] == "signed" and meta["status_since"] == "2026-07-20"
    [change] = [h for h in list_history(deps.store.db, "developer", "meta") if h["field"] == "status"][:1]
    assert "signed" in json.dumps(change) and change["actor"] == "Pat Policy"
    assert "Saved" in json.dumps(connector.sent("message")[-1].cards)

    stale = post(
        admin_bot,
        connector,
        invoke(connector, "task/submit", {**submitted, "source": SOURCE, "status": "holdout"}, ADMIN_AAD),
    )
    assert "task" in stale and stale["task"]["type"] == "continue"  # the version moved: refused inline
    assert get_record(deps.store.db, "developer", "meta")["status"] == "signed"


def test_a_non_admin_can_neither_open_nor_submit(
    admin_bot: BotServer, connector: TeamsConnector, deps: Deps
) -> None:
    admin_bot.post(message_activity(connector, "update meta", user_aad=OTHER_AAD), connector.inbound_token())
    assert "Only admins" in json.dumps(connector.sent("message")[-1].cards)
    data = {"dialog": "status", "developer": "meta"}
    assert (
        post(admin_bot, connector, invoke(connector, "task/fetch", data, OTHER_AAD))["task"]["type"]
        == "message"
    )
    before = get_record(deps.store.db, "developer", "meta")
    forged = {
        "dialog": "status",
        "id": "meta",
        "version": before["version"],
        "status": "signed",
        "effective_date": "2026-07-20",
        "source": SOURCE,
    }
    answer = post(admin_bot, connector, invoke(connector, "task/submit", forged, OTHER_AAD))
    assert "Only admins" in json.dumps(answer)
    assert get_record(deps.store.db, "developer", "meta") == before


def test_an_admin_moves_a_deadline_from_teams_and_records_a_development(
    admin_bot: BotServer, connector: TeamsConnector, deps: Deps
) -> None:
    deadline = list_deadlines(deps.store.db)[0]
    admin_bot.post(
        message_activity(connector, f"update deadline:{deadline['title']}", user_aad=ADMIN_AAD),
        connector.inbound_token(),
    )
    button, _remove = connector.sent("message")[-1].cards[0]["actions"]
    form = form_of(post(admin_bot, connector, invoke(connector, "task/fetch", button["data"], ADMIN_AAD)))
    shown = {e["id"]: e.get("value") for e in form["body"] if "id" in e}
    assert shown["due_date"] == deadline["due_date"] and shown["title"] == deadline["title"]
    [save] = form["actions"]
    moved = {
        **save["data"],
        **{k: v for k, v in shown.items() if v},
        "due_date": "2026-08-14",
        "source": SOURCE,
    }
    done = post(admin_bot, connector, invoke(connector, "task/submit", moved, ADMIN_AAD))
    assert done["task"]["type"] == "message"
    assert get_record(deps.store.db, "deadline", str(deadline["id"]))["due_date"] == "2026-08-14"

    admin_bot.post(message_activity(connector, "update", user_aad=ADMIN_AAD), connector.inbound_token())
    record_event = connector.sent("message")[-1].cards[0]["actions"][0]
    assert record_event["data"]["dialog"] == "event"
    form = form_of(
        post(admin_bot, connector, invoke(connector, "task/fetch", record_event["data"], ADMIN_AAD))
    )
    [save] = form["actions"]
    event = {
        **save["data"],
        "event_kind": "statement",
        "effective_date": "2026-07-21",
        "effective_precision": "day",
        "summary": "Meta said it hopes to sign soon.",
        "event_developers": "meta",
    }
    missing = form_of(post(admin_bot, connector, invoke(connector, "task/submit", event, ADMIN_AAD)))
    assert "Source is required" in json.dumps(missing)
    done = post(
        admin_bot, connector, invoke(connector, "task/submit", {**event, "source": SOURCE}, ADMIN_AAD)
    )
    assert done["task"]["type"] == "message"
    assert "Meta said it hopes to sign soon." in json.dumps(list_history(deps.store.db, limit=5))
