"""The ledger's statements run as compiled once: none is compiled again at each execution.

A status bound as a value (`status = ?`) made SQLite compile the statement again every time
it ran, to check the partial index alert_ledger_claims (WHERE status = 'claimed') against the
value: the sweep's first question cost 150 µs a run that way instead of 28 µs. The
authorizer SQLite calls while compiling a statement counts the compilations. SQLite only: it
is SQLite's compiler (PostgreSQL plans its statements on its own side)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from storage.alerts import (
    STATUS_SENT,
    LedgerOutcome,
    claim_alerts,
    delivery_problems,
    first_alert_ts_many,
    held_alerts,
    record_outcomes,
    renew_claims,
    retry_candidates,
)
from storage.db import Store
from storage.sweep_probe import probe_sweep
from tests.support.template_db import DatabaseTemplates

NOW = datetime(2026, 7, 24, 13, 0, tzinfo=UTC)
LEASE = timedelta(minutes=10)


class Compilations:
    """Counts the statements SQLite compiles on a connection (authorizer calls: one or more a
    statement). Set once: setting an authorizer expires the connection's compiled statements."""

    def __init__(self, store: Store) -> None:
        self.calls = 0
        store.db.conn.set_authorizer(self._authorize)

    def _authorize(self, *_: object) -> int:
        self.calls += 1
        return sqlite3.SQLITE_OK

    def during(self, run: Callable[[], Any]) -> int:
        before = self.calls
        run()
        return self.calls - before


@pytest.fixture
def ledger(tmp_path: Path, database_templates: DatabaseTemplates) -> Iterator[Store]:
    store = database_templates.open_migrated(tmp_path / "ledger.sqlite3")
    due = NOW.isoformat()
    rows = [
        (f"k{n}", "deadline", "deadline", "1", "2026-07-31", 7, "slack", "C1", 1, due, "{}") for n in range(3)
    ]
    claim_alerts(store.db, rows, [], "token", NOW)
    yield store
    store.close()


def _record_again(store: Store) -> None:
    """Two claims' outcomes recorded, the claims first made ours again (as each run finds them)."""
    with store.db.atomic():
        store.db.execute("UPDATE alert_ledger SET status = 'claimed' WHERE key IN ('k0', 'k1')")
    lost = record_outcomes(
        store.db, "token", NOW, [LedgerOutcome("k0", STATUS_SENT, "C1", "1.0")], sent=[("k1", "C1", "2.0")]
    )
    assert lost == []


READS_AND_WRITES: dict[str, Callable[[Store], Any]] = {
    "the sweep's question": lambda s: probe_sweep(s.db, NOW, LEASE, date(2026, 7, 24)),
    "retries due": lambda s: retry_candidates(s.db, NOW, LEASE),
    "held for quiet hours": lambda s: held_alerts(s.db, "slack", "C1"),
    "delivery problems": lambda s: delivery_problems(s.db),
    "first alert of a thread": lambda s: first_alert_ts_many(s.db, [("C1", "deadline", "1")], ["deadline"]),
    "lease renewed": lambda s: renew_claims(s.db, "token", NOW),
    "outcomes recorded": lambda s: _record_again(s),
}


@pytest.mark.parametrize("statement", sorted(READS_AND_WRITES))
def test_a_ledger_statement_is_compiled_once_not_at_every_run(ledger: Store, statement: str) -> None:
    run, compiled = READS_AND_WRITES[statement], Compilations(ledger)
    first = compiled.during(lambda: run(ledger))

    again = compiled.during(lambda: run(ledger))

    assert first > 0  # the counting works: the first run compiled its statements
    assert again == 0
