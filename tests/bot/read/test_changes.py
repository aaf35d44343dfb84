"""What changed: /aireview changes [since] over a known history with a fixed clock, in Slack,
the console and Teams; the empty case, a bad `since`, the default period and the large tracker."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from slack_bolt import App

from bot.clock import FixedClock
from bot.deps import Deps
from bot.ops.console import console_answer, render_reply
from bot.read.changes import USAGE
from bot.settings import Settings
from storage.tracker import create_record, get_record, record_event, update_record
from tests.bot.read.test_compare import large
from tests.bot.teams.test_answers import card_for, client_for
from tests.conftest import ADMIN_ID
from tests.support.blockkit import message_errors, visible_text
from tests.support.slack_emulator import SlackEmulator
from tests.support.slack_requests import command_answer, dispatch_command
from tests.support.teams_requests import MAX_TEAMS_MESSAGE_BYTES, TEAMS_SECRET, card_text

EDITOR = "UEDITOR002"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return Settings(**{**settings.__dict__, "teams_outgoing_secret": TEAMS_SECRET})


def at(day: int, hour: int = 15) -> datetime:
    return datetime(2026, 7, day, hour, 0, tzinfo=UTC)


@pytest.fixture
def history(deps: Deps, clock: FixedClock) -> None:
    """A known July. The clock ends at Jul 24 14:00 UTC (10:00 in New York)."""
    db = deps.store.db
    meta = get_record(db, "developer", "meta")
    assert meta is not None
    update_record(
        db,
        "developer",
        "meta",
        {"status": "holdout"},
        actor=ADMIN_ID,
        at=at(10),
        source="https://example.org/meta-talks-stall",
        expected_version=meta["version"],
    )
    model = create_record(
        db,
        "model",
        {"developer_id": "meta", "name": "Llama 5", "planned_release": "2026-09-15"},
        actor=EDITOR,
        at=at(20),
        source="https://example.org/llama-5-plans",
    )
    update_record(
        db,
        "model",
        model["id"],
        {"planned_release": "2026-10-01"},
        actor=EDITOR,
        at=at(22),
        source="https://example.org/llama-5-slips",
        expected_version=model["version"],
    )
    deadline = next(iter(db.query("SELECT * FROM deadlines")))
    update_record(
        db,
        "deadline",
        deadline["id"],
        {"due_date": "2026-08-15"},
        actor=ADMIN_ID,
        at=at(23, 13),
        source="Wire report, July 2026",
        expected_version=deadline["version"],
    )
    record_event(
        db,
        entity="framework",
        entity_id="framework",
        subject="Review framework",
        text="CAISI published its intake form",
        actor=ADMIN_ID,
        at=at(23, 16),
        source="https://example.org/caisi-intake",
    )
    db.execute(
        "INSERT INTO news_items (item_key, title, link, published, matched, alert, first_seen_at, "
        "developers, source) VALUES (?, ?, ?, ?, '[]', 1, ?, ?, ?)",
        [
            "example.org/meta-news",
            "Meta nears a review agreement",
            "https://example.org/meta-news",
            "2026-07-21",
            "2026-07-21T12:00:00+00:00",
            json.dumps(["meta"]),
            "Example Wire",
        ],
    )
    # Not a change a reader counts: a note edit.
    meta = get_record(db, "developer", "meta")
    assert meta is not None
    update_record(
        db,
        "developer",
        "meta",
        {"note": "Talks continue."},
        actor=ADMIN_ID,
        at=at(24, 12),
        expected_version=meta["version"],
    )
    clock.set(at(24, 14))


def ask(deps: Deps, text: str) -> str:
    return render_reply(console_answer(deps, f"/aireview changes {text}".strip()))


def test_default_is_the_last_seven_days_grouped_by_developer_newest_first(deps: Deps, history: None) -> None:
    text = ask(deps, "")
    assert text.splitlines()[0] == "What changed since Jul 17, 2026 (7 days)"
    assert "5 changes since Jul 17, 2026 (7 days), by developer, newest first" in text
    framework = text.index("Deadlines and the framework")
    meta = text.index("\nMeta\n")
    assert framework < meta  # the group with the newest change first
    lines = [line.strip() for line in text.splitlines()]
    deadline_block = text[framework:meta]
    assert deadline_block.index("Review framework: CAISI published its intake form") < deadline_block.index(
        "due date 2026-07-31 → 2026-08-15"
    )
    meta_block = text[meta:]
    order = [
        meta_block.index("Meta / Llama 5: planned release 2026-09-15 → 2026-10-01"),  # Jul 22
        meta_block.index("News: Meta nears a review agreement"),  # Jul 21
        meta_block.index("Meta / Llama 5: added"),  # Jul 20
    ]
    assert order == sorted(order)
    assert "recorded by @UEDITOR002 · Source: https://example.org/llama-5-slips" in lines
    assert "recorded by news watch · Source: Example Wire" in lines
    assert "holdout" not in text  # the July 10 status change is older than a week
    assert "Talks continue" not in text  # notes are not changes


def test_thirty_days_and_a_date(deps: Deps, history: None) -> None:
    month = ask(deps, "30d")
    assert "6 changes since Jun 24, 2026 (30 days)" in month
    assert "Meta: status negotiating → holdout" in month
    since_date = ask(deps, "2026-07-22")
    assert since_date.splitlines()[0] == "What changed since Jul 22, 2026"
    assert "3 changes since Jul 22, 2026" in since_date  # midnight in New York: Jul 22 15:00 UTC is in
    assert "News: Meta nears" not in since_date


def test_nothing_changed(deps: Deps, history: None) -> None:
    assert ask(deps, "2026-07-24") == "Nothing changed since Jul 24, 2026."


@pytest.mark.parametrize("since", ["yesterday", "0d", "400d", "2026-13-01", "2026-08-01", "7x"])
def test_a_bad_since_gets_the_usage(deps: Deps, history: None, since: str) -> None:
    reply = console_answer(deps, f"/aireview changes {since}")
    assert reply is not None and reply.text == USAGE


def test_default_period_starts_at_the_last_weekly_briefing(deps: Deps, history: None) -> None:
    deps.store.db.execute(
        "INSERT INTO alert_ledger (key, kind, subject_type, subject_id, target_type, target, due_at, status, "
        "created_at, "
        "sent_at) VALUES ('briefing|2026-W30|C0POLICY01', 'briefing', 'briefing', '2026-W30', 'slack', "
        "'C0POLICY01', '2026-07-21T13:00:00+00:00', 'sent', '2026-07-21T13:00:00+00:00', "
        "'2026-07-21T13:00:05+00:00')"
    )
    text = ask(deps, "")
    assert text.splitlines()[0] == "What changed since the last weekly briefing (Jul 21, 2026 09:00 EDT)"
    assert "3 changes since" in text  # not Llama 5 added on Jul 20, nor the news first seen before it
    assert "Llama 5: added" not in text and "News:" not in text


def test_slack_answer_names_who_and_the_source(
    bolt_app: App, slack_emulator: SlackEmulator, deps: Deps, history: None
) -> None:
    response = dispatch_command(
        bolt_app, "/aireview", "changes 30d", response_url=slack_emulator.response_url()
    )
    answer = command_answer(response, slack_emulator, "r1")
    assert message_errors(answer) == []
    text = visible_text(answer["blocks"])
    assert "recorded by <@UEDITOR002> · Source: https://example.org/llama-5-slips" in text
    assert "<https://example.org/meta-news|News: Meta nears a review agreement>" in text
    assert answer["text"].startswith("6 changes since Jun 24, 2026 (30 days), by developer, newest first.")


def test_teams_changes(bolt_app: App, deps: Deps, history: None) -> None:
    with client_for(bolt_app, deps) as client:
        card = card_for(client, "changes 30d")
        text = card_text(card)
        assert "What changed since Jun 24, 2026 (30 days)" in text
        assert "recorded by UEDITOR002 · Source: https://example.org/llama-5-slips" in text
        bad = card_text(card_for(client, "changes soon"))
        assert bad.startswith("Usage: @Review Watch changes [since]")
        help_text = card_text(card_for(client, "help"))
        assert "@Review Watch changes [since]" in help_text


def test_large_tracker_stays_within_slack_and_teams_limits(bolt_app: App, deps: Deps) -> None:
    large(deps)
    reply = console_answer(deps, "/aireview changes 30d")
    assert reply is not None
    assert message_errors({"text": reply.text, "blocks": reply.blocks}) == []
    assert "…and " in visible_text(reply.blocks)
    with client_for(bolt_app, deps) as client:
        card = card_for(client, "changes 30d")
        assert "more. Ask for a shorter period" in card_text(card)
    size = len(json.dumps(card, ensure_ascii=False, separators=(",", ":")).encode())
    assert size < MAX_TEAMS_MESSAGE_BYTES
