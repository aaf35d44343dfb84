"""What a sweep costs whatever its alerts: in OAuth mode every workspace pays it on every run
(docs/workspaces.md, "Many workspaces"). With nothing written since the cursors, a sweep reads
no history rows or news items after them, opens no write transaction for retries it has not
got, writes its claims and cursors in one transaction and its summary with the last
outcomes; its reads are not wrapped in savepoints (storage/db.py)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import date, datetime, time

import pytest

from bot.alerts import sweep as sweep_module
from bot.alerts.updates import UpdateResult, send_updates
from bot.deps import Deps
from tests.support.alerts import alert_keys, emulator_sender, subscribe, sweep
from tests.support.slack_emulator import SlackEmulator

JUNE_1 = datetime(2026, 6, 1, 12, 0)


def _at(deps: Deps, day: date) -> datetime:
    return datetime.combine(day, time(9, 0), tzinfo=deps.settings.tz)


def _after_a_first_sweep(deps: Deps, slack_emulator: SlackEmulator) -> sqlite3.Connection:
    """A channel subscribed on June 1 and swept on July 17 (the 14-day alert of July 31)."""
    conn = deps.store.db.conn
    assert isinstance(conn, sqlite3.Connection)
    subscribe(deps, _at(deps, JUNE_1.date()))
    sweep(deps, slack_emulator, _at(deps, date(2026, 7, 17)))
    return conn


def _statements(conn: sqlite3.Connection, run: Callable[[], object]) -> list[str]:
    """What `run` sends to SQLite on `conn`."""
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    try:
        run()
    finally:
        conn.set_trace_callback(None)
    return statements


@pytest.mark.sqlite_only  # it counts SQLite's own statements
def test_the_next_sweep_with_nothing_changed_reads_and_writes_only_what_it_needs(
    deps: Deps, slack_emulator: SlackEmulator
) -> None:
    conn = _after_a_first_sweep(deps, slack_emulator)
    sent = len(alert_keys(slack_emulator))
    statements = _statements(conn, lambda: sweep(deps, slack_emulator, _at(deps, date(2026, 7, 24))))
    assert len(alert_keys(slack_emulator)) > sent  # it did send
    assert not [s for s in statements if "FROM history WHERE" in s and "id >" in s], statements
    assert not [s for s in statements if "FROM news_items WHERE alert = 1" in s], statements
    assert not [s for s in statements if "sqlite_utils_query" in s]  # SELECTs run as they are
    writes = [s for s in statements if s.startswith("BEGIN IMMEDIATE")]
    commits = [i for i, s in enumerate(statements) if s.startswith("COMMIT")]
    # Two commits: the claims with the cursors, then the last outcomes with the sweep's summary.
    assert len(writes) == 2 and len(commits) == 2, statements
    summary = [i for i, s in enumerate(statements) if "INTO app_state" in s and "last_sweep" in s]
    assert summary and commits[0] < summary[-1] < commits[-1], statements
    # The WAL's checkpoints are left as they are: a few rows are no bulk write.
    assert not [s for s in statements if "wal_autocheckpoint" in s], statements
    # One question (storage/sweep_probe.py) instead of the reads that find nothing today: no
    # retries, reminders or mutes, and the generation and newest ids with it.
    assert len([s for s in statements if "EXISTS (SELECT 1 FROM alert_ledger" in s]) == 1, statements
    skipped = ("SELECT * FROM alert_ledger WHERE (status", "SELECT r.* FROM reminders", "SELECT * FROM mutes")
    assert not [s for s in statements if s.lstrip().startswith(skipped)], statements
    assert not [s for s in statements if "MAX(id), 0) FROM history), (SELECT" in s and "EXISTS" not in s]
    assert len([s for s in statements if s == "SELECT n FROM tracker_generation"]) == 1  # after the claims


@pytest.mark.sqlite_only  # it counts SQLite's own statements
def test_a_corrections_run_with_nothing_to_correct_is_one_statement(
    deps: Deps, slack_emulator: SlackEmulator
) -> None:
    conn = _after_a_first_sweep(deps, slack_emulator)
    senders = {"slack": emulator_sender(slack_emulator, deps.settings)}
    send_updates(deps, now=_at(deps, date(2026, 7, 17)), senders=senders)  # the first run sets the cursor
    results: list[UpdateResult] = []
    statements = _statements(
        conn, lambda: results.append(send_updates(deps, now=_at(deps, date(2026, 7, 18)), senders=senders))
    )
    assert results == [UpdateResult()]
    assert len(statements) == 1 and "FROM alert_updates" in statements[0], statements


@pytest.mark.sqlite_only  # SQLite's WAL
def test_a_sweep_writing_many_rows_checkpoints_the_wal_less_often_until_it_ends(
    deps: Deps, slack_emulator: SlackEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sweep_module, "SMALL_SWEEP_ROWS", 1)  # every row counts as many here
    conn = deps.store.db.conn
    assert isinstance(conn, sqlite3.Connection)
    subscribe(deps, _at(deps, JUNE_1.date()))
    statements = _statements(conn, lambda: sweep(deps, slack_emulator, _at(deps, date(2026, 7, 17))))
    pragmas = [s for s in statements if "wal_autocheckpoint" in s]
    assert pragmas == ["PRAGMA wal_autocheckpoint = 50000", "PRAGMA wal_autocheckpoint = 1000"], statements
    first_claim = next(i for i, s in enumerate(statements) if s.startswith("BEGIN IMMEDIATE"))
    assert statements.index(pragmas[0]) < first_claim  # in force for the claims and outcomes
    assert conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 1000
