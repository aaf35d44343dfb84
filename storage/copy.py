"""`python app.py copy-db FROM TO`: move a tracker between databases (SQLite to PostgreSQL,
or back) with nothing lost.

Both are opened and migrated; the target must hold no tracker yet (what migrations write
is replaced). Every table both have is copied, parents before the tables whose foreign
keys point at them, in one transaction; PostgreSQL's identity counters are moved past the
copied ids. Then, inside the same transaction, each table's row count and a checksum of
its rows (values normalised, in a fixed order) are compared with the source's: a difference
raises and the transaction is rolled back, so the target is written only when all match.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from storage.db import DatabaseUnavailable, Store, open_store, shown_location
from storage.sql import placeholders

# Tables each engine keeps for itself (the migrations' records), never copied.
_OWN_TABLES = frozenset({"_sqlite_migrations", "schema_migrations"})
# Tables migrations fill on a new database: replaced by the source's rows.
_REPLACED = ("sources", "tracker_generation")
_BATCH = 2_000


@dataclass(frozen=True)
class TableCopy:
    table: str
    rows: int
    checksum: str


def _postgres(db: Database) -> bool:
    return getattr(db, "engine", "sqlite") == "postgresql"


def copied_tables(db: Database) -> list[str]:
    if _postgres(db):
        sql = (
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        )
    else:
        sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    return sorted(str(r[0]) for r in db.execute(sql).fetchall() if str(r[0]) not in _OWN_TABLES)


def copied_columns(db: Database, table: str) -> list[str]:
    if _postgres(db):
        rows = db.execute(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position",
            [table],
        ).fetchall()
        return [str(r[0]) for r in rows if r[0] != "rowid"]  # the stand-in for SQLite's rowid
    return [str(r[1]) for r in db.execute(f"PRAGMA table_info({table})").fetchall()]


def _parents(db: Database, table: str) -> set[str]:
    if _postgres(db):
        rows = db.execute(
            "SELECT DISTINCT ccu.table_name FROM information_schema.table_constraints tc"
            " JOIN information_schema.constraint_column_usage ccu"
            " ON ccu.constraint_name = tc.constraint_name"
            " WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_name = ?",
            [table],
        ).fetchall()
        return {str(r[0]) for r in rows} - {table}
    return {str(r[2]) for r in db.execute(f"PRAGMA foreign_key_list({table})").fetchall()} - {table}


def _in_key_order(db: Database, tables: list[str]) -> list[str]:
    """`tables`, each after the tables its foreign keys point at."""
    parents = {t: _parents(db, t) & set(tables) for t in tables}
    done: list[str] = []
    while len(done) < len(tables):
        ready = [t for t in tables if t not in done and parents[t] <= set(done)]
        if not ready:
            raise DatabaseUnavailable(f"copy-db: foreign keys form a circle among {sorted(parents)}")
        done += ready
    return done


def _normal(value: Any) -> str:
    if value is None:
        return "\x00null"
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, float) and value.is_integer():
        return repr(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "\x00bytes:" + bytes(value).hex()
    return f"{type(value).__name__}:{value}"


def _rows(db: Database, table: str, columns: list[str]) -> Iterator[tuple[Any, ...]]:
    yield from db.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall()


def table_summary(db: Database, table: str, columns: list[str]) -> TableCopy:
    """The row count and a checksum of `table` over `columns`, the same on either engine."""
    lines = sorted("\x1f".join(_normal(v) for v in row) for row in _rows(db, table, columns))
    digest = hashlib.sha256()
    for line in lines:
        digest.update(line.encode())
        digest.update(b"\x1e")
    return TableCopy(table, len(lines), digest.hexdigest())


def _move_identities(db: Database, table: str, columns: list[str]) -> None:
    identity = (
        "SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = current_schema()"
        " AND table_name = ? AND column_name = 'id' AND is_identity = 'YES'"
    )
    if _postgres(db) and "id" in columns and db.execute(identity, [table]).fetchone()[0]:
        db.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
            f" (SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
        )


def _copy_table(source: Database, target: Database, table: str, columns: list[str]) -> None:
    if _postgres(target):  # PostgreSQL's COPY: several times faster than batched INSERTs
        from storage.pg import copy_rows

        copy_rows(target, table, columns, _rows(source, table, columns))
        _move_identities(target, table, columns)
        return
    insert = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders(columns)})"
    batch: list[tuple[Any, ...]] = []
    for row in _rows(source, table, columns):
        batch.append(tuple(bytes(v) if isinstance(v, memoryview) else v for v in row))
        if len(batch) >= _BATCH:
            target.conn.executemany(insert, batch)
            batch = []
    if batch:
        target.conn.executemany(insert, batch)
    _move_identities(target, table, columns)


def _check_empty(target: Database, where: str) -> None:
    for table in ("developers", "subscriptions", "history"):
        if target.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]:
            raise DatabaseUnavailable(
                f"copy-db: {where} already holds a tracker ({table} has rows); copy into an empty one"
            )


def copy_database(source_location: str, target_location: str) -> list[TableCopy]:
    """Copy every table from the source to the (new or empty) target; returns what was
    compared. Raises DatabaseUnavailable when the target is not empty or a table differs."""
    source_store: Store = open_store(source_location)
    try:
        target_store = open_store(target_location)
        try:
            return _copy(source_store.db, target_store.db, shown_location(target_location))
        finally:
            target_store.close()
    finally:
        source_store.close()


def _copy(source: Database, target: Database, where: str) -> list[TableCopy]:
    _check_empty(target, where)
    shared = sorted(set(copied_tables(source)) & set(copied_tables(target)))
    order = _in_key_order(target, shared)
    compared: list[TableCopy] = []
    with target.atomic():
        for table in reversed(order):
            if table in _REPLACED or target.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]:
                target.execute(f"DELETE FROM {table}")
        for table in order:
            columns = [c for c in copied_columns(source, table) if c in set(copied_columns(target, table))]
            _copy_table(source, target, table, columns)
        for table in order:
            columns = [c for c in copied_columns(source, table) if c in set(copied_columns(target, table))]
            expected, copied = table_summary(source, table, columns), table_summary(target, table, columns)
            if table == "tracker_generation":
                continue  # the copy's own writes move it: only that it exists matters
            if expected != copied:
                raise DatabaseUnavailable(
                    f"copy-db: {table} differs after the copy ({expected.rows} rows, {copied.rows} copied);"
                    " nothing was written"
                )
            compared.append(expected)
    return compared
