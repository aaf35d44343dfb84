"""Adding, editing and removing developers, models and deadlines through the admin forms,
end to end (a real Bolt App, signed requests in Slack's documented shapes, the Slack
emulator, a real SQLite file): each form opens (prefilled), saves with history, refuses
every invalid field inline, a forged non-admin submission and a stale version; the record
picker; removals with and without confirmation."""

from __future__ import annotations

import json
from typing import Any

import pytest
from slack_bolt import App

from bot import ids
from bot.deps import Deps
from storage.tracker import (
    create_record,
    get_record,
    list_deadlines,
    list_history,
    list_models,
    update_record,
)
from tests.conftest import ADMIN_ID
from tests.support.admin_edits import (
    OTHER_ADMIN,
    STRANGER,
    assert_saved_and_home_refreshed,
    history_count,
    initial,
    open_from_home,
)
from tests.support.admin_forms import ack_body, blocks_by_id, submit_view, suggest
from tests.support.blockkit import view_errors
from tests.support.slack_emulator import SlackEmulator

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
