"""Tables of OAuth mode (storage/installations.py): the workspaces that installed the app."""

from __future__ import annotations

from sqlite_utils import Database


def m026_slack_installations(db: Database) -> None:
    # One row per installation: install_key is the workspace's team id, or the organization's
    # enterprise id for an org-wide install. Token columns hold Fernet ciphertext, never a
    # token; *_expires_at are Unix seconds (rotation on). status: active | needs_reinstall.
    # granted_teams: the workspaces an org-wide install reaches (team_access_granted).
    db.executescript(
        """
        CREATE TABLE slack_installations (
            install_key TEXT PRIMARY KEY,
            enterprise_id TEXT,
            enterprise_name TEXT,
            team_id TEXT,
            team_name TEXT,
            is_enterprise_install INTEGER NOT NULL DEFAULT 0,
            app_id TEXT,
            bot_id TEXT,
            bot_user_id TEXT,
            bot_scopes TEXT,
            bot_token TEXT,
            bot_refresh_token TEXT,
            bot_token_expires_at INTEGER,
            user_id TEXT,
            user_scopes TEXT,
            user_token TEXT,
            user_refresh_token TEXT,
            user_token_expires_at INTEGER,
            token_type TEXT,
            granted_teams TEXT NOT NULL DEFAULT '',
            installed_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'active',
            status_note TEXT
        );
        CREATE INDEX slack_installations_team ON slack_installations (team_id);
        CREATE INDEX slack_installations_enterprise ON slack_installations (enterprise_id);
        CREATE TABLE slack_oauth_states (state TEXT PRIMARY KEY, expires_at TEXT NOT NULL);
        """
    )
