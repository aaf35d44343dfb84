"""The web board's tables: personal sign-in links and the sessions they open (storage/board.py)."""

from __future__ import annotations

from sqlite_utils import Database


def m021_board_access(db: Database) -> None:
    # Only a SHA-256 of each token is kept: a copy of the database lets no one sign in.
    db.executescript(
        """
        CREATE TABLE board_links (token_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL, team_id TEXT NOT NULL, created_at TEXT NOT NULL, expires_at TEXT NOT NULL, used_at TEXT);
        CREATE TABLE board_sessions (token_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL, team_id TEXT NOT NULL, created_at TEXT NOT NULL, expires_at TEXT NOT NULL);
        CREATE INDEX board_links_expiry ON board_links (expires_at);
        CREATE INDEX board_sessions_expiry ON board_sessions (expires_at);
        """
    )
