"""Statements that PostgreSQL runs differently from SQLite, beyond what storage/pg_dialect.py
rewrites: each is a faster way to ask the same question, named here and called by the storage
function that asks it (which keeps SQLite's statement beside it).

- `keys_present`: which of many keys a table has, as one statement with the keys in one
  array parameter (`= ANY(?)`) instead of SQLite's IN lists of at most 900 bound values: a
  sweep's 6,600 keys at 1,000 models took 9 statements and 87 ms, each list parsed and
  planned anew; one array takes 12-20 ms.

No psycopg here: the statements go through the connection's `execute_bound` (storage/pg.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlite_utils import Database

# Keys per array: bounds the statement's size (about 60 bytes a key) for the largest sweeps.
ARRAY_CHUNK = 100_000


def is_postgresql(db: Database) -> bool:
    return getattr(db, "engine", "sqlite") == "postgresql"


def keys_present(db: Database, table: str, column: str, keys: Iterable[str]) -> set[str]:
    """Which of `keys` `table` has in its indexed text `column` (PostgreSQL only)."""
    pg: Any = db
    values = sorted(set(keys))
    found: set[str] = set()
    for start in range(0, len(values), ARRAY_CHUNK):
        rows = pg.execute_bound(
            f"SELECT {column} FROM {table} WHERE {column} = ANY(?)", [values[start : start + ARRAY_CHUNK]]
        ).fetchall()
        found.update(row[0] for row in rows)
    return found
