"""Admin forms end to end: a real Bolt App, signed requests in Slack's documented shapes,
the Slack emulator, a real SQLite file. Each form: open (prefilled), save, every invalid
field, a forged non-admin submission, a stale version; removals with and without
confirmation."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from slack_bolt import App
from slack_sdk import WebClient

from bot import ids
from bot.admin import opening
from bot.admin.modal import SourceFields
from bot.admins import is_admin
from bot.clock import FixedClock
from bot.deps import DIRECTORY_CACHE_LIFETIME, Deps
from bot.settings import Settings
from handlers import build_app
from handlers.directory import SlackDirectory
from storage.db import Store
from storage.tracker import (
    create_record,
    get_record,
    list_deadlines,
    list_history,
    list_models,
    update_record,
)
from tests.conftest import ADMIN_ID, BOT_TOKEN
from tests.support.admin_forms import (
    InlineExecutor,
    ack_body,
    blocks_by_id,
    press,
    submit_view,
    suggest,
)
from tests.support.blockkit import view_errors
from tests.support.slack_emulator import SlackEmulator
from tests.support.slack_requests import (
    block_actions_payload,
    command_answer,
    dispatch_command,
    dispatch_payload,
)

OTHER_ADMIN = "UADMIN0002"
STRANGER = "USTRANGER1"
CHANNEL = "C0POLICY1"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return Settings(**{**settings.__dict__, "admins": (ADMIN_ID, OTHER_ADMIN)})


@pytest.fixture
def app(deps: Deps, slack_emulator: SlackEmulator) -> App:
    client = WebClient(token=BOT_TOKEN, base_url=slack_emulator.api_url)
    return build_app(deps, client=client, listener_executor=InlineExecutor())


def history_count(store: Store) -> int:
    return next(iter(store.db.query("SELECT COUNT(*) AS n FROM history")))["n"]


def opened_view(emu: SlackEmulator) -> dict[str, Any]:
    view = emu.last("views.open").args["view"]
    assert view_errors(view) == []
    return view


def initial(view: dict[str, Any], block_id: str) -> Any:
    element = blocks_by_id(view)[block_id]["element"]
    if element["type"] in ("static_select", "external_select"):
        return (element.get("initial_option") or {}).get("value")
    if element["type"] == "datepicker":
        return element.get("initial_date")
    if element["type"] == "checkboxes":
        return bool(element.get("initial_options"))
    return element.get("initial_value")


def open_from_home(
    app: App, emu: SlackEmulator, action_id: str, value: str = "", user_id: str = ADMIN_ID
) -> dict[str, Any]:
    emu.reset()
    assert press(app, action_id, value, user_id=user_id, from_home=True).status == 200
    return opened_view(emu)


def dm_texts(emu: SlackEmulator, user_id: str = ADMIN_ID) -> list[str]:
    return [m["text"] for m in emu.messages.get(user_id, [])]


def assert_saved_and_home_refreshed(emu: SlackEmulator, needle: str) -> None:
    assert any(needle in text for text in dm_texts(emu)), dm_texts(emu)
    publish = emu.last("views.publish")
    assert publish.args["user_id"] == ADMIN_ID
    assert publish.args["view"]["type"] == "home"


# ---------------------------------------------------------------- who is an admin


def test_admin_group_members_are_admins_cached_for_a_few_minutes(
    deps: Deps, clock: FixedClock, slack_emulator: SlackEmulator
) -> None:
    deps.settings = Settings(**{**deps.settings.__dict__, "admin_group": "S0ADMINS"})
    slack_emulator.usergroups = {"S0ADMINS": ["UGROUP0001"]}
    client = SlackDirectory(WebClient(token=BOT_TOKEN, base_url=slack_emulator.api_url))

    assert is_admin(deps, "UGROUP0001", client) and is_admin(deps, ADMIN_ID, client)
    assert not is_admin(deps, STRANGER, client)
    assert len(slack_emulator.calls_to("usergroups.users.list")) == 1  # cached

    slack_emulator.usergroups = {"S0ADMINS": [STRANGER]}
    clock.advance(DIRECTORY_CACHE_LIFETIME - timedelta(seconds=1))
    assert is_admin(deps, "UGROUP0001", client)
    clock.advance(timedelta(seconds=2))
    assert is_admin(deps, STRANGER, client) and not is_admin(deps, "UGROUP0001", client)
    assert len(slack_emulator.calls_to("usergroups.users.list")) == 2


def test_failed_group_lookup_fails_closed(deps: Deps, slack_emulator: SlackEmulator) -> None:
    deps.settings = Settings(**{**deps.settings.__dict__, "admin_group": "S0ADMINS"})
    slack_emulator.usergroups = {"S0ADMINS": ["UGROUP0001"]}
    slack_emulator.fail("usergroups.users.list", error="missing_scope")
    client = SlackDirectory(WebClient(token=BOT_TOKEN, base_url=slack_emulator.api_url))
    assert not is_admin(deps, "UGROUP0001", client)


def test_group_member_can_save_through_a_form(deps: Deps, app: App, slack_emulator: SlackEmulator) -> None:
    deps.settings = Settings(**{**deps.settings.__dict__, "admins": (), "admin_group": "S0ADMINS"})
    slack_emulator.usergroups = {"S0ADMINS": ["UGROUP0001"]}
    view = open_from_home(app, slack_emulator, ids.ACTION_ADMIN_UPDATE_STATUS, "meta", "UGROUP0001")
    assert ack_body(submit_view(app, view, "UGROUP0001", status="signed", effective_date="2026-07-20")) == {}
    assert get_record(deps.store.db, "developer", "meta")["updated_by"] == "UGROUP0001"


def test_without_admins_the_admin_command_and_home_say_how_to_configure(
    deps: Deps, app: App, slack_emulator: SlackEmulator
) -> None:
    deps.settings = Settings(**{**deps.settings.__dict__, "admins": ()})
    response = dispatch_command(
        app, "/aireview", "admin", user_id=ADMIN_ID, response_url=slack_emulator.response_url("r1")
    )
    body = command_answer(response, slack_emulator, "r1")
    assert "REVIEWWATCH_ADMINS" in body["text"] and "REVIEWWATCH_ADMIN_GROUP" in body["text"]

    from handlers.home import publish_home

    publish_home(deps, WebClient(token=BOT_TOKEN, base_url=slack_emulator.api_url), STRANGER)
    home = json.dumps(slack_emulator.last("views.publish").args["view"])
    assert "REVIEWWATCH_ADMINS" in home


def test_admin_command_shows_the_menu_and_non_admins_are_refused(
    app: App, slack_emulator: SlackEmulator
) -> None:
    menu = {
        name: command_answer(
            dispatch_command(
                app, "/aireview", "admin", user_id=user, response_url=slack_emulator.response_url(name)
            ),
            slack_emulator,
            name,
        )
        for name, user in (("admin", ADMIN_ID), ("stranger", STRANGER))
    }
    action_ids = {
        e["action_id"] for b in menu["admin"]["blocks"] if b["type"] == "actions" for e in b["elements"]
    }
    assert action_ids == set(ids.ADMIN_FORM_ACTIONS)
    assert "Only Review Watch admins" in menu["stranger"]["text"]
    assert "blocks" not in menu["stranger"] or not any(
        b["type"] == "actions" for b in menu["stranger"]["blocks"]
    )


def test_a_non_admin_pressing_an_admin_button_sees_why_not_a_form(
    app: App, slack_emulator: SlackEmulator
) -> None:
    view = open_from_home(app, slack_emulator, ids.ACTION_ADMIN_UPDATE_STATUS, "meta", STRANGER)
    assert view["callback_id"] == ids.VIEW_ADMIN_NOTICE and "submit" not in view
    assert "Only Review Watch admins" in json.dumps(view)


# ---------------------------------------------------------------- update developer status


def test_status_form_opens_prefilled_from_the_home_button(app: App, slack_emulator: SlackEmulator) -> None:
    view = open_from_home(app, slack_emulator, ids.ACTION_ADMIN_UPDATE_STATUS, "meta")
    assert view["callback_id"] == ids.VIEW_DEVELOPER_STATUS
    assert initial(view, ids.BLOCK_DEVELOPER) == "meta"
    assert initial(view, ids.BLOCK_STATUS) == "negotiating"
    assert initial(view, ids.BLOCK_EFFECTIVE_DATE) is None  # neither report dates Meta's status
    assert initial(view, ids.BLOCK_AGREEMENT_DATE) is None
    options = blocks_by_id(view)[ids.BLOCK_SOURCE_PICK]["element"]["initial_options"]
    picked = " | ".join(o["text"]["text"] for o in options)
    assert "New York Times" in picked and "Security Reviews" in picked  # both reports state it
    assert initial(view, ids.BLOCK_SOURCE) is None  # a new source is optional once one is picked
    assert "working through the details" in initial(view, ids.BLOCK_NOTE)
    assert json.loads(view["private_metadata"]) == {"entity": "developer", "id": "meta", "version": 1}


def test_update_command_opens_the_form_for_the_named_developer(
    app: App, slack_emulator: SlackEmulator
) -> None:
    dispatch_command(
        app,
        "/aireview",
        "update google deepmind",
        user_id=ADMIN_ID,
        channel_id=CHANNEL,
        response_url=slack_emulator.response_url("r1"),
    )
    view = opened_view(slack_emulator)
    assert initial(view, ids.BLOCK_DEVELOPER) == "google-deepmind"
    assert json.loads(view["private_metadata"])["channel"] == CHANNEL
    assert slack_emulator.responses == []  # the form is the answer

    response = dispatch_command(
        app, "/aireview", "update nosuchlab", user_id=ADMIN_ID, response_url=slack_emulator.response_url("r2")
    )
    assert "No developer matches" in command_answer(response, slack_emulator, "r2")["text"]


def test_status_save_writes_the_change_and_history_then_confirms_and_refreshes_home(
    deps: Deps, app: App, slack_emulator: SlackEmulator
) -> None:
    view = open_from_home(app, slack_emulator, ids.ACTION_ADMIN_UPDATE_STATUS, "meta")
    response = submit_view(
        app,
        view,
        ADMIN_ID,
        status="signed",
        effective_date="2026-07-20",
        source="https://example.gov/meta-signs?utm_source=x",
        note="Meta signed.",
    )
    assert ack_body(response) == {}  # the modal closes

    meta = get_record(deps.store.db, "developer", "meta")
    assert (meta["status"], meta["status_since"]) == ("signed", "2026-07-20")
    # Signing: the agreement date defaults to the day it took effect.
    assert meta["agreement_date"] == "2026-07-20"
    assert "https://example.gov/meta-signs" in meta["source"] and "utm_" not in meta["source"]
    assert (meta["version"], meta["updated_by"], meta["as_of"]) == (2, ADMIN_ID, "2026-07-24")
    rows = {r["field"]: r for r in list_history(deps.store.db, "developer", "meta")}
    status_row = rows["status"]
    assert (status_row["old"], status_row["new"], status_row["actor"]) == ("negotiating", "signed", ADMIN_ID)
    assert status_row["source"] == "https://example.gov/meta-signs" and status_row["note"] == "Meta signed."
    assert status_row["effective"] == "2026-07-20"  # when it took effect; `at` is when it was recorded
    assert_saved_and_home_refreshed(slack_emulator, "Negotiating → Signed")


def test_status_save_from_the_command_confirms_in_that_channel(
    deps: Deps, app: App, slack_emulator: SlackEmulator
) -> None:
    dispatch_command(
        app,
        "/aireview",
        "update meta",
        user_id=ADMIN_ID,
        channel_id=CHANNEL,
        response_url=slack_emulator.response_url("r1"),
    )
    view = opened_view(slack_emulator)
    assert ack_body(submit_view(app, view, ADMIN_ID, status="holdout", effective_date="2026-07-20")) == {}
    ephemeral = slack_emulator.last("chat.postEphemeral").args
    assert (ephemeral["channel"], ephemeral["user"]) == (CHANNEL, ADMIN_ID)
    assert "Holdout" in ephemeral["text"]


def test_status_confirmation_falls_back_to_a_dm_when_the_channel_refuses(
    app: App, slack_emulator: SlackEmulator
) -> None:
    dispatch_command(
        app,
        "/aireview",
        "update meta",
        user_id=ADMIN_ID,
        channel_id=CHANNEL,
        response_url=slack_emulator.response_url("r1"),
    )
    view = opened_view(slack_emulator)
    slack_emulator.fail("chat.postEphemeral", error="channel_not_found")
    submit_view(app, view, ADMIN_ID, status="holdout", effective_date="2026-07-20")
    assert any("Holdout" in t for t in dm_texts(slack_emulator))


STATUS_INVALID = [
    (ids.BLOCK_STATUS, {"status": None}, "required"),
    (ids.BLOCK_STATUS, {"status": "friendly"}, "offered values"),
    (ids.BLOCK_EFFECTIVE_DATE, {"effective_date": None}, "required"),
    (ids.BLOCK_EFFECTIVE_DATE, {"effective_date": "1999-12-31"}, "2000"),
    (ids.BLOCK_EFFECTIVE_DATE, {"effective_date": "2026-13-01"}, "date such as"),
    (ids.BLOCK_EFFECTIVE_DATE, {"effective_date": "2031-01-01"}, "later than today"),
    (ids.BLOCK_AGREEMENT_DATE, {"agreement_date": "2026-07-25"}, "later than today"),
    (ids.BLOCK_SOURCE, {"source_pick": None, "source": None}, "required"),
    (ids.BLOCK_SOURCE, {"source": "ftp://example.gov/x"}, "http"),
    (ids.BLOCK_SOURCE, {"source": "https://"}, "host"),
    (ids.BLOCK_NOTE, {"note": "x" * 2001}, "2000"),
]


@pytest.mark.parametrize(("block", "changes", "message"), STATUS_INVALID)
def test_status_form_rejects_each_invalid_field_inline(
    deps: Deps, app: App, slack_emulator: SlackEmulator, block: str, changes: dict[str, Any], message: str
) -> None:
    view = open_from_home(app, slack_emulator, ids.ACTION_ADMIN_UPDATE_STATUS, "meta")
    before = history_count(deps.store)
    body = ack_body(submit_view(app, view, ADMIN_ID, **{"effective_date": "2026-07-20", **changes}))
    assert body["response_action"] == "errors"
    assert list(body["errors"]) == [block] and message in body["errors"][block]
    assert history_count(deps.store) == before
    assert get_record(deps.store.db, "developer", "meta")["version"] == 1
    assert slack_emulator.calls_to("views.publish") == []


def test_a_2031_effective_date_is_refused_inline_saying_what_to_enter(
    deps: Deps, app: App, slack_emulator: SlackEmulator
) -> None:
    view = open_from_home(app, slack_emulator, ids.ACTION_ADMIN_UPDATE_STATUS, "meta")
    body = ack_body(submit_view(app, view, ADMIN_ID, status="signed", effective_date="2031-01-01"))
    error = body["errors"][ids.BLOCK_EFFECTIVE_DATE]
    assert "Wed Jan 1, 2031 is later than today (Fri Jul 24, 2026)" in error
    assert "enter when it actually happened" in error
    assert get_record(deps.store.db, "developer", "meta")["status"] == "negotiating"


def test_unchanged_status_form_says_nothing_changed(
    deps: Deps, app: App, slack_emulator: SlackEmulator
) -> None:
    view = open_from_home(app, slack_emulator, ids.ACTION_ADMIN_UPDATE_STATUS, "xai")
    # xAI agreed "in May": the form shows the month, known to the month only.
    assert (initial(view, ids.BLOCK_EFFECTIVE_DATE), initial(view, ids.BLOCK_EFFECTIVE_PRECISION)) == (
        "2026-05-01",
        "month",
    )
    body = ack_body(submit_view(app, view, ADMIN_ID))
    assert "Nothing changed" in body["errors"][ids.BLOCK_STATUS]
    assert get_record(deps.store.db, "developer", "xai")["status_since"] == "2026-05"


def test_month_precision_effective_date_is_stored_as_the_month(
    deps: Deps, app: App, slack_emulator: SlackEmulator
) -> None:
    view = open_from_home(app, slack_emulator, ids.ACTION_ADMIN_UPDATE_STATUS, "meta")
    body = ack_body(
        submit_view(
            app, view, ADMIN_ID, status="holdout", effective_date="2026-07-09", effective_precision="month"
        )
    )
    assert body == {}
    assert get_record(deps.store.db, "developer", "meta")["status_since"] == "2026-07"


def test_forged_status_submission_from_a_non_admin_changes_nothing(
    deps: Deps, app: App, slack_emulator: SlackEmulator
) -> None:
    view = open_from_home(app, slack_emulator, ids.ACTION_ADMIN_UPDATE_STATUS, "meta")
    before = history_count(deps.store)
    body = ack_body(submit_view(app, view, STRANGER, status="declined"))
    assert "Only Review Watch admins" in body["errors"][ids.BLOCK_STATUS]
    assert get_record(deps.store.db, "developer", "meta")["status"] == "negotiating"
    assert history_count(deps.store) == before


def test_stale_status_submission_names_who_changed_it_and_their_change_stands(
    deps: Deps, app: App, clock: FixedClock, slack_emulator: SlackEmulator
) -> None:
    view = open_from_home(app, slack_emulator, ids.ACTION_ADMIN_UPDATE_STATUS, "meta")
    clock.advance(timedelta(minutes=3))
    other = open_from_home(app, slack_emulator, ids.ACTION_ADMIN_UPDATE_STATUS, "meta", OTHER_ADMIN)
    assert ack_body(submit_view(app, other, OTHER_ADMIN, status="holdout", effective_date="2026-07-20")) == {}

    body = ack_body(submit_view(app, view, ADMIN_ID, status="signed", effective_date="2026-07-20"))
    error = body["errors"][ids.BLOCK_STATUS]
    assert OTHER_ADMIN in error and "Jul 24, 2026 10:03" in error
    meta = get_record(deps.store.db, "developer", "meta")
    assert (meta["status"], meta["updated_by"]) == ("holdout", OTHER_ADMIN)


def test_choosing_another_developer_reloads_the_status_form(app: App, slack_emulator: SlackEmulator) -> None:
    view = open_from_home(app, slack_emulator, ids.ACTION_ADMIN_UPDATE_STATUS, "meta")
    payload = block_actions_payload(
        ids.ACTION_FORM_DEVELOPER_PICK,
        user_id=ADMIN_ID,
        channel_id=None,
        container={"type": "view", "view_id": "V0STATUS1"},
    )
    payload.pop("message", None)
    payload["view"] = {**view, "id": "V0STATUS1", "hash": "123.abc", "state": {"values": {}}}
    payload["actions"] = [
        {
            "type": "external_select",
            "action_id": ids.ACTION_FORM_DEVELOPER_PICK,
            "block_id": ids.BLOCK_DEVELOPER,
            "action_ts": "1.2",
            "selected_option": {"text": {"type": "plain_text", "text": "xAI"}, "value": "xai"},
        }
    ]
    dispatch_payload(app, payload)
    update = slack_emulator.last("views.update").args
    assert (update["view_id"], update["hash"]) == ("V0STATUS1", "123.abc")
    assert initial(update["view"], ids.BLOCK_DEVELOPER) == "xai"
    assert initial(update["view"], ids.BLOCK_STATUS) == "signed"


def test_news_can_open_the_status_form_with_a_source(deps: Deps, slack_emulator: SlackEmulator) -> None:
    view = opening.status_form_view(
        deps,
        None,
        "meta",
        "Reported today",
        new_source=SourceFields(url="https://example.gov/news"),
        user_id=ADMIN_ID,
    )
    assert initial(view, ids.BLOCK_SOURCE) == "https://example.gov/news"
    assert initial(view, ids.BLOCK_NOTE) == "Reported today"


# ---------------------------------------------------------------- add developer


def test_add_developer_saves_with_history(deps: Deps, app: App, slack_emulator: SlackEmulator) -> None:
    view = open_from_home(app, slack_emulator, ids.ACTION_ADMIN_ADD_DEVELOPER)
    assert view["callback_id"] == ids.VIEW_ADD_DEVELOPER and initial(view, ids.BLOCK_STATUS) == "unknown"
    response = submit_view(
        app,
        view,
        ADMIN_ID,
        name="Mistral AI",
        status="negotiating",
        effective_date="2026-07-01",
        source="Le Monde, July 2, 2026",
    )
    assert ack_body(response) == {}
    dev = get_record(deps.store.db, "developer", "mistral-ai")
    assert (dev["name"], dev["status"], dev["status_since"], dev["updated_by"]) == (
        "Mistral AI",
        "negotiating",
        "2026-07-01",
        ADMIN_ID,
    )
    [row] = list_history(deps.store.db, "developer", "mistral-ai")
    assert (row["field"], row["actor"], row["source"]) == ("(created)", ADMIN_ID, "Le Monde, July 2, 2026")
    assert_saved_and_home_refreshed(slack_emulator, "Mistral AI")


VALID_DEVELOPER = {"name": "Mistral AI", "effective_date": "2026-07-01", "source": "Le Monde"}


@pytest.mark.parametrize(
    ("block", "changes", "message"),
    [
        (ids.BLOCK_NAME, {"name": None}, "required"),
        (ids.BLOCK_NAME, {"name": "N" * 81}, "80"),
        (ids.BLOCK_NAME, {"name": "META"}, "already tracked"),
        (ids.BLOCK_STATUS, {"status": "maybe"}, "offered values"),
        (ids.BLOCK_EFFECTIVE_DATE, {"effective_date": "2101-01-01"}, "2100"),
        (ids.BLOCK_SOURCE, {"source": None}, "required"),
        (ids.BLOCK_SOURCE, {"source": "javascript://alert"}, "http"),
        (ids.BLOCK_NOTE, {"note": "n" * 2001}, "2000"),
    ],
)
def test_add_developer_rejects_each_invalid_field_inline(
    deps: Deps, app: App, slack_emulator: SlackEmulator, block: str, changes: dict[str, Any], message: str
) -> None:
    view = open_from_home(app, slack_emulator, ids.ACTION_ADMIN_ADD_DEVELOPER)
    before = history_count(deps.store)
    body = ack_body(submit_view(app, view, ADMIN_ID, **{**VALID_DEVELOPER, **changes}))
    assert list(body["errors"]) == [block] and message in body["errors"][block]
    assert history_count(deps.store) == before


def test_forged_add_developer_from_a_non_admin_adds_nothing(
    deps: Deps, app: App, slack_emulator: SlackEmulator
) -> None:
    view = open_from_home(app, slack_emulator, ids.ACTION_ADMIN_ADD_DEVELOPER)
    body = ack_body(submit_view(app, view, STRANGER, **VALID_DEVELOPER))
    assert "Only Review Watch admins" in body["errors"][ids.BLOCK_NAME]
    assert get_record(deps.store.db, "developer", "mistral-ai") is None


# ---------------------------------------------------------------- models


def muse_spark(deps: Deps) -> dict[str, Any]:
    return next(m for m in list_models(deps.store.db) if m["name"] == "Muse Spark")


def test_add_model_opens_for_the_developer_and_saves(
    deps: Deps, app: App, slack_emulator: SlackEmulator
) -> None:
    view = open_from_home(app, slack_emulator, ids.ACTION_ADMIN_ADD_MODEL, "meta")
    assert view["title"]["text"] == "Add model"
    assert initial(view, ids.BLOCK_DEVELOPER) == "meta"
    assert initial(view, ids.BLOCK_REVIEW_STATUS) == "not_submitted"
    response = submit_view(
        app,
        view,
        ADMIN_ID,
        name="Muse Blaze",
        planned_release="2026-09-15",
        source="https://example.com/blaze",
    )
    assert ack_body(response) == {}
    model = next(m for m in list_models(deps.store.db, "meta") if m["name"] == "Muse Blaze")
    assert (model["planned_release"], model["updated_by"]) == ("2026-09-15", ADMIN_ID)
    [row] = list_history(deps.store.db, "model", model["id"])
    assert (row["field"], row["subject"]) == ("(created)", "Meta / Muse Blaze")
    assert_saved_and_home_refreshed(slack_emulator, "Meta / Muse Blaze")


VALID_MODEL = {"developer": "meta", "name": "Muse Blaze"}


@pytest.mark.parametrize(
    ("block", "changes", "message"),
    [
        (ids.BLOCK_DEVELOPER, {"developer": None}, "required"),
        (ids.BLOCK_DEVELOPER, {"developer": "acme"}, "tracked developers"),
        (ids.BLOCK_NAME, {"name": None}, "required"),
        (ids.BLOCK_NAME, {"name": "M" * 81}, "80"),
        (ids.BLOCK_NAME, {"name": "muse spark"}, "already has a model"),
        (ids.BLOCK_PLANNED_RELEASE, {"planned_release": "1999-01-01"}, "2000"),
        (ids.BLOCK_SUBMITTED, {"submitted": "2026-07-02", "released": "2026-07-01"}, "after the release"),
        (ids.BLOCK_RELEASED, {"released": "2026-08-01"}, "later than today"),
        (ids.BLOCK_RELEASED, {"review_status": "released"}, "needs its released date"),
        (ids.BLOCK_RELEASED, {"released": "July 4"}, "date such as"),
        (ids.BLOCK_REVIEW_STATUS, {"review_status": "approved"}, "offered values"),
        (ids.BLOCK_SOURCE, {"source": "http://"}, "host"),
        (ids.BLOCK_NOTE, {"note": "n" * 2001}, "2000"),
    ],
)
def test_model_form_rejects_each_invalid_field_inline(
    deps: Deps, app: App, slack_emulator: SlackEmulator, block: str, changes: dict[str, Any], message: str
) -> None:
    view = open_from_home(app, slack_emulator, ids.ACTION_ADMIN_ADD_MODEL)
    before = history_count(deps.store)
    body = ack_body(submit_view(app, view, ADMIN_ID, **{**VALID_MODEL, **changes}))
    assert list(body["errors"]) == [block] and message in body["errors"][block]
    assert history_count(deps.store) == before
    assert len(list_models(deps.store.db)) == 1


def test_edit_model_through_the_picker_prefills_and_saves(
    deps: Deps, app: App, slack_emulator: SlackEmulator
) -> None:
    picker = open_from_home(app, slack_emulator, ids.ACTION_ADMIN_EDIT_MODEL)
    model = muse_spark(deps)
    assert picker["callback_id"] == ids.VIEW_PICK_RECORD
    options = suggest(app, picker, ids.BLOCK_PICK, "", ADMIN_ID)
    assert [(o["value"], o["text"]["text"]) for o in options] == [(str(model["id"]), "Meta / Muse Spark")]

    body = ack_body(submit_view(app, picker, ADMIN_ID, pick=str(model["id"])))
    assert body["response_action"] == "update"
    form = body["view"]
    assert view_errors(form) == [] and form["title"]["text"] == "Edit model"
    # "Released in April": shown as April, known to the month only.
    assert (initial(form, ids.BLOCK_NAME), initial(form, ids.BLOCK_RELEASED)) == ("Muse Spark", "2026-04-01")
    assert initial(form, ids.BLOCK_RELEASED_PRECISION) == "month"
    assert initial(form, ids.BLOCK_REVIEW_STATUS) == "released"

    changes = {"released": "2026-04-05", "released_precision": "day", "note": "Day confirmed."}
    assert ack_body(submit_view(app, form, ADMIN_ID, **changes)) == {}
    saved = muse_spark(deps)
    assert (saved["released"], saved["version"]) == ("2026-04-05", 2)
    rows = list_history(deps.store.db, "model", model["id"])
    released_row = next(r for r in rows if r["field"] == "released")
    assert (released_row["old"], released_row["new"], released_row["actor"]) == (
        "2026-04",
        "2026-04-05",
        ADMIN_ID,
    )
    assert released_row["effective"] == "2026-04-05"
    assert_saved_and_home_refreshed(slack_emulator, "April 2026 → 2026-04-05")


def test_edit_model_rejects_no_change_stale_version_and_non_admins(
    deps: Deps, app: App, slack_emulator: SlackEmulator
) -> None:
    model = muse_spark(deps)
    form = open_from_home(app, slack_emulator, ids.ACTION_ADMIN_EDIT_MODEL, str(model["id"]))
    assert "Nothing changed" in ack_body(submit_view(app, form, ADMIN_ID))["errors"][ids.BLOCK_NAME]
    assert (
        "Only Review Watch admins"
        in ack_body(submit_view(app, form, STRANGER, name="Hijacked"))["errors"][ids.BLOCK_NAME]
    )

    update_record(
        deps.store.db, "model", model["id"], {"note": "Theirs"}, actor=OTHER_ADMIN, at=deps.clock.now()
    )
    error = ack_body(submit_view(app, form, ADMIN_ID, name="Muse Spark 2"))["errors"][ids.BLOCK_NAME]
    assert OTHER_ADMIN in error
    assert (muse_spark(deps)["note"], muse_spark(deps)["version"]) == ("Theirs", 2)


def test_picker_finds_any_record_by_typing_when_there_are_more_than_a_menu_holds(
    deps: Deps, app: App, slack_emulator: SlackEmulator
) -> None:
    for n in range(150):
        create_record(
            deps.store.db,
            "model",
            {"developer_id": "openai", "name": f"Model {n:03d}"},
            actor=ADMIN_ID,
            at=deps.clock.now(),
        )
    picker = open_from_home(app, slack_emulator, ids.ACTION_ADMIN_REMOVE_MODEL)
    assert blocks_by_id(picker)[ids.BLOCK_PICK]["element"]["type"] == "external_select"
    assert len(suggest(app, picker, ids.BLOCK_PICK, "", ADMIN_ID)) == 100  # Slack's most
    assert [o["text"]["text"] for o in suggest(app, picker, ids.BLOCK_PICK, "model 149", ADMIN_ID)] == [
        "OpenAI / Model 149"
    ]
    [muse] = suggest(app, picker, ids.BLOCK_PICK, "meta muse", ADMIN_ID)

    body = ack_body(submit_view(app, picker, ADMIN_ID, pick=muse["value"]))
    assert body["view"]["callback_id"] == ids.VIEW_REMOVE_CONFIRM
    assert "Meta / Muse Spark" in json.dumps(body["view"])


# ---------------------------------------------------------------- deadlines


def formal_deadline(deps: Deps) -> dict[str, Any]:
    return list_deadlines(deps.store.db)[0]


def test_add_deadline_saves_with_history(deps: Deps, app: App, slack_emulator: SlackEmulator) -> None:
    view = open_from_home(app, slack_emulator, ids.ACTION_ADMIN_ADD_DEADLINE)
    assert initial(view, ids.BLOCK_KIND) == "deadline"
    response = submit_view(
        app,
        view,
        ADMIN_ID,
        title="CAISI comment period closes",
        due_date="2026-08-20",
        kind="comment_period",
        source="https://www.federalregister.gov/d/2026-12345",
    )
    assert ack_body(response) == {}
    added = next(d for d in list_deadlines(deps.store.db) if d["kind"] == "comment_period")
    assert (added["due_date"], added["outcome"], added["updated_by"]) == ("2026-08-20", "open", ADMIN_ID)
    assert added["source"] == "https://www.federalregister.gov/d/2026-12345"
    assert list_history(deps.store.db, "deadline", added["id"])[0]["field"] == "(created)"
    assert_saved_and_home_refreshed(slack_emulator, "CAISI comment period closes")


def test_edit_deadline_opens_prefilled_and_saves(deps: Deps, app: App, slack_emulator: SlackEmulator) -> None:
    deadline = formal_deadline(deps)
    view = open_from_home(app, slack_emulator, ids.ACTION_ADMIN_EDIT_DEADLINE, str(deadline["id"]))
    assert (initial(view, ids.BLOCK_TITLE), initial(view, ids.BLOCK_DUE_DATE)) == (
        deadline["title"],
        "2026-07-31",
    )
    assert ack_body(submit_view(app, view, ADMIN_ID, due_date="2026-08-14")) == {}
    saved = formal_deadline(deps)
    assert (saved["due_date"], saved["version"]) == ("2026-08-14", 2)
    fields = {r["field"] for r in list_history(deps.store.db, "deadline", deadline["id"])}
    assert {"due_date"} <= fields
    assert_saved_and_home_refreshed(slack_emulator, "2026-07-31 → 2026-08-14")


VALID_DEADLINE = {"title": "Hearing", "due_date": "2026-09-01", "source": "Senate calendar"}


@pytest.mark.parametrize(
    ("block", "changes", "message"),
    [
        (ids.BLOCK_TITLE, {"title": None}, "required"),
        (ids.BLOCK_TITLE, {"title": "T" * 151}, "150"),
        (ids.BLOCK_DUE_DATE, {"due_date": None}, "required"),
        (ids.BLOCK_DUE_DATE, {"due_date": "31/07/2026"}, "date such as"),
        (ids.BLOCK_KIND, {"kind": "party"}, "offered values"),
        (ids.BLOCK_SOURCE, {"source": None}, "required"),
        (ids.BLOCK_SOURCE, {"source": "mailto://someone"}, "http"),
        (ids.BLOCK_NOTE, {"note": "n" * 2001}, "2000"),
    ],
)
def test_deadline_form_rejects_each_invalid_field_inline(
    deps: Deps, app: App, slack_emulator: SlackEmulator, block: str, changes: dict[str, Any], message: str
) -> None:
    view = open_from_home(app, slack_emulator, ids.ACTION_ADMIN_ADD_DEADLINE)
    before = history_count(deps.store)
    body = ack_body(submit_view(app, view, ADMIN_ID, **{**VALID_DEADLINE, **changes}))
    assert list(body["errors"]) == [block] and message in body["errors"][block]
    assert history_count(deps.store) == before


def test_edit_deadline_rejects_no_change_stale_version_and_non_admins(
    deps: Deps, app: App, slack_emulator: SlackEmulator
) -> None:
    deadline = formal_deadline(deps)
    view = open_from_home(app, slack_emulator, ids.ACTION_ADMIN_EDIT_DEADLINE, str(deadline["id"]))
    assert "Nothing changed" in ack_body(submit_view(app, view, ADMIN_ID))["errors"][ids.BLOCK_TITLE]
    assert (
        "Only Review Watch admins"
        in ack_body(submit_view(app, view, STRANGER, due_date="2026-12-31"))["errors"][ids.BLOCK_TITLE]
    )
    update_record(
        deps.store.db,
        "deadline",
        deadline["id"],
        {"due_date": "2026-08-07"},
        actor=OTHER_ADMIN,
        at=deps.clock.now(),
    )
    error = ack_body(submit_view(app, view, ADMIN_ID, due_date="2026-12-31"))["errors"][ids.BLOCK_TITLE]
    assert OTHER_ADMIN in error and formal_deadline(deps)["due_date"] == "2026-08-07"


# ---------------------------------------------------------------- removal


def test_remove_model_needs_confirmation_and_keeps_history(
    deps: Deps, app: App, slack_emulator: SlackEmulator
) -> None:
    model = muse_spark(deps)
    picker = open_from_home(app, slack_emulator, ids.ACTION_ADMIN_REMOVE_MODEL)
    confirm = ack_body(submit_view(app, picker, ADMIN_ID, pick=str(model["id"])))["view"]
    assert confirm["callback_id"] == ids.VIEW_REMOVE_CONFIRM and view_errors(confirm) == []
    assert muse_spark(deps)  # choosing it removed nothing

    body = ack_body(submit_view(app, confirm, ADMIN_ID))  # box not ticked
    assert "Tick the box" in body["errors"][ids.BLOCK_CONFIRM]
    assert muse_spark(deps)["id"] == model["id"]

    assert ack_body(submit_view(app, confirm, ADMIN_ID, confirm=True, note="Duplicate entry")) == {}
    assert list_models(deps.store.db) == []
    rows = list_history(deps.store.db, "model", model["id"])
    assert [r["field"] for r in rows] == ["(removed)", "(created)"]
    assert (rows[0]["actor"], rows[0]["note"]) == (ADMIN_ID, "Duplicate entry")
    assert_saved_and_home_refreshed(slack_emulator, "Removed model")


def test_remove_deadline_refuses_stale_and_non_admin_then_removes(
    deps: Deps, app: App, slack_emulator: SlackEmulator
) -> None:
    deadline = formal_deadline(deps)
    confirm = open_from_home(app, slack_emulator, ids.ACTION_ADMIN_REMOVE_DEADLINE, str(deadline["id"]))
    assert confirm["callback_id"] == ids.VIEW_REMOVE_CONFIRM
    assert (
        "Only Review Watch admins"
        in ack_body(submit_view(app, confirm, STRANGER, confirm=True))["errors"][ids.BLOCK_CONFIRM]
    )

    update_record(
        deps.store.db,
        "deadline",
        deadline["id"],
        {"note": "Still on"},
        actor=OTHER_ADMIN,
        at=deps.clock.now(),
    )
    error = ack_body(submit_view(app, confirm, ADMIN_ID, confirm=True))["errors"][ids.BLOCK_CONFIRM]
    assert OTHER_ADMIN in error and len(list_deadlines(deps.store.db)) == 1

    fresh = open_from_home(app, slack_emulator, ids.ACTION_ADMIN_REMOVE_DEADLINE, str(deadline["id"]))
    assert ack_body(submit_view(app, fresh, ADMIN_ID, confirm=True)) == {}
    assert list_deadlines(deps.store.db) == []
    assert list_history(deps.store.db, "deadline", deadline["id"])[0]["field"] == "(removed)"
