"""The event form (admins): add and edit dated developments, with their developers, date
precision and sources, and "Add as event" from a news alert; submitted as Slack sends them."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import App

from bot import ids
from bot.deps import Deps
from storage import news as store_news
from storage.facts import get_event, list_events, record_sources, source_label
from tests.conftest import ADMIN_ID
from tests.support.admin_forms import ack_body, blocks_by_id, press, submit_view
from tests.support.blockkit import view_errors
from tests.support.slack_emulator import SlackEmulator

CHANNEL = "C0POLICY1"


def opened(emu: SlackEmulator) -> dict[str, Any]:
    view = emu.last("views.open").args["view"]
    assert view_errors(view) == []
    return view


def developers_state(*ids_: str) -> dict[str, Any]:
    """The multi_external_select's state as Slack sends it."""
    options = [{"text": {"type": "plain_text", "text": i}, "value": i} for i in ids_]
    return {"type": "multi_external_select", "selected_options": options}


def submit_event(
    app: App, view: dict[str, Any], developers: tuple[str, ...], **changes: Any
) -> dict[str, Any]:
    from tests.support.admin_forms import state_values
    from tests.support.slack_requests import dispatch_payload, view_submission_payload

    values = state_values(view, **changes)
    values[ids.BLOCK_EVENT_DEVELOPERS] = {ids.ACTION_MENU_DEVELOPER: developers_state(*developers)}
    payload = view_submission_payload(
        view["callback_id"], values, user_id=ADMIN_ID, private_metadata=view.get("private_metadata", "")
    )
    return ack_body(dispatch_payload(app, payload))


def test_add_an_event_with_month_precision_and_a_new_source(
    deps: Deps, app: App, slack_emulator: SlackEmulator
) -> None:
    press(app, ids.ACTION_ADMIN_ADD_EVENT, user_id=ADMIN_ID, from_home=True)
    view = opened(slack_emulator)
    assert view["callback_id"] == ids.VIEW_EVENT
    body = submit_event(
        app,
        view,
        ("meta",),
        event_kind="request",
        effective_date="2026-07-09",
        effective_precision="month",
        summary="Officials wrote to Meta again.",
        source="https://example.gov/letter?utm_campaign=x&fbclid=abc",
        source_title="Agency letter",
    )
    assert body == {}
    [event] = [
        e for e in list_events(deps.store.db, "meta") if e["summary"] == "Officials wrote to Meta again."
    ]
    assert (event["kind"], event["effective"], event["developer_ids"]) == ("request", "2026-07", ["meta"])
    [source] = record_sources(deps.store.db, "event", event["id"])
    assert source["url"] == "https://example.gov/letter"  # tracking parameters stripped
    assert source_label(source) == "Agency letter — https://example.gov/letter"
    row = next(iter(deps.store.db.query("SELECT * FROM history WHERE entity = 'event' ORDER BY id DESC")))
    assert (row["field"], row["effective"], row["actor"]) == ("event", "2026-07", ADMIN_ID)


def test_a_future_event_date_is_refused_inline(deps: Deps, app: App, slack_emulator: SlackEmulator) -> None:
    press(app, ids.ACTION_ADMIN_ADD_EVENT, user_id=ADMIN_ID, from_home=True)
    view = opened(slack_emulator)
    body = submit_event(
        app, view, (), event_kind="order", effective_date="2031-01-01", summary="x", source="Citation"
    )
    assert "later than today" in body["errors"][ids.BLOCK_EFFECTIVE_DATE]
    # August 2026, month precision: the whole month is ahead of July 24.
    body = submit_event(
        app,
        view,
        (),
        event_kind="order",
        effective_date="2026-08-01",
        effective_precision="month",
        summary="x",
        source="Citation",
    )
    assert "later than today" in body["errors"][ids.BLOCK_EFFECTIVE_DATE]


def test_edit_an_event_through_the_picker(deps: Deps, app: App, slack_emulator: SlackEmulator) -> None:
    brennan = next(e for e in list_events(deps.store.db) if e["kind"] == "statement")
    press(app, ids.ACTION_ADMIN_EDIT_EVENT, user_id=ADMIN_ID, from_home=True)
    picker = opened(slack_emulator)
    form = ack_body(submit_view(app, picker, ADMIN_ID, pick=str(brennan["id"])))["view"]
    assert form["callback_id"] == ids.VIEW_EVENT and view_errors(form) == []
    blocks = blocks_by_id(form)
    assert blocks[ids.BLOCK_EFFECTIVE_PRECISION]["element"]["initial_option"]["value"] == "month"
    assert "Francis Brennan" in blocks[ids.BLOCK_SUMMARY]["element"]["initial_value"]
    body = submit_event(app, form, ("meta",), effective_date="2026-06-09", effective_precision="day")
    assert body == {}
    saved = get_event(deps.store.db, brennan["id"])
    assert saved is not None and (saved["effective"], saved["version"]) == ("2026-06-09", 2)
    rows = list(deps.store.db.query("SELECT * FROM history WHERE entity = 'event' AND field = 'effective'"))
    assert [(r["old"], r["new"]) for r in rows] == [("2026-06", "2026-06-09")]


def test_add_as_event_from_a_news_alert_prefills_the_form(
    deps: Deps, app: App, slack_emulator: SlackEmulator
) -> None:
    feed = store_news.add_feed(
        deps.store.db,
        "https://news.example/feed",
        "rss",
        ["review"],
        created_by=ADMIN_ID,
        now=deps.clock.now(),
    )
    link = "https://news.example/2026/07/22/meta-letter?utm_source=rss&gclid=1"
    item = {"keys": [link], "title": "Agency writes to Meta", "link": link}
    item.update(published="2026-07-22T15:00:00+00:00", summary="", terms=["review"], developers=["meta"])
    item.update(alert=True)
    [item_id] = store_news.save_items(deps.store.db, feed, [item], deps.clock.now(), prime=False).new_alerts

    press(app, ids.ACTION_NEWS_ADD_EVENT, str(item_id), user_id=ADMIN_ID, channel_id=CHANNEL)
    view = opened(slack_emulator)
    assert view["callback_id"] == ids.VIEW_EVENT
    blocks = blocks_by_id(view)
    assert (
        blocks[ids.BLOCK_SOURCE]["element"]["initial_value"] == "https://news.example/2026/07/22/meta-letter"
    )
    assert blocks[ids.BLOCK_EFFECTIVE_DATE]["element"]["initial_date"] == "2026-07-22"
    assert blocks[ids.BLOCK_SUMMARY]["element"]["initial_value"] == "Agency writes to Meta"
    chosen = blocks[ids.BLOCK_EVENT_DEVELOPERS]["element"]["initial_options"]
    assert [o["value"] for o in chosen] == ["meta"]
    assert json.loads(view["private_metadata"])["news"] == item_id
