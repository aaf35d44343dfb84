"""`/aireview feeds` and the news alert's "Update tracker" button, end to end: a real Bolt
App, signed requests in Slack's documented shapes, the Slack emulator, a real SQLite file,
and sources played by httpx.MockTransport."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from typing import Any

import httpx
import pytest
from slack_bolt import App
from slack_sdk import WebClient

from bot import ids
from bot.clock import FixedClock
from bot.deps import Deps
from bot.news import parse as news
from bot.news.feed_client import make_http_client
from bot.news.watch import fetch_due_feeds
from bot.replies import WORKING_TEXT
from handlers import build_app
from storage import news as store_news
from tests.conftest import ADMIN_ID, BOT_TOKEN
from tests.support import paths
from tests.support.admin_forms import InlineExecutor, blocks_by_id, press
from tests.support.feed_server import FeedServer, feed_server  # noqa: F401
from tests.support.slack_emulator import SlackEmulator
from tests.support.slack_requests import command_answer, dispatch_command

FIXTURES = paths.FIXTURES / "news"
POLICYWIRE = "https://policywire.example/technology/feed.xml"
BROKEN = "https://broken.example/feed"
STRANGER = "USTRANGER1"
CHANNEL = "C0POLICY1"


class Sources:
    def __init__(self) -> None:
        self.bodies: dict[str, tuple[int, bytes, str]] = {}
        self.requests: list[httpx.Request] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        status, body, content_type = self.bodies.get(str(request.url), (404, b"", "text/plain"))
        return httpx.Response(status, content=body, headers={"Content-Type": content_type})


@pytest.fixture
def sources(deps: Deps) -> Sources:
    sources = Sources()
    sources.bodies[POLICYWIRE] = (200, (FIXTURES / "policywire_rss2.xml").read_bytes(), "application/rss+xml")
    sources.bodies[BROKEN] = (200, b"<!DOCTYPE html><html><body>Log in</body></html>", "text/html")
    sources.bodies[news.federal_register_search_url()] = (
        200,
        (FIXTURES / "federal_register.json").read_bytes(),
        "application/json",
    )
    deps.feed_client = make_http_client(transport=httpx.MockTransport(sources.handler))
    return sources


@pytest.fixture
def app(deps: Deps, slack_emulator: SlackEmulator, sources: Sources) -> App:
    client = WebClient(token=BOT_TOKEN, base_url=slack_emulator.api_url)
    return build_app(deps, client=client, listener_executor=InlineExecutor())


def feeds(app: App, emulator: SlackEmulator, text: str, user_id: str = ADMIN_ID, name: str = "r1") -> str:
    """Run `/aireview feeds <text>` and return everything the answer shows, as one text."""
    response = dispatch_command(
        app,
        "/aireview",
        f"feeds {text}".strip(),
        user_id=user_id,
        channel_id=CHANNEL,
        response_url=emulator.response_url(name),
    )
    if text.split()[:1] in (["add"], ["test"]):  # they fetch: "Working on it..." first, then the answer
        working, body = emulator.wait_for_responses(name, 2)
        assert working["text"] == WORKING_TEXT and working.get("response_type") == "ephemeral"
        assert body.get("replace_original") is True
    else:
        body = command_answer(response, emulator, name)
        assert body.get("response_type") == "ephemeral"
    return body["text"] + "\n" + json.dumps(body.get("blocks") or [], ensure_ascii=False)


def test_admin_adds_a_feed_which_is_primed_at_once(
    app: App, deps: Deps, slack_emulator: SlackEmulator, sources: Sources
) -> None:
    shown = feeds(app, slack_emulator, f'add <{POLICYWIRE}> "frontier model", CAISI')
    assert "Watching source" in shown and "`frontier model`, `CAISI`" in shown
    assert "3 current items are marked as seen (not posted)" in shown
    feed = store_news.get_feed_by_url(deps.store.db, POLICYWIRE)
    assert feed["keywords"] == ["frontier model", "CAISI"] and feed["primed"] == 1
    assert feed["created_by"] == ADMIN_ID
    assert store_news.alert_items_after(deps.store.db, 0) == []
    assert sources.requests[0].headers["User-Agent"] == "ReviewWatch/0.1 (+policy tracker)"

    again = feeds(app, slack_emulator, f"add {POLICYWIRE}", name="r2")
    assert "already watched" in again


def test_list_shows_each_source_and_its_error(app: App, deps: Deps, slack_emulator: SlackEmulator) -> None:
    feeds(app, slack_emulator, f"add {BROKEN} CAISI", name="add")
    shown = feeds(app, slack_emulator, "list")
    assert "Watched sources (2)" in shown
    assert "Federal Register: framework terms" in shown and "(default)" in shown
    assert "the search itself (frontier model, Center for AI Standards and Innovation" in shown
    assert BROKEN in shown
    assert "failing (1 in a row): an HTML page, not an RSS or Atom feed" in shown
    # no subcommand word lists too
    assert "Watched sources (2)" in feeds(app, slack_emulator, "", name="r2")


def test_test_shows_what_would_match_and_saves_nothing(
    app: App, deps: Deps, slack_emulator: SlackEmulator
) -> None:
    shown = feeds(app, slack_emulator, f'test {POLICYWIRE} "Center for AI Standards and Innovation"')
    assert "Policy Wire: Technology" in shown and "3 items, 2 would match" in shown
    assert "What the Center for AI Standards and Innovation will examine" in shown
    assert "matched: Meta" in shown  # a tracked developer name counts as a keyword
    assert store_news.list_feeds(deps.store.db) == []
    assert list(deps.store.db.query("SELECT * FROM news_items")) == []

    broken = feeds(app, slack_emulator, f"test {BROKEN}", name="r2")
    assert "cannot be read: an HTML page, not an RSS or Atom feed" in broken


def test_remove(app: App, deps: Deps, slack_emulator: SlackEmulator) -> None:
    feeds(app, slack_emulator, f"add {POLICYWIRE}", name="add")
    feed = store_news.get_feed_by_url(deps.store.db, POLICYWIRE)
    shown = feeds(app, slack_emulator, f"remove {feed['id']}")
    assert f"Stopped watching source `{feed['id']}`" in shown
    assert store_news.get_feed(deps.store.db, feed["id"]) is None
    assert "There is no source `999`" in feeds(app, slack_emulator, "remove 999", name="r2")


def test_removing_the_default_search_keeps_it_removed(
    app: App, deps: Deps, slack_emulator: SlackEmulator
) -> None:
    feeds(app, slack_emulator, "list", name="list")
    [default] = store_news.list_feeds(deps.store.db)
    shown = feeds(app, slack_emulator, f"remove {default['id']}")
    assert "stays removed" in shown
    assert fetch_due_feeds(deps, deps.clock.now()) == []
    assert store_news.list_feeds(deps.store.db) == []


@pytest.mark.parametrize("text", ["list", f"add {POLICYWIRE}", "remove 1", f"test {POLICYWIRE}"])
def test_only_admins_manage_feeds(
    app: App, deps: Deps, slack_emulator: SlackEmulator, sources: Sources, text: str
) -> None:
    shown = feeds(app, slack_emulator, text, user_id=STRANGER)
    assert "Only Review Watch admins" in shown
    assert sources.requests == []
    assert store_news.get_feed_by_url(deps.store.db, POLICYWIRE) is None


def test_bad_usage_is_explained(app: App, slack_emulator: SlackEmulator) -> None:
    assert "Usage: `/aireview feeds" in feeds(app, slack_emulator, "frobnicate")
    assert "only http:// and https://" in feeds(app, slack_emulator, "add ftp://x.example/f", name="r2")
    assert "Usage: `/aireview feeds remove <id>`" in feeds(app, slack_emulator, "remove x", name="r3")


def test_help_lists_feeds(app: App, slack_emulator: SlackEmulator) -> None:
    response = dispatch_command(
        app, "/aireview", "help", user_id=ADMIN_ID, response_url=slack_emulator.response_url()
    )
    assert "/aireview feeds" in json.dumps(command_answer(response, slack_emulator, "r1"))


def _news_item(deps: Deps, sources: Sources) -> dict[str, Any]:
    """A Meta story that came in after the feed was added (so it alerts)."""
    store_news.add_feed(
        deps.store.db, POLICYWIRE, news.KIND_RSS, ["CAISI"], created_by=ADMIN_ID, now=deps.clock.now()
    )
    sources.bodies[POLICYWIRE] = (
        200,
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>P</title></channel></rss>',
        "application/rss+xml",
    )
    fetch_due_feeds(deps, deps.clock.now())
    assert isinstance(deps.clock, FixedClock)
    deps.clock.advance(timedelta(minutes=30))
    sources.bodies[POLICYWIRE] = (200, (FIXTURES / "policywire_rss2.xml").read_bytes(), "application/rss+xml")
    fetch_due_feeds(deps, deps.clock.now())
    return next(i for i in store_news.alert_items_after(deps.store.db, 0) if i["developers"] == ["meta"])


def test_update_tracker_opens_the_status_form_prefilled(
    app: App, deps: Deps, slack_emulator: SlackEmulator, sources: Sources
) -> None:
    item = _news_item(deps, sources)
    response = press(
        app, ids.ACTION_NEWS_UPDATE_TRACKER, str(item["id"]), user_id=ADMIN_ID, channel_id=CHANNEL
    )
    assert response.status == 200
    view = slack_emulator.last("views.open").args["view"]
    assert view["callback_id"] == ids.VIEW_DEVELOPER_STATUS
    blocks = blocks_by_id(view)
    developer = blocks[ids.BLOCK_DEVELOPER]["element"]["initial_option"]["value"]
    assert developer == "meta"
    # The item as a new source record, without its tracking parameters.
    source = blocks[ids.BLOCK_SOURCE]["element"]["initial_value"]
    assert "utm_" in item["link"]
    assert source == "https://policywire.example/2026/07/23/meta-review-agreement/"
    assert item["title"] in blocks[ids.BLOCK_SOURCE_TITLE]["element"]["initial_value"]
    # Its published day as the effective date (not the developer's old since-date).
    assert blocks[ids.BLOCK_EFFECTIVE_DATE]["element"]["initial_date"] == "2026-07-23"
    assert blocks[ids.BLOCK_SOURCE_PUBLISHED]["element"]["initial_date"] == "2026-07-23"
    assert "working through the details" in blocks[ids.BLOCK_NOTE]["element"]["initial_value"]
    assert json.loads(view["private_metadata"])["news"] == item["id"]


def test_update_tracker_refuses_non_admins(
    app: App, deps: Deps, slack_emulator: SlackEmulator, sources: Sources
) -> None:
    item = _news_item(deps, sources)
    press(app, ids.ACTION_NEWS_UPDATE_TRACKER, str(item["id"]), user_id=STRANGER, channel_id=CHANNEL)
    view = slack_emulator.last("views.open").args["view"]
    assert view["callback_id"] != ids.VIEW_DEVELOPER_STATUS
    assert "Only Review Watch admins" in json.dumps(view)


def _app_with_its_own_feed_client(deps: Deps, slack_emulator: SlackEmulator) -> App:
    deps.feed_client = None  # made on first use from the settings, as in production
    client = WebClient(token=BOT_TOKEN, base_url=slack_emulator.api_url)
    return build_app(deps, client=client, listener_executor=InlineExecutor())


def test_feeds_add_and_test_refuse_inward_addresses_by_name(
    deps: Deps,
    slack_emulator: SlackEmulator,
    feed_server: FeedServer,  # noqa: F811
) -> None:
    feed_server.route("/feed.xml", (FIXTURES / "policywire_rss2.xml").read_bytes())
    app = _app_with_its_own_feed_client(deps, slack_emulator)
    local = feed_server.url("/feed.xml")

    added = feeds(app, slack_emulator, f"add {local}", name="add")
    tested = feeds(app, slack_emulator, "test http://169.254.169.254/latest/meta-data/", name="test")

    assert f"Cannot watch {local}: refused: 127.0.0.1, a loopback address" in added
    assert "REVIEWWATCH_FEEDS_ALLOW_PRIVATE=1" in added
    assert store_news.get_feed_by_url(deps.store.db, local) is None  # not kept
    assert "refused: 169.254.169.254, a link-local address" in tested
    assert feed_server.requests == []  # nothing was fetched


def test_with_allow_private_an_admin_can_watch_an_intranet_feed(
    deps: Deps,
    slack_emulator: SlackEmulator,
    feed_server: FeedServer,  # noqa: F811
) -> None:
    deps.settings = replace(deps.settings, feeds_allow_private=True)
    feed_server.route("/feed.xml", (FIXTURES / "policywire_rss2.xml").read_bytes())
    app = _app_with_its_own_feed_client(deps, slack_emulator)

    shown = feeds(app, slack_emulator, f"add {feed_server.url('/feed.xml')}", name="add")

    assert "Watching source" in shown and "3 current items are marked as seen" in shown
    assert len(feed_server.requests) == 1
