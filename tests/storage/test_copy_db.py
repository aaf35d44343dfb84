"""`python app.py copy-db FROM TO` (issue 27): the seeded tracker and the large bench tracker
go from SQLite to PostgreSQL and back with every table's rows and checksum unchanged; a
target that already holds a tracker is refused with one line."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.tracker import bench_now, build_bench_db
from bot.settings import Settings
from storage.copy import copied_columns, copied_tables, table_summary
from storage.db import open_store
from storage.seed import seed
from tests.support.app_process import clean_env, run_app
from tests.support.pg_databases import PgDatabases
from tests.support.template_db import SEEDED_AT


@pytest.fixture
def pg_url(pg_databases: PgDatabases) -> Iterator[str]:
    url = pg_databases.empty_url()
    yield url
    pg_databases.drop(url)


def summaries(location: str | Path) -> dict[str, tuple[int, str]]:
    store = open_store(location)
    try:
        db = store.db
        return {
            t: (s.rows, s.checksum)
            for t in copied_tables(db)
            if t != "tracker_generation"
            for s in [table_summary(db, t, copied_columns(db, t))]
        }
    finally:
        store.close()


def round_trip(original: Path, pg_url: str, tmp_path: Path) -> None:
    back = tmp_path / "back.db"
    there = run_app(["copy-db", f"sqlite:///{original}", pg_url], clean_env(), tmp_path, timeout=600)
    assert there.returncode == 0, there.stderr
    assert "row counts and checksums match" in there.stdout
    again = run_app(["copy-db", pg_url, str(back)], clean_env(), tmp_path, timeout=600)
    assert again.returncode == 0, again.stderr
    before, after = summaries(original), summaries(back)
    assert before == after
    assert summaries(pg_url) == before


def test_the_seeded_tracker_round_trips(pg_url: str, tmp_path: Path) -> None:
    original = tmp_path / "seeded.db"
    store = open_store(original)
    seed(store.db, at=SEEDED_AT)
    store.close()
    round_trip(original, pg_url, tmp_path)


def test_the_large_bench_tracker_round_trips(pg_url: str, tmp_path: Path) -> None:
    original = tmp_path / "bench.db"
    counts = build_bench_db(original, Settings(), now=bench_now())
    assert counts["models"] == 5000 and counts["ledger"] > 0
    round_trip(original, pg_url, tmp_path)
    store = open_store(pg_url)  # the copy is a working tracker: new rows get new ids
    try:
        seed(store.db, at=SEEDED_AT)
        assert store.db.execute("SELECT COUNT(*) FROM models").fetchone()[0] > 5000
    finally:
        store.close()


def test_a_target_holding_a_tracker_is_refused(pg_url: str, tmp_path: Path) -> None:
    original = tmp_path / "seeded.db"
    store = open_store(original)
    seed(store.db, at=SEEDED_AT)
    store.close()
    assert run_app(["copy-db", str(original), pg_url], clean_env(), tmp_path).returncode == 0
    done = run_app(["copy-db", str(original), pg_url], clean_env(), tmp_path)
    assert done.returncode == 2
    assert "already holds a tracker (developers has rows); copy into an empty one" in done.stderr
