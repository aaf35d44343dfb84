"""A shared tracker's copy in each reading workspace's database (bot/tenancy/shared.py).

The tracker tables are read from the editor's database in one transaction and written into
a reader's in one transaction, ids and history included, so a reader sees the editor's
tracker as it was after some change, never half of one; the copy's history ids are the
editor's, so the readers' sweep cursors (subscriptions' swept_history_id) stay meaningful.
"""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

# Parents before children (foreign keys): written in this order, deleted in the reverse.
TRACKER_TABLES = (
    "sources",
    "developers",
    "models",
    "deadlines",
    "events",
    "event_developers",
    "framework_facts",
    "contests",
    "claims",
    "citations",
    "history",
)
# Columns holding a person's id, per table (blanked by `anonymise_authors`).
AUTHOR_COLUMNS = {
    "history": ("actor",),
    "developers": ("updated_by",),
    "models": ("updated_by",),
    "deadlines": ("updated_by",),
    "events": ("updated_by",),
    "framework_facts": ("updated_by",),
    "sources": ("created_by",),
    "contests": ("opened_by", "resolved_by"),
}
COPIED_STATE_KEY = "shared_tracker_copied"  # app_state: the editor's generation last copied

Table = tuple[list[str], list[tuple[Any, ...]]]


def read_tracker(db: Database) -> dict[str, Table]:
    """Every tracker table's columns and rows, read in one transaction."""
    tables: dict[str, Table] = {}
    with db.atomic():
        for table in TRACKER_TABLES:
            cursor = db.execute(f"SELECT * FROM {table}")
            columns = [column[0] for column in cursor.description]
            tables[table] = (columns, [tuple(row) for row in cursor.fetchall()])
    return tables


def write_tracker(db: Database, tables: dict[str, Table], generation: int) -> None:
    """Replace the tracker in `db` with `tables` (from `read_tracker`), in one transaction,
    recording which of the editor's generations it is."""
    with db.atomic():
        for table in reversed(TRACKER_TABLES):
            db.execute(f"DELETE FROM {table}")
        for table in TRACKER_TABLES:
            columns, rows = tables[table]
            if rows:
                marks = ", ".join("?" for _ in columns)
                db.conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)
        db.execute(
            "INSERT INTO app_state (key, value) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [COPIED_STATE_KEY, str(generation)],
        )


def copied_generation(db: Database) -> int | None:
    row = next(iter(db.query("SELECT value FROM app_state WHERE key = ?", [COPIED_STATE_KEY])), None)
    return int(row["value"]) if row and row["value"] is not None else None


def anonymise_authors(db: Database, replacement: str) -> None:
    """Replace every person's id in the tracker by `replacement` (the changes stay)."""
    with db.atomic():
        for table, columns in AUTHOR_COLUMNS.items():
            for column in columns:
                db.execute(f"UPDATE {table} SET {column} = ? WHERE {column} IS NOT NULL", [replacement])
