"""PostgreSQL behind the same interface storage/ uses for SQLite (`REVIEWWATCH_DATABASE_URL`).

Every storage function takes a sqlite-utils `Database` and calls `query`, `execute`,
`executescript`, `atomic` and `conn.executemany` on it. `PgDatabase` offers exactly those on
one psycopg 3 connection, passing each statement through storage/pg_dialect.py, and
`PgPool` holds a psycopg_pool pool, from which storage/db.py's `PgStore` hands each thread a
connection as `Store` does from its file. psycopg is imported only here, and this module
only when a postgresql URL is given.

Differences kept out of the callers:
- errors are raised as sqlite3's classes (IntegrityError, OperationalError, ...) so the
  callers' `except sqlite3.IntegrityError` holds on both engines;
- parameters are bound client-side with numbers passed as untyped literals, as SQLite's type
  affinity compares `'5'` with `5` (`executemany` binds them server-side, as untyped text:
  one parse for many rows); `numeric` results (SUM over integers) come back as int;
- `cursor.lastrowid` is the `id` an INSERT returned, for tables with an identity `id`;
- outside `atomic()` every statement commits on its own (autocommit), inside it one
  transaction (nested: a savepoint).
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any, cast

import psycopg
from psycopg import errors as pg_errors
from psycopg.adapt import Loader
from psycopg.pq import TransactionStatus
from psycopg_pool import ConnectionPool, PoolTimeout
from sqlite_utils import Database

from storage.errors import DatabaseUnavailable
from storage.pg_dialect import DDL, PG_COMPAT, translate, translate_script

CONNECT_TIMEOUT_S = 5
# The advisory lock every write transaction takes first (PgDatabase.atomic).
_WRITE_LOCK = b"SELECT pg_advisory_xact_lock(7248002)"
POOL_MAX = 10


class _NumericLoader(Loader):
    """`numeric` (what SUM of integers gives) as int when whole, as SQLite returns it."""

    def load(self, data: Any) -> Any:
        value = Decimal(bytes(data).decode())
        return int(value) if value == value.to_integral_value() else float(value)


def _param(value: Any) -> Any:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (int, float, Decimal)):
        return str(value)  # an untyped literal: compares with integer and text columns alike
    return value


def _params(params: Any) -> Any:
    if params is None:
        return []
    if isinstance(params, Mapping):
        return {key: _param(value) for key, value in params.items()}
    # Text and NULL (most of a sweep's 160,000 values at 1,000 models) pass as they are,
    # without a call each.
    return [value if value is None or type(value) is str else _param(value) for value in params]


def as_sqlite_error(exc: psycopg.Error) -> sqlite3.Error:
    """`exc` as the sqlite3 exception a caller written for SQLite catches."""
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if isinstance(exc, (pg_errors.IntegrityError, pg_errors.RaiseException)):  # RAISE(ABORT) too
        return sqlite3.IntegrityError(message)
    if isinstance(exc, psycopg.OperationalError):
        return sqlite3.OperationalError(message)
    if isinstance(exc, psycopg.ProgrammingError):
        return sqlite3.ProgrammingError(message)
    return sqlite3.DatabaseError(message)


@contextlib.contextmanager
def _sqlite_errors() -> Iterator[None]:
    try:
        yield
    except psycopg.Error as exc:
        raise as_sqlite_error(exc) from exc


class PgCursor:
    """A finished statement: its rows, `rowcount` and, after an INSERT, `lastrowid`."""

    def __init__(
        self, cursor: psycopg.Cursor[Any], lastrowid: int | None = None, rowcount: int | None = None
    ) -> None:
        self._cursor = cursor
        self.lastrowid = lastrowid
        self.rowcount = cursor.rowcount if rowcount is None else rowcount
        self.description = cursor.description

    def fetchone(self) -> Any:
        return self._cursor.fetchone() if self._cursor.description else None

    def fetchall(self) -> list[Any]:
        return self._cursor.fetchall() if self._cursor.description else []

    def __iter__(self) -> Iterator[Any]:
        return iter(self.fetchall())


class PgConnection:
    """What storage/ reads from `db.conn`: `executemany`, `execute`, `in_transaction`."""

    def __init__(self, conn: psycopg.Connection[Any], identity_tables: set[str]) -> None:
        self.raw = conn
        self.identity_tables = identity_tables

    @property
    def in_transaction(self) -> bool:
        return self.raw.info.transaction_status != TransactionStatus.IDLE

    def execute(self, sql: str, params: Any = None) -> PgCursor:
        if not params and DDL.match(sql):  # a trigger or table made outside a migration script
            with _sqlite_errors():
                for statement in translate_script(sql):
                    self.raw.execute(statement.encode())
            return PgCursor(self.raw.cursor())
        text, table = translate(sql)
        lastrowid = None
        returning = table in self.identity_tables and "RETURNING" not in text.upper()
        if returning:
            text += " RETURNING id"
        with _sqlite_errors():
            cursor = self.raw.cursor()
            cursor.execute(text, _params(params))
            if returning:
                row = cursor.fetchone()
                lastrowid = int(row[0]) if row else None
        return PgCursor(cursor, lastrowid)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> PgCursor:
        """One statement for many rows, pipelined (psycopg sends them all, then reads the
        answers) and bound server-side: parsed and planned once, not once per row as the
        literals `execute` binds client-side would be (2-3 times faster for a sweep's
        thousands of claims and outcomes). The values go as untyped text, as `execute`'s
        literals do, so the server reads each as its column's type."""
        text, _ = translate(sql)
        values = [_params(row) for row in rows]
        with _sqlite_errors():
            cursor = psycopg.Cursor(self.raw)
            if not values:  # nothing to send: no pipeline and its sync for nothing
                return PgCursor(cursor, rowcount=0)
            cursor.executemany(text, values)
        return PgCursor(cursor)

    def execute_bound(self, sql: str, params: Sequence[Any]) -> PgCursor:
        """`sql` with its values bound server-side as their own types, unconverted: a list
        goes as one array (storage/pg_statements.py), not as a literal spelled out."""
        text, _ = translate(sql)
        with _sqlite_errors():
            cursor = psycopg.Cursor(self.raw)
            cursor.execute(text, params)
        return PgCursor(cursor)

    def close(self) -> None:
        self.raw.close()


class PgDatabase(Database):
    """The parts of sqlite-utils' Database that storage/ uses, on one PostgreSQL connection."""

    def __init__(self, conn: psycopg.Connection[Any], identity_tables: set[str]) -> None:  # noqa: D107
        # Database.__init__ would open SQLite; only the attributes used here are set.
        self.pg = PgConnection(conn, identity_tables)
        self.conn = cast(sqlite3.Connection, self.pg)
        self.engine = "postgresql"

    def execute(self, sql: str, parameters: Any = None) -> Any:
        return self.pg.execute(sql, parameters)

    def execute_bound(self, sql: str, params: Sequence[Any]) -> PgCursor:
        return self.pg.execute_bound(sql, params)

    def query(self, sql: str, params: Any = None) -> Generator[dict[str, Any], None, None]:
        cursor = self.pg.execute(sql, params)
        keys = [column.name for column in cursor.description or ()]
        for row in cursor.fetchall():
            yield dict(zip(keys, row, strict=True))

    def executescript(self, sql: str) -> Any:
        with self.atomic():
            for statement in translate_script(sql):
                try:
                    self.pg.raw.execute(statement.encode())
                except psycopg.Error as exc:
                    error = as_sqlite_error(exc)
                    raise type(error)(f"{error} in: {statement[:300]}") from exc
        refresh_identity_tables(self.pg)
        return None

    @contextlib.contextmanager
    def atomic(self) -> Generator[Database, None, None]:
        """One transaction (nested: a savepoint). The outermost takes the write lock first, as
        SQLite's `BEGIN IMMEDIATE` does (storage/db.py): the read-then-write blocks written for
        one writer at a time (a record's version and history, a cursor) stay correct across
        threads and instances. Reads outside `atomic()` never wait for it."""
        outermost = not self.pg.in_transaction
        with _sqlite_errors(), self.pg.raw.transaction():
            if outermost:
                self.pg.raw.execute(_WRITE_LOCK)
            yield self

    def close(self) -> None:
        self.pg.close()


def refresh_identity_tables(pg: PgConnection) -> None:
    """Which tables have an identity `id` (what `lastrowid` reads): read from the catalog."""
    rows = pg.raw.execute(
        "SELECT table_name FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND column_name = 'id' AND is_identity = 'YES'"
    ).fetchall()
    pg.identity_tables.clear()
    pg.identity_tables.update(str(row[0]) for row in rows)


def _configure(conn: psycopg.Connection[Any]) -> None:
    conn.adapters.register_loader("numeric", _NumericLoader)


def redacted(url: str) -> str:
    """`url` without its password, for messages."""
    try:
        info = psycopg.conninfo.conninfo_to_dict(url)
    except psycopg.Error:
        return "the PostgreSQL URL"
    host, port, name = info.get("host", "localhost"), info.get("port", "5432"), info.get("dbname", "")
    return f"postgresql://{host}:{port}/{name}"


_CONNECTION_OPTIONS: dict[str, Any] = {
    "autocommit": True,
    "cursor_factory": psycopg.ClientCursor,
    "connect_timeout": CONNECT_TIMEOUT_S,
}


def connect_pg(url: str) -> psycopg.Connection[Any]:
    """One connection of our own (not from the pool), configured as the pool's are."""
    try:
        conn = psycopg.connect(url, **_CONNECTION_OPTIONS)
    except psycopg.Error as exc:
        raise unavailable(url, exc) from exc
    _configure(conn)
    return conn


def unavailable(url: str, exc: BaseException) -> DatabaseUnavailable:
    """One line: which server (no password), and what psycopg said first."""
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    reason = reason.removeprefix("connection failed: ")
    return DatabaseUnavailable(f"cannot reach PostgreSQL at {redacted(url)}: {reason}")


def probe(url: str) -> str | None:
    """None when the server answers and the schema is there; else what is wrong (one line)."""
    try:
        with contextlib.closing(connect_pg(url)) as conn:
            conn.execute(b"SELECT count(*) FROM app_state").fetchone()
    except DatabaseUnavailable as exc:
        return str(exc)
    except psycopg.Error as exc:
        return f"database {redacted(url)} is not usable: {as_sqlite_error(exc)}"
    return None


def own_database(url: str) -> PgDatabase:
    """A Database on a connection of its own (not the pool's); close it when done."""
    db = PgDatabase(connect_pg(url), set())
    refresh_identity_tables(db.pg)
    return db


class PgPool:
    """The pooled connections to the PostgreSQL database at `url` (storage/db.py's PgStore
    hands them to threads)."""

    def __init__(self, url: str, max_size: int = POOL_MAX) -> None:
        self.url = url
        try:
            psycopg.conninfo.conninfo_to_dict(url)
        except psycopg.Error as exc:
            raise DatabaseUnavailable(f"REVIEWWATCH_DATABASE_URL is not a PostgreSQL URL: {exc}") from exc
        self.identity_tables: set[str] = set()
        connect_pg(url).close()  # a wrong URL or an unreachable server: one line, at once
        self.pool = ConnectionPool(
            url,
            min_size=1,
            max_size=max_size,
            open=False,
            configure=_configure,
            check=ConnectionPool.check_connection,
            kwargs=_CONNECTION_OPTIONS,
        )
        try:
            self.pool.open(wait=True, timeout=CONNECT_TIMEOUT_S + 1)
        except PoolTimeout as exc:
            self.pool.close()
            raise unavailable(url, exc) from exc

    def take(self) -> PgDatabase:
        """A connection of the pool's, as a Database (give it back with `give_back`)."""
        try:
            conn = self.pool.getconn(timeout=30)
        except (PoolTimeout, psycopg.Error) as exc:
            raise unavailable(self.url, exc) from exc
        db = PgDatabase(conn, self.identity_tables)
        if not self.identity_tables:
            refresh_identity_tables(db.pg)
        return db

    def give_back(self, db: PgDatabase) -> bool:
        """Return `db`'s connection to the pool unless a transaction is open on it."""
        if db.pg.in_transaction:
            return False
        with contextlib.suppress(psycopg.Error):
            self.pool.putconn(db.pg.raw)
        return True

    def peek(self, sql: str) -> Any:
        text, _ = translate(sql, with_params=False)
        try:
            with self.pool.connection(timeout=30) as conn:
                row = conn.execute(text.encode()).fetchone()
        except (PoolTimeout, psycopg.Error) as exc:
            raise unavailable(self.url, exc) from exc
        return row[0] if row else None

    def close(self) -> None:
        self.pool.close(timeout=5)


_MIGRATION_LOCK = 7_248_001  # the advisory lock migrating instances queue on


def apply_pg_migrations(db: PgDatabase, shipped: Sequence[Callable[[Database], None]]) -> None:
    """Apply the numbered migrations not yet recorded, each in its own transaction, the
    same list SQLite applies. Instances starting together queue on an advisory lock."""
    raw = db.pg.raw
    with _sqlite_errors():
        raw.execute(f"SELECT pg_advisory_lock({_MIGRATION_LOCK})".encode())
    try:
        with db.atomic():
            raw.execute(PG_COMPAT.encode())
        _apply_pending(db, shipped)
    finally:
        with contextlib.suppress(psycopg.Error):
            raw.execute(f"SELECT pg_advisory_unlock({_MIGRATION_LOCK})".encode())


def _apply_pending(db: PgDatabase, shipped: Sequence[Callable[[Database], None]]) -> None:
    raw = db.pg.raw
    with _sqlite_errors():
        raw.execute(
            b"CREATE TABLE IF NOT EXISTS schema_migrations"
            b" (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
        )
        done = {str(row[0]) for row in raw.execute(b"SELECT name FROM schema_migrations").fetchall()}
    for migration in shipped:
        if migration.__name__ in done:
            continue
        with db.atomic():
            migration(db)
            _identities_past_ids(db)
            db.execute("INSERT INTO schema_migrations (name) VALUES (?)", [migration.__name__])
    refresh_identity_tables(db.pg)


def _identities_past_ids(db: PgDatabase) -> None:
    """Move each identity counter past the ids its table holds: a migration that rebuilds a
    table copies its rows with their ids, which SQLite's rowid follows and PostgreSQL's
    counter does not."""
    refresh_identity_tables(db.pg)
    for table in sorted(db.pg.identity_tables):
        db.pg.raw.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
            f" (SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)".encode()
        )


def copy_rows(db: Database, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Write `rows` into `table` with COPY (storage/copy.py); returns how many."""
    assert isinstance(db, PgDatabase)
    count = 0
    with _sqlite_errors(), db.pg.raw.cursor() as cursor:
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN".encode()) as copy:
            for row in rows:
                copy.write_row([bytes(v) if isinstance(v, memoryview) else _param(v) for v in row])
                count += 1
    return count
