"""Databases for tests, copied from templates built once per test session (per xdist worker).

Migrating a new database file costs about 85 ms of CPU and several fsyncs (hundreds of ms on
a busy disk) and seeding it another 15-20 ms; most tests need exactly the same migrated or
migrated-and-seeded database. The templates are made the real way (`open_store`, `seed`)
once; each test gets a page-for-page copy in its own tmp_path.

A seeded copy is given only where it is what seeding would give: the seed time is the
template's (`SEEDED_AT`, the conftest clock's) and nothing has written to the test's store
since it was opened. Any other case seeds for real.
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import weakref
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from storage.db import Store, open_store
from storage.seed import seed

# The conftest clock's time (2026-07-24 10:00 in New York): the seeded template's `at`.
SEEDED_AT = datetime(2026, 7, 24, 14, 0, tzinfo=UTC)


def _settled_copy_source(store: Store) -> None:
    """Write everything into the main file (WAL checkpointed away), then close."""
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()


def _data_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA data_version").fetchone()[0])


@dataclass(frozen=True)
class _Untouched:
    """How a store looked just after it was opened: its connection, that connection's
    own changes, and the data version (which moves when another connection commits)."""

    conn: sqlite3.Connection
    total_changes: int
    data_version: int


class DatabaseTemplates:
    """A migrated template and a migrated-and-seeded one (seeded at SEEDED_AT) in `folder`."""

    def __init__(self, folder: Path) -> None:
        # Migrations stamp a few rows with the wall-clock time they ran (when m015 recorded
        # the reports, in `sources.created_at`): a copy carries this time, not the test's.
        self.built_at = datetime.now(UTC)
        self.migrated = folder / "migrated.db"
        self.seeded = folder / "seeded.db"
        store = open_store(self.migrated)
        _settled_copy_source(store)
        shutil.copyfile(self.migrated, self.seeded)
        store = open_store(self.seeded)
        seed(store.db, at=SEEDED_AT)
        _settled_copy_source(store)
        self._opened: weakref.WeakKeyDictionary[Store, _Untouched] = weakref.WeakKeyDictionary()
        self._large: tuple[Path, dict[str, int]] | None = None  # built on first use

    def open_migrated(self, path: Path) -> Store:
        """A store at `path` (a new file): what `open_store(path)` gives on a missing file."""
        shutil.copyfile(self.migrated, path)
        store = open_store(path)  # the schema is current: this only checks it
        conn = store.db.conn
        self._opened[store] = _Untouched(conn, conn.total_changes, _data_version(conn))
        return store

    def seed(self, store: Store, at: datetime) -> None:
        """What `seed(store.db, at=at)` does, from the seeded template where that is the same."""
        if getattr(store, "engine", "sqlite") == "sqlite" and at == SEEDED_AT and self._untouched(store):
            with contextlib.closing(sqlite3.connect(self.seeded)) as template:
                template.backup(store.db.conn)
            return
        seed(store.db, at=at)

    def large(self, store: Store) -> dict[str, int]:
        """What `make_large_tracker(store.db)` (tests/support/large_tracker.py, its default
        size) does on a store just opened on a new file, from a template filled once (about
        0.4 CPU-seconds a time); any other store is filled for real. Returns the counts."""
        from tests.support.large_tracker import make_large_tracker

        if getattr(store, "engine", "sqlite") != "sqlite" or not self._untouched(store):
            return make_large_tracker(store.db)
        if self._large is None:
            path = self.migrated.with_name("large.db")
            shutil.copyfile(self.migrated, path)
            template = open_store(path)
            counts = make_large_tracker(template.db)
            _settled_copy_source(template)
            self._large = (path, counts)
        path, counts = self._large
        with contextlib.closing(sqlite3.connect(path)) as source:
            source.backup(store.db.conn)
        return dict(counts)

    def _untouched(self, store: Store) -> bool:
        opened = self._opened.pop(store, None)
        if opened is None:
            return False
        conn = store.db.conn
        return (
            conn is opened.conn
            and not conn.in_transaction
            and conn.total_changes == opened.total_changes
            and _data_version(conn) == opened.data_version
            and len(store._all) == 1
            and store._shared is None
        )
