"""Type-ahead menus on the 200-developer / 5,000-model tracker, through the real Bolt App
with signed requests: forms opened on a record past the 100th show it selected and save,
typing finds any developer (a part of its name, a typo), and options requests are
verified like every other request."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from slack_bolt import App, BoltRequest
from slack_sdk import WebClient

from bot import ids
from bot.catalog import make_deps
from bot.clock import FixedClock
from bot.deps import Deps
from bot.settings import Settings
from handlers import build_app
from handlers.home import wait_for_home_pictures
from storage import news as store_news
from storage.alerts import get_subscription
from storage.db import Store
from storage.facts import add_source, citations_for, cite, create_event, fact_sources
from storage.tracker import create_record, get_record, list_models
from tests.conftest import ADMIN_ID, BOT_TOKEN
from tests.support.admin_forms import InlineExecutor, ack_body, blocks_by_id, press, submit_view, suggest
from tests.support.blockkit import option_errors, view_errors
from tests.support.pictures import REMEMBERING_PAINTER
from tests.support.slack_emulator import SlackEmulator
from tests.support.slack_requests import (
    block_suggestion_payload,
    dispatch_command,
    interactive_body,
    signed_headers,
    view_submission_payload,
)
from tests.support.template_db import DatabaseTemplates

CHANNEL = "C0POLICY1"
# Developers are listed by name ("Developer 000 Labs", ...): the 150th is past any
# 100-option menu.
DEV_150 = "dev-149"
DEV_150_NAME = "Developer 149 Labs"


@pytest.fixture
def large_deps(
    settings: Settings, store: Store, clock: FixedClock, database_templates: DatabaseTemplates
) -> Iterator[Deps]:
    database_templates.large(store)  # make_large_tracker(store.db), copied from a template
    deps = make_deps(settings, store, clock)
    deps.painter = REMEMBERING_PAINTER  # as the conftest's deps: each distinct picture drawn once
    yield deps
    wait_for_home_pictures()  # as the conftest's deps: a picture being drawn finishes in its test


@pytest.fixture
def app(large_deps: Deps, slack_emulator: SlackEmulator) -> App:
    client = WebClient(token=BOT_TOKEN, base_url=slack_emulator.api_url)
    return build_app(large_deps, client=client, listener_executor=InlineExecutor())


def opened(emu: SlackEmulator) -> dict[str, Any]:
    view = emu.last("views.open").args["view"]
    assert view_errors(view) == []
    return view


def selected(view: dict[str, Any], block_id: str) -> tuple[str, str]:
    option = blocks_by_id(view)[block_id]["element"]["initial_option"]
    return option["value"], option["text"]["text"]


def labels(options: list[dict[str, Any]]) -> list[str]:
    return [o["text"]["text"] for o in options]


def test_the_status_form_for_the_150th_developer_opens_preselected_and_saves(
    large_deps: Deps, app: App, slack_emulator: SlackEmulator
) -> None:
    dispatch_command(
        app,
        "/aireview",
        f"update {DEV_150_NAME}",
        user_id=ADMIN_ID,
        channel_id=CHANNEL,
        response_url=slack_emulator.response_url("update"),
    )
    view = opened(slack_emulator)
    assert selected(view, ids.BLOCK_DEVELOPER) == (DEV_150, DEV_150_NAME)
    before = get_record(large_deps.store.db, "developer", DEV_150)
    assert before is not None and before["status"] != "signed"

    body = ack_body(submit_view(app, view, ADMIN_ID, status="signed", source="https://example.gov/signed"))

    assert body == {}
    after = get_record(large_deps.store.db, "developer", DEV_150)
    assert after is not None and (after["status"], after["updated_by"]) == ("signed", ADMIN_ID)
    confirmation = slack_emulator.last("chat.postEphemeral").args
    assert confirmation["channel"] == CHANNEL and DEV_150_NAME in confirmation["text"]


def test_the_home_button_opens_it_preselected_too(app: App, slack_emulator: SlackEmulator) -> None:
    press(app, ids.ACTION_ADMIN_UPDATE_STATUS, DEV_150, user_id=ADMIN_ID, from_home=True)
    assert selected(opened(slack_emulator), ids.BLOCK_DEVELOPER) == (DEV_150, DEV_150_NAME)


def test_a_news_items_update_tracker_button_opens_it_preselected_and_saves(
    large_deps: Deps, app: App, slack_emulator: SlackEmulator
) -> None:
    db = large_deps.store.db
    feed = store_news.add_feed(
        db, "https://news.example/feed", "rss", ["review"], created_by=ADMIN_ID, now=large_deps.clock.now()
    )
    link = "https://news.example/2026/07/23/developer-149-signs"
    item = {"keys": [link], "title": "Developer 149 Labs signs", "link": link, "published": None}
    item.update(summary="", terms=["review"], developers=[DEV_150], alert=True)
    [item_id] = store_news.save_items(db, feed, [item], large_deps.clock.now(), prime=False).new_alerts

    press(app, ids.ACTION_NEWS_UPDATE_TRACKER, str(item_id), user_id=ADMIN_ID, channel_id=CHANNEL)
    view = opened(slack_emulator)

    assert selected(view, ids.BLOCK_DEVELOPER) == (DEV_150, DEV_150_NAME)
    assert ack_body(submit_view(app, view, ADMIN_ID, status="signed")) == {}
    saved = get_record(db, "developer", DEV_150)
    assert saved is not None and saved["status"] == "signed"
    assert saved["source"].endswith(f"Developer 149 Labs signs — {link}")  # the item as a source


def test_add_model_for_the_150th_developer_keeps_its_developer(
    large_deps: Deps, app: App, slack_emulator: SlackEmulator
) -> None:
    press(app, ids.ACTION_ADMIN_ADD_MODEL, DEV_150, user_id=ADMIN_ID, from_home=True)
    view = opened(slack_emulator)
    assert selected(view, ids.BLOCK_DEVELOPER) == (DEV_150, DEV_150_NAME)

    assert ack_body(submit_view(app, view, ADMIN_ID, name="Frontier One")) == {}

    [model] = [m for m in list_models(large_deps.store.db, DEV_150) if m["name"] == "Frontier One"]
    assert model["developer_id"] == DEV_150


def test_edit_model_of_the_150th_developer_keeps_its_developer(
    large_deps: Deps, app: App, slack_emulator: SlackEmulator
) -> None:
    model = list_models(large_deps.store.db, DEV_150)[-1]
    press(app, ids.ACTION_ADMIN_EDIT_MODEL, str(model["id"]), user_id=ADMIN_ID, from_home=True)
    view = opened(slack_emulator)
    assert selected(view, ids.BLOCK_DEVELOPER) == (DEV_150, DEV_150_NAME)

    assert ack_body(submit_view(app, view, ADMIN_ID, note="Release moved, per the developer.")) == {}

    saved = get_record(large_deps.store.db, "model", model["id"])
    assert saved is not None
    assert (saved["developer_id"], saved["note"], saved["version"]) == (
        DEV_150,
        "Release moved, per the developer.",
        model["version"] + 1,
    )


def test_edit_model_picker_finds_a_model_of_the_150th_developer_by_typing(
    large_deps: Deps, app: App, slack_emulator: SlackEmulator
) -> None:
    press(app, ids.ACTION_ADMIN_EDIT_MODEL, user_id=ADMIN_ID, from_home=True)
    picker = opened(slack_emulator)
    model = list_models(large_deps.store.db, DEV_150)[0]  # "Model 0149 <&>"

    options = suggest(app, picker, ids.BLOCK_PICK, f"{DEV_150_NAME} {model['name'][:10]}", ADMIN_ID)

    assert [o["value"] for o in options] == [str(model["id"])]
    form = ack_body(submit_view(app, picker, ADMIN_ID, pick=options[0]["value"]))["view"]
    assert selected(form, ids.BLOCK_DEVELOPER) == (DEV_150, DEV_150_NAME)


def test_the_subscribe_filter_finds_it_by_typing_part_of_its_name(
    large_deps: Deps, app: App, slack_emulator: SlackEmulator
) -> None:
    dispatch_command(
        app,
        "/aireview",
        "subscribe",
        user_id=ADMIN_ID,
        channel_id=CHANNEL,
        response_url=slack_emulator.response_url("subscribe"),
    )
    view = opened(slack_emulator)

    options = suggest(app, view, ids.BLOCK_SUBSCRIBE_DEVELOPERS, "149", ADMIN_ID)

    assert [(o["value"], o["text"]["text"]) for o in options] == [(DEV_150, DEV_150_NAME)]
    assert len(suggest(app, view, ids.BLOCK_SUBSCRIBE_DEVELOPERS, "Developer 1", ADMIN_ID)) == 100
    values = {
        ids.BLOCK_SUBSCRIBE_KINDS: {
            ids.ACTION_FIELD: {
                "type": "checkboxes",
                "selected_options": [{"text": {"type": "plain_text", "text": "Status"}, "value": "status"}],
            }
        },
        ids.BLOCK_SUBSCRIBE_LEADS: {ids.ACTION_FIELD: {"type": "plain_text_input", "value": "7"}},
        ids.BLOCK_SUBSCRIBE_DEVELOPERS: {
            ids.ACTION_MENU_DEVELOPER: {"type": "multi_external_select", "selected_options": options}
        },
    }
    payload = view_submission_payload(
        ids.VIEW_SUBSCRIBE, values, user_id=ADMIN_ID, private_metadata=view["private_metadata"]
    )
    assert ack_body(submit_via(app, payload)) == {}
    subscription = get_subscription(large_deps.store.db, "slack", CHANNEL)
    assert subscription is not None and subscription["developer_filter"] == [DEV_150]

    dispatch_command(
        app,
        "/aireview",
        "subscribe",
        user_id=ADMIN_ID,
        channel_id=CHANNEL,
        response_url=slack_emulator.response_url("again"),
    )
    reopened = blocks_by_id(opened(slack_emulator))[ids.BLOCK_SUBSCRIBE_DEVELOPERS]["element"]
    assert labels(reopened["initial_options"]) == [DEV_150_NAME]


def submit_via(app: App, payload: dict[str, Any]) -> Any:
    body = interactive_body(payload)
    return app.dispatch(BoltRequest(body=body, headers=signed_headers(body)))


@pytest.mark.parametrize("typed", ["Develper 149 Labs", "developer 149 lasb", "Devloper 149"])
def test_an_options_request_for_a_typo_returns_the_right_developer_first(
    app: App, slack_emulator: SlackEmulator, typed: str
) -> None:
    press(app, ids.ACTION_ADMIN_UPDATE_STATUS, "dev-003", user_id=ADMIN_ID, from_home=True)
    view = opened(slack_emulator)

    options = suggest(app, view, ids.BLOCK_DEVELOPER, typed, ADMIN_ID)

    assert options[0]["value"] == DEV_150, labels(options[:5])
    assert len(options) <= 100


def test_options_are_ranked_exact_then_start_then_part_and_answer_fast(
    app: App, slack_emulator: SlackEmulator
) -> None:
    press(app, ids.ACTION_ADMIN_UPDATE_STATUS, "dev-003", user_id=ADMIN_ID, from_home=True)
    view = opened(slack_emulator)
    assert labels(suggest(app, view, ids.BLOCK_DEVELOPER, "dev-149", ADMIN_ID)) == [DEV_150_NAME]
    typed_part = labels(suggest(app, view, ids.BLOCK_DEVELOPER, "DEVELOPER 14", ADMIN_ID))
    assert typed_part[:10] == [f"Developer {n} Labs" for n in range(140, 150)]  # names starting so
    assert typed_part[10:] == ["Developer 014 Labs", "Developer 114 Labs"]  # then holding "14"
    assert len(suggest(app, view, ids.BLOCK_DEVELOPER, "", ADMIN_ID)) == 100
    assert suggest(app, view, ids.BLOCK_DEVELOPER, "zzzzqqqq", ADMIN_ID) == []

    started = time.perf_counter()
    for n in range(20):
        suggest(app, view, ids.BLOCK_DEVELOPER, f"developer {n}", ADMIN_ID)
    assert (time.perf_counter() - started) / 20 < 0.5  # Slack waits 3 s; the bench measures it


@pytest.mark.parametrize("problem", ["unsigned", "wrong secret", "signed six minutes ago", "tampered"])
def test_options_requests_are_verified_like_every_other_request(app: App, problem: str) -> None:
    body = interactive_body(block_suggestion_payload(ids.ACTION_MENU_DEVELOPER, ids.BLOCK_DEVELOPER, "149"))
    headers = signed_headers(body)
    if problem == "unsigned":
        headers = {"content-type": headers["content-type"]}
    elif problem == "wrong secret":
        headers = signed_headers(body, secret="not-the-signing-secret")
    elif problem == "signed six minutes ago":
        headers = signed_headers(body, timestamp=int(time.time()) - 360)
    else:
        body = body.replace("149", "150")

    response = app.dispatch(BoltRequest(body=body, headers=headers))

    assert response.status == 401
    assert "options" not in (response.body or "")
    signed = app.dispatch(BoltRequest(body=body, headers=signed_headers(body)))
    assert signed.status == 200 and json.loads(signed.body)["options"]


def test_deadline_picker_options_fit_slack_limits_and_find_any_deadline(
    large_deps: Deps, app: App, slack_emulator: SlackEmulator
) -> None:
    press(app, ids.ACTION_ADMIN_EDIT_DEADLINE, user_id=ADMIN_ID, from_home=True)
    picker = opened(slack_emulator)

    listed = suggest(app, picker, ids.BLOCK_PICK, "", ADMIN_ID)
    [found, *_] = suggest(app, picker, ids.BLOCK_PICK, "deadline 450", ADMIN_ID)

    assert len(listed) == 100
    assert [e for n, o in enumerate(listed) for e in option_errors(f"options[{n}]", o)] == []
    deadline = get_record(large_deps.store.db, "deadline", found["value"])
    assert deadline is not None and deadline["title"].startswith("Deadline 450:")
    assert found["description"]["text"] == f"Due {deadline['due_date']}"
    assert len(found["text"]["text"]) <= 75  # long titles are clipped to Slack's limit


def test_a_developer_added_after_the_menu_was_used_is_offered_at_once(
    large_deps: Deps, app: App, slack_emulator: SlackEmulator
) -> None:
    press(app, ids.ACTION_ADMIN_ADD_MODEL, user_id=ADMIN_ID, from_home=True)
    view = opened(slack_emulator)
    assert suggest(app, view, ids.BLOCK_DEVELOPER, "zeta", ADMIN_ID) == []

    create_record(
        large_deps.store.db,
        "developer",
        {"name": "Zeta Frontier", "status": "unknown"},
        actor=ADMIN_ID,
        at=large_deps.clock.now(),
        record_id="zeta-frontier",
    )

    assert labels(suggest(app, view, ids.BLOCK_DEVELOPER, "zeta", ADMIN_ID)) == ["Zeta Frontier"]


def test_a_source_past_the_newest_hundred_is_preselected_found_by_typing_and_saved(
    large_deps: Deps, app: App, slack_emulator: SlackEmulator
) -> None:
    db = large_deps.store.db
    at = large_deps.clock.now()
    oldest = add_source(db, actor=ADMIN_ID, at=at, publisher="Wire 000", title="Agreement notice 000")
    for n in range(1, 150):
        add_source(db, actor=ADMIN_ID, at=at, publisher=f"Wire {n:03d}", url=f"https://wire.example/{n:03d}")
    cite(db, "developer", DEV_150, ["status"], [oldest["id"]])

    dispatch_command(
        app, "/aireview", f"update {DEV_150}", user_id=ADMIN_ID, response_url=slack_emulator.response_url("u")
    )
    view = opened(slack_emulator)

    [picked] = blocks_by_id(view)[ids.BLOCK_SOURCE_PICK]["element"]["initial_options"]
    assert picked["value"] == str(oldest["id"]) and "Agreement notice 000" in picked["text"]["text"]
    assert len(suggest(app, view, ids.BLOCK_SOURCE_PICK, "", ADMIN_ID)) == 100
    [by_title] = suggest(app, view, ids.BLOCK_SOURCE_PICK, "agreement notice", ADMIN_ID)
    assert by_title["value"] == str(oldest["id"])
    [by_link] = suggest(app, view, ids.BLOCK_SOURCE_PICK, "wire.example/149", ADMIN_ID)
    newer = add_source(db, actor=ADMIN_ID, at=at, publisher="Late Wire", citation="Late Wire bulletin 7")
    [late] = suggest(app, view, ids.BLOCK_SOURCE_PICK, "late wire bulletin", ADMIN_ID)  # offered at once
    assert late["value"] == str(newer["id"])

    assert ack_body(submit_view(app, view, ADMIN_ID, status="signed", source_pick=by_link["value"])) == {}
    cited = [s["id"] for s in fact_sources(citations_for(db, "developer", [DEV_150]), DEV_150, "status")]
    assert cited == [int(by_link["value"])]


def test_events_and_contest_subjects_past_a_hundred_are_found_by_typing(
    large_deps: Deps, app: App, slack_emulator: SlackEmulator
) -> None:
    db = large_deps.store.db
    at = large_deps.clock.now()
    source = add_source(db, actor=ADMIN_ID, at=at, publisher="Wire", title="Order text")
    first = create_event(
        db,
        kind="order",
        effective="2026-06",
        summary="Agency orders Developer 149 Labs to restrict access",
        developer_ids=[DEV_150],
        source_ids=[source["id"]],
        actor=ADMIN_ID,
        at=at,
    )
    for n in range(150):
        create_event(
            db,
            kind="statement",
            effective="2026-07-01",
            summary=f"Statement {n:03d}",
            developer_ids=[],
            source_ids=[source["id"]],
            actor=ADMIN_ID,
            at=at,
        )

    press(app, ids.ACTION_ADMIN_EDIT_EVENT, user_id=ADMIN_ID, from_home=True)
    picker = opened(slack_emulator)
    assert len(suggest(app, picker, ids.BLOCK_PICK, "", ADMIN_ID)) == 100
    [found] = suggest(app, picker, ids.BLOCK_PICK, "orders developer 149", ADMIN_ID)
    assert found["value"] == str(first["id"]) and found["text"]["text"].startswith("June 2026 · ")
    form = ack_body(submit_view(app, picker, ADMIN_ID, pick=found["value"]))["view"]
    assert form["callback_id"] == ids.VIEW_EVENT and view_errors(form) == []

    press(app, ids.ACTION_ADMIN_CONTEST, user_id=ADMIN_ID, from_home=True)
    contest = opened(slack_emulator)
    [deadline] = suggest(app, contest, ids.BLOCK_SUBJECT, "deadline 450", ADMIN_ID)
    assert deadline["value"].startswith("deadline:") and "Deadline 450" in deadline["text"]["text"]
    assert suggest(app, contest, ids.BLOCK_SUBJECT, "restrict access", ADMIN_ID)[0]["value"] == (
        f"event:{first['id']}"
    )
    assert suggest(app, contest, ids.BLOCK_CLAIM_A_SOURCE, "order text", ADMIN_ID)[0]["value"] == str(
        source["id"]
    )
