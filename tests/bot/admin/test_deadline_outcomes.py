"""Deadline outcomes: met, missed or extended through the deadline form, shown on passed
deadlines in /deadlines and /aireview status; an extension keeps the old date."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot import ids
from bot.deps import Deps
from storage.tracker import create_record, get_record, list_deadlines, list_history
from tests.bot.read.test_commands import ask, shown
from tests.conftest import ADMIN_ID
from tests.support.admin_forms import ack_body, press, submit_view
from tests.support.slack_emulator import SlackEmulator


def edit_form(app: App, emu: SlackEmulator, deadline_id: int) -> dict[str, Any]:
    emu.reset()
    press(app, ids.ACTION_ADMIN_EDIT_DEADLINE, str(deadline_id), user_id=ADMIN_ID, from_home=True)
    view: dict[str, Any] = emu.last("views.open").args["view"]
    return view


def passed(deps: Deps, title: str, due: str) -> dict[str, Any]:
    return create_record(
        deps.store.db,
        "deadline",
        {"title": title, "due_date": due, "kind": "comment_period"},
        actor=ADMIN_ID,
        at=deps.clock.now(),
        source="https://www.federalregister.gov/d/2026-1",
    )


def test_a_passed_deadline_shows_its_outcome_or_that_none_is_recorded(
    deps: Deps, app: App, slack_emulator: SlackEmulator
) -> None:
    deadline = passed(deps, "Comment period closes", "2026-07-21")
    text = shown(ask(app, slack_emulator, "/deadlines", "30"))
    assert "Comment period closes" in text and "Passed · outcome not recorded" in text

    form = edit_form(app, slack_emulator, deadline["id"])
    assert ack_body(submit_view(app, form, ADMIN_ID, outcome="met")) == {}
    assert get_record(deps.store.db, "deadline", deadline["id"])["outcome"] == "met"
    text = shown(ask(app, slack_emulator, "/deadlines", "30"))
    assert "Passed · met" in text
    status = shown(ask(app, slack_emulator, "/aireview", "status meta"))
    assert "*Passed deadlines*" in status and "Comment period closes · Passed · met" in status


def test_met_or_missed_waits_until_the_date_has_passed(
    deps: Deps, app: App, slack_emulator: SlackEmulator
) -> None:
    [july] = list_deadlines(deps.store.db)  # due July 31, a week ahead
    body = ack_body(submit_view(app, edit_form(app, slack_emulator, july["id"]), ADMIN_ID, outcome="missed"))
    assert "once it has passed" in body["errors"][ids.BLOCK_OUTCOME]


def test_extended_makes_the_new_date_a_deadline_and_keeps_the_old_one(
    deps: Deps, app: App, slack_emulator: SlackEmulator
) -> None:
    old = passed(deps, "Comment period closes", "2026-07-20")
    form = edit_form(app, slack_emulator, old["id"])
    body = ack_body(submit_view(app, form, ADMIN_ID, outcome="extended"))
    assert "set the new due date" in body["errors"][ids.BLOCK_DUE_DATE]

    assert ack_body(submit_view(app, form, ADMIN_ID, outcome="extended", due_date="2026-08-20")) == {}
    kept = get_record(deps.store.db, "deadline", old["id"])
    new = get_record(deps.store.db, "deadline", kept["extended_to"])
    assert (kept["due_date"], kept["outcome"]) == ("2026-07-20", "extended")
    assert (new["title"], new["due_date"], new["outcome"]) == ("Comment period closes", "2026-08-20", "open")
    text = shown(ask(app, slack_emulator, "/deadlines", "30"))
    assert "Passed · extended to Thu Aug 20, 2026" in text
    assert "*Thu Aug 20, 2026* · *in 27 days" in text
    fields = {r["field"]: r for r in list_history(deps.store.db, "deadline", old["id"])}
    assert (fields["outcome"]["old"], fields["outcome"]["new"]) == ("open", "extended")
    assert fields["extended_to"]["note"] == "Extended to 2026-08-20"
