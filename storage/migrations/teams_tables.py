"""The Teams bot's table: where each conversation it is in can be reached (storage/teams.py)."""

from __future__ import annotations

from sqlite_utils import Database


def m025_teams_conversations(db: Database) -> None:
    # The conversation reference Teams gave with the latest verified activity: the service
    # URL proactive messages go to, what kind of conversation it is (for help and alerts), and for
    # a personal chat whose it is (its Entra object id: where that person's reminders go).
    db.executescript(
        """
        CREATE TABLE teams_conversations (conversation_id TEXT PRIMARY KEY, service_url TEXT NOT NULL, tenant_id TEXT NOT NULL, conversation_type TEXT NOT NULL, bot_id TEXT NOT NULL, user_aad TEXT, updated_at TEXT NOT NULL);
        CREATE INDEX teams_conversations_user ON teams_conversations (user_aad);
        """
    )
