"""Storage for the weekly briefing: who takes it, and the contested facts it lists."""

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


def contested_records(db: Database, limit: int) -> tuple[list[dict[str, Any]], int]:
    """(the first `limit`, how many in all) developers, models and deadlines marked contested,
    by kind and name, each with its source."""
    sql = """
        SELECT 'developer' AS entity, d.name AS label, d.source FROM developers d WHERE d.contested
        UNION ALL
        SELECT 'model', d.name || ' / ' || m.name, m.source
          FROM models m JOIN developers d ON d.id = m.developer_id WHERE m.contested
        UNION ALL
        SELECT 'deadline', t.title, t.source FROM deadlines t WHERE t.contested
    """
    rows = list(db.query(f"SELECT * FROM ({sql}) ORDER BY entity, label COLLATE NOCASE LIMIT ?", [limit]))
    total = next(iter(db.query(f"SELECT COUNT(*) AS n FROM ({sql})")))["n"]
    return rows, int(total)
