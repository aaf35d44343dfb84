"""The developer status form end to end (a real Bolt App, signed requests in Slack's
documented shapes, the Slack emulator, a real SQLite file): opened prefilled from the home
button, the /aireview update command or a news alert; saved with its history and a
confirmation; every invalid field refused inline; a forged non-admin submission and a stale
version refused."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from slack_bolt import App

from bot import ids
from bot.admin import opening
from bot.admin.modal import SourceFields
from bot.clock import FixedClock
from bot.deps import Deps
from storage.tracker import get_record, list_history
from tests.conftest import ADMIN_ID
from tests.support.admin_edits import (
    CHANNEL,
    OTHER_ADMIN,
    STRANGER,
    assert_saved_and_home_refreshed,
    dm_texts,
    history_count,
    initial,
    open_from_home,
    opened_view,
)
from tests.support.admin_forms import ack_body, blocks_by_id, submit_view
from tests.support.slack_emulator import SlackEmulator
from tests.support.slack_requests import (
    block_actions_payload,
    command_answer,
    dispatch_command,
    dispatch_payload,
)


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


def _update_from_the_command(app: App, slack_emulator: SlackEmulator, developer: str) -> dict[str, Any]:
    """`/aireview update <developer>` by an admin in CHANNEL: the status form it opens."""
    dispatch_command(
        app,
        "/aireview",
        f"update {developer}",
        user_id=ADMIN_ID,
        channel_id=CHANNEL,
        response_url=slack_emulator.response_url("r1"),
    )
    return opened_view(slack_emulator)


def test_update_command_opens_the_form_for_the_named_developer(
    app: App, slack_emulator: SlackEmulator
) -> None:
    view = _update_from_the_command(app, slack_emulator, "google deepmind")
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
    view = _update_from_the_command(app, slack_emulator, "meta")
    assert ack_body(submit_view(app, view, ADMIN_ID, status="holdout", effective_date="2026-07-20")) == {}
    ephemeral = slack_emulator.last("chat.postEphemeral").args
    assert (ephemeral["channel"], ephemeral["user"]) == (CHANNEL, ADMIN_ID)
    assert "Holdout" in ephemeral["text"]


def test_status_confirmation_falls_back_to_a_dm_when_the_channel_refuses(
    app: App, slack_emulator: SlackEmulator
) -> None:
    view = _update_from_the_command(app, slack_emulator, "meta")
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
