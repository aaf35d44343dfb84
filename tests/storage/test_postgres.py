"""PostgreSQL by URL (issue 27): the settings, `python app.py migrate` on both engines, the
schema's rules holding on PostgreSQL, one-line errors, and SQLite loading no PostgreSQL code."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.settings import SettingsError, load_settings
from storage.db import Store, open_store
from storage.generation import tracker_generation
from storage.pg_dialect import split_script, translate, translate_script
from tests.support.app_process import clean_env, run_app

NOW = datetime(2026, 7, 24, 14, 0, tzinfo=UTC)
DEVELOPER = (
    "INSERT INTO developers (id, name, status, created_at, updated_at, updated_by)"
    " VALUES (?, ?, ?, '2026-07-01T00:00:00Z', '2026-07-01T00:00:00Z', 'U1')"
)


def test_the_database_url_chooses_the_engine() -> None:
    pg = "postgresql://rw:secret@db.internal:5432/reviewwatch"
    assert load_settings({"REVIEWWATCH_DATABASE_URL": pg}).db_path == pg
    assert load_settings({"REVIEWWATCH_DATABASE_URL": "sqlite:///data/rw.db"}).db_path == "data/rw.db"
    assert load_settings({"REVIEWWATCH_DB": "other.db"}).db_path == "other.db"
    assert load_settings({}).db_path == "reviewwatch.db"
    assert "secret" not in repr(load_settings({"REVIEWWATCH_DATABASE_URL": pg}))
    with pytest.raises(SettingsError, match="postgresql://... or sqlite:///PATH, not a mysql URL"):
        load_settings({"REVIEWWATCH_DATABASE_URL": "mysql://db/rw"})


def test_the_dialect_differences_are_translated() -> None:
    assert translate("SELECT * FROM t WHERE a = ? AND b IS NOT ? AND c LIKE '5%'") == (
        "SELECT * FROM t WHERE a = %s AND b IS DISTINCT FROM %s AND c ILIKE '5%%'",
        None,
    )
    assert translate("INSERT OR IGNORE INTO follows (a) VALUES (:a)") == (
        "INSERT INTO follows (a) VALUES (%(a)s) ON CONFLICT DO NOTHING",
        "follows",
    )
    assert translate("SELECT 1 WHERE x IN () ORDER BY name COLLATE NOCASE")[0] == (
        "SELECT 1 WHERE x IN (SELECT NULL WHERE FALSE) ORDER BY lower(name)"
    )
    assert translate("SELECT key FROM t WHERE key = ? AND +claim_token IS NOT ?")[0] == (
        "SELECT key FROM t WHERE key = %s AND (claim_token || '') IS DISTINCT FROM %s"
    )  # SQLite's `+` keeps the planner off that column's index: an expression no index covers
    trigger = "CREATE TRIGGER g AFTER INSERT ON t BEGIN UPDATE n SET n = n + 1; END; CREATE TABLE x (a TEXT);"
    assert len(split_script(trigger)) == 2
    function, create = translate_script(trigger)[:2]
    assert "LANGUAGE plpgsql" in function and "UPDATE n SET n = n + 1" in function
    assert create == "CREATE TRIGGER g AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION g_fn()"


def test_sqlite_by_default_loads_no_postgresql_code(tmp_path: Path) -> None:
    code = (
        "import sys; from storage.db import open_store; open_store(sys.argv[1]).close();"
        "print(sorted(m for m in sys.modules if m.startswith(('psycopg', 'storage.pg'))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "r.db")],
        capture_output=True,
        text=True,
        cwd=Path(__file__).parents[2],
        check=True,
    )
    assert done.stdout.strip() == "[]"


def test_migrate_makes_the_schema_on_a_sqlite_url(tmp_path: Path) -> None:
    done = run_app(["migrate"], clean_env(REVIEWWATCH_DATABASE_URL=f"sqlite:///{tmp_path}/m.db"), tmp_path)
    assert done.returncode == 0, done.stderr
    assert "is up to date" in done.stdout
    with sqlite3.connect(tmp_path / "m.db") as conn:
        assert conn.execute("SELECT COUNT(*) FROM tracker_generation").fetchone() == (1,)


def test_an_unreachable_server_is_one_line_and_exit_2(tmp_path: Path) -> None:
    url = "postgresql://rw:secret@127.0.0.1:9/reviewwatch"  # port 9 (discard): nothing listens
    done = run_app(["migrate"], clean_env(REVIEWWATCH_DATABASE_URL=url), tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith(
        "review-watch: cannot reach PostgreSQL at postgresql://127.0.0.1:9/reviewwatch"
    )
    assert len(done.stderr.strip().splitlines()) == 1 and "secret" not in done.stderr


def test_a_malformed_url_is_one_line_and_exit_2(tmp_path: Path) -> None:
    done = run_app(["migrate"], clean_env(REVIEWWATCH_DATABASE_URL="postgresql://h/db?nonsense=1"), tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "review-watch: REVIEWWATCH_DATABASE_URL is not a PostgreSQL URL:"
        ' invalid URI query parameter: "nonsense"'
    )


@pytest.fixture
def pg_url(engine: str, pg_databases: object) -> str:
    from tests.support.pg_databases import PgDatabases

    assert isinstance(pg_databases, PgDatabases)
    return pg_databases.empty_url()


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
def test_migrate_makes_the_schema_on_postgresql_once(pg_url: str, tmp_path: Path) -> None:
    env = clean_env(REVIEWWATCH_DATABASE_URL=pg_url)
    first = run_app(["migrate"], env, tmp_path)
    assert first.returncode == 0, first.stderr
    again = run_app(["migrate"], env, tmp_path)
    assert again.returncode == 0, again.stderr
    seeded = run_app(["seed"], env, tmp_path)
    assert seeded.returncode == 0, seeded.stderr
    store = open_store(pg_url)
    try:
        names = [r["name"] for r in store.db.query("SELECT name FROM schema_migrations ORDER BY applied_at")]
        from storage.migrations import SHIPPED

        assert names == [m.__name__ for m in SHIPPED]
        assert store.db.execute("SELECT COUNT(*) FROM developers").fetchone()[0] > 0
    finally:
        store.close()


def test_the_schema_rules_hold(store: Store) -> None:
    """On both engines: CHECK constraints, unique indexes (case-folded), the generation."""
    start = tracker_generation(store)
    store.db.execute(DEVELOPER, ["acme", "Acme", "signed"])
    assert tracker_generation(store) == start + 1  # the trigger moved it, seen on another connection
    with pytest.raises(sqlite3.IntegrityError):
        store.db.execute(DEVELOPER, ["bad", "Bad", "maybe"])
    model = (
        "INSERT INTO models (developer_id, name, created_at, updated_at, updated_by)"
        " VALUES ('acme', ?, '2026-07-01', '2026-07-01', 'U1')"
    )
    assert store.db.execute(model, ["Rocket"]).lastrowid
    with pytest.raises(sqlite3.IntegrityError):
        store.db.execute(model, ["ROCKET"])  # models_developer_name: unique, case folded
    with pytest.raises(sqlite3.IntegrityError):  # foreign keys
        store.db.execute(
            "INSERT INTO models (developer_id, name, created_at, updated_at, updated_by)"
            " VALUES ('nobody', 'X', '2026-07-01', '2026-07-01', 'U1')"
        )
    with pytest.raises(sqlite3.IntegrityError):
        with store.db.atomic():
            store.db.execute(DEVELOPER, ["acme2", "Acme 2", "holdout"])
            store.db.execute(DEVELOPER, ["acme2", "Acme 2", "holdout"])
    assert store.db.execute("SELECT COUNT(*) FROM developers WHERE id = 'acme2'").fetchone()[0] == 0


@pytest.mark.parametrize("require", ["", "1"])
def test_without_a_server_the_postgresql_half_is_skipped_loudly_or_fails_in_ci(require: str) -> None:
    env = clean_env(REVIEWWATCH_REQUIRE_POSTGRES=require)
    env.pop("REVIEWWATCH_TEST_DATABASE_URL", None)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-n",
            "0",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/storage/test_board.py",
        ],
        capture_output=True,
        text=True,
        cwd=Path(__file__).parents[2],
        env=env,
        timeout=300,
    )
    if require:
        assert done.returncode != 0
        assert "REVIEWWATCH_TEST_DATABASE_URL is not set but REVIEWWATCH_REQUIRE_POSTGRES=1" in done.stdout
    else:
        assert done.returncode == 0, done.stdout
        assert "PostgreSQL tests SKIPPED: no server given" in done.stdout
        assert "*** 5 PostgreSQL tests SKIPPED" in done.stdout


def _ledger_rows(prefix: str, count: int) -> list[tuple[object, ...]]:
    return [
        (f"{prefix}{n:05d}", "deadline", "model", str(n), "2026-08-01", 7, "slack", "C1", 1, "2026-07", "{}")
        for n in range(count)
    ]


def test_outcome_writes_find_each_claim_by_key_on_stale_statistics(pg_databases: object) -> None:
    """SQLite's `+claim_token` keeps the planner off the claims index; on PostgreSQL its
    translation must too. Statistics taken before a sweep's claims say its token is rare; the
    claims index, where every new entry carries that token, must not be what finds a row."""
    from tests.support.pg_databases import PgDatabases

    assert isinstance(pg_databases, PgDatabases)
    url = pg_databases.new_url()
    store = open_store(url)
    try:
        _explain_outcome_writes(store)
    finally:
        store.close()
        pg_databases.drop(url)


def _explain_outcome_writes(store: Store) -> None:
    from storage.alerts import LedgerOutcome, claim_alerts, record_outcomes

    claim_alerts(store.db, _ledger_rows("old", 2000), [], "earlier-sweep", NOW)
    store.db.execute("ANALYZE alert_ledger")
    claimed = claim_alerts(store.db, _ledger_rows("new", 2000), [], "this-sweep", NOW).claimed
    plans: list[str] = []
    pg = store.db.pg  # type: ignore[attr-defined]
    executemany = pg.executemany

    def explained(sql: str, rows: list[tuple[object, ...]]) -> object:
        if rows:  # each outcome UPDATE, as planned for its first row's values
            plans.append("\n".join(r[0] for r in pg.execute("EXPLAIN " + sql, rows[0]).fetchall()))
        return executemany(sql, rows)

    pg.executemany = explained
    outcomes = [
        LedgerOutcome(claimed[0], "sent", "C1", "1.1"),
        LedgerOutcome(claimed[1], "permanent", error="x"),
        LedgerOutcome(claimed[2], "released", error="later", next_attempt_at=NOW),
    ]
    assert record_outcomes(store.db, "this-sweep", NOW, outcomes) == []
    assert len(plans) == 3
    for plan in plans:
        assert "alert_ledger_pkey" in plan and "alert_ledger_claims" not in plan, plan
