"""The stores tests get from the templates (tests/support/template_db.py) are the ones
`open_store` and `seed` would give: the same rows, schema and settings; seeding at another
time, or a store already written to, is seeded for real."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from storage.db import Store, open_store
from storage.seed import seed
from tests.support.template_db import SEEDED_AT, DatabaseTemplates

# Wall-clock times the migrations write (sqlite-migrate's record of when each ran; m015's
# `sources.created_at`): any two databases made a second apart differ there.
TIMESTAMP = re.compile(r"'(\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d+)?(?:\+00:00)?)'")


def without_wall_clock(line: str, since: datetime) -> str:
    def masked(found: re.Match[str]) -> str:
        at = datetime.fromisoformat(found.group(1))
        at = at if at.tzinfo else at.replace(tzinfo=UTC)
        return "'(wall clock)'" if since - timedelta(seconds=2) <= at <= datetime.now(UTC) else found.group(0)

    return TIMESTAMP.sub(masked, line)


def contents(store: Store, since: datetime) -> dict[str, Any]:
    """Everything a test can read: every row and schema object, and the settings that a
    database file carries (but the wall-clock times the migrations wrote since `since`)."""
    conn = store.db.conn
    return {
        "dump": [without_wall_clock(line, since) for line in conn.iterdump()],
        "pragmas": {
            name: conn.execute(f"PRAGMA {name}").fetchone()[0]
            for name in ("journal_mode", "user_version", "application_id", "page_size", "foreign_keys")
        },
    }


def made_for_real(path: Path, since: datetime, at: Any = None) -> dict[str, Any]:
    store = open_store(path)
    try:
        if at is not None:
            seed(store.db, at=at)
        return contents(store, since)
    finally:
        store.close()


def test_a_migrated_copy_is_what_opening_a_new_file_gives(
    tmp_path: Path, database_templates: DatabaseTemplates
) -> None:
    store = database_templates.open_migrated(tmp_path / "copy.db")
    try:
        assert contents(store, database_templates.built_at) == made_for_real(
            tmp_path / "real.db", database_templates.built_at
        )
    finally:
        store.close()


def test_a_seeded_copy_is_what_seeding_at_the_clock_time_gives(
    tmp_path: Path, database_templates: DatabaseTemplates
) -> None:
    store = database_templates.open_migrated(tmp_path / "copy.db")
    try:
        database_templates.seed(store, at=SEEDED_AT)
        copied = contents(store, database_templates.built_at)
        assert "'(wall clock)'" in "".join(copied["dump"])  # what is masked is there
        assert copied == made_for_real(tmp_path / "real.db", database_templates.built_at, at=SEEDED_AT)
        assert any('INSERT INTO "developers"' in line for line in copied["dump"])
        assert seed(store.db, at=SEEDED_AT)["developers"] == 0  # it knows it is seeded
    finally:
        store.close()


def test_another_seed_time_is_seeded_for_real(tmp_path: Path, database_templates: DatabaseTemplates) -> None:
    later = SEEDED_AT + timedelta(days=3, hours=1)
    store = database_templates.open_migrated(tmp_path / "copy.db")
    try:
        database_templates.seed(store, at=later)
        assert contents(store, database_templates.built_at) == made_for_real(
            tmp_path / "real.db", database_templates.built_at, at=later
        )
        assert contents(store, database_templates.built_at) != made_for_real(
            tmp_path / "at-template-time.db", database_templates.built_at, at=SEEDED_AT
        )
    finally:
        store.close()


def test_a_store_written_to_before_seeding_keeps_what_was_written(
    tmp_path: Path, database_templates: DatabaseTemplates
) -> None:
    store = database_templates.open_migrated(tmp_path / "copy.db")
    try:
        store.db.execute("INSERT INTO app_state (key, value) VALUES ('probe', '1')")
        database_templates.seed(store, at=SEEDED_AT)
        assert store.db.execute("SELECT value FROM app_state WHERE key = 'probe'").fetchone() == ("1",)
        assert store.db.execute("SELECT count(*) FROM developers").fetchone()[0] > 0
    finally:
        store.close()


def test_each_copy_is_a_file_of_its_own(tmp_path: Path, database_templates: DatabaseTemplates) -> None:
    first = database_templates.open_migrated(tmp_path / "first.db")
    second = database_templates.open_migrated(tmp_path / "second.db")
    try:
        database_templates.seed(first, at=SEEDED_AT)
        database_templates.seed(second, at=SEEDED_AT)
        first.db.execute("UPDATE developers SET name = 'Changed' WHERE id = 'meta'")
        assert second.db.execute("SELECT name FROM developers WHERE id = 'meta'").fetchone() == ("Meta",)
        assert database_templates.seeded.stat().st_size > 0
    finally:
        first.close()
        second.close()


def test_a_large_copy_is_what_filling_a_new_file_gives(
    tmp_path: Path, database_templates: DatabaseTemplates
) -> None:
    from tests.support.large_tracker import make_large_tracker

    store = database_templates.open_migrated(tmp_path / "copy.db")
    real = open_store(tmp_path / "real.db")
    try:
        counts = database_templates.large(store)
        assert counts == make_large_tracker(real.db)
        assert counts["models"] == 5000
        assert contents(store, database_templates.built_at) == contents(real, database_templates.built_at)
        again = database_templates.open_migrated(tmp_path / "again.db")  # the template, reused
        try:
            assert database_templates.large(again) == counts
            assert contents(again, database_templates.built_at) == contents(real, database_templates.built_at)
        finally:
            again.close()
    finally:
        store.close()
        real.close()


def test_a_store_written_to_is_filled_for_real(tmp_path: Path, database_templates: DatabaseTemplates) -> None:
    store = database_templates.open_migrated(tmp_path / "copy.db")
    try:
        store.db.execute("INSERT INTO app_state (key, value) VALUES ('probe', '1')")
        assert database_templates.large(store)["models"] == 5000
        assert store.db.execute("SELECT value FROM app_state WHERE key = 'probe'").fetchone() == ("1",)
    finally:
        store.close()
