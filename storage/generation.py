"""The tracker's generation: one number that moves whenever anything an answer reads is written.

Triggers (migration m020) add one to it on every insert, update and delete in the WATCHED
tables, in the writer's own transaction, so a reader that sees a change also sees the new
number, whichever connection or process wrote it. bot/deps.py AnswerCache keeps answers
until it moves. A table added later belongs in one of the two sets below (and, if watched,
gets its triggers in a new migration); tests/storage/test_generation.py fails otherwise.
"""

from __future__ import annotations

from sqlite_utils import Database

from storage.db import Store

# What the read answers (/holdouts, /deadlines, /aireview status|models|history) are made of.
WATCHED_TABLES = frozenset(
    {
        "developers",
        "models",
        "deadlines",
        "history",
        "sources",
        "citations",
        "contests",
        "claims",
        "events",
        "event_developers",
        "framework_facts",
        "feeds",
        "news_items",
    }
)
# Written by sweeps and settings all day; no cached answer reads them.
UNWATCHED_TABLES = frozenset(
    {
        "app_state",
        "subscriptions",
        "alert_ledger",
        "alert_updates",
        "news_item_keys",
        "reminders",
        "mutes",
        "follows",
        "tracker_generation",
        "briefing_pictures",
        "briefing_pages",
        "board_links",
        "board_sessions",
        "teams_conversations",
        "slack_events_seen",
        "slack_installations",
        "slack_oauth_states",
        "workspaces",
        "workspace_admins",
        "admin_changes",
    }
)


def tracker_generation(store: Store) -> int:
    """The current generation, read on the store's shared connection (no thread's own)."""
    return int(store.peek("SELECT n FROM tracker_generation"))


def generation_on(db: Database) -> int:
    """The current generation, read on a connection the caller already holds (a sweep's own):
    no lock, and no shared connection opened for it (one more per workspace database in OAuth
    mode, docs/workspaces.md)."""
    row = db.execute("SELECT n FROM tracker_generation").fetchone()
    return int(row[0])
