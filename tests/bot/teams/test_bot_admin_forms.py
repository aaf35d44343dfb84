"""The rest of Slack's admin forms as Teams dialogs: `admin` (or `update` alone) offers adding a
developer, a model or a deadline, marking a fact contested and settling a contest; `update
model:...|deadline:...` also offers removing it. Each is read, validated and saved by the
Slack form's code (errors inline, the values kept), admins only at opening and at saving, and
the history names the Teams person."""

from __future__ import annotations

import json
from typing import Any

from bot.deps import Deps
from storage.facts import contests_for, get_event, list_events, record_sources
from storage.tracker import get_record, list_deadlines, list_developers, list_history, list_models
from tests.bot.teams.conftest import ADMIN_AAD, OTHER_AAD
from tests.bot.teams.test_bot_dialogs import form_of, invoke, post
from tests.support.teams_connector import BotServer, TeamsConnector, message_activity

SOURCE = "https://example.gov/new-facts"


def _offers(bot: BotServer, connector: TeamsConnector, command: str, user: str) -> dict[str, Any]:
    """The buttons the bot answers `command` with, by the dialog each opens."""
    bot.post(message_activity(connector, command, user_aad=user), connector.inbound_token())
    actions = connector.sent("message")[-1].cards[0].get("actions", [])
    return {a["data"]["dialog"]: a["data"] for a in actions}


def _open(
    bot: BotServer, connector: TeamsConnector, data: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The dialog a button opens (for the admin): its card and its Save button's data."""
    form = form_of(post(bot, connector, invoke(connector, "task/fetch", data, ADMIN_AAD)))
    [save] = form["actions"]
    return form, save["data"]


def _submit(
    bot: BotServer, connector: TeamsConnector, data: dict[str, Any], user: str = ADMIN_AAD
) -> dict[str, Any]:
    return post(bot, connector, invoke(connector, "task/submit", data, user))


def _shown(form: dict[str, Any]) -> dict[str, Any]:
    return {e["id"]: e.get("value") for e in form["body"] if "id" in e}


def _tracker(deps: Deps) -> str:
    db = deps.store.db
    return json.dumps(
        [list_developers(db), list_models(db), list_deadlines(db), list_history(db, limit=500)], default=str
    )


def test_an_admin_adds_a_developer_a_model_and_a_deadline_from_teams(
    admin_bot: BotServer, connector: TeamsConnector, deps: Deps
) -> None:
    offers = _offers(admin_bot, connector, "admin", ADMIN_AAD)
    assert set(offers) == {"event", "developer", "model", "deadline", "contest", "settle"}
    db = deps.store.db

    form, save = _open(admin_bot, connector, offers["developer"])
    assert _shown(form)["status"] == "unknown"
    developer = {**save, "name": "Mistral AI", "status": "holdout", "effective_date": "2026-07-10"}
    before = _tracker(deps)
    again = form_of(_submit(admin_bot, connector, developer))
    assert "Source is required" in json.dumps(again) and _shown(again)["name"] == "Mistral AI"
    assert _tracker(deps) == before
    assert _submit(admin_bot, connector, {**developer, "source": SOURCE})["task"]["type"] == "message"
    added = get_record(db, "developer", "mistral-ai")
    assert added is not None and added["status"] == "holdout" and added["status_since"] == "2026-07-10"
    assert list_history(db, "developer", "mistral-ai")[0]["actor"] == "Pat Policy"
    duplicate = form_of(_submit(admin_bot, connector, {**developer, "source": SOURCE}))
    assert "already tracked" in json.dumps(duplicate)

    form, save = _open(admin_bot, connector, offers["model"])
    assert {"id": "mistral-ai", "title": "Mistral AI"} in [
        {"id": c["value"], "title": c["title"]} for c in form["body"][1]["choices"]
    ]
    model = {**save, "developer": "mistral-ai", "name": "Large 3", "review_status": "released"}
    before = _tracker(deps)
    again = form_of(_submit(admin_bot, connector, model))
    assert "needs its released date" in json.dumps(again) and _shown(again)["name"] == "Large 3"
    assert _tracker(deps) == before
    done = _submit(admin_bot, connector, {**model, "review_status": "in_review", "submitted": "2026-07-15"})
    assert done["task"]["type"] == "message"
    [large] = list_models(db, "mistral-ai")
    assert large["name"] == "Large 3" and large["review_status"] == "in_review"
    assert list_history(db, "model", large["id"])[0]["actor"] == "Pat Policy"

    form, save = _open(admin_bot, connector, offers["deadline"])
    assert _shown(form)["outcome"] == "open" and _shown(form)["kind"] == "deadline"
    deadline = {**save, **{k: v for k, v in _shown(form).items() if v}, "title": "Mistral files its plan"}
    before = _tracker(deps)
    again = form_of(_submit(admin_bot, connector, {**deadline, "source": SOURCE}))
    assert "Due date is required" in json.dumps(again) and _shown(again)["title"] == "Mistral files its plan"
    assert _tracker(deps) == before
    done = _submit(admin_bot, connector, {**deadline, "due_date": "2026-09-30", "source": SOURCE})
    assert done["task"]["type"] == "message"
    [new] = [d for d in list_deadlines(db) if d["title"] == "Mistral files its plan"]
    assert new["due_date"] == "2026-09-30"
    assert list_history(db, "deadline", new["id"])[0]["actor"] == "Pat Policy"
    assert "Mistral files its plan" in json.dumps(connector.sent("message")[-1].cards)


def test_an_admin_removes_a_model_and_a_deadline_after_confirming(
    admin_bot: BotServer, connector: TeamsConnector, deps: Deps
) -> None:
    db = deps.store.db
    deadline = list_deadlines(db)[0]
    offers = _offers(admin_bot, connector, f"update deadline:{deadline['title']}", ADMIN_AAD)
    form, save = _open(admin_bot, connector, offers["remove_deadline"])
    assert deadline["title"] in json.dumps(form) and save["version"] == deadline["version"]
    before = _tracker(deps)
    unticked = form_of(
        _submit(admin_bot, connector, {**save, "confirm": "", "note": "Dropped by the agency"})
    )
    assert "Tick the box to confirm" in json.dumps(unticked)
    assert _shown(unticked)["note"] == "Dropped by the agency"
    assert _tracker(deps) == before
    stale = {**save, "version": save["version"] - 1, "confirm": "yes"}
    assert "task" in _submit(admin_bot, connector, stale) and _tracker(deps) == before
    done = _submit(admin_bot, connector, {**save, "confirm": "yes", "note": "Dropped by the agency"})
    assert done["task"]["type"] == "message"
    assert get_record(db, "deadline", str(deadline["id"])) is None
    assert list_history(db, "deadline", deadline["id"])[0]["actor"] == "Pat Policy"
    assert "Removed deadline" in json.dumps(connector.sent("message")[-1].cards)
    again = _submit(admin_bot, connector, {**save, "confirm": "yes"})
    assert "no longer in the tracker" in json.dumps(again)

    model = list_models(db)[0]
    offers = _offers(admin_bot, connector, f"update model:{model['name']}", ADMIN_AAD)
    _form, save = _open(admin_bot, connector, offers["remove_model"])
    assert _submit(admin_bot, connector, {**save, "confirm": "yes"})["task"]["type"] == "message"
    assert get_record(db, "model", str(model["id"])) is None


def test_an_admin_marks_a_fact_contested_and_settles_it_from_teams(
    admin_bot: BotServer, connector: TeamsConnector, deps: Deps
) -> None:
    db = deps.store.db
    offers = _offers(admin_bot, connector, "update", ADMIN_AAD)
    _form, save = _open(admin_bot, connector, offers["contest"])
    contest = {
        **save,
        "developer": "meta",
        "fact": "status",
        "reason": "The reports disagree on whether Meta signed.",
        "claim_a": "Meta signed on 20 July.",
        "claim_a_new_source": "https://example.gov/signed",
        "claim_b": "Meta has not signed.",
    }
    before = contests_for(db, "developer", ["meta"], open_only=False)
    again = form_of(_submit(admin_bot, connector, contest))
    assert "Choose the source that makes this claim" in json.dumps(again)
    assert _shown(again)["claim_b"] == "Meta has not signed."
    assert contests_for(db, "developer", ["meta"], open_only=False) == before
    contest["claim_b_new_source"] = "https://example.gov/not-signed"
    assert _submit(admin_bot, connector, contest)["task"]["type"] == "message"
    [opened] = [c for c in contests_for(db, "developer", ["meta"])["meta"] if c.reason == contest["reason"]]
    assert "Marked contested" in json.dumps(connector.sent("message")[-1].cards)

    form, save = _open(admin_bot, connector, offers["settle"])
    [settle] = [e for e in form["body"] if e.get("id") == "settle"]
    signed = next(c for c in opened.claims if c.text == "Meta signed on 20 July.")
    choice = f"resolve:{opened.id}:{signed.id}"
    assert choice in [c["value"] for c in settle["choices"]]
    again = form_of(_submit(admin_bot, connector, {**save, "settle": choice, "note": "The order is public"}))
    assert "Source is required" in json.dumps(again) and _shown(again)["note"] == "The order is public"
    assert [c.state for c in contests_for(db, "developer", ["meta"])["meta"] if c.id == opened.id] == ["open"]
    done = _submit(admin_bot, connector, {**save, "settle": choice, "source": "https://example.gov/order"})
    assert done["task"]["type"] == "message"
    [resolved] = [
        c for c in contests_for(db, "developer", ["meta"], open_only=False)["meta"] if c.id == opened.id
    ]
    assert resolved.state == "resolved" and resolved.resolved_claim_id == signed.id
    assert "Pat Policy" in json.dumps(list_history(db, limit=5))


def test_a_non_admin_can_neither_open_nor_save_the_admin_forms(
    admin_bot: BotServer, connector: TeamsConnector, deps: Deps
) -> None:
    assert _offers(admin_bot, connector, "admin", OTHER_AAD) == {}
    assert "Only admins" in json.dumps(connector.sent("message")[-1].cards)
    deadline = list_deadlines(deps.store.db)[0]
    model = list_models(deps.store.db)[0]
    forged: dict[str, dict[str, Any]] = {
        "developer": {
            "name": "Mistral AI",
            "status": "holdout",
            "effective_date": "2026-07-10",
            "source": SOURCE,
        },
        "model": {"developer": "meta", "name": "Muse 9", "review_status": "in_review", "source": SOURCE},
        "deadline": {"title": "A forged one", "due_date": "2026-09-30", "kind": "deadline", "source": SOURCE},
        "remove_deadline": {"id": deadline["id"], "version": deadline["version"], "confirm": "yes"},
        "remove_model": {"id": model["id"], "version": model["version"], "confirm": "yes"},
        "contest": {
            "developer": "meta",
            "fact": "*",
            "reason": "forged",
            "claim_a": "a",
            "claim_a_new_source": SOURCE,
            "claim_b": "b",
            "claim_b_new_source": SOURCE,
        },
    }
    contested = contests_for(deps.store.db, "developer", ["meta"], open_only=False)
    seeded = contested["meta"][0]  # the seed's own contest
    forged["settle"] = {"settle": f"resolve:{seeded.id}:{seeded.claims[0].id}", "source": SOURCE}
    before = _tracker(deps)
    for dialog, values in forged.items():
        opened = post(
            admin_bot, connector, invoke(connector, "task/fetch", {"dialog": dialog, **values}, OTHER_AAD)
        )
        assert opened["task"]["type"] == "message"
        answer = _submit(admin_bot, connector, {"dialog": dialog, **values}, OTHER_AAD)
        assert "Only admins" in json.dumps(answer)
        # the same button opens the form for an admin: the refusal is the person's, not the form's
        assert (
            post(
                admin_bot, connector, invoke(connector, "task/fetch", {"dialog": dialog, **values}, ADMIN_AAD)
            )["task"]["type"]
            == "continue"
        )
    assert _tracker(deps) == before
    assert contests_for(deps.store.db, "developer", ["meta"], open_only=False) == contested


def _events_and_history(deps: Deps) -> str:
    db = deps.store.db
    return json.dumps([list_events(db, limit=-1), list_history(db, limit=500)], default=str)


def test_an_admin_edits_an_existing_event_from_teams(
    admin_bot: BotServer, connector: TeamsConnector, deps: Deps
) -> None:
    db = deps.store.db
    newest, *older = list_events(db, limit=-1)
    admin_bot.post(message_activity(connector, "admin", user_aad=ADMIN_AAD), connector.inbound_token())
    card = connector.sent("message")[-1].cards[0]
    [button] = [a for e in card["body"] if e.get("type") == "ActionSet" for a in e["actions"]]
    assert button["title"] == "Edit a development"
    assert _offers(admin_bot, connector, "update event", ADMIN_AAD) == {"pick_event": button["data"]}

    picker = form_of(post(admin_bot, connector, invoke(connector, "task/fetch", button["data"], ADMIN_AAD)))
    [choices] = [e for e in picker["body"] if e.get("id") == "pick"]
    assert [c["value"] for c in choices["choices"]][:2] == [str(newest["id"]), str(older[0]["id"])]
    narrow, _next = picker["actions"]
    target = older[0]
    typed = " ".join(target["summary"].split()[:4])
    narrowed = form_of(_submit(admin_bot, connector, {**narrow["data"], "event_filter": typed}))
    [choices] = [e for e in narrowed["body"] if e.get("id") == "pick"]
    assert choices["choices"][0]["value"] == str(target["id"])

    form = form_of(_submit(admin_bot, connector, {**_next["data"], "pick": str(target["id"])}))
    [save] = form["actions"]
    shown = _shown(form)
    assert shown["summary"] == target["summary"] and shown["event_kind"] == target["kind"]
    assert shown["event_developers"] == ",".join(target["developer_ids"]) or not target["developer_ids"]
    assert save["data"]["id"] == target["id"] and save["data"]["version"] == target["version"]
    entered = {**save["data"], **{k: v for k, v in shown.items() if v}}

    cited = [s["id"] for s in record_sources(db, "event", target["id"])]
    before = _events_and_history(deps)
    again = form_of(_submit(admin_bot, connector, {**entered, "effective_date": "2099-01-01"}))
    assert "is later than today" in json.dumps(again)
    assert _shown(again)["effective_date"] == "2099-01-01"
    assert _events_and_history(deps) == before

    summary = "The agency published the signed text (edited from Teams)."
    stale = {**entered, "summary": summary, "version": target["version"] - 1}
    refused = form_of(_submit(admin_bot, connector, stale))
    assert "was not saved" in json.dumps(refused) and _events_and_history(deps) == before

    done = _submit(admin_bot, connector, {**entered, "summary": summary})
    assert done["task"]["type"] == "message"
    edited = get_event(db, int(target["id"]))
    assert edited is not None and edited["summary"] == summary
    assert edited["version"] == target["version"] + 1 and edited["effective"] == target["effective"]
    assert edited["developer_ids"] == target["developer_ids"]
    assert list_history(db, "event", target["id"])[0]["actor"] == "Pat Policy"
    assert summary in json.dumps(connector.sent("message")[-1].cards)
    assert [s["id"] for s in record_sources(db, "event", target["id"])] == cited  # no source typed: kept
    moved_on = _submit(admin_bot, connector, {**entered, "summary": "again"})  # opened before the save
    assert "was not saved" in json.dumps(moved_on)
    assert get_event(db, int(target["id"]))["summary"] == summary  # type: ignore[index]


def test_a_non_admin_can_neither_pick_nor_save_an_event_edit(
    admin_bot: BotServer, connector: TeamsConnector, deps: Deps
) -> None:
    event = list_events(deps.store.db, limit=1)[0]
    before = _events_and_history(deps)
    for data in ({"dialog": "pick_event"}, {"dialog": "event", "id": event["id"]}):
        opened = post(admin_bot, connector, invoke(connector, "task/fetch", data, OTHER_AAD))
        assert opened["task"]["type"] == "message" and "Only admins" in json.dumps(opened)
    steps = (
        {"dialog": "pick_event", "step": "next", "pick": str(event["id"])},
        {"dialog": "pick_event", "step": "filter", "event_filter": "a"},
        {
            "dialog": "event",
            "id": event["id"],
            "version": event["version"],
            "event_kind": event["kind"],
            "summary": "A forged edit",
            "source": SOURCE,
        },
    )
    for data in steps:
        answer = _submit(admin_bot, connector, data, OTHER_AAD)
        assert answer["task"]["type"] == "message" and "Only admins" in json.dumps(answer)
    assert _events_and_history(deps) == before
    opened = post(admin_bot, connector, invoke(connector, "task/fetch", {"dialog": "pick_event"}, ADMIN_AAD))
    assert opened["task"]["type"] == "continue"
