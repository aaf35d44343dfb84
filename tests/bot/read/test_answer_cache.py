"""Read answers are kept until the tracker or the minute changes (bot/read/commands.py
`remembered`, bot/deps.py AnswerCache), through a real Bolt App: asked again, an answer
costs no query of its own; after any write to what it reads (by the app, by another
connection, by another process) or as the clock moves on, it is the new answer."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import Future, wait
from datetime import timedelta
from typing import Any, TypeVar

import pytest
from slack_bolt import App
from slack_sdk import WebClient

from bot.clock import FixedClock
from bot.deps import Deps
from handlers import LISTENER_WORKERS, ReleasingExecutor, build_app
from storage.db import Store
from tests.bot.read.test_commands import ask, meta_signs, shown
from tests.conftest import BOT_TOKEN
from tests.support.slack_emulator import SlackEmulator

T = TypeVar("T")


class WatchedExecutor(ReleasingExecutor):
    """The app's listener pool, keeping each unit of work's future so a test can wait for
    the work to end. Bolt returns a command's answer as soon as the listener acks, while the
    listener, and then the giving back of its connection (Store.release: PRAGMA
    shrink_memory), still run on the worker thread."""

    def __init__(self, store: Store, max_workers: int) -> None:
        super().__init__(store, max_workers)
        self.work: list[Future[Any]] = []

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        future = super().submit(fn, *args, **kwargs)
        self.work.append(future)
        return future

    def settle(self) -> None:
        """Wait until every unit of work submitted so far has ended."""
        wait(self.work, timeout=60)
        assert all(future.done() for future in self.work)


@pytest.fixture
def listeners(deps: Deps) -> WatchedExecutor:
    return WatchedExecutor(deps.store, max_workers=LISTENER_WORKERS)


@pytest.fixture
def bolt_app(deps: Deps, slack_emulator: SlackEmulator, listeners: WatchedExecutor) -> App:
    client = WebClient(token=BOT_TOKEN, base_url=slack_emulator.api_url)
    return build_app(deps, client=client, listener_executor=listeners)


def statements_from_now(deps: Deps, listeners: WatchedExecutor) -> list[str]:
    """Every SQL statement the threads' connections run from now on (Bolt runs listeners on
    its worker threads, each with its connection, opened by the first question). The watch
    starts once the work already asked for has ended, connections given back included."""
    listeners.settle()
    seen: list[str] = []
    for db in deps.store._all:
        db.conn.set_trace_callback(seen.append)
    return seen


def stop_tracing(deps: Deps, listeners: WatchedExecutor) -> None:
    listeners.settle()  # all that the watched work ran, to its end
    for db in deps.store._all:
        db.conn.set_trace_callback(None)


def test_the_same_question_again_runs_no_query_of_its_own(
    bolt_app: App, slack_emulator: SlackEmulator, deps: Deps, listeners: WatchedExecutor
) -> None:
    for command, text in (("/holdouts", ""), ("/deadlines", "90"), ("/aireview", "status meta")):
        first = ask(bolt_app, slack_emulator, command, text)
        seen = statements_from_now(deps, listeners)
        again = ask(bolt_app, slack_emulator, command, text)
        stop_tracing(deps, listeners)
        assert again == first
        assert seen == [], f"{command} {text} ran {seen[:3]}"


def test_an_edit_through_the_app_is_in_the_next_answer(
    bolt_app: App, slack_emulator: SlackEmulator, deps: Deps
) -> None:
    assert "1 holdout" in shown(ask(bolt_app, slack_emulator, "/holdouts"))
    meta_signs(deps)
    assert "there are no holdouts" in shown(ask(bolt_app, slack_emulator, "/holdouts"))


def test_a_write_by_another_connection_or_process_is_in_the_next_answer(
    bolt_app: App, slack_emulator: SlackEmulator, deps: Deps
) -> None:
    assert "Meta" in shown(ask(bolt_app, slack_emulator, "/aireview", "status meta"))
    with sqlite3.connect(deps.store.path) as other:  # e.g. a sqlite3 shell
        other.execute("UPDATE developers SET name = 'Meta Platforms' WHERE id = 'meta'")
    assert "Meta Platforms" in shown(ask(bolt_app, slack_emulator, "/aireview", "status meta"))
    assert "Meta Platforms" in shown(ask(bolt_app, slack_emulator, "/holdouts"))
    script = (
        "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
        "c.execute(\"UPDATE developers SET name = 'Meta (renamed)' WHERE id = 'meta'\"); c.commit()"
    )
    subprocess.run([sys.executable, "-c", script, deps.store.path], check=True)
    assert "Meta (renamed)" in shown(ask(bolt_app, slack_emulator, "/holdouts"))


def test_countdowns_and_the_time_shown_follow_the_clock(
    bolt_app: App, slack_emulator: SlackEmulator, deps: Deps, clock: FixedClock
) -> None:
    before = shown(ask(bolt_app, slack_emulator, "/deadlines", "30"))
    status_before = shown(ask(bolt_app, slack_emulator, "/aireview", "status meta"))
    clock.advance(timedelta(days=1))
    after = shown(ask(bolt_app, slack_emulator, "/deadlines", "30"))
    assert after != before
    assert "in 7 days" in before and "in 6 days" in after  # the July 31 deadline
    clock.advance(timedelta(minutes=1))
    assert shown(ask(bolt_app, slack_emulator, "/aireview", "status meta")) != status_before


def test_a_ledger_write_keeps_the_answers(
    bolt_app: App, slack_emulator: SlackEmulator, deps: Deps, listeners: WatchedExecutor
) -> None:
    """Sweeps write the alert ledger all day; that does not throw answers away."""
    ask(bolt_app, slack_emulator, "/holdouts")
    deps.store.db.execute("INSERT INTO app_state (key, value) VALUES ('probe', '1')")
    seen = statements_from_now(deps, listeners)
    ask(bolt_app, slack_emulator, "/holdouts")
    stop_tracing(deps, listeners)
    assert seen == []
