"""Which instance runs the scheduler: a lock only one process can hold per database.

On PostgreSQL, a session advisory lock held on a connection of its own (not the pool's):
the server lets it go the moment that session ends, whether the process died, its machine
went away or the session was closed (a network cut notices within the keepalive limits
below). On SQLite, an exclusive `flock` on a file beside the database, which the kernel lets
go when the process ends; a second instance on the same file stands by.

`try_hold()` takes the lock if free and, when held, checks it still is: the scheduler
calls it before each job and every few seconds (bot/alerts/scheduler.py).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

from storage.db import Store, is_postgres_url, shown_location

SCHEDULER_LOCK_KEY = 7_248_003  # pg_advisory_lock key (advisory locks are per database)
# A silent connection (a cut network) is noticed after about idle + interval * count seconds.
# Both ends: the client's (libpq) and the server's for this session, so that the server too
# lets the lock go after a silent cut instead of after the OS's two hours.
KEEPALIVE: dict[str, Any] = {
    "keepalives": 1,
    "keepalives_idle": 5,
    "keepalives_interval": 2,
    "keepalives_count": 3,
    "options": "-c tcp_keepalives_idle=5 -c tcp_keepalives_interval=2 -c tcp_keepalives_count=3",
}


class SchedulerLease:
    """The scheduler's lock for one database; `held` says whether this process has it."""

    def __init__(self, location: str) -> None:
        self.location = location
        self.held = False

    def try_hold(self) -> bool:
        raise NotImplementedError

    def release(self) -> None:
        raise NotImplementedError

    def describe(self) -> str:
        return shown_location(self.location)


class PostgresLease(SchedulerLease):
    def __init__(self, location: str) -> None:
        super().__init__(location)
        self._conn: Any = None

    def try_hold(self) -> bool:
        import psycopg

        try:
            if self._conn is None:
                self._conn = psycopg.connect(self.location, autocommit=True, connect_timeout=5, **KEEPALIVE)
            if self.held:
                self._conn.execute("SELECT 1").fetchone()  # still our session: the lock is ours
            else:
                row = self._conn.execute("SELECT pg_try_advisory_lock(%s)", [SCHEDULER_LOCK_KEY]).fetchone()
                self.held = bool(row and row[0])
        except psycopg.Error:
            self._drop()
        return self.held

    def _drop(self) -> None:
        self.held = False
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.close()

    def release(self) -> None:
        self._drop()  # closing the session lets the lock go


class FileLease(SchedulerLease):
    def __init__(self, location: str) -> None:
        super().__init__(location)
        self._fd: int | None = None

    def try_hold(self) -> bool:
        if self.held or self.location == ":memory:":
            self.held = True
            return True
        import fcntl

        path = Path(self.location).expanduser()
        fd = os.open(f"{path}.scheduler-lock", os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        self._fd, self.held = fd, True
        return True

    def release(self) -> None:
        fd, self._fd, self.held = self._fd, None, False
        if fd is not None:
            os.close(fd)


def scheduler_lease(store: Store) -> SchedulerLease:
    """The scheduler's lock for `store`'s database (not taken yet)."""
    if is_postgres_url(store.path):
        return PostgresLease(store.path)
    return FileLease(store.path)
