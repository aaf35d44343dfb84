"""Statements that PostgreSQL runs differently from SQLite, beyond what storage/pg_dialect.py
rewrites: each is a faster way to ask the same question, named here and called by the storage
function that asks it (which keeps SQLite's statement beside it).

- `keys_present`: which of many keys a table has, as one statement with the keys in one
  array (`= ANY(...)`) instead of SQLite's IN lists of at most 900 bound values: a sweep's
  6,600 keys at 1,000 models took 9 statements and 87 ms, each list parsed and planned
  anew; one array takes about 11 ms.

No psycopg here: the statements go through the connection's `execute_bound` (storage/pg.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlite_utils import Database

# Keys per statement: bounds its size (about 60 bytes a key) for the largest sweeps. Measured on
# 1.45 million rows (a 100,000-model ledger), 100,000 keys took 177-202 ms in chunks of 2,000
# to 100,000 (planning a 100,000-key array alone 27 ms) against 403 ms in IN lists of 900.
ARRAY_CHUNK = 20_000
# The keys go as one text joined by the ASCII unit separator and split by the server: psycopg
# spells out a list parameter element by element in Python (6.6 ms for 6,600 keys; joining
# them, 0.1 ms). A chunk with an empty key or one holding the separator goes as a list.
_SEPARATOR = chr(31)


def is_postgresql(db: Database) -> bool:
    return getattr(db, "engine", "sqlite") == "postgresql"


def keys_present(db: Database, table: str, column: str, keys: Iterable[str]) -> set[str]:
    """Which of `keys` `table` has in its indexed text `column` (PostgreSQL only)."""
    pg: Any = db
    values = sorted(set(keys))
    found: set[str] = set()
    for start in range(0, len(values), ARRAY_CHUNK):
        chunk = values[start : start + ARRAY_CHUNK]
        joined = _SEPARATOR.join(chunk)
        # Unless a key holds the separator itself, or is empty (which splits to nothing).
        if joined.count(_SEPARATOR) == len(chunk) - 1 and chunk[0] != "":
            sql = f"SELECT {column} FROM {table} WHERE {column} = ANY(string_to_array(?, chr(31)))"
            rows = pg.execute_bound(sql, [joined]).fetchall()
        else:
            rows = pg.execute_bound(
                f"SELECT {column} FROM {table} WHERE {column} = ANY(?)", [chunk]
            ).fetchall()
        found.update(row[0] for row in rows)
    return found
