"""The tracker's generation (storage/generation.py, migration m020): every table is either
watched (a write moves the generation, whoever writes) or listed as not read by any kept
answer; a table added later fails here until it is put in one of the two sets."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from storage.db import open_store
from storage.generation import UNWATCHED_TABLES, WATCHED_TABLES, tracker_generation


def test_every_table_is_watched_or_listed_as_unwatched(tmp_path: Path) -> None:
    store = open_store(tmp_path / "g.db")
    try:
        tables = {
            r[0]
            for r in store.db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                "AND name != '_sqlite_migrations'"
            )
        }
        assert WATCHED_TABLES.isdisjoint(UNWATCHED_TABLES)
        assert tables == WATCHED_TABLES | UNWATCHED_TABLES, "classify new tables in storage/generation.py"
        triggers = {
            r[0]
            for r in store.db.execute(
                "SELECT tbl_name || ':' || name FROM sqlite_master WHERE type = 'trigger'"
            )
        }
        for table in WATCHED_TABLES:
            for op in ("insert", "update", "delete"):
                assert f"{table}:generation_{table}_{op}" in triggers
    finally:
        store.close()


def test_writes_to_watched_tables_move_it_and_ledger_writes_do_not(tmp_path: Path) -> None:
    path = tmp_path / "g.db"
    store = open_store(path)
    try:
        start = tracker_generation(store)
        with sqlite3.connect(path) as other:  # another connection: the shared one must see it
            other.execute(
                "INSERT INTO developers (id, name, status, source, created_at, updated_at, updated_by) "
                "VALUES ('x', 'X Labs', 'signed', 'https://example.org/x', '2026-07-01T00:00:00Z', "
                "'2026-07-01T00:00:00Z', 'U1')"
            )
        assert tracker_generation(store) == start + 1
        store.db.execute("UPDATE developers SET name = 'X' WHERE id = 'x'")
        assert tracker_generation(store) == start + 2
        store.db.execute("DELETE FROM developers WHERE id = 'x'")
        assert tracker_generation(store) == start + 3
        store.db.execute("INSERT INTO app_state (key, value) VALUES ('k', 'v')")
        assert tracker_generation(store) == start + 3
    finally:
        store.close()
