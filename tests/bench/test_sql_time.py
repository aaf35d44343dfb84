"""bench/sql_time.py: what a benchmark counts as time inside SQLite."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from bench.sql_time import sql_time


def test_counts_the_statements_and_fetches_of_connections_opened_inside_on_every_thread(
    tmp_path: Path,
) -> None:
    before = sqlite3.connect(tmp_path / "before.db")
    with sql_time() as tally:
        conn = sqlite3.connect(tmp_path / "inside.db", check_same_thread=False)
        conn.execute("CREATE TABLE t (n INTEGER)")
        tally.reset()
        conn.executemany("INSERT INTO t VALUES (?)", [(n,) for n in range(100)])
        rows = conn.execute("SELECT n FROM t ORDER BY n").fetchall()
        worker = threading.Thread(target=lambda: [row for row in conn.cursor().execute("SELECT n FROM t")])
        worker.start()
        worker.join()
        before.execute("SELECT 1").fetchall()  # opened outside: not counted
    assert rows[-1] == (99,)
    assert tally.statements == 3 and tally.seconds > 0
    assert type(sqlite3.connect(":memory:")) is sqlite3.Connection  # put back as it was
