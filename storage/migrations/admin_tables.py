"""Per-workspace admins (OAuth mode, docs/admins.md): who may change this workspace's tracker,
kept in the workspace's own database, and every change to them."""

from __future__ import annotations

from sqlite_utils import Database


def m030_workspace_admins(db: Database) -> None:
    # One row per admin of this workspace (OAuth mode; single-workspace mode reads
    # REVIEWWATCH_ADMINS instead and leaves the table empty). The admin user group, when
    # set, is app_state's 'admin_group'. admin_changes is the history of both: who added
    # or removed whom (or set the group), and when.
    db.executescript(
        """
        CREATE TABLE workspace_admins (
            user_id TEXT PRIMARY KEY,
            added_by TEXT NOT NULL,
            added_at TEXT NOT NULL
        );
        CREATE TABLE admin_changes (
            id INTEGER PRIMARY KEY,
            action TEXT NOT NULL,
            subject TEXT,
            actor TEXT NOT NULL,
            at TEXT NOT NULL
        );
        """
    )
