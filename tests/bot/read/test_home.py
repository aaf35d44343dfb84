"""The App Home: app_home_opened (Slack's documented event, signed) -> views.publish on the
emulator, with the dashboard a user sees; admin buttons only for admins."""

from __future__ import annotations

import copy
import dataclasses
import itertools
import json
from typing import Any

from slack_bolt import App

from bot import ids
from bot.deps import Deps
from handlers.home import publish_home, wait_for_home_pictures
from storage.tracker import create_record, update_record
from tests.conftest import ADMIN_ID
from tests.support.blockkit import special_mentions, view_errors, visible_text
from tests.support.slack_emulator import SlackEmulator
from tests.support.slack_requests import dispatch, fixture_path

ADMIN_ACTIONS = {
    ids.ACTION_ADMIN_UPDATE_STATUS,
    ids.ACTION_ADMIN_ADD_DEVELOPER,
    ids.ACTION_ADMIN_ADD_MODEL,
    ids.ACTION_ADMIN_EDIT_MODEL,
    ids.ACTION_ADMIN_REMOVE_MODEL,
    ids.ACTION_ADMIN_ADD_DEADLINE,
    ids.ACTION_ADMIN_EDIT_DEADLINE,
    ids.ACTION_ADMIN_REMOVE_DEADLINE,
}


_EVENT_IDS = itertools.count(1)


def open_home(app: App, emulator: SlackEmulator, user_id: str, tab: str = "home") -> Any:
    event = copy.deepcopy(json.loads(fixture_path("app_home_opened.slack-docs.inner_event.json").read_text()))
    event.update(user=user_id, tab=tab)
    envelope = {
        "token": "verification-token",
        "team_id": "T123ABC456",
        "api_app_id": "A123ABC456",
        "event": event,
        "type": "event_callback",
        "event_id": f"Ev{next(_EVENT_IDS)}",  # each opening its own event (one event is answered once)
        "event_time": 1515449522,
        "authorizations": [{"team_id": "T123ABC456", "user_id": "U0BOTUSER", "is_bot": True}],
    }
    response = dispatch(app, json.dumps(envelope))
    assert response.status == 200
    return response


def action_ids(view: dict[str, Any]) -> set[str]:
    return {e.get("action_id") for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]}


def test_home_dashboard_for_a_member(bolt_app: App, slack_emulator: SlackEmulator) -> None:
    open_home(bolt_app, slack_emulator, "UMEMBER001")
    call = slack_emulator.wait_for_call("views.publish")
    assert call.args["user_id"] == "UMEMBER001"
    view = call.args["view"]
    assert view["type"] == "home"
    assert view_errors(view) == []
    text = visible_text(view["blocks"])
    assert "5 of 6 tracked developers have signed a review agreement; 1 holdout" in text
    assert "*Meta* · Negotiating\n" in text
    assert (
        "*Fri Jul 31, 2026* · *in 7 days, 5 business days* — "
        "Formal pre-release review process to be established" in text
    )
    assert "As of Jul 24, 2026 10:00 EDT" in text
    assert "Tracker last changed Jul 24, 2026 10:00 EDT" in text
    # Every fact with its source, as-of and (for Meta) the competing claims.
    assert "_Source: Stocktwits (citing The New York Times), June 2026 · as of June 2026_" in text
    assert "Contested: " in text and "has not yet indicated whether it will comply" in text
    assert "*Who runs the reviews*: The Center for AI Standards and Innovation (CAISI)" in text
    # Latest changes: an event says when it took effect and when it was recorded.
    assert "_took effect May 2026, recorded Jul 24, 2026 10:00 EDT_" in text
    assert "Latest changes" in text
    assert not action_ids(view) & ADMIN_ACTIONS


def test_home_admin_sees_admin_buttons(bolt_app: App, slack_emulator: SlackEmulator) -> None:
    open_home(bolt_app, slack_emulator, ADMIN_ID)
    view = slack_emulator.wait_for_call("views.publish").args["view"]
    assert view_errors(view) == []
    assert ADMIN_ACTIONS <= action_ids(view)
    blocks = [b for b in view["blocks"] if b.get("block_id") == ids.BLOCK_HOME_ADMIN_ACTIONS]
    assert len(blocks) == 1


def test_messages_tab_publishes_nothing(bolt_app: App, slack_emulator: SlackEmulator) -> None:
    open_home(bolt_app, slack_emulator, "UMEMBER001", tab="messages")
    open_home(bolt_app, slack_emulator, "UMEMBER002")
    call = slack_emulator.wait_for_call("views.publish")
    assert call.args["user_id"] == "UMEMBER002"
    wait_for_home_pictures()  # the home's picture, drawn after it, republishes UMEMBER002's only
    assert {c.args["user_id"] for c in slack_emulator.calls_to("views.publish")} == {"UMEMBER002"}


def test_home_shows_latest_change_escaped(deps: Deps, slack_emulator: SlackEmulator) -> None:
    from slack_sdk import WebClient

    update_record(
        deps.store.db,
        "developer",
        "meta",
        {"status": "signed"},
        actor=ADMIN_ID,
        at=deps.clock.now(),
        source="<!channel> breaking",
    )
    create_record(
        deps.store.db,
        "model",
        {"developer_id": "meta", "name": "Muse Next", "planned_release": "2026-08-03"},
        actor=ADMIN_ID,
        at=deps.clock.now(),
    )
    publish_home(deps, WebClient(token="xoxb-test", base_url=slack_emulator.api_url), "UMEMBER001")
    view = slack_emulator.last("views.publish").args["view"]
    text = visible_text(view["blocks"])
    assert "All 6 tracked developers have signed" in text
    assert "Meta · status: negotiating → signed" in text
    assert "&lt;!channel&gt; breaking" in text
    assert set(special_mentions(text)) <= {f"@{ADMIN_ID}"}
    assert ":warning: *Sat Jul 4, 2026* · *20 days ago* — Meta Muse Next: submission due" in text


def test_extra_home_sections_appear(deps: Deps, slack_emulator: SlackEmulator) -> None:
    from slack_sdk import WebClient

    def delivery_problems(deps: Deps, user_id: str, admin: bool) -> list[dict[str, Any]]:
        return [{"type": "section", "text": {"type": "mrkdwn", "text": "Delivery problems: none"}}]

    deps = dataclasses.replace(deps, home_sections=(*deps.home_sections, delivery_problems))
    publish_home(deps, WebClient(token="xoxb-test", base_url=slack_emulator.api_url), ADMIN_ID)
    view = slack_emulator.last("views.publish").args["view"]
    assert "Delivery problems: none" in visible_text(view["blocks"])
    assert view["blocks"][-1]["block_id"] == ids.BLOCK_HOME_ADMIN_ACTIONS
