"""The Teams bot's conversations: where each one it was spoken to in can be reached.

A row is written from a verified activity only (handlers/teams_bot.py), so a service URL
here is one the Bot Connector's signed token vouched for.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlite_utils import Database

from storage.timestamps import utc_iso


def save_conversation(
    db: Database,
    *,
    conversation_id: str,
    service_url: str,
    tenant_id: str,
    conversation_type: str,
    bot_id: str,
    now: datetime,
) -> None:
    db.execute(
        """INSERT INTO teams_conversations (conversation_id, service_url, tenant_id, conversation_type,
               bot_id, updated_at)
           VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (conversation_id) DO UPDATE SET service_url = excluded.service_url,
               tenant_id = excluded.tenant_id, conversation_type = excluded.conversation_type,
               bot_id = excluded.bot_id, updated_at = excluded.updated_at""",
        [conversation_id, service_url, tenant_id, conversation_type, bot_id, utc_iso(now)],
    )


def get_conversation(db: Database, conversation_id: str) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM teams_conversations WHERE conversation_id = ?", [conversation_id]))
    return rows[0] if rows else None
