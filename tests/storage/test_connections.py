"""Store hands each thread a connection and takes it back at the end of a unit of work
(storage/db.py): idle threads hold none, at most IDLE_CONNECTIONS stay open for the next,
and a connection in a transaction is never handed to another thread."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from storage.db import (
    BULK_CHECKPOINT_PAGES,
    IDLE_CONNECTIONS,
    DatabaseUnavailable,
    fewer_checkpoints,
    open_store,
)


def test_connections_given_back_are_reused_and_the_surplus_closed(tmp_path: Path) -> None:
    store = open_store(tmp_path / "c.db")
    try:
        store.release()  # the opening thread's (migrations)
        ready, go = threading.Barrier(6), threading.Event()
        used: list[int] = []

        def work() -> None:
            used.append(id(store.db))
            ready.wait(5)  # five threads hold a connection each at once
            go.wait(5)
            store.release()

        threads = [threading.Thread(target=work) for _ in range(5)]
        for thread in threads:
            thread.start()
        ready.wait(5)
        assert len(set(used)) == 5 and len(store._all) == 5
        go.set()
        for thread in threads:
            thread.join(5)
        assert len(store._all) == len(store._idle) == IDLE_CONNECTIONS  # the other three closed
        again = threading.Thread(target=store.releasing(lambda: used.append(id(store.db))))
        again.start()
        again.join(5)
        assert used[-1] in {id(db) for db in store._idle}  # reused, not opened
        assert len(store._all) == IDLE_CONNECTIONS
    finally:
        store.close()


def test_on_quiet_runs_once_no_thread_holds_a_connection(tmp_path: Path) -> None:
    """The running app hands freed memory back to the OS then (app.py, bot/ops/memory.py)."""
    trims: list[int] = []
    store = open_store(tmp_path / "c.db", on_quiet=lambda: trims.append(len(store._idle)))
    try:
        store.release()
        assert trims == [1]  # the opening thread's was the only one
        holding, done = threading.Event(), threading.Event()

        def other_thread() -> None:
            store.db.execute("SELECT 1")
            holding.set()
            done.wait(5)
            store.release()

        thread = threading.Thread(target=other_thread)
        thread.start()
        holding.wait(5)
        store.db.execute("SELECT 1")
        store.release()
        assert trims == [1]  # the other thread still works: not yet
        done.set()
        thread.join(5)
        assert trims == [1, 2]
        store.release()  # holds none: nothing given back, nothing to return
        assert trims == [1, 2]
    finally:
        store.close()


def test_a_connection_in_a_transaction_stays_with_its_thread(tmp_path: Path) -> None:
    store = open_store(tmp_path / "c.db")
    try:
        db = store.db
        with db.atomic():
            db.execute("INSERT INTO app_state (key, value) VALUES ('k', 'v')")
            store.release()  # mid-transaction: kept
            assert store.db is db
        store.release()
        assert store._idle == [db]
        assert store.db is db  # taken back from the idle ones
    finally:
        store.close()


def test_closing_leaves_a_connection_in_use_to_its_thread_which_closes_it_when_done(tmp_path: Path) -> None:
    """Shutdown (or a test's end) while a listener still reads: closing its connection under
    the query crashed the whole process (a segmentation fault in sqlite3)."""
    store = open_store(tmp_path / "c.db")
    store.release()
    reading, closed, seen = threading.Event(), threading.Event(), []

    def listener() -> None:
        db = store.db
        db.execute("SELECT 1")
        reading.set()
        closed.wait(5)
        seen.append(db.execute("SELECT count(*) FROM app_state").fetchone()[0])  # still open
        store.release()
        with pytest.raises(sqlite3.ProgrammingError):  # closed once given back
            db.execute("SELECT 1")

    thread = threading.Thread(target=listener)
    thread.start()
    reading.wait(5)
    idle = store.db  # this thread's, given back: idle while the listener reads
    store.release()
    assert store._idle == [idle]
    store.close()
    with pytest.raises(sqlite3.ProgrammingError):  # the idle one closed at once
        idle.execute("SELECT 1")
    closed.set()
    thread.join(5)
    assert seen == [0] and store._all == []
    with pytest.raises(DatabaseUnavailable):  # and no new connection after closing
        store.db.execute("SELECT 1")


def test_bulk_writes_checkpoint_less_often_then_once_at_the_end(tmp_path: Path) -> None:
    store = open_store(tmp_path / "c.db")
    wal = tmp_path / "c.db-wal"
    try:
        db = store.db
        with pytest.raises(RuntimeError), fewer_checkpoints(db):
            assert db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == BULK_CHECKPOINT_PAGES
            for n in range(1_500):  # 1,500 commits of a page or two each
                db.execute("INSERT INTO app_state (key, value) VALUES (?, ?)", [f"k{n}", "x" * 3000])
            # Past 1,000 pages the WAL would have been checkpointed and begun again from its
            # start; here it has grown instead.
            assert wal.stat().st_size > 2_000 * 4096
            raise RuntimeError("the sweep failed")
        assert db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 1_000
        busy, frames, copied = db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        assert busy == 0 and frames == copied  # all copied back at the end, failure or not
    finally:
        store.close()


def test_a_select_runs_without_a_savepoint_and_anything_else_as_sqlite_utils_runs_it(tmp_path: Path) -> None:
    store = open_store(tmp_path / "q.db")
    try:
        db = store.db
        db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)")
        db.execute("INSERT INTO t (name) VALUES ('a')")
        statements: list[str] = []
        db.conn.set_trace_callback(statements.append)
        rows = list(db.query("SELECT id, name, name FROM t"))
        assert rows == [{"id": 1, "name": "a", "name_2": "a"}]  # duplicate names kept apart
        assert statements == ["SELECT id, name, name FROM t"]
        statements.clear()
        assert list(db.query("INSERT INTO t (name) VALUES ('b') RETURNING id")) == [{"id": 2}]
        assert any("SAVEPOINT" in s for s in statements)  # a write: sqlite-utils' guard kept
        with pytest.raises(ValueError):
            list(db.query("UPDATE t SET name = 'c'"))
        assert [r["name"] for r in db.query("SELECT name FROM t ORDER BY id")] == ["a", "b"]
    finally:
        store.db.conn.set_trace_callback(None)
        store.close()
