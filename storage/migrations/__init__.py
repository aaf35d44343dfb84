"""Numbered schema migrations, applied at every start; each runs once, in its own transaction.

Add a new function at the end (`mNNN_what_it_does`) in the module of the tables it changes
(tracker_tables, alert_tables, news_tables, board_tables, request_tables, teams_tables,
install_tables, workspace_tables, admin_tables) and append it to `SHIPPED`; never edit one that
has shipped, and write its values out literally: a migration must not read a live tuple (such
as storage.tracker.DEVELOPER_STATUSES), or changing that tuple would rewrite history.

`SHIPPED` is the order every database applied them in; a migration is known by its
function's name (recorded in `_sqlite_migrations`), so neither ever changes.
The numbers have gaps: m005 and m006 were drafts that never shipped, and a number is
never reused, so a migration's name always means one change.
"""

from __future__ import annotations

import zlib

from sqlite_utils import Database, Migrations

from storage.migrations.admin_tables import m030_workspace_admins
from storage.migrations.alert_tables import (
    m002_alerts,
    m004_alerts_news_cursor,
    m008_sweep_cursors,
    m009_alert_delivery_days,
    m010_claim_tokens,
    m011_alert_threads,
    m012_alert_updates,
    m013_reminders_and_mutes,
    m016_weekly_briefing,
    m017_personal_follows,
    m018_briefing_pages,
    m019_model_follows,
)
from storage.migrations.board_tables import m021_board_access
from storage.migrations.event_dates import m022_undated_events
from storage.migrations.install_tables import m026_slack_installations
from storage.migrations.news_tables import m003_feeds, m007_news_item_keys
from storage.migrations.request_tables import m023_slack_event_ids
from storage.migrations.teams_tables import m025_teams_conversations
from storage.migrations.tracker_tables import m001_tracker, m015_facts, m020_tracker_generation
from storage.migrations.workspace_tables import m027_workspaces

SHIPPED = (
    m001_tracker,
    m002_alerts,
    m003_feeds,
    m004_alerts_news_cursor,
    m007_news_item_keys,
    m008_sweep_cursors,
    m009_alert_delivery_days,
    m010_claim_tokens,
    m011_alert_threads,
    m012_alert_updates,
    m013_reminders_and_mutes,
    m015_facts,
    m016_weekly_briefing,
    m017_personal_follows,
    m018_briefing_pages,
    m019_model_follows,
    m020_tracker_generation,
    m021_board_access,
    m022_undated_events,
    m023_slack_event_ids,
    m025_teams_conversations,
    m026_slack_installations,
    m027_workspaces,
    m030_workspace_admins,
)

migrations = Migrations("reviewwatch")
for _shipped in SHIPPED:
    migrations(name=_shipped.__name__)(_shipped)


# A SQLite database brought up to date with this SHIPPED list carries this stamp in its
# `PRAGMA user_version`, so opening it again skips the runner's reads of _sqlite_migrations
# (about 0.6 ms, paid by every workspace database OAuth mode opens, docs/workspaces.md). Any
# other value (an older release's database, or a newer one's) goes through the runner.
SCHEMA_STAMP = zlib.crc32("\n".join(m.__name__ for m in SHIPPED).encode()) & 0x7FFFFFFF or 1


def apply_migrations(db: Database) -> None:
    """Bring `db` up to date: SQLite through sqlite-utils' runner, PostgreSQL through
    storage/pg.py's, from the same SHIPPED list."""
    if getattr(db, "engine", "sqlite") == "postgresql":
        from storage.pg import PgDatabase, apply_pg_migrations

        assert isinstance(db, PgDatabase)
        apply_pg_migrations(db, SHIPPED)
        return
    if db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_STAMP:
        return
    migrations.apply(db)
    db.execute(f"PRAGMA user_version = {SCHEMA_STAMP}")
