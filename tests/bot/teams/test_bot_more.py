"""The answers Slack gives as an overview, a file, a picture or a personal link, asked of the
Teams bot at the connector stand-in (real Activity JSON, tokens signed by the stand-in's key):
`alerts`, `feeds`, `timeline`, `export` and `board`."""

from __future__ import annotations

import base64
import dataclasses
import io
import json
import re
import struct
import zipfile
from datetime import timedelta
from typing import Any

import httpx

from bot.clock import FixedClock
from bot.deps import Deps
from bot.exports import timeline_file, timeline_file_fitted
from bot.replies import CommandRequest
from storage import news as store_news
from storage.alerts import TARGET_SLACK, save_subscription
from storage.snooze import save_mute
from tests.bot.teams.conftest import ADMIN_AAD, OTHER_AAD
from tests.support import paths
from tests.support.board import board_app
from tests.support.feed_server import FeedServer, feed_server  # noqa: F401
from tests.support.teams_connector import BotServer, Sent, TeamsConnector, message_activity

CHANNEL = "19:policy0001@thread.tacv2"
PUBLIC_URL = "https://reviewwatch.example.org"


def ask(bot: BotServer, connector: TeamsConnector, text: str, user: str = ADMIN_AAD, **shape: Any) -> Sent:
    connector.clear()
    activity = message_activity(connector, text, user_aad=user, **shape)
    assert bot.post(activity, connector.inbound_token()).status_code == 200
    sent = connector.sent("message")
    assert len(sent) == 1 and sent[0].conversation_id == activity["conversation"]["id"]
    return sent[0]


def seen(sent: Sent) -> str:
    return json.dumps(sent.cards, ensure_ascii=False)


def channel_ask(bot: BotServer, connector: TeamsConnector, text: str, user: str = ADMIN_AAD) -> str:
    return seen(ask(bot, connector, text, user, conversation_type="channel", mention_bot=True))


def test_alerts_shows_the_conversations_subscription_and_next_alerts_as_slack_does(
    admin_bot: BotServer, connector: TeamsConnector, deps: Deps
) -> None:
    assert "has no alert subscription" in channel_ask(admin_bot, connector, "alerts", OTHER_AAD)
    assert "Subscribed" in channel_ask(admin_bot, connector, "subscribe")
    now = deps.clock.now()
    save_mute(
        deps.store.db,
        target_type="teams",
        target=f"bot:{CHANNEL}",
        subject_type="developer",
        subject_id="xai",
        title="xAI",
        until=None,
        actor="teams:" + ADMIN_AAD,
        now=now,
    )
    # The same subscription for a Slack channel: Slack's overview is the reference.
    save_subscription(
        deps.store.db,
        target_type=TARGET_SLACK,
        target="C0SAME",
        kinds=_teams_kinds(deps),
        lead_days=list(deps.settings.lead_days),
        digest="realtime",
        developer_filter=None,
        actor="UADMIN0001",
        now=now,
    )
    slack = deps.subcommands.get("alerts")
    assert slack is not None
    reference = slack.run(deps, CommandRequest("", user_id="U1", channel_id="C0SAME"))
    assert reference is not None
    dated = re.findall(r"• ([^\n]+)", "\n".join(b["text"]["text"] for b in reference.blocks if "text" in b))
    assert dated, "Slack's overview lists next alerts"

    member = channel_ask(admin_bot, connector, "alerts", OTHER_AAD)
    assert "receives Review Watch alerts" in member and "Next alerts" in member
    assert "Kinds" in member and "Lead days" in member and "Quiet time" in member
    assert "Muted here" in member and "xAI" in member
    for line in dated:  # each next alert: its time, countdown and headline
        assert line in member, line
    assert "/aireview" not in member
    assert "Last alert sweep" not in member  # admins only

    from bot.alerts.delivery import build_senders, close_senders
    from bot.alerts.sweep import run_sweep

    senders = build_senders(deps.settings, deps.store)
    try:
        run_sweep(deps, now=now, senders=senders)
    finally:
        close_senders(senders)
    assert "Last alert sweep" in channel_ask(admin_bot, connector, "alerts")
    assert "Last alert sweep" not in channel_ask(admin_bot, connector, "alerts", OTHER_AAD)


def _teams_kinds(deps: Deps) -> list[str]:
    from storage.alerts import get_subscription

    sub = get_subscription(deps.store.db, "teams", f"bot:{CHANNEL}")
    assert sub is not None
    return list(sub["kinds"])


def test_feeds_lists_the_watched_sources_for_admins_only(
    admin_bot: BotServer, connector: TeamsConnector
) -> None:
    refused = seen(ask(admin_bot, connector, "feeds", OTHER_AAD))
    assert "Only admins" in refused and "Watched sources" not in refused
    listed = seen(ask(admin_bot, connector, "feeds"))
    assert "Watched sources" in listed and "Federal Register" in listed
    for command in (
        "feeds add https://example.com/feed.xml",
        "feeds remove 1",
        "feeds test https://example.com/",
    ):
        assert "Only admins" in seen(ask(admin_bot, connector, command, OTHER_AAD))


def test_feeds_add_test_and_remove_from_teams_run_slacks_checks_and_fetch(
    admin_bot: BotServer,
    connector: TeamsConnector,
    deps: Deps,
    feed_server: FeedServer,  # noqa: F811
) -> None:
    feed_server.route("/feed.xml", (paths.FIXTURES / "news" / "policywire_rss2.xml").read_bytes())
    local = feed_server.url("/feed.xml")
    deps.feed_client = None  # made on first use from the settings, as in production
    refused = seen(ask(admin_bot, connector, f"feeds add {local}"))
    assert f"Cannot watch {local}: refused: 127.0.0.1, a loopback address" in refused
    assert "REVIEWWATCH_FEEDS_ALLOW_PRIVATE=1" in refused and feed_server.requests == []
    assert store_news.get_feed_by_url(deps.store.db, local) is None

    deps.settings = dataclasses.replace(deps.settings, feeds_allow_private=True)
    deps.feed_client = None
    tested = seen(ask(admin_bot, connector, f'feeds test {local} "frontier model"'))
    assert "would match" in tested and store_news.get_feed_by_url(deps.store.db, local) is None
    added = seen(ask(admin_bot, connector, f"feeds add {local} CAISI"))
    assert "Watching source" in added and "3 current items are marked as seen" in added
    feed = store_news.get_feed_by_url(deps.store.db, local)
    assert feed is not None and feed["created_by"] == "teams:" + ADMIN_AAD
    assert "is already watched" in seen(ask(admin_bot, connector, f"feeds add {local}"))
    assert local in seen(ask(admin_bot, connector, "feeds list"))
    assert "Usage: `feeds remove <id>`" in seen(ask(admin_bot, connector, "feeds remove x"))
    assert "Stopped watching source" in seen(ask(admin_bot, connector, f"feeds remove {feed['id']}"))
    assert store_news.get_feed_by_url(deps.store.db, local) is None


def test_timeline_is_slacks_picture_with_its_alt_text(
    bot: BotServer, connector: TeamsConnector, deps: Deps
) -> None:
    drawn = timeline_file_fitted(deps, 1024, 30)
    assert drawn is not None
    slack, fitted = drawn  # Slack's upload, and the same picture fitted in 1024 x 1024
    uploaded = timeline_file(deps, 30)  # what /aireview timeline 30 uploads to Slack
    assert uploaded is not None and uploaded.alt_text
    assert (slack.alt_text, slack.comment) == (uploaded.alt_text, uploaded.comment)
    card = ask(bot, connector, "timeline 30").cards[0]
    images = [e for e in card["body"] if e["type"] == "Image"]
    assert len(images) == 1
    assert images[0]["altText"] == slack.alt_text
    prefix = "data:image/png;base64,"
    assert images[0]["url"].startswith(prefix)
    png = base64.b64decode(images[0]["url"][len(prefix) :])
    assert png == fitted and max(struct.unpack(">II", png[16:24])) <= 1024
    assert slack.comment in json.dumps(card, ensure_ascii=False)
    assert "Usage" in seen(ask(bot, connector, "timeline 9999"))


def _with_public_board(deps: Deps, mode: str = "private") -> None:
    deps.settings = dataclasses.replace(deps.settings, public_url=PUBLIC_URL, board_mode=mode)


def _path(url: str) -> str:
    assert url.startswith(PUBLIC_URL)
    return url[len(PUBLIC_URL) :]


def board_client(app: Any) -> httpx.Client:
    """The board as a browser reaches it at REVIEWWATCH_PUBLIC_URL (https: the session cookie
    is Secure)."""
    return httpx.Client(transport=httpx.WSGITransport(app=app), base_url=PUBLIC_URL)


def _teams_sign_in(bot: BotServer, connector: TeamsConnector, deps: Deps) -> httpx.Client:
    """A board client signed in with the link the bot gives in the personal chat."""
    found = re.search(r"/board/signin/[A-Za-z0-9_-]+", seen(ask(bot, connector, "board")))
    assert found is not None
    client = board_client(board_app(deps, deps.settings.board_mode))
    assert client.post(found.group(0)).status_code == 303
    return client


def test_export_links_to_the_apps_own_downloads_which_serve_the_file(
    bot: BotServer, connector: TeamsConnector, deps: Deps
) -> None:
    assert "REVIEWWATCH_PUBLIC_URL" in seen(ask(bot, connector, "export ics"))
    _with_public_board(deps)
    asked = {
        "export ics": ("/board/calendar.ics", "BEGIN:VCALENDAR"),
        "export csv models": ("/board/csv/models.csv", "Muse Spark"),
        "export csv": ("/board/csv/tracker.zip", None),
    }
    cards = {text: ask(bot, connector, text).cards[0] for text in asked}
    assert "sign in first" in json.dumps(cards["export ics"])
    board = board_client(board_app(deps))
    assert board.get(_path(cards["export ics"]["actions"][0]["url"])).status_code != 200  # private
    client = _teams_sign_in(bot, connector, deps)
    for text, (path, content) in asked.items():
        url = cards[text]["actions"][0]["url"]
        assert _path(url) == path
        got = client.get(path)
        assert got.status_code == 200, text
        if content:
            assert content in got.text
        else:
            assert zipfile.ZipFile(io.BytesIO(got.content)).namelist()
    assert "There is no table called" in seen(ask(bot, connector, "export csv nonsense"))
    deps.settings = dataclasses.replace(deps.settings, board_mode="off")
    assert "board is off" in seen(ask(bot, connector, "export ics"))


def test_board_sends_a_personal_single_use_link_only_in_the_personal_chat(
    bot: BotServer, connector: TeamsConnector, deps: Deps
) -> None:
    _with_public_board(deps)
    in_channel = channel_ask(bot, connector, "board")
    assert "personal chat" in in_channel and "/board/signin/" not in in_channel
    in_group = seen(ask(bot, connector, "board", conversation_type="groupChat"))
    assert "personal chat" in in_group and "/board/signin/" not in in_group
    text = seen(ask(bot, connector, "board"))
    assert "good once for 15 minutes" in text
    found = re.search(re.escape(PUBLIC_URL) + r"(/board/signin/[A-Za-z0-9_-]+)", text)
    assert found is not None
    client = board_client(board_app(deps))
    assert client.post(found.group(1)).status_code == 303
    assert client.get("/board").status_code == 200  # signed in
    assert board_client(board_app(deps)).post(found.group(1)).status_code != 303  # single use

    late = re.search(r"/board/signin/[A-Za-z0-9_-]+", seen(ask(bot, connector, "board")))
    assert late is not None
    assert isinstance(deps.clock, FixedClock)
    deps.clock.set(deps.clock.now() + timedelta(minutes=16))
    assert board_client(board_app(deps)).post(late.group(0)).status_code != 303  # 15 minutes

    _with_public_board(deps, "public")
    assert f"{PUBLIC_URL}/board" in seen(ask(bot, connector, "board"))


def test_board_in_oauth_mode_sends_no_link_the_board_would_refuse(
    bot: BotServer, connector: TeamsConnector, deps: Deps
) -> None:
    from bot.tenancy import Workspaces

    _with_public_board(deps)
    deps.runtime.workspaces = Workspaces(deps.store, deps.clock)  # many Slack workspaces, none of them Teams

    text = seen(ask(bot, connector, "board"))

    assert "per Slack workspace" in text and "/board/signin/" not in text
