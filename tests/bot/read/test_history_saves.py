"""One admin save is one history entry, in plain words (issue 26, item 14): the real status
form submitted through Bolt, then /aireview history, the App Home and an @mention answer."""

from __future__ import annotations

import json
import re
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot import ids
from bot.deps import Deps
from handlers import build_app
from handlers.home import publish_home
from storage.tracker import list_history
from tests.conftest import ADMIN_ID, BOT_TOKEN
from tests.support.admin_forms import InlineExecutor, ack_body, press, submit_view
from tests.support.blockkit import visible_text
from tests.support.slack_emulator import SlackEmulator
from tests.support.slack_requests import app_mention_event, dispatch_command, dispatch_event

INTERNAL_NAMES = re.compile(r"\b(as_of|status_since|agreement_date|review_status|planned_release|due_date)\b")


def save_meta_signed(deps: Deps, emu: SlackEmulator) -> App:
    app = build_app(
        deps, client=WebClient(token=BOT_TOKEN, base_url=emu.api_url), listener_executor=InlineExecutor()
    )
    assert press(app, ids.ACTION_ADMIN_UPDATE_STATUS, "meta", user_id=ADMIN_ID, from_home=True).status == 200
    view = emu.last("views.open").args["view"]
    response = submit_view(
        app,
        view,
        ADMIN_ID,
        status="signed",
        effective_date="2026-07-20",
        source="https://example.gov/meta-signs",
    )
    assert ack_body(response) == {}
    return app


def entries(text: str, subject: str) -> list[str]:
    return [line for line in text.splitlines() if subject in line or "→" in line]


def test_one_status_save_is_one_entry_in_plain_words(deps: Deps, slack_emulator: SlackEmulator) -> None:
    app = save_meta_signed(deps, slack_emulator)
    rows = [r for r in list_history(deps.store.db, "developer", "meta") if r["actor"] == ADMIN_ID]
    assert len(rows) >= 3  # the alerts still read one row per field: status, since, agreement, as-of

    answer = dispatch_command(app, "/aireview", "history meta", response_url=slack_emulator.response_url("h"))
    text = visible_text(json.loads(answer.body)["blocks"])
    saves = [part for part in text.split("\n*") if f"<@{ADMIN_ID}>" in part or f"@{ADMIN_ID}" in part]
    assert len(saves) == 1, text
    [save] = saves
    assert "status: negotiating → signed" in save
    assert "in this status since: " in save and "→ Mon Jul 20, 2026" in save
    assert "agreement date: none → Mon Jul 20, 2026" in save
    assert INTERNAL_NAMES.search(text) is None, text

    publish_home(deps, WebClient(token=BOT_TOKEN, base_url=slack_emulator.api_url), ADMIN_ID)
    home = visible_text(slack_emulator.last("views.publish").args["view"]["blocks"])
    assert home.count("status: negotiating → signed") == 1
    assert INTERNAL_NAMES.search(home) is None, home

    slack_emulator.reset()
    dispatch_event(app, app_mention_event("history meta"))
    [post] = [c.args for c in slack_emulator.calls_to("chat.postMessage")]
    said = visible_text(post.get("blocks") or []) or str(post["text"])
    assert said.count("status: negotiating → signed") == 1
    assert INTERNAL_NAMES.search(said) is None, said


def test_the_count_is_of_saves(deps: Deps, slack_emulator: SlackEmulator) -> None:
    app = save_meta_signed(deps, slack_emulator)
    answer: Any = dispatch_command(
        app, "/aireview", "history", response_url=slack_emulator.response_url("all")
    )
    text = visible_text(json.loads(answer.body)["blocks"])
    shown = len([part for part in text.split("\n*") if " · " in part.split("\n", 1)[0]])
    total = re.search(r"\(of (\d+)\)", text)
    rows = sorted(list_history(deps.store.db, limit=10_000), key=lambda r: r["id"])
    keys = [(r["entity"], r["entity_id"], r["actor"], r["at"]) for r in rows]
    saves = sum(1 for n, key in enumerate(keys) if n == 0 or keys[n - 1] != key)
    assert saves < len(rows)  # the status save's rows are one
    assert total is not None and int(total.group(1)) == saves and shown == 20
