"""Labs side by side: /aireview compare (Slack table block and its fallback), the App Home
section, the Teams Table card and the CSV, on the seeded tracker and the large one."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from slack_bolt import App

from bot.deps import Deps
from bot.exports.files import write_export
from bot.read.compare import TABLE_DEVELOPERS, compare_answer, compare_reply, precise_date
from bot.settings import Settings
from bot.teams.cards import compare_card
from storage.tracker import create_record
from tests.bot.read.test_home import open_home
from tests.bot.teams.test_answers import card_for, client_for
from tests.conftest import ADMIN_ID
from tests.support.blockkit import message_errors, view_errors, visible_text
from tests.support.large_tracker import make_large_tracker
from tests.support.slack_emulator import SlackEmulator
from tests.support.slack_requests import command_answer, dispatch_command
from tests.support.teams_requests import MAX_TEAMS_MESSAGE_BYTES, TEAMS_SECRET, card_lines, card_of

HEADER = [
    "Developer",
    "Status",
    "Since",
    "Agreement",
    "In review",
    "Next submission due",
    "Next planned release",
    "Contested",
    "Last change",
]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return Settings(**{**settings.__dict__, "teams_outgoing_secret": TEAMS_SECRET})


def table_of(blocks: list[dict[str, Any]]) -> list[list[str]]:
    (table,) = [b for b in blocks if b["type"] == "table"]
    assert blocks[-1] is table  # Slack shows a table at the end of the message
    return [[cell["text"] for cell in row] for row in table["rows"]]


def add_model(deps: Deps, name: str, planned: str, developer: str = "meta", **values: Any) -> None:
    create_record(
        deps.store.db,
        "model",
        {"developer_id": developer, "name": name, "planned_release": planned, **values},
        actor=ADMIN_ID,
        at=deps.clock.now(),
    )


def large(deps: Deps) -> None:
    for table in ("models", "deadlines", "event_developers", "developers", "history"):
        deps.store.db.execute(f"DELETE FROM {table}")
    make_large_tracker(deps.store.db)


def test_seeded_tracker_in_slack_holdouts_first(bolt_app: App, slack_emulator: SlackEmulator) -> None:
    response = dispatch_command(bolt_app, "/aireview", "compare", response_url=slack_emulator.response_url())
    answer = command_answer(response, slack_emulator, "r1")
    assert message_errors(answer) == []
    rows = table_of(answer["blocks"])
    assert rows[0] == HEADER
    assert [r[0] for r in rows[1:]] == ["Meta", "Anthropic", "Google DeepMind", "Microsoft", "OpenAI", "xAI"]
    # Neither report dates Meta's status: no "since" is made up.
    assert rows[1][:5] == ["Meta", "Negotiating", "—", "—", "0"]
    assert rows[1][8] == "Jul 24, 2026 10:00 EDT"
    assert rows[6][:4] == ["xAI", "Signed", "May 2026", "May 2026"]
    # Clients that cannot draw tables read the fallback text.
    assert answer["text"].startswith("5 of 6 tracked developers have signed a review agreement; 1 holdout\n")
    assert "Meta: Negotiating; agreement —; 0 in review" in answer["text"]


def test_model_figures_overdue_release_and_contested(deps: Deps) -> None:
    add_model(deps, "Llama 5", "2026-08-10")  # window opened July 11: overdue on July 24
    add_model(deps, "Llama 6", "2026-11-01", contested=1)
    add_model(deps, "Muse Lens", "2026-10-01", review_status="in_review", submitted="2026-07-01")
    rows = table_of(compare_reply(compare_answer(deps)).blocks)
    meta = rows[1]
    assert meta[0] == "Meta"
    assert meta[4] == "1"  # Muse Lens in review
    assert meta[5] == "Overdue since Jul 11, 2026"
    assert meta[6] == "Aug 10, 2026"
    assert meta[7] == "2"  # Llama 6, and Meta's own intent (the two reports disagree)
    # Anthropic: nothing outstanding; one contested fact, the restriction it was ordered (issue 26)
    assert rows[2][5:8] == ["—", "—", "1"]


def test_dates_keep_their_precision() -> None:
    assert precise_date("2026") == "2026"
    assert precise_date("2026-05") == "May 2026"
    assert precise_date("2026-05-14") == "May 14, 2026"
    assert precise_date(None) == "—"


def test_large_tracker_fits_slacks_table_limits_with_and_more(deps: Deps) -> None:
    large(deps)
    reply = compare_reply(compare_answer(deps))
    assert message_errors({"text": reply.text, "blocks": reply.blocks}) == []
    rows = table_of(reply.blocks)
    assert len(rows) == 100 and len(rows[0]) == 9
    assert rows[-1][0] == f"…and {200 - TABLE_DEVELOPERS} more"
    statuses = [r[1] for r in rows[1:-1]]
    assert "Signed" not in statuses  # 160 holdouts come before any signed developer


def test_app_home_has_a_side_by_side_section(bolt_app: App, slack_emulator: SlackEmulator) -> None:
    open_home(bolt_app, slack_emulator, "UMEMBER001")
    view = slack_emulator.wait_for_call("views.publish").args["view"]
    assert view_errors(view) == []
    text = visible_text(view["blocks"])
    assert "Labs side by side" in text
    assert "*Meta* · Negotiating · 0 in review" in text


def test_teams_table_card(bolt_app: App, deps: Deps) -> None:
    with client_for(bolt_app, deps) as client:
        card = card_for(client, "compare")  # checked against the Adaptive Card 1.5 schema
    assert card["version"] == "1.5"
    (table,) = [e for e in card["body"] if e["type"] == "Table"]
    assert len(table["rows"]) == 7 and table["firstRowAsHeader"]
    lines = card_lines(card)
    assert (
        "Developer | Status | Since | In review | Next submission due | Next planned release | Contested"
        in lines
    )
    assert "Meta | Negotiating | — | 0 | — | — | 1" in lines


def test_teams_card_on_the_large_tracker_is_valid_and_under_28_kb(deps: Deps) -> None:
    large(deps)
    from bot.teams.reply import reply_activity

    activity = reply_activity(compare_card(compare_answer(deps), "now", "Review Watch"))
    card = card_of(activity)
    size = len(json.dumps(activity, ensure_ascii=False, separators=(",", ":")).encode())
    assert size < MAX_TEAMS_MESSAGE_BYTES
    (table,) = [e for e in card["body"] if e["type"] == "Table"]
    shown = len(table["rows"]) - 1
    assert 10 < shown < 200
    assert f"…and {200 - shown} more." in "\n".join(card_lines(card))


def test_csv_compare_has_every_developer(deps: Deps) -> None:
    large(deps)
    out = io.BytesIO()
    message = write_export(deps, "csv", ["compare", "-"], out)
    assert message.startswith("Review Watch labs side by side as CSV")
    rows = list(csv.reader(io.StringIO(out.getvalue().decode("utf-8-sig"))))
    assert rows[0][:3] == ["developer", "id", "status"]
    assert len(rows) == 201
    assert {r[2] for r in rows[1:161]} == {"negotiating", "holdout", "declined", "unknown"}
    assert all(r[10] for r in rows[1:])  # every developer has a last change
