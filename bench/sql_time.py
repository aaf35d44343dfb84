"""The time a block of code spends inside SQLite: every statement and every row fetched, on
every SQLite connection opened while the block runs (storage/db.py `connect`), on any thread.

A benchmark's split between the database and the app's own code (bench/workspaces.py's
bound). It counts generously: each timed call's own wrapper is counted as SQLite's, so the
app's share it leaves is, if anything, too small.

    with sql_time() as tally:
        ...            # opens its connections here
        tally.reset()
        ...            # the part to split
    tally.seconds
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


class SqlTally:
    """Seconds spent in SQLite since the last `reset`, summed over every thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.seconds = 0.0
        self.statements = 0

    def add(self, seconds: float, statements: int = 0) -> None:
        with self._lock:
            self.seconds += seconds
            self.statements += statements

    def reset(self) -> None:
        with self._lock:
            self.seconds, self.statements = 0.0, 0


def _timed_classes(tally: SqlTally) -> type[sqlite3.Connection]:
    clock = time.perf_counter

    def timed(name: str, statements: int) -> Callable[..., Any]:
        """The cursor's own `name`, its time (and `statements` run) added to the tally."""
        plain = getattr(sqlite3.Cursor, name)

        def method(self: sqlite3.Cursor, *args: Any) -> Any:
            started = clock()
            try:
                return plain(self, *args)
            finally:
                tally.add(clock() - started, statements)

        return method

    timed_cursor = type(
        "TimedCursor",
        (sqlite3.Cursor,),
        {
            **{name: timed(name, 1) for name in ("execute", "executemany")},
            **{name: timed(name, 0) for name in ("fetchone", "fetchmany", "fetchall", "__next__")},
        },
    )

    class TimedConnection(sqlite3.Connection):
        def cursor(self, factory: Any = timed_cursor) -> Any:  # type: ignore[override]
            return super().cursor(factory)

        # Connection.execute* run their cursor's statement in C, past the cursor's methods.
        def execute(self, *args: Any) -> Any:
            return self.cursor().execute(*args)

        def executemany(self, *args: Any) -> Any:
            return self.cursor().executemany(*args)

        def executescript(self, *args: Any) -> Any:
            return self.cursor().executescript(*args)

    return TimedConnection


@contextmanager
def sql_time() -> Iterator[SqlTally]:
    """Connections opened inside the block report their time in SQLite to the tally."""
    tally = SqlTally()
    factory = _timed_classes(tally)
    plain = sqlite3.connect

    def connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        kwargs.setdefault("factory", factory)
        return plain(*args, **kwargs)

    sqlite3.connect = connect  # type: ignore[assignment]
    try:
        yield tally
    finally:
        sqlite3.connect = plain
