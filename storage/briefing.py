"""Storage for the weekly briefing: who takes it, its pictures and pages (the contested facts
it lists, each with its competing claims, come from storage.facts.open_contests)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlite_utils import Database

from storage.timestamps import utc_iso


def set_briefing(db: Database, target_type: str, target: str, since: datetime | None) -> bool:
    """Turn the weekly briefing on (`since`: now) or off (None) for a target's subscription;
    False if it has none. Turning it on again keeps the first moment (no briefing is re-sent)."""
    cursor = db.execute(
        "UPDATE subscriptions SET briefing_since = CASE WHEN ? IS NULL THEN NULL "
        "ELSE COALESCE(briefing_since, ?) END WHERE target_type = ? AND target = ?",
        [since and utc_iso(since), since and utc_iso(since), target_type, target],
    )
    return bool(cursor.rowcount)


# ---------------------------------------------------------------- pictures and pages


def get_picture(db: Database, picture_id: str) -> dict[str, Any] | None:
    """The stored picture drawn from `picture_id` (png, preview), or None."""
    return next(iter(db.query("SELECT * FROM briefing_pictures WHERE id = ?", [picture_id])), None)


def save_picture(db: Database, picture_id: str, png: bytes, preview: bytes, at: datetime) -> None:
    """Keep a drawn picture; drawn again from the same tracker version, the first one stays."""
    db.execute(
        "INSERT OR IGNORE INTO briefing_pictures (id, png, preview, created_at) VALUES (?, ?, ?, ?)",
        [picture_id, png, preview, utc_iso(at)],
    )


def save_page(
    db: Database,
    token: str,
    alert_key: str,
    picture_id: str | None,
    text: str,
    at: datetime,
    expires_at: datetime,
) -> None:
    db.execute(
        "INSERT INTO briefing_pages (token, alert_key, picture_id, text, created_at, expires_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [token, alert_key, picture_id, text, utc_iso(at), utc_iso(expires_at)],
    )


def get_page(db: Database, token: str, now: datetime) -> dict[str, Any] | None:
    """The page behind `token` with its picture (png, preview: None without one), unless it expired."""
    rows = db.query(
        "SELECT p.token, p.text, p.expires_at, i.png, i.preview FROM briefing_pages p "
        "LEFT JOIN briefing_pictures i ON i.id = p.picture_id WHERE p.token = ? AND p.expires_at > ?",
        [token, utc_iso(now)],
    )
    return next(iter(rows), None)


def prune_pages(db: Database, now: datetime, keep_pictures_since: datetime) -> tuple[int, int]:
    """Delete expired pages, then pictures older than `keep_pictures_since` that no page
    shows; (pages, pictures) deleted."""
    with db.atomic():
        pages = db.execute("DELETE FROM briefing_pages WHERE expires_at <= ?", [utc_iso(now)]).rowcount
        pictures = db.execute(
            "DELETE FROM briefing_pictures WHERE created_at < ? "
            "AND id NOT IN (SELECT picture_id FROM briefing_pages WHERE picture_id IS NOT NULL)",
            [utc_iso(keep_pictures_since)],
        ).rowcount
    return int(pages), int(pictures)
