"""News reaches channels through the alert pipeline: a subscribed channel gets one message
per new matching story (title, source, date, matched terms, link, Update tracker), never
for a source's first fetch, and once however many sources carry the story."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import httpx
import pytest
from slack_sdk import WebClient

from bot import ids
from bot.clock import FixedClock
from bot.deps import Deps
from bot.news import parse as news
from bot.news.feed_client import make_http_client
from bot.news.watch import fetch_due_feeds
from handlers import build_app
from storage import news as store_news
from tests.conftest import ADMIN_ID, BOT_TOKEN
from tests.support import paths
from tests.support.admin_forms import InlineExecutor, blocks_by_id, press
from tests.support.alerts import CHANNEL, subscribe, sweep
from tests.support.slack_emulator import SlackEmulator

FIXTURES = paths.FIXTURES / "news"
POLICYWIRE = "https://policywire.example/technology/feed.xml"
TECHDESK = "https://techdesk.example/atom.xml"


@pytest.fixture
def news_deps(deps: Deps) -> Deps:
    return replace(deps, settings=replace(deps.settings, federal_register_default=False))


def serve(bodies: dict[str, bytes]) -> httpx.Client:
    def handler(request: httpx.Request) -> httpx.Response:
        body = bodies.get(str(request.url))
        return httpx.Response(200, content=body) if body else httpx.Response(404)

    return make_http_client(transport=httpx.MockTransport(handler))


def news_messages(emulator: SlackEmulator) -> list[dict]:
    return [
        m
        for m in emulator.messages.get(CHANNEL, [])
        if (m.get("metadata") or {}).get("event_payload", {}).get("key", "").startswith("news|")
    ]


def test_new_stories_are_posted_once_to_subscribed_channels(
    news_deps: Deps, slack_emulator: SlackEmulator
) -> None:
    deps = news_deps
    assert isinstance(deps.clock, FixedClock)
    subscribe(deps, deps.clock.now(), kinds=["news"])
    for url in (POLICYWIRE, TECHDESK):
        store_news.add_feed(
            deps.store.db,
            url,
            news.KIND_RSS,
            ["CAISI", "frontier model"],
            created_by="UADMIN0001",
            now=deps.clock.now(),
        )
    empty_atom = (
        b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Tech Desk</title></feed>'
    )
    bodies = {POLICYWIRE: (FIXTURES / "policywire_rss2.xml").read_bytes(), TECHDESK: empty_atom}
    fetch_due_feeds(deps, deps.clock.now(), serve(bodies))
    deps.clock.advance(timedelta(minutes=5))
    sweep(deps, slack_emulator, deps.clock.now())
    assert news_messages(slack_emulator) == []  # adding sources never floods a channel

    deps.clock.advance(timedelta(minutes=25))
    bodies[POLICYWIRE] = (FIXTURES / "policywire_rss2_update.xml").read_bytes()
    bodies[TECHDESK] = (FIXTURES / "techdesk_atom.xml").read_bytes()
    fetch_due_feeds(deps, deps.clock.now(), serve(bodies))
    deps.clock.advance(timedelta(minutes=5))
    sweep(deps, slack_emulator, deps.clock.now())
    posted = news_messages(slack_emulator)
    # the CAISI guidance (on both sources), the review notice (Tech Desk, linking the
    # Federal Register) and the DeepMind lab (a tracked name); the meta-analysis is not news
    assert [m["blocks"][0]["text"]["text"] for m in posted] == [
        "News: CAISI publishes AI model evaluation guidance ahead of July 31 deadline",
        "News: Commerce sets out frontier model review process",
        "News: Google DeepMind opens new London lab",
    ]
    guidance = json.dumps(posted[0]["blocks"], ensure_ascii=False)
    assert "Published Jul 24, 2026 09:00 EDT" in guidance
    assert "Matched: CAISI, frontier model" in guidance
    assert "*Source:* Policy Wire: Technology" in guidance
    assert "<https://policywire.example/2026/07/24/caisi-evaluation-guidance/" in guidance
    buttons = [e for b in posted[0]["blocks"] if b["type"] == "actions" for e in b["elements"]]
    update = next(e for e in buttons if e["action_id"] == ids.ACTION_NEWS_UPDATE_TRACKER)
    item = store_news.get_item(deps.store.db, int(update["value"]))
    assert item is not None and item["title"].startswith("CAISI publishes")

    deps.clock.advance(timedelta(minutes=30))
    fetch_due_feeds(deps, deps.clock.now(), serve(bodies))
    sweep(deps, slack_emulator, deps.clock.now())
    assert len(news_messages(slack_emulator)) == 3


def test_a_news_alerts_update_tracker_button_opens_the_prefilled_status_form(
    news_deps: Deps, slack_emulator: SlackEmulator
) -> None:
    deps = news_deps
    assert isinstance(deps.clock, FixedClock)
    subscribe(deps, deps.clock.now(), kinds=["news"])
    store_news.add_feed(
        deps.store.db, POLICYWIRE, news.KIND_RSS, [], created_by="UADMIN0001", now=deps.clock.now()
    )
    empty_rss = b'<?xml version="1.0"?><rss version="2.0"><channel><title>P</title></channel></rss>'
    bodies = {POLICYWIRE: empty_rss}
    fetch_due_feeds(deps, deps.clock.now(), serve(bodies))
    deps.clock.advance(timedelta(minutes=30))
    bodies[POLICYWIRE] = (FIXTURES / "policywire_rss2.xml").read_bytes()
    fetch_due_feeds(deps, deps.clock.now(), serve(bodies))
    sweep(deps, slack_emulator, deps.clock.now())
    [message] = news_messages(slack_emulator)
    assert "Meta says" in message["text"]
    update = next(
        e
        for b in message["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == ids.ACTION_NEWS_UPDATE_TRACKER
    )

    app = build_app(
        deps,
        client=WebClient(token=BOT_TOKEN, base_url=slack_emulator.api_url),
        listener_executor=InlineExecutor(),
    )
    press(app, update["action_id"], update["value"], user_id=ADMIN_ID, channel_id=CHANNEL)
    view = slack_emulator.last("views.open").args["view"]
    assert view["callback_id"] == ids.VIEW_DEVELOPER_STATUS
    blocks = blocks_by_id(view)
    assert blocks[ids.BLOCK_DEVELOPER]["element"]["initial_option"]["value"] == "meta"
    # The item's link as a new source, its utm_* tracking parameters stripped.
    assert blocks[ids.BLOCK_SOURCE]["element"]["initial_value"] == (
        "https://policywire.example/2026/07/23/meta-review-agreement/"
    )


def test_source_text_cannot_notify_or_disguise_a_link_in_an_alert() -> None:
    from datetime import UTC, datetime

    from bot.alerts.alert import Alert
    from bot.alerts.blocks import alert_message
    from bot.settings import Settings
    from tests.support.blockkit import special_mentions

    alert = Alert(
        kind="news",
        subject_type="news",
        subject_id="1",
        subject_date=None,
        lead_days=None,
        target_type="slack",
        target="C1",
        subscription_id=1,
        due_at=datetime(2026, 7, 24, 13, tzinfo=UTC),
        title="<!channel> CAISI <@U0123ABCD> review",
        facts={
            "link": "https://evil.example/a|Official CAISI notice",
            "source": "Wire",
            "matched": ["CAISI"],
        },
    )
    message = alert_message(alert, alert.due_at, Settings())
    assert "<!channel>" not in message.text and "<@U0123ABCD>" not in message.text
    mrkdwn = [
        b["text"]["text"] for b in message.blocks if b["type"] == "section" and b["text"]["type"] == "mrkdwn"
    ]
    assert special_mentions(" ".join(mrkdwn)) == []  # (the header is plain_text: never parsed)
    rendered = json.dumps(message.blocks)
    assert "https://evil.example/a%7COfficial%20CAISI%20notice|" in rendered
    assert "<https://evil.example/a|Official" not in rendered
