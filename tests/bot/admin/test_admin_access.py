"""Who may edit through the admin forms: the configured admins and the members of the
admin user group (looked up in Slack, cached a few minutes, refused when the lookup fails);
the admin menu for them, a refusal for anyone else, and how to configure admins when none
are. End to end: a real Bolt App, signed requests in Slack's documented shapes, the Slack
emulator, a real SQLite file."""

from __future__ import annotations

import json
from datetime import timedelta

from slack_bolt import App
from slack_sdk import WebClient

from bot import ids
from bot.admins import is_admin
from bot.clock import FixedClock
from bot.deps import DIRECTORY_CACHE_LIFETIME, Deps
from bot.settings import Settings
from handlers.directory import SlackDirectory
from storage.tracker import get_record
from tests.conftest import ADMIN_ID, BOT_TOKEN
from tests.support.admin_edits import STRANGER, open_from_home
from tests.support.admin_forms import ack_body, submit_view
from tests.support.slack_emulator import SlackEmulator
from tests.support.slack_requests import command_answer, dispatch_command


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
