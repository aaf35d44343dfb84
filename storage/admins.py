"""A workspace's own admins (OAuth mode, docs/admins.md), in that workspace's database: the
admins, the admin user group, and the history of changes to them (who did what, when)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlite_utils import Database

from storage.timestamps import utc_iso
from storage.tracker import get_state, set_state

STATE_ADMIN_GROUP = "admin_group"


class LastAdmin(Exception):
    """Removing this admin would leave the workspace with none."""


def list_admins(db: Database) -> list[dict[str, Any]]:
    """Every admin ({user_id, added_by, added_at}), first added first."""
    sql = "SELECT user_id, added_by, added_at FROM workspace_admins ORDER BY added_at, user_id"
    return list(db.query(sql))


def admin_ids(db: Database) -> frozenset[str]:
    return frozenset(row["user_id"] for row in db.query("SELECT user_id FROM workspace_admins"))


def _record(db: Database, action: str, subject: str | None, actor: str, at: datetime) -> None:
    db.execute(
        "INSERT INTO admin_changes (action, subject, actor, at) VALUES (?, ?, ?, ?)",
        [action, subject, actor, utc_iso(at)],
    )


def add_admin(db: Database, user_id: str, actor: str, at: datetime) -> bool:
    """Make `user_id` an admin; False when they were one already (nothing recorded)."""
    with db.atomic():
        cursor = db.execute(
            "INSERT OR IGNORE INTO workspace_admins (user_id, added_by, added_at) VALUES (?, ?, ?)",
            [user_id, actor, utc_iso(at)],
        )
        if not cursor.rowcount:
            return False
        _record(db, "added", user_id, actor, at)
    return True


def add_first_admin(db: Database, user_id: str, at: datetime) -> bool:
    """The installer becomes the admin of a workspace that has none; False when it has one."""
    with db.atomic():
        if admin_ids(db):
            return False
        return add_admin(db, user_id, "(install)", at)


def remove_admin(db: Database, user_id: str, actor: str, at: datetime) -> bool:
    """`user_id` is no longer an admin; False when they were not one; LastAdmin when they are
    the only one (nothing changes)."""
    with db.atomic():
        admins = admin_ids(db)
        if user_id not in admins:
            return False
        if len(admins) == 1:
            raise LastAdmin(user_id)
        db.execute("DELETE FROM workspace_admins WHERE user_id = ?", [user_id])
        _record(db, "removed", user_id, actor, at)
    return True


def admin_group(db: Database) -> str | None:
    return get_state(db, STATE_ADMIN_GROUP) or None


def set_admin_group(db: Database, group_id: str | None, actor: str, at: datetime) -> None:
    """The workspace's admin user group (None: no group)."""
    with db.atomic():
        set_state(db, STATE_ADMIN_GROUP, group_id)
        _record(db, "group set" if group_id else "group off", group_id, actor, at)


def admin_changes(db: Database, limit: int = 10) -> list[dict[str, Any]]:
    """The latest changes to the admins, newest first."""
    return list(
        db.query("SELECT action, subject, actor, at FROM admin_changes ORDER BY id DESC LIMIT ?", [limit])
    )
