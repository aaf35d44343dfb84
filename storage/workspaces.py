"""The registry of workspaces (in the home database) and each workspace's own database.

In OAuth mode every installed workspace has a database of its own, so every table
(subscriptions, follows, mutes, snoozes, the alert ledger, delivery problems, briefings,
the tracker) is per workspace with no query changed: on SQLite a file
`<folder of the home database>/workspaces/<key>.sqlite3`, on PostgreSQL a schema
`ws_<key>` in the one database, reached through the home pool with its search_path set
(`SchemaStore`). The home database keeps the registry: one row per workspace (docs/workspaces.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from storage.db import PgStore, Store, open_store
from storage.errors import DatabaseUnavailable
from storage.timestamps import utc_iso

STATUS_ACTIVE = "active"
STATUS_FORGOTTEN = "forgotten"
# Slack's team and enterprise ids: capital letters and digits (T0123ABC, E0123ABC). A key is
# part of a file name or a schema name, so nothing else is accepted.
_KEY = re.compile(r"^[A-Z0-9]{2,32}$")


class NotAWorkspaceKey(ValueError):
    """A team or enterprise id that is not one (it never names a file or a schema)."""


def checked_key(key: str) -> str:
    if not _KEY.match(key or ""):
        raise NotAWorkspaceKey(f"not a Slack team or enterprise id: {key!r}")
    return key


def workspace_key(team_id: str | None, enterprise_id: str | None, *, org_wide: bool = False) -> str:
    """The registry's key: the enterprise id for an org-wide install, else the team id."""
    key = enterprise_id if (org_wide or not team_id) else team_id
    return checked_key(key or "")


# ---------------------------------------------------------------- the registry (home database)


def register_workspace(
    db: Database, key: str, *, team_id: str | None, enterprise_id: str | None, at: datetime
) -> bool:
    """Record `key` as active; True when it was new (or forgotten before, and is back)."""
    with db.atomic():
        row = workspace_row(db, key)
        if row is not None and row["status"] == STATUS_ACTIVE:
            return False
        if row is None:
            db.execute(
                "INSERT INTO workspaces (key, team_id, enterprise_id, status, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                [key, team_id, enterprise_id, STATUS_ACTIVE, utc_iso(at)],
            )
        else:
            db.execute(
                "UPDATE workspaces SET status = ?, created_at = ?, forgotten_at = NULL,"
                " team_id = ?, enterprise_id = ? WHERE key = ?",
                [STATUS_ACTIVE, utc_iso(at), team_id, enterprise_id, key],
            )
    return True


def set_team_name(db: Database, key: str, name: str) -> None:
    db.execute("UPDATE workspaces SET team_name = ? WHERE key = ?", [name, key])


def workspace_row(db: Database, key: str) -> dict[str, Any] | None:
    return next(iter(db.query("SELECT * FROM workspaces WHERE key = ?", [key])), None)


def active_keys(db: Database) -> list[str]:
    return [
        str(row["key"])
        for row in db.query("SELECT key FROM workspaces WHERE status = ? ORDER BY key", [STATUS_ACTIVE])
    ]


def all_workspaces(db: Database) -> list[dict[str, Any]]:
    return list(db.query("SELECT * FROM workspaces ORDER BY key"))


def mark_forgotten(db: Database, key: str, at: datetime) -> None:
    """The row stays (when, not who): its name and sweep figures go with the data."""
    db.execute(
        "UPDATE workspaces SET status = ?, forgotten_at = ?, team_name = NULL, last_sweep_at = NULL,"
        " last_sweep_problems = 0, last_sweep_error = NULL WHERE key = ?",
        [STATUS_FORGOTTEN, utc_iso(at), key],
    )


def record_sweep(db: Database, key: str, at: datetime, *, problems: int, error: str | None) -> None:
    """When `key`'s jobs last ran, how many deliveries failed for good, and what stopped them."""
    record_sweeps(db, [(key, problems, error)], at)


def record_sweeps(db: Database, runs: list[tuple[str, int, str | None]], at: datetime) -> None:
    """`record_sweep` for many workspaces (key, problems, error) in one transaction."""
    with db.atomic():
        db.conn.executemany(
            "UPDATE workspaces SET last_sweep_at = ?, last_sweep_problems = ?, last_sweep_error = ?"
            " WHERE key = ?",
            [(utc_iso(at), problems, error, key) for key, problems, error in runs],
        )


# ---------------------------------------------------------------- each workspace's database


def schema_name(key: str) -> str:
    return f"ws_{checked_key(key).lower()}"


def workspace_file(home: Store, key: str) -> Path:
    return Path(home.path).expanduser().resolve().parent / "workspaces" / f"{checked_key(key)}.sqlite3"


def open_workspace_store(home: Store, key: str, *, migrate: bool = True) -> Store:
    """`key`'s own database, created and migrated when new (on the home database's engine);
    `migrate=False` for one this process has already brought up to date."""
    if not migrate:
        if isinstance(home, PgStore):
            return SchemaStore(home, schema_name(key))
        return Store(workspace_file(home, key), home.on_quiet)
    if isinstance(home, PgStore):
        from storage.migrations import apply_migrations

        schema = schema_name(key)
        home.db.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
        home.release()
        store = SchemaStore(home, schema)
        try:
            apply_migrations(store.db)
            store.release()
        except BaseException:
            store.close()
            raise
        return store
    if home.path == ":memory:":
        raise DatabaseUnavailable("workspaces need a database file, not :memory:")
    path = workspace_file(home, key)
    path.parent.mkdir(exist_ok=True)
    return open_store(path, home.on_quiet)


def purge_workspace_database(home: Store, key: str) -> None:
    """Delete `key`'s database: its file (and WAL) or its schema. Close its store first."""
    if isinstance(home, PgStore):
        home.db.execute(f'DROP SCHEMA IF EXISTS "{schema_name(key)}" CASCADE')
        home.release()
        return
    path = workspace_file(home, key)
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        leftover.unlink(missing_ok=True)


def workspace_databases(home: Store) -> Iterator[str]:
    """The keys that have a database now (files or schemas), whatever the registry says."""
    if isinstance(home, PgStore):
        rows = home.db.query(
            "SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE 'ws_%'"
        )
        names = [str(row["schema_name"]) for row in rows]
        home.release()
        yield from (name.removeprefix("ws_").upper() for name in names)
        return
    folder = Path(home.path).expanduser().resolve().parent / "workspaces"
    if folder.is_dir():
        yield from sorted(path.stem for path in folder.glob("*.sqlite3"))


class SchemaStore(PgStore):
    """One schema of the home PostgreSQL database, through the home pool: each connection a
    thread takes has its search_path set to the schema, and set back before it is returned."""

    def __init__(self, home: PgStore, schema: str) -> None:  # noqa: D107
        Store.__init__(self, home.path, home.on_quiet)
        self.pool = home.pool
        self.schema = schema

    def _take(self) -> Any:
        db = self.pool.take()
        db.pg.raw.execute(f'SET search_path TO "{self.schema}"'.encode())
        return db

    @property
    def db(self) -> Database:
        db = getattr(self._local, "db", None)
        if db is None:
            if self._closed:
                raise DatabaseUnavailable(f"schema {self.schema} is closed")
            db = self._take()
            self._local.db = db
        return db  # type: ignore[no-any-return]

    def _give_back(self, db: Any) -> bool:
        if db.pg.in_transaction:
            return False
        try:
            db.pg.raw.execute(b"SET search_path TO DEFAULT")
        except Exception:  # a broken connection: the pool's check discards it
            pass
        return self.pool.give_back(db)

    def release(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None and self._give_back(db):
            self._local.db = None

    def own_connection(self) -> Database:
        from storage.pg import own_database

        db = own_database(self.path)
        db.pg.raw.execute(f'SET search_path TO "{self.schema}"'.encode())
        return db

    def peek(self, sql: str) -> Any:
        db = self._take()
        try:
            row = db.conn.execute(sql).fetchone()
        finally:
            self._give_back(db)
        return row[0] if row else None

    def close(self) -> None:
        """Gives back this thread's connection; the pool is the home store's to close."""
        with self._lock:
            self._closed = True
        db = getattr(self._local, "db", None)
        self._local.db = None
        if db is not None:
            self._give_back(db)
