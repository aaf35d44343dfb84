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
    user_aad: str | None = None,
) -> None:
    db.execute(
        """INSERT INTO teams_conversations (conversation_id, service_url, tenant_id, conversation_type,
               bot_id, user_aad, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (conversation_id) DO UPDATE SET service_url = excluded.service_url,
               tenant_id = excluded.tenant_id, conversation_type = excluded.conversation_type,
               bot_id = excluded.bot_id, user_aad = excluded.user_aad, updated_at = excluded.updated_at""",
        [conversation_id, service_url, tenant_id, conversation_type, bot_id, user_aad, utc_iso(now)],
    )


def get_conversation(db: Database, conversation_id: str) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM teams_conversations WHERE conversation_id = ?", [conversation_id]))
    return rows[0] if rows else None


def personal_conversation(db: Database, user_aad: str) -> str | None:
    """The personal chat the bot has with this person (by Entra object id), if any."""
    rows = list(
        db.query(
            """SELECT conversation_id FROM teams_conversations
               WHERE user_aad = ? AND conversation_type = 'personal' ORDER BY updated_at DESC LIMIT 1""",
            [user_aad],
        )
    )
    return str(rows[0]["conversation_id"]) if rows else None
