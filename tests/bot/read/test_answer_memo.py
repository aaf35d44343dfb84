"""The read answers remember what they built for each row (holdout entries, upcoming items,
rendered lines, name keys) by everything it is made of, so after a change only changed rows
are built again. A change to any column an answer shows is in the next answer, even a write
that leaves the row's version and updated_at alone (a sqlite3 shell, another process)."""

from __future__ import annotations

import sqlite3

from slack_bolt import App

from bot.deps import Deps
from tests.bot.read.test_commands import ask, shown
from tests.support.slack_emulator import SlackEmulator


def write_behind_the_app(deps: Deps, sql: str) -> None:
    with sqlite3.connect(deps.store.path) as other:
        other.execute(sql)


def test_a_holdouts_note_and_since_edited_directly_are_in_the_next_answer(
    bolt_app: App, slack_emulator: SlackEmulator, deps: Deps
) -> None:
    before = shown(ask(bolt_app, slack_emulator, "/holdouts"))
    write_behind_the_app(deps, "UPDATE developers SET note = 'A note set by hand.' WHERE id = 'meta'")
    after = shown(ask(bolt_app, slack_emulator, "/holdouts"))
    assert "A note set by hand." in after and "A note set by hand." not in before
    write_behind_the_app(deps, "UPDATE developers SET status_since = '2026-07-20' WHERE id = 'meta'")
    assert "since Mon Jul 20, 2026 (4 days ago)" in shown(ask(bolt_app, slack_emulator, "/holdouts"))


def test_a_deadline_moved_or_retitled_directly_is_in_the_next_answer(
    bolt_app: App, slack_emulator: SlackEmulator, deps: Deps
) -> None:
    assert "in 7 days" in shown(ask(bolt_app, slack_emulator, "/deadlines", "30"))
    write_behind_the_app(deps, "UPDATE deadlines SET due_date = '2026-07-28', title = 'Moved by hand'")
    after = shown(ask(bolt_app, slack_emulator, "/deadlines", "30"))
    assert "Tue Jul 28, 2026" in after and "Moved by hand" in after
    assert "in 7 days" not in after


def test_a_model_renamed_directly_is_found_by_its_new_name(
    bolt_app: App, slack_emulator: SlackEmulator, deps: Deps
) -> None:
    ask(bolt_app, slack_emulator, "/aireview", "history meta")  # every name's keys built once
    write_behind_the_app(deps, "UPDATE models SET name = 'Zephyrine Nine' WHERE id = 1")
    answer = shown(ask(bolt_app, slack_emulator, "/aireview", "history zephyrine nine"))
    assert "Zephyrine Nine" in answer
