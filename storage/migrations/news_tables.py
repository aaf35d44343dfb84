"""The news tables: watched feeds and the items seen (m003), and the keys an item is known
by (m007). Shipped migrations keep their SQL exactly as it ran."""

from __future__ import annotations

from sqlite_utils import Database


def m003_feeds(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE feeds (
            id INTEGER PRIMARY KEY,
            url TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL CHECK (kind IN ('rss', 'federal_register')),
            title TEXT,
            keywords TEXT NOT NULL DEFAULT '[]',   -- JSON list of keywords and phrases
            enabled INTEGER NOT NULL DEFAULT 1,
            is_default INTEGER NOT NULL DEFAULT 0,
            primed INTEGER NOT NULL DEFAULT 0,     -- first fetch done (its items marked seen)
            etag TEXT,
            last_modified TEXT,
            last_fetched_at TEXT,
            last_ok_at TEXT,
            last_error TEXT,
            consecutive_failures INTEGER NOT NULL DEFAULT 0,
            next_fetch_at TEXT,
            created_by TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE TABLE news_items (
            id INTEGER PRIMARY KEY,
            item_key TEXT NOT NULL UNIQUE,         -- normalised link, guid or document number
            feed_id INTEGER REFERENCES feeds(id) ON DELETE SET NULL,
            title TEXT,
            link TEXT,
            published TEXT,
            summary TEXT,
            matched TEXT NOT NULL DEFAULT '[]',    -- JSON list of matched terms
            alert INTEGER NOT NULL DEFAULT 0,      -- 1 when it should reach subscribers
            first_seen_at TEXT NOT NULL
        );
        """
    )


def m007_news_item_keys(db: Database) -> None:
    # An item is one story however many sources carry it: every key it is known by (link,
    # guid, Federal Register document number) points at it. `developers` lists the tracked
    # developers it mentions (the Update tracker button and developer filters use it);
    # `source` keeps the source's name for the message even after the feed is removed.
    db.executescript(
        """
        CREATE TABLE news_item_keys (
            key TEXT PRIMARY KEY,
            item_id INTEGER NOT NULL REFERENCES news_items(id) ON DELETE CASCADE
        );
        CREATE INDEX news_item_keys_item ON news_item_keys (item_id);
        INSERT OR IGNORE INTO news_item_keys (key, item_id) SELECT item_key, id FROM news_items;
        ALTER TABLE news_items ADD COLUMN developers TEXT NOT NULL DEFAULT '[]';
        ALTER TABLE news_items ADD COLUMN source TEXT;
        CREATE INDEX news_items_alert ON news_items (alert, id);
        """
    )
