"""Personal follows: what each person follows for themselves."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlite_utils import Database

from storage.sql import placeholders
from storage.timestamps import utc_iso


def add_follow(db: Database, user_id: str, what: str, value: str, label: str, now: datetime) -> bool:
    """Follow; False when it was followed already."""
    cursor = db.execute(
        "INSERT OR IGNORE INTO follows (user_id, what, value, label, created_at) VALUES (?, ?, ?, ?, ?)",
        [user_id, what, value, label, utc_iso(now)],
    )
    return bool(cursor.rowcount)


def remove_follow(db: Database, user_id: str, what: str, value: str) -> bool:
    cursor = db.execute(
        "DELETE FROM follows WHERE user_id = ? AND what = ? AND value = ?", [user_id, what, value]
    )
    return bool(cursor.rowcount)


def list_follows(db: Database, user_id: str) -> list[dict[str, Any]]:
    """A person's follows: developers, then models, then kinds, each by label."""
    return list(
        db.query(
            "SELECT * FROM follows WHERE user_id = ? ORDER BY "
            "CASE what WHEN 'developer' THEN 0 WHEN 'model' THEN 1 ELSE 2 END, label COLLATE NOCASE",
            [user_id],
        )
    )


def followed_models(db: Database, model_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Model id -> the model's name and its developer's id and name, for the models still tracked."""
    if not model_ids:
        return {}
    marks = placeholders(model_ids)
    rows = db.query(
        "SELECT CAST(m.id AS TEXT) AS id, m.name, m.developer_id, d.name AS developer FROM models m"
        f" JOIN developers d ON d.id = m.developer_id WHERE CAST(m.id AS TEXT) IN ({marks})",
        model_ids,
    )
    return {str(r["id"]): r for r in rows}
