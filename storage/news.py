"""Watched sources (feeds) and the news items already seen.

Feeds carry their fetch bookkeeping: conditional-GET validators, the last error, and a
backoff (`next_fetch_at`) that grows while a source keeps failing. News items are saved
once per story: `news_item_keys` maps every key an item is known by to it, so a story a
second source carries is recognised and not saved (or posted) again.

The alert sweep reads news items with `alert = 1` (see storage/alerts.py); an item saved
while its source is being primed, or a stale one, is saved with `alert = 0`: seen, never
posted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlite_utils import Database

from storage.sql import placeholders
from storage.timestamps import utc_iso

FETCH_INTERVAL = timedelta(minutes=30)
MAX_BACKOFF = timedelta(hours=24)
# The scheduler's runs drift by seconds; a feed due a little after a run is taken by it.
DUE_SLACK = timedelta(minutes=2)
ERROR_MAX_CHARS = 300


class FeedNotFound(LookupError):
    pass


def _feed(row: dict[str, Any]) -> dict[str, Any]:
    feed = dict(row)
    feed["keywords"] = json.loads(feed["keywords"] or "[]")
    return feed


def _item(row: dict[str, Any]) -> dict[str, Any]:
    item = dict(row)
    item["matched"] = json.loads(item["matched"] or "[]")
    item["developers"] = json.loads(item.get("developers") or "[]")
    return item


# -- feeds -------------------------------------------------------------------------------------


def add_feed(
    db: Database,
    url: str,
    kind: str,
    keywords: list[str],
    *,
    created_by: str,
    now: datetime,
    title: str | None = None,
    is_default: bool = False,
) -> dict[str, Any]:
    """A new source, not yet primed: its first fetch marks what it holds as seen."""
    with db.atomic():
        db.execute(
            """INSERT INTO feeds (url, kind, title, keywords, is_default, created_by, created_at)
               VALUES (?, ?, ?, ?, ?, ?, ?)""",
            [url, kind, title, json.dumps(keywords), int(is_default), created_by, utc_iso(now)],
        )
        row = next(iter(db.query("SELECT * FROM feeds WHERE url = ?", [url])))
    return _feed(row)


def get_feed(db: Database, feed_id: int) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM feeds WHERE id = ?", [feed_id]))
    return _feed(rows[0]) if rows else None


def get_feed_by_url(db: Database, url: str) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM feeds WHERE url = ?", [url]))
    return _feed(rows[0]) if rows else None


def list_feeds(db: Database) -> list[dict[str, Any]]:
    return [_feed(r) for r in db.query("SELECT * FROM feeds ORDER BY id")]


def remove_feed(db: Database, feed_id: int) -> dict[str, Any]:
    """Delete a source; the items it brought stay (seen), without a feed."""
    with db.atomic():
        feed = get_feed(db, feed_id)
        if feed is None:
            raise FeedNotFound(f"no feed {feed_id}")
        db.execute("DELETE FROM feeds WHERE id = ?", [feed_id])
    return feed


def set_feed_enabled(db: Database, feed_id: int, enabled: bool) -> None:
    db.execute("UPDATE feeds SET enabled = ? WHERE id = ?", [int(enabled), feed_id])


def due_feeds(db: Database, now: datetime) -> list[dict[str, Any]]:
    """Enabled feeds whose backoff (if any) has run out, oldest fetch first."""
    rows = db.query(
        """SELECT * FROM feeds WHERE enabled = 1 AND (next_fetch_at IS NULL OR next_fetch_at <= ?)
           ORDER BY COALESCE(last_fetched_at, ''), id""",
        [utc_iso(now + DUE_SLACK)],
    )
    return [_feed(r) for r in rows]


def backoff_delay(consecutive_failures: int) -> timedelta:
    """How long a source that failed `consecutive_failures` times in a row is left alone:
    the usual 30 minutes after one failure, doubling each time, at most a day."""
    if consecutive_failures <= 0:
        return timedelta(0)
    delay: timedelta = FETCH_INTERVAL * (2 ** min(consecutive_failures - 1, 10))
    return min(delay, MAX_BACKOFF)


def record_fetch_ok(
    db: Database,
    feed_id: int,
    now: datetime,
    *,
    etag: str | None,
    last_modified: str | None,
    title: str | None = None,
    warning: str | None = None,
) -> None:
    """A fetch that worked (200 or 304): failures reset; a warning (read past) is kept."""
    db.execute(
        """UPDATE feeds SET etag = ?, last_modified = ?, title = COALESCE(title, ?),
               last_fetched_at = ?, last_ok_at = ?, last_error = ?, consecutive_failures = 0,
               next_fetch_at = NULL
           WHERE id = ?""",
        [
            etag,
            last_modified,
            title,
            utc_iso(now),
            utc_iso(now),
            warning[:ERROR_MAX_CHARS] if warning else None,
            feed_id,
        ],
    )


def record_fetch_failure(db: Database, feed_id: int, now: datetime, error: str) -> datetime:
    """A failed fetch: the error is kept and the next attempt backs off. Returns when."""
    with db.atomic():
        feed = get_feed(db, feed_id)
        if feed is None:
            raise FeedNotFound(f"no feed {feed_id}")
        failures = feed["consecutive_failures"] + 1
        next_at = now + backoff_delay(failures)
        db.execute(
            """UPDATE feeds SET last_fetched_at = ?, last_error = ?, consecutive_failures = ?,
                   next_fetch_at = ?
               WHERE id = ?""",
            [utc_iso(now), error[:ERROR_MAX_CHARS], failures, utc_iso(next_at), feed_id],
        )
    return next_at


# -- items -------------------------------------------------------------------------------------


@dataclass
class SavedItems:
    new_alerts: list[int]  # ids of items saved with alert = 1
    seen: int  # items saved without an alert (priming, stale, no match)
    known: int  # items already saved (this source or another)


def find_item_id(db: Database, keys: list[str]) -> int | None:
    if not keys:
        return None
    marks = placeholders(keys)
    rows = list(db.query(f"SELECT item_id FROM news_item_keys WHERE key IN ({marks}) LIMIT 1", keys))
    return rows[0]["item_id"] if rows else None


def save_items(
    db: Database,
    feed: dict[str, Any],
    items: list[dict[str, Any]],
    now: datetime,
    *,
    prime: bool,
) -> SavedItems:
    """Save what a fetch brought, in one transaction.

    Each item is a dict: keys (its identities, primary first), title, link, published,
    summary, terms (what it matched), developers (ids it mentions) and alert (whether it
    should reach subscribers). An item already known under any of its keys gains the keys it
    was missing and nothing else. With `prime` (a source's first fetch) every item is saved
    as seen (alert = 0) and the source is marked primed."""
    new_alerts: list[int] = []
    seen = known = 0
    source = feed.get("title") or feed["url"]
    with db.atomic():
        for item in items:
            keys: list[str] = item["keys"]
            existing = find_item_id(db, keys)
            if existing is not None:
                known += 1
                for key in keys:
                    db.execute(
                        "INSERT OR IGNORE INTO news_item_keys (key, item_id) VALUES (?, ?)", [key, existing]
                    )
                continue
            alert = int(bool(item["alert"]) and not prime)
            cursor = db.execute(
                """INSERT INTO news_items (item_key, feed_id, title, link, published, summary,
                       matched, alert, first_seen_at, developers, source)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                [
                    keys[0],
                    feed["id"],
                    item["title"],
                    item.get("link"),
                    item.get("published"),
                    (item.get("summary") or "")[:2000],
                    json.dumps(item.get("terms") or []),
                    alert,
                    utc_iso(now),
                    json.dumps(item.get("developers") or []),
                    source,
                ],
            )
            item_id = int(cursor.lastrowid or 0)
            for key in keys:
                db.execute(
                    "INSERT OR IGNORE INTO news_item_keys (key, item_id) VALUES (?, ?)", [key, item_id]
                )
            if alert:
                new_alerts.append(item_id)
            else:
                seen += 1
        if prime:
            db.execute("UPDATE feeds SET primed = 1 WHERE id = ?", [feed["id"]])
    return SavedItems(new_alerts=new_alerts, seen=seen, known=known)


def get_item(db: Database, item_id: int) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM news_items WHERE id = ?", [item_id]))
    return _item(rows[0]) if rows else None


def alert_items_after(db: Database, after_id: int, limit: int = 200) -> list[dict[str, Any]]:
    """News items to alert about, oldest first, with id above `after_id` (a cursor)."""
    rows = db.query(
        "SELECT * FROM news_items WHERE alert = 1 AND id > ? ORDER BY id LIMIT ?", [after_id, limit]
    )
    return [_item(r) for r in rows]
