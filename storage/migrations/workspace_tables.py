"""The registry of workspaces (storage/workspaces.py), kept in the home database.

Every database gets the table (one SHIPPED list); only the home database's has rows: each
workspace's own data is in a database of its own (docs/workspaces.md).
"""

from __future__ import annotations

from sqlite_utils import Database


def m027_workspaces(db: Database) -> None:
    # One row per workspace that ever used the app in OAuth mode, by its key (the team id,
    # or the enterprise id of an org-wide install). A forgotten workspace keeps its row
    # (status 'forgotten', no name) so operators can see when its data was purged.
    db.executescript(
        """
        CREATE TABLE workspaces (
            key TEXT PRIMARY KEY,
            team_id TEXT,
            enterprise_id TEXT,
            team_name TEXT,
            status TEXT NOT NULL DEFAULT 'active',
            created_at TEXT NOT NULL,
            forgotten_at TEXT,
            last_sweep_at TEXT,
            last_sweep_problems INTEGER NOT NULL DEFAULT 0,
            last_sweep_error TEXT
        );
        CREATE INDEX workspaces_status ON workspaces (status);
        """
    )
