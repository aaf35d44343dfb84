"""Operations on the database file itself: a health probe and an online backup."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from urllib.parse import quote

from storage.db import BUSY_TIMEOUT_MS, DatabaseUnavailable


def _open_existing(path: str | Path, mode: str) -> sqlite3.Connection:
    """A connection to a database file that must already exist (never creates one)."""
    uri = f"file:{quote(str(Path(path).expanduser().resolve()))}?mode={mode}"
    return sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)


def probe_database(path: str | Path) -> str | None:
    """None when the database file is there, readable and migrated; else what is wrong.

    It opens a fresh connection on purpose: a connection the app already holds keeps
    working on a file that has been deleted, and would report a lost database as fine.
    On PostgreSQL: a new connection (not the pool's) that reads the same table.
    """
    if str(path).startswith(("postgresql://", "postgres://")):
        return _probe_postgres(str(path))
    try:
        conn = _open_existing(path, "rw")
    except sqlite3.Error as exc:
        return f"cannot open database {path}: {exc}"
    try:
        conn.execute("SELECT count(*) FROM app_state").fetchone()
    except sqlite3.Error as exc:
        return f"database {path} is not usable: {exc}"
    finally:
        conn.close()
    return None


def _probe_postgres(url: str) -> str | None:
    from storage.pg import probe

    return probe(url)


def backup_database(source: str | Path, destination: str | Path) -> int:
    """Copy the live database to `destination` with SQLite's online backup; returns pages copied.

    Safe while the app runs and writes: the backup API copies a consistent snapshot.
    The copy is written to a temporary name first, so a failed backup leaves no half file.
    """
    if str(source).startswith(("postgresql://", "postgres://")):
        raise DatabaseUnavailable(
            "backup copies a SQLite file; on PostgreSQL use pg_dump (or copy-db to a sqlite:/// file)"
        )
    target = Path(destination).expanduser()
    if target.is_dir():
        raise DatabaseUnavailable(f"backup target {target} is a folder: give a file name")
    if not target.resolve().parent.is_dir():
        raise DatabaseUnavailable(f"cannot write backup {target}: folder {target.parent} does not exist")
    if target.resolve() == Path(source).expanduser().resolve():
        raise DatabaseUnavailable("the backup target is the database itself: give another path")
    try:
        src = _open_existing(source, "ro")
    except sqlite3.Error as exc:
        raise DatabaseUnavailable(f"cannot open database {source}: {exc}") from exc
    partial = target.with_name(target.name + ".partial")
    try:
        dst = sqlite3.connect(str(partial))
        try:
            src.backup(dst)
            pages = dst.execute("PRAGMA page_count").fetchone()[0]
        finally:
            dst.close()
        partial.replace(target)
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise DatabaseUnavailable(f"cannot back up {source} to {target}: {exc}") from exc
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise DatabaseUnavailable(f"cannot write backup {target}: {exc.strerror or exc}") from exc
    finally:
        src.close()
    return int(pages)
