"""Opening the database: WAL, foreign keys, a busy timeout, one connection per thread.

Bolt listeners and APScheduler jobs run on worker threads. A single sqlite3 connection
shared between threads would mix their transactions, so each thread gets its own
connection to the same file; WAL lets readers and one writer proceed together and the
busy timeout makes concurrent writers wait instead of failing.
"""

from __future__ import annotations

import contextlib
import functools
import re
import sqlite3
import threading
from collections.abc import Callable, Generator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from sqlite_utils import Database
from sqlite_utils.utils import dedupe_keys

from storage.errors import DatabaseUnavailable

if TYPE_CHECKING:
    from storage.pg import PgDatabase, PgPool

__all__ = ["DatabaseUnavailable", "PgStore", "Store", "open_store"]

P = ParamSpec("P")
R = TypeVar("R")

# How long a write waits for another connection's lock before "database is locked"
# (REVIEWWATCH_DB_BUSY_TIMEOUT, in seconds, sets it for the app).
BUSY_TIMEOUT_MS = 10_000
# Connections kept open between units of work (a listener, a job) for the next to take; a
# connection given back beyond these is closed. Each holds its page cache and the schema
# (about 0.4-0.9 MiB), so one per thread that ever ran would keep every worker's.
IDLE_CONNECTIONS = 2
# Page cache per connection (SQLite's default is 2,000 KiB). Every connection in use holds
# one, so the default costs about 2 MiB per busy thread; reads come from the OS file cache
# just as fast (README "Benchmarks", Memory).
CACHE_KIB = 512


def database_error(
    path: str | Path, exc: sqlite3.Error, doing: str = "open", busy_timeout_ms: int = BUSY_TIMEOUT_MS
) -> DatabaseUnavailable:
    """One line for a failure to `doing` (open, write) the database at `path`: a lock held
    past the busy timeout says what to do about it, anything else quotes SQLite."""
    if "locked" in str(exc) or "busy" in str(exc):
        return DatabaseUnavailable(
            f"database {path} is locked: another process held it for over {busy_timeout_ms / 1000:g} s. "
            "Stop the other program using it (a second `python app.py`, or a sqlite3 shell with "
            "a transaction open), then start again"
        )
    return DatabaseUnavailable(f"cannot {doing} database {shown_location(path)}: {exc}")


class _ImmediateDatabase(Database):
    """A Database whose outermost `atomic()` takes the write lock up front.

    sqlite-utils opens a deferred `BEGIN`: a block that reads and then writes (every
    tracker change does) holds a WAL snapshot, and when another connection commits first
    the upgrade to a write lock fails at once with "database is locked", ignoring the busy
    timeout. `BEGIN IMMEDIATE` makes concurrent writers queue on the busy timeout instead.
    """

    @contextlib.contextmanager
    def atomic(self) -> Generator[Database, None, None]:
        if self.conn.in_transaction:
            with super().atomic():  # nested: a savepoint, as sqlite-utils does it
                yield self
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
            self.rollback()
            raise
        else:
            try:
                self.conn.execute("COMMIT")
            except BaseException:
                self.rollback()
                raise

    def query(
        self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None
    ) -> Generator[dict[str, Any], None, None]:
        """Rows as dicts. A plain SELECT runs as it is: sqlite-utils wraps every query in a
        savepoint (two more statements) only to undo a statement that turns out to write, which
        a SELECT cannot; at a few dozen reads per sweep that was a fixed cost of every
        workspace's sweep in OAuth mode (docs/workspaces.md). Anything else goes through
        sqlite-utils as before."""
        if self._tracer or not _plain_select(sql):
            return super().query(sql, params)
        cursor = self.conn.execute(sql, params) if params is not None else self.conn.execute(sql)
        keys = dedupe_keys(d[0] for d in cursor.description)
        return (dict(zip(keys, row, strict=True)) for row in cursor)


# A statement that only reads: SELECT first, and no RETURNING (a write's) anywhere in it.
_PLAIN_SELECT = re.compile(r"(?is)^\s*select\b(?!.*\breturning\b)")


@functools.lru_cache(maxsize=1024)
def _plain_select(sql: str) -> bool:
    """Whether `sql` only reads (the same few statements come back all day: asked once each)."""
    return _PLAIN_SELECT.match(sql) is not None


# While a sweep writes in bulk, its connection checkpoints the WAL every this many pages
# (200 MB at SQLite's 4 KiB pages) instead of SQLite's 1,000.
BULK_CHECKPOINT_PAGES = 50_000
DEFAULT_CHECKPOINT_PAGES = 1_000
# Rows a sweep changes below which its end forces no checkpoint (SQLite's own at 1,000 pages does).
SMALL_SWEEP_ROWS = 1_000


@contextlib.contextmanager
def one_transaction(db: Database) -> Generator[Database, None, None]:
    """`db.atomic()`; but on PostgreSQL, inside a transaction already, that transaction itself,
    without the savepoint a nested `atomic()` makes: there a savepoint is two more round trips
    (SAVEPOINT, RELEASE), and as its connections commit on their own outside `atomic()`, being
    in a transaction means being inside the caller's `atomic()`. For blocks whose errors go up
    to that caller, whose transaction then rolls back whole either way (the sweep's claims,
    cursors and last outcomes, bot/alerts/sweep.py). SQLite keeps the savepoint (free there)."""
    if db.conn.in_transaction and getattr(db, "engine", "sqlite") == "postgresql":
        yield db
        return
    with db.atomic():
        yield db


@contextlib.contextmanager
def fewer_checkpoints(db: Database, pages: int = BULK_CHECKPOINT_PAGES) -> Generator[None, None, None]:
    """Let `db`'s WAL grow to `pages` before it checkpoints, then checkpoint once at the end.

    Many small transactions that update the same pages (a sweep's outcome batches) each copy
    them back to the database file when every commit checkpoints; letting the WAL grow copies
    each page once: about 2 s of a 23 s sweep at 100,000 models (README "Benchmarks");
    trackers of realistic size never reach the bigger threshold.
    Another connection committing meanwhile still checkpoints at its own 1,000 pages.
    On PostgreSQL (no WAL file of ours to tune) it does nothing."""
    if getattr(db, "engine", "sqlite") == "postgresql":
        yield
        return
    db.execute(f"PRAGMA wal_autocheckpoint = {pages}")
    changes = db.conn.total_changes
    try:
        yield
    finally:
        try:
            db.execute(f"PRAGMA wal_autocheckpoint = {DEFAULT_CHECKPOINT_PAGES}")
            # A small sweep (a workspace's few alerts: docs/workspaces.md) left too little in
            # the WAL for SQLite's own checkpoint to copy yet: forcing one costs a sync each.
            if db.conn.total_changes - changes >= SMALL_SWEEP_ROWS:
                db.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except sqlite3.Error:
            pass  # only an optimisation: the next commit checkpoints as usual


def connect(path: str | Path, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> Database:
    """One configured connection to the database file at `path` (or, for a postgresql URL,
    a connection of its own to that server, outside the pool)."""
    if is_postgres_url(path):
        from storage.pg import own_database

        return own_database(str(path))
    conn = sqlite3.connect(str(path), timeout=busy_timeout_ms / 1000, check_same_thread=False)
    # No sqlite-utils plugins are used: skip their entry-point scan (20 ms and 0.3 MiB at start).
    db = _ImmediateDatabase(conn, execute_plugins=False)
    db.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
    db.execute("PRAGMA foreign_keys = ON")
    db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    if str(path) != ":memory:":
        with db.ensure_autocommit_on():
            db.conn.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
    return db


class Store:
    """The database at one path, handing each thread its own connection.

    A thread keeps its connection until it gives it back with `release()` at the end of a
    unit of work (handlers/ and the scheduler do, after each listener and job); the next
    thread that needs one takes a given-back connection before opening a new one.

    `on_quiet` runs when the last connection in use comes back (no thread holds one): the
    running app hands freed memory back to the OS then (bot/ops/memory.py)."""

    engine = "sqlite"  # storage/pg.py's PgStore: "postgresql"

    def __init__(
        self,
        path: str | Path,
        on_quiet: Callable[[], None] | None = None,
        busy_timeout_ms: int = BUSY_TIMEOUT_MS,
    ) -> None:
        self.path = str(path)
        self.on_quiet = on_quiet
        self.busy_timeout_ms = busy_timeout_ms
        self._local = threading.local()
        self._lock = threading.Lock()
        self._all: list[Database] = []
        self._idle: list[Database] = []  # given back, not in use by any thread
        self._closed = False
        # One connection shared by all threads, under a lock, for one-value reads made on
        # every request (storage/generation.py): a request answered from memory then needs
        # no connection of its own (each holds a page cache and the schema, README "Benchmarks").
        self._shared: Database | None = None
        self._shared_lock = threading.Lock()

    @property
    def db(self) -> Database:
        db = getattr(self._local, "db", None)
        if db is None:
            with self._lock:
                if self._closed:
                    raise DatabaseUnavailable(f"database {self.path} is closed")
                db = self._idle.pop() if self._idle else None
            if db is None:
                try:
                    db = connect(self.path, self.busy_timeout_ms)
                except sqlite3.Error as exc:
                    raise database_error(self.path, exc, busy_timeout_ms=self.busy_timeout_ms) from exc
                with self._lock:
                    self._all.append(db)
            self._local.db = db
        return db

    def release(self) -> None:
        """Give back this thread's connection, if it has one and no transaction is open on
        it; the thread gets one again (maybe another) when it next asks. The last one given
        back (no thread holds one) also runs `on_quiet`."""
        db = getattr(self._local, "db", None)
        if db is None or db.conn.in_transaction or self.path == ":memory:":
            return  # a :memory: database lives and dies with its connection
        self._local.db = None
        try:  # drop its page cache while idle: the next reads come from the OS file cache
            db.conn.execute("PRAGMA shrink_memory")
        except sqlite3.Error:
            pass
        with self._lock:
            keep = not self._closed and len(self._idle) < IDLE_CONNECTIONS
            if keep:
                self._idle.append(db)
            elif any(kept is db for kept in self._all):
                self._all.remove(db)
            quiet = len(self._idle) == len(self._all)  # no thread holds a connection now
        if not keep:
            try:
                db.close()
            except sqlite3.Error:
                pass
        if quiet and self.on_quiet is not None:
            self.on_quiet()

    def releasing(self, work: Callable[P, R]) -> Callable[P, R]:
        """`work`, giving back the thread's connection when it returns or raises."""

        @functools.wraps(work)
        def released_after(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return work(*args, **kwargs)
            finally:
                self.release()

        return released_after

    def peek(self, sql: str) -> Any:
        """The first column of the first row of `sql`, read on the shared connection."""
        if self.path == ":memory:":  # a private database per connection: read this thread's
            row = self.db.conn.execute(sql).fetchone()
            return row[0] if row else None
        with self._shared_lock:
            if self._shared is None:
                if self._closed:
                    raise DatabaseUnavailable(f"database {self.path} is closed")
                try:
                    self._shared = connect(self.path, self.busy_timeout_ms)
                except sqlite3.Error as exc:
                    raise database_error(self.path, exc, busy_timeout_ms=self.busy_timeout_ms) from exc
            row = self._shared.conn.execute(sql).fetchone()
        return row[0] if row else None

    def resolved(self) -> Store:
        """The store whose database this is now (bot/tenancy's routed store: the current
        workspace's): what work handed to other threads keeps."""
        return self

    def own_connection(self) -> Database:
        """A connection of its own to this database, outside the ones handed to threads."""
        return connect(self.path, self.busy_timeout_ms)

    def close(self) -> None:
        """Close the connections no other thread is using (at shutdown); no new ones are made.

        A connection another thread holds is closed when that thread gives it back (or ends):
        closing it under a query still running on it crashes the process (sqlite3 is not
        safe against that), as a listener still answering at shutdown would."""
        with self._shared_lock:
            if self._shared is not None:
                self._shared.close()
                self._shared = None
        mine = getattr(self._local, "db", None)
        self._local.db = None
        with self._lock:
            self._closed = True
            closing = [db for db in self._all if db is mine or any(db is idle for idle in self._idle)]
            self._all = [db for db in self._all if not any(db is done for done in closing)]
            self._idle.clear()
        for db in closing:
            try:
                db.close()
            except sqlite3.Error:
                pass


def is_postgres_url(location: str | Path) -> bool:
    """Whether `location` names a PostgreSQL server (`postgresql://` or `postgres://`)."""
    return str(location).startswith(("postgresql://", "postgres://"))


class PgStore(Store):
    """The PostgreSQL database at `url`: each thread takes a connection from the pool
    (storage/pg.py, loaded only here) and gives it back with `release()`, as with Store."""

    engine = "postgresql"

    def __init__(self, url: str, on_quiet: Callable[[], None] | None = None) -> None:
        from storage.pg import PgPool

        super().__init__(url, on_quiet)
        self.pool: PgPool = PgPool(url)

    @property
    def db(self) -> Database:
        db: PgDatabase | None = getattr(self._local, "db", None)
        if db is None:
            if self._closed:
                raise DatabaseUnavailable(f"database {shown_location(self.path)} is closed")
            db = self.pool.take()
            self._local.db = db
        return db

    def release(self) -> None:
        db: PgDatabase | None = getattr(self._local, "db", None)
        if db is not None and self.pool.give_back(db):
            self._local.db = None

    def peek(self, sql: str) -> Any:
        return self.pool.peek(sql)

    def close(self) -> None:
        with self._lock:
            self._closed = True
        mine: PgDatabase | None = getattr(self._local, "db", None)
        self._local.db = None
        if mine is not None:
            self.pool.give_back(mine)
        self.pool.close()


def shown_location(location: str | Path) -> str:
    """`location` as messages show it: a URL without its password."""
    return re.sub(r"://[^@/]*@", "://", str(location)) if is_postgres_url(location) else str(location)


def open_store(
    path: str | Path, on_quiet: Callable[[], None] | None = None, busy_timeout_ms: int = BUSY_TIMEOUT_MS
) -> Store:
    """Open (creating if needed) the database at `path` (a file, or a postgresql URL) and
    bring its schema up to date (`on_quiet`: see Store; `busy_timeout_ms`: how long a SQLite
    write waits for another connection's lock, REVIEWWATCH_DB_BUSY_TIMEOUT)."""
    from storage.migrations import apply_migrations

    if is_postgres_url(path):
        pg_store = PgStore(str(path), on_quiet)
        try:
            apply_migrations(pg_store.db)
            pg_store.release()
        except BaseException:
            pg_store.close()
            raise
        return pg_store
    parent = Path(path).expanduser().resolve().parent
    if str(path) != ":memory:" and not parent.is_dir():
        raise DatabaseUnavailable(f"cannot open database {path}: folder {parent} does not exist")
    store = Store(path, on_quiet, busy_timeout_ms)
    try:
        apply_migrations(store.db)
    except sqlite3.OperationalError as exc:
        store.close()
        raise database_error(path, exc, "write", busy_timeout_ms) from exc
    return store
