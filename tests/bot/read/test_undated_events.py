"""An event no source dates (issue 26, item 9), on every surface that lists events: the seeded
Meta emails are "reported June 2026" with their reports, never "June 2026"; an admin adds one
without a date through the real form, and the answers, the App Home, the CSV, the calendar, the
board, the timeline data and the briefing all cope (the calendar and the timeline leave it out)."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from slack_bolt import App
from slack_sdk import WebClient

from bot import ids
from bot.deps import Deps
from bot.exports.files import calendar_bytes, csv_export
from handlers import build_app
from storage.facts import list_events
from storage.timeline import events_in_range
from tests.bot.admin.test_event_form import opened, submit_event
from tests.bot.read.test_commands import ask, shown
from tests.bot.read.test_home import open_home
from tests.conftest import ADMIN_ID, BOT_TOKEN
from tests.support.admin_forms import InlineExecutor, press
from tests.support.blockkit import view_errors, visible_text
from tests.support.board import board_app, board_client
from tests.support.slack_emulator import SlackEmulator

EMAILS = "Formal request: Federal officials asked Meta in confidential emails"
LETTERS = "Officials said more letters went to Meta."


@pytest.fixture
def app(deps: Deps, slack_emulator: SlackEmulator) -> App:
    client = WebClient(token=BOT_TOKEN, base_url=slack_emulator.api_url)
    return build_app(deps, client=client, listener_executor=InlineExecutor())


def events_csv(deps: Deps) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(csv_export(deps, "events").content.decode("utf-8-sig"))))


def test_the_seeded_emails_are_shown_by_the_date_of_their_reports(
    app: App, slack_emulator: SlackEmulator
) -> None:
    text = shown(ask(app, slack_emulator, "/aireview", "status meta"))
    assert f"reported June 2026 · {EMAILS}" in text
    assert f"June 2026 · {EMAILS}" not in text.replace(f"reported June 2026 · {EMAILS}", "")
    assert (
        "Date not reported; reported June 2026 by US Government Urges Meta to Conduct Security Reviews on "
        "AI Models (wire summary), June 2026; Stocktwits (citing The New York Times), June 2026"
    ) in text


def test_an_admin_adds_an_undated_event_and_every_surface_copes(
    deps: Deps, app: App, slack_emulator: SlackEmulator
) -> None:
    press(app, ids.ACTION_ADMIN_ADD_EVENT, user_id=ADMIN_ID, from_home=True)
    view = opened(slack_emulator)
    body = submit_event(
        app,
        view,
        ("meta",),
        event_kind="statement",
        effective_date=None,  # no source says when
        summary=LETTERS,
        source="Agency briefing to reporters",
        source_published="2026-07-02",
        source_published_precision="month",
    )
    assert body == {}
    [event] = [e for e in list_events(deps.store.db, "meta") if e["summary"] == LETTERS]
    assert event["effective"] is None

    # Read answers: shown by its report's date (July 2026, as the new source was published).
    text = shown(ask(app, slack_emulator, "/aireview", "status meta"))
    assert f"reported July 2026 · Statement: {LETTERS}" in text
    assert "Date not reported; reported July 2026 by Agency briefing to reporters, July 2026" in text
    # The App Home (its latest changes) renders it without a date.
    open_home(app, slack_emulator, "UMEMBER001")
    home = slack_emulator.wait_for_call("views.publish").args["view"]
    assert view_errors(home) == [] and LETTERS in visible_text(home["blocks"])
    # CSV: no date, the date of its report beside it, and its source.
    [row] = [r for r in events_csv(deps) if r["summary"] == LETTERS]
    assert (row["effective"], row["reported"], row["sources"]) == (
        "",
        "2026-07",
        "Agency briefing to reporters, July 2026",
    )
    # The calendar and the timeline skip it; the board lists it by its report's date.
    assert LETTERS not in calendar_bytes(deps).decode()
    drawn = events_in_range(deps.store.db, date(2026, 1, 1), date(2026, 12, 31))
    assert event["id"] not in {e["id"] for e in drawn}
    page = board_client(board_app(deps, "public")).get("/board/developers/meta")
    assert page.status_code == 200 and "reported July 2026 · Statement" in page.text.replace("\n", " ")
    # Teams' status card and the briefing's changes read the same answers.
    from bot.read import changes_answer

    week = changes_answer(deps, deps.clock.now().replace(day=1), "Jul 1, 2026")
    lines = [e.text for g in week.groups for e in g.entries]
    assert any(LETTERS in line for line in lines)
