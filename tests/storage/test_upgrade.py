"""Upgrading in place: a database made by the release before issue 15 (its schema and the
data its seed and an admin wrote) upgrades at start-up with nothing lost."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from storage.db import connect, open_store
from storage.facts import citations_for, contests_for, fact_sources, source_label
from storage.migrations import SCHEMA_STAMP, apply_migrations, migrations
from storage.seed import seed

SEEDED = "2026-06-03T12:00:00+00:00"  # when release 1's seed ran (a recorded time)
EDITED = "2026-06-20T15:00:00+00:00"
UPGRADED = datetime(2026, 7, 24, 14, 0, tzinfo=UTC)
OLD_SOURCE = (
    "Stocktwits, citing The New York Times (June 2026); Wire report, June 2026, reporting the same facts"
)
ADMIN = "UADMIN0001"
KEPT_TABLES = (
    "history",
    "subscriptions",
    "alert_ledger",
    "feeds",
    "news_items",
    "news_item_keys",
    "app_state",
)


def _release_1(db: Database) -> None:
    """What release 1 wrote: its seed (as it was), one admin edit and one contested deadline,
    a subscription, an alert and a news item."""
    developers = [
        ("openai", "OpenAI", "signed", "Already testing unreleased models with federal agencies."),
        ("anthropic", "Anthropic", "signed", "Already testing unreleased models with federal agencies."),
        ("google-deepmind", "Google DeepMind", "signed", "Agreed in May 2026."),
        ("microsoft", "Microsoft", "signed", "Agreed in May 2026."),
        ("xai", "xAI", "signed", "Agreed in May 2026."),
        ("meta", "Meta", "negotiating", "Working through the details."),
    ]
    for dev_id, name, status, note in developers:
        db.execute(
            "INSERT INTO developers (id, name, status, status_since, note, source, as_of, created_at,"
            " updated_at, updated_by) VALUES (?, ?, ?, '2026-06-03', ?, ?, '2026-06-03', ?, ?, 'seed')",
            [dev_id, name, status, note, OLD_SOURCE, SEEDED, SEEDED],
        )
        db.execute(
            "INSERT INTO history (entity, entity_id, subject, field, new, actor, at, note, source)"
            " VALUES ('developer', ?, ?, '(created)', ?, 'seed', ?, 'Seeded', ?)",
            [dev_id, name, name, SEEDED, OLD_SOURCE],
        )
    db.execute(
        "INSERT INTO models (developer_id, name, released, review_status, note, source, as_of, seed_key,"
        " created_at, updated_at, updated_by) VALUES ('meta', 'Muse Spark', '2026-04-01', 'released',"
        " 'Released in April 2026.', ?, '2026-06-03', 'meta-muse-spark', ?, ?, 'seed')",
        [OLD_SOURCE, SEEDED, SEEDED],
    )
    db.execute(
        "INSERT INTO deadlines (title, due_date, kind, source, as_of, contested, seed_key, created_at,"
        " updated_at, updated_by, version) VALUES ('Formal pre-release review process to be established',"
        " '2026-07-31', 'deadline', 'https://example.gov/eo', '2026-06-20', 1, 'formal-review-process', ?, ?,"
        " ?, 2)",
        [SEEDED, EDITED, ADMIN],
    )
    db.execute(
        "INSERT INTO history (entity, entity_id, subject, field, new, actor, at, source)"
        " VALUES ('framework', 'executive-order-2026-06-02', 'Executive order', 'event', 'The order', 'seed',"
        " ?, ?)",
        [SEEDED, OLD_SOURCE],
    )
    # An admin moved Meta to holdout with a source of their own.
    db.execute(
        "UPDATE developers SET status = 'holdout', source = 'Axios, June 19', as_of = '2026-06-20',"
        " updated_at = ?, updated_by = ?, version = 2 WHERE id = 'meta'",
        [EDITED, ADMIN],
    )
    db.execute(
        "INSERT INTO history (entity, entity_id, subject, field, old, new, actor, at, source)"
        " VALUES ('developer', 'meta', 'Meta', 'status', 'negotiating', 'holdout', ?, ?, 'Axios, June 19')",
        [ADMIN, EDITED],
    )
    for key in ("seed:model:meta-muse-spark", "seed:deadline:formal-review-process"):
        db.execute("INSERT INTO app_state (key, value) VALUES (?, 'done')", [key])
    db.execute(
        "INSERT INTO subscriptions (target_type, target, kinds, lead_days, created_by, created_at,"
        " updated_at) VALUES ('slack', 'C0ALERTS01', '[\"status\"]', '[7]', ?, ?, ?)",
        [ADMIN, EDITED, EDITED],
    )
    db.execute(
        "INSERT INTO alert_ledger (key, kind, subject_type, subject_id, target_type, target, due_at, status,"
        " created_at) VALUES ('k1', 'status', 'history', '8', 'slack', 'C0ALERTS01', ?, 'sent', ?)",
        [EDITED, EDITED],
    )
    db.execute(
        "INSERT INTO feeds (url, kind, created_by, created_at)"
        " VALUES ('https://example.gov/feed', 'rss', ?, ?)",
        [ADMIN, EDITED],
    )
    db.execute(
        "INSERT INTO news_items (item_key, feed_id, title, link, first_seen_at) VALUES"
        " ('url:example.gov/a', 1, 'A story', 'https://example.gov/a', ?)",
        [EDITED],
    )


def _rows(db: Database, table: str) -> list[dict[str, Any]]:
    return list(db.query(f"SELECT * FROM {table} ORDER BY rowid"))


def test_a_release_1_database_upgrades_in_place_with_nothing_lost(tmp_path: Path) -> None:
    path = tmp_path / "reviewwatch.db"
    old = connect(path)
    migrations.apply(old, stop_before="m015_facts")
    with old.atomic():
        _release_1(old)
    before = {t: _rows(old, t) for t in (*KEPT_TABLES, "developers", "models", "deadlines")}
    old.conn.close()

    store = open_store(path)  # what start-up does: migrate, then seed
    try:
        seed(store.db, at=UPGRADED)
        db = store.db
        # Every row of the kept tables is still there, unchanged (history gains a NULL
        # effective date on old rows: when they took effect was never recorded).
        for table in KEPT_TABLES:
            after = _rows(db, table)[: len(before[table])]
            if table == "history":
                assert {r.pop("effective") for r in after} == {None}
            if table == "subscriptions":  # the weekly briefing (m016) starts off; no model filter (m019)
                assert {r.pop("briefing_since") for r in after} == {None}
                assert {r.pop("model_filter") for r in after} == {None}
            if table == "app_state":
                after = [r for r in _rows(db, table) if r["key"] in {b["key"] for b in before[table]}]
            assert after == before[table], table

        # Existing source texts became source records, cited by the records that carried them.
        meta = next(r for r in _rows(db, "developers") if r["id"] == "meta")
        assert (meta["status"], meta["status_since"], meta["source"], meta["updated_by"]) == (
            "holdout",
            "2026-06-03",  # the admin's record is theirs: never "corrected"
            "Axios, June 19",
            ADMIN,
        )
        [deadline] = _rows(db, "deadlines")
        assert deadline["source"] == "https://example.gov/eo" and deadline["outcome"] == "open"
        urls = [s["url"] for s in _rows(db, "sources") if s["url"]]
        assert urls == ["https://example.gov/eo"]
        assert {
            source_label(s) for s in fact_sources(citations_for(db, "developer", ["meta"]), "meta", "status")
        } == {"Axios, June 19"}
        # The old seed text cites both reports' records.
        openai = citations_for(db, "developer", ["openai"])
        assert {source_label(s) for s in fact_sources(openai, "openai", "status")} == {
            "US Government Urges Meta to Conduct Security Reviews on AI Models (wire summary), June 2026",
            "Stocktwits (citing The New York Times), June 2026",
        }
        # A record marked contested keeps its flag, as an open contest.
        [contest] = contests_for(db, "deadline")[str(deadline["id"])]
        assert deadline["contested"] == 1 and contest.state == "open"

        # What the first seed made up is corrected, with history, where no one edited it.
        developers = {r["id"]: r for r in _rows(db, "developers")}
        assert developers["xai"]["status_since"] == "2026-05" and developers["xai"]["as_of"] == "2026-06"
        assert developers["openai"]["status_since"] is None
        [model] = _rows(db, "models")
        assert model["released"] == "2026-04"
        corrections = list(
            db.query("SELECT * FROM history WHERE note = 'Corrected against the two June 2026 reports'")
        )
        assert {(r["entity_id"], r["field"], r["old"], r["new"]) for r in corrections} >= {
            ("xai", "status_since", "2026-06-03", "2026-05"),
            ("openai", "status_since", "2026-06-03", None),
            ("1", "released", "2026-04-01", "2026-04"),
        }
        # Events and contests of the new seed are added beside the old history.
        assert len(_rows(db, "events")) == 6
        assert "meta" in contests_for(db, "developer")
    finally:
        store.close()


def test_upgrading_twice_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "reviewwatch.db"
    first = open_store(path)
    seed(first.db, at=UPGRADED)
    snapshot = {t: _rows(first.db, t) for t in ("sources", "citations", "contests", "claims", "history")}
    first.close()
    second = open_store(path)
    try:
        assert sum(seed(second.db, at=UPGRADED).values()) == 0
        assert {t: _rows(second.db, t) for t in snapshot} == snapshot
    finally:
        second.close()


# The names every database has recorded in `_sqlite_migrations`, in the order they ran: a
# shipped migration is never renamed or moved, or an existing database would run it again.
SHIPPED = [
    "m001_tracker",
    "m002_alerts",
    "m003_feeds",
    "m004_alerts_news_cursor",
    "m007_news_item_keys",
    "m008_sweep_cursors",
    "m009_alert_delivery_days",
    "m010_claim_tokens",
    "m011_alert_threads",
    "m012_alert_updates",
    "m013_reminders_and_mutes",
    "m015_facts",
    "m016_weekly_briefing",
    "m017_personal_follows",
    "m018_briefing_pages",
    "m019_model_follows",
    "m020_tracker_generation",
    "m021_board_access",
    "m022_undated_events",
    "m023_slack_event_ids",
    "m025_teams_conversations",
    "m026_slack_installations",
    "m027_workspaces",
    "m030_workspace_admins",
]


def test_the_shipped_migrations_keep_their_names_and_order(tmp_path: Path) -> None:
    db = connect(tmp_path / "fresh.db")
    migrations.apply(db)
    assert [m.name for m in migrations.applied(db)] == SHIPPED
    assert migrations.pending(db) == []


def _version(db: Database) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def test_an_up_to_date_database_opens_without_the_migration_runners_reads(tmp_path: Path) -> None:
    """Every workspace database OAuth mode opens pays this (storage/migrations SCHEMA_STAMP)."""
    open_store(tmp_path / "current.db").close()
    db = connect(tmp_path / "current.db")
    assert _version(db) == SCHEMA_STAMP
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    apply_migrations(db)
    assert statements == ["PRAGMA user_version"]

    db.execute("PRAGMA user_version = 12345")  # as a newer release's list would have stamped it
    statements.clear()
    apply_migrations(db)  # the runner decides: nothing pending here, and the stamp is ours again
    assert any("_sqlite_migrations" in s for s in statements) and _version(db) == SCHEMA_STAMP


def test_a_database_one_migration_behind_is_migrated_then_stamped(tmp_path: Path) -> None:
    old = connect(tmp_path / "old.db")
    migrations.apply(old, stop_before=SHIPPED[-1])  # as the release before the last left it
    assert _version(old) == 0 and migrations.pending(old)
    apply_migrations(old)
    assert migrations.pending(old) == [] and _version(old) == SCHEMA_STAMP
