"""A news alert the Teams bot posts carries Slack's **Update tracker** and **Add as event**:
each opens the admin form as a dialog prefilled from the item (its title, published day, the
developers it names, its link as the source), saved by the Slack form's code; only an admin
can open or save it."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from bot.alerts.delivery import build_senders, close_senders
from bot.alerts.sweep import run_sweep
from bot.clock import FixedClock
from bot.deps import Deps
from storage import news as store_news
from storage.alerts import TARGET_TEAMS, save_subscription
from storage.facts import list_events
from storage.tracker import get_record, list_history
from tests.bot.teams.conftest import ADMIN_AAD, OTHER_AAD
from tests.bot.teams.test_bot_alerts import CHANNEL, local, say
from tests.bot.teams.test_bot_dialogs import form_of, invoke, post
from tests.conftest import ADMIN_ID
from tests.support.teams_connector import BotServer, TeamsConnector

LINK = "https://news.example/2026/07/06/meta-review?utm_source=feed"
TITLE = "Meta submits its new model for review"


def _news_buttons(bot: BotServer, connector: TeamsConnector, deps: Deps) -> dict[str, dict[str, Any]]:
    """Subscribe the channel to news, store one item about Meta, sweep: the news card's buttons."""
    assert isinstance(deps.clock, FixedClock)
    deps.clock.set(local(deps, date(2026, 7, 2)))
    say(bot, connector, "subscribe", ADMIN_AAD)
    every = dict(lead_days=[30, 1], delivery_days="every_day", developer_filter=None, digest="realtime")
    at = local(deps, date(2026, 7, 6), 10)
    db = deps.store.db
    save_subscription(
        db, target_type=TARGET_TEAMS, target=f"bot:{CHANNEL}", kinds=["news"], actor=ADMIN_ID, now=at, **every
    )
    feed = store_news.add_feed(
        db, "https://news.example/feed", "rss", ["review"], created_by=ADMIN_ID, now=at
    )
    item = {"keys": [LINK], "title": TITLE, "link": LINK, "published": "2026-07-06T08:00:00+00:00"}
    item.update(summary="", terms=["review"], developers=["meta"], alert=True)
    store_news.save_items(db, feed, [item], at, prime=False)
    connector.clear()
    deps.clock.set(at + timedelta(minutes=30))
    senders = build_senders(deps.settings, deps.store)
    try:
        run_sweep(deps, now=at + timedelta(minutes=30), senders=senders)
    finally:
        close_senders(senders)
    [card] = [s.cards[0] for s in connector.sent("message") if TITLE in json.dumps(s.cards)]
    sets = [e for e in card["body"] if e.get("type") == "ActionSet"]
    return {a["title"]: a["data"] for s in sets for a in s["actions"]}


def test_add_as_event_on_a_teams_news_alert_opens_the_prefilled_event_form(
    admin_bot: BotServer, connector: TeamsConnector, deps: Deps
) -> None:
    buttons = _news_buttons(admin_bot, connector, deps)
    assert set(buttons) == {"Update tracker", "Add as event"}
    assert buttons["Add as event"]["msteams"]["type"] == "task/fetch"

    refused = post(admin_bot, connector, invoke(connector, "task/fetch", buttons["Add as event"], OTHER_AAD))
    assert refused["task"]["type"] == "message" and "Only admins" in refused["task"]["value"]

    form = form_of(
        post(admin_bot, connector, invoke(connector, "task/fetch", buttons["Add as event"], ADMIN_AAD))
    )
    shown = {e["id"]: e.get("value") for e in form["body"] if "id" in e}
    assert shown["summary"] == TITLE and shown["effective_date"] == "2026-07-06"
    assert shown["event_developers"] == "meta"
    assert shown["source"] == "https://news.example/2026/07/06/meta-review"  # tracking stripped
    [save] = form["actions"]
    entered = {**save["data"], **{k: v for k, v in shown.items() if v}, "event_kind": "statement"}
    events = len(list_events(deps.store.db, limit=500))

    blank = form_of(
        post(admin_bot, connector, invoke(connector, "task/submit", {**entered, "summary": ""}, ADMIN_AAD))
    )
    assert "required" in json.dumps(blank) and len(list_events(deps.store.db, limit=500)) == events
    forged = post(admin_bot, connector, invoke(connector, "task/submit", entered, OTHER_AAD))
    assert "Only admins" in json.dumps(forged) and len(list_events(deps.store.db, limit=500)) == events

    done = post(admin_bot, connector, invoke(connector, "task/submit", entered, ADMIN_AAD))
    assert done["task"]["type"] == "message"
    [added] = [e for e in list_events(deps.store.db, limit=500) if e["summary"] == TITLE]
    assert added["effective"] == "2026-07-06" and added["developer_ids"] == ["meta"]
    assert list_history(deps.store.db, "event", added["id"])[0]["actor"] == "Pat Policy"


def test_update_tracker_on_a_teams_news_alert_opens_the_prefilled_status_form(
    admin_bot: BotServer, connector: TeamsConnector, deps: Deps
) -> None:
    buttons = _news_buttons(admin_bot, connector, deps)
    data = buttons["Update tracker"]
    form = form_of(post(admin_bot, connector, invoke(connector, "task/fetch", data, ADMIN_AAD)))
    shown = {e["id"]: e.get("value") for e in form["body"] if "id" in e}
    meta = get_record(deps.store.db, "developer", "meta")
    assert shown["status"] == meta["status"] and shown["effective_date"] == "2026-07-06"
    assert shown["note"] == f"From the news: {TITLE}"
    assert shown["source"] == "https://news.example/2026/07/06/meta-review"
    [save] = form["actions"]
    signed = {**save["data"], **{k: v for k, v in shown.items() if v}, "status": "signed"}
    assert (
        post(admin_bot, connector, invoke(connector, "task/submit", signed, OTHER_AAD))["task"]["type"]
        == "message"
    )
    assert get_record(deps.store.db, "developer", "meta") == meta
    done = post(admin_bot, connector, invoke(connector, "task/submit", signed, ADMIN_AAD))
    assert done["task"]["type"] == "message"
    after = get_record(deps.store.db, "developer", "meta")
    assert after["status"] == "signed" and after["status_since"] == "2026-07-06"
