"""OAuth mode's installations and install states, on the app's home database.

One row per installation, keyed by `install_key`: the workspace's team id, or the
organization's enterprise id for an org-wide (Enterprise Grid) install. Token columns hold
what bot/install/crypto.py made of them (ciphertext); this module never sees a token.

Finding an installation (`find_installation_row`) takes whatever ids a request carries:
a workspace's own install by its team id; else an org-wide install by the enterprise id,
whatever the request's `is_enterprise_install` says (team_access_granted says false:
bolt-js #1778); else an org-wide install that was granted that team (a request with only
the team id). An org-wide install is saved under its enterprise id with no team id, even
when Slack's answer names a team (python-slack-sdk #1639).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from storage.db import Store, is_postgres_url
from storage.sql import placeholders
from storage.timestamps import utc_iso

STATUS_ACTIVE = "active"
STATUS_NEEDS_REINSTALL = "needs_reinstall"
TOKEN_COLUMNS = ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token")
COLUMNS = (
    "install_key",
    "enterprise_id",
    "enterprise_name",
    "team_id",
    "team_name",
    "is_enterprise_install",
    "app_id",
    "bot_id",
    "bot_user_id",
    "bot_scopes",
    "bot_token",
    "bot_refresh_token",
    "bot_token_expires_at",
    "user_id",
    "user_scopes",
    "user_token",
    "user_refresh_token",
    "user_token_expires_at",
    "token_type",
)
_REFRESH_LOCK_NAMESPACE = 7_248_026  # pg_advisory_xact_lock(namespace, hashtext(key))
_MEMORY_LOCK = threading.Lock()  # a :memory: database has no file to lock beside it


def _one(db: Database, sql: str, params: Sequence[Any]) -> dict[str, Any] | None:
    rows = list(db.query(sql, list(params)))
    return dict(rows[0]) if rows else None


def save_installation(db: Database, row: Mapping[str, Any], at: datetime) -> None:
    """Insert or replace the installation `row` (every COLUMNS key); a reinstall keeps the
    first install's time and granted teams, and is active again."""
    values = [row.get(column) for column in COLUMNS]
    updates = ", ".join(f"{c} = excluded.{c}" for c in COLUMNS if c != "install_key")
    with db.atomic():
        db.execute(
            f"INSERT INTO slack_installations ({', '.join(COLUMNS)}, installed_at, updated_at, status)"
            f" VALUES ({placeholders(values)}, ?, ?, ?)"
            f" ON CONFLICT(install_key) DO UPDATE SET {updates}, updated_at = excluded.updated_at,"
            " status = excluded.status, status_note = NULL",
            [*values, utc_iso(at), utc_iso(at), STATUS_ACTIVE],
        )


def find_installation_row(
    db: Database, enterprise_id: str | None, team_id: str | None
) -> dict[str, Any] | None:
    """The installation serving a request from `team_id` in `enterprise_id` (either may be
    None); see the module docstring for the order."""
    if team_id:
        own = _one(
            db,
            "SELECT * FROM slack_installations WHERE install_key = ? AND is_enterprise_install = 0",
            [team_id],
        )
        if own is not None:
            return own
    if enterprise_id:
        org = _one(
            db,
            "SELECT * FROM slack_installations WHERE install_key = ? AND is_enterprise_install = 1",
            [enterprise_id],
        )
        if org is not None:
            return org
    if team_id:
        return _one(
            db,
            "SELECT * FROM slack_installations WHERE is_enterprise_install = 1 AND granted_teams LIKE ?"
            " ORDER BY install_key LIMIT 1",
            [f"%,{team_id},%"],
        )
    return None


def installation_by_key(db: Database, install_key: str) -> dict[str, Any] | None:
    return _one(db, "SELECT * FROM slack_installations WHERE install_key = ?", [install_key])


def list_installations(db: Database) -> list[dict[str, Any]]:
    """Every installation, oldest first (for `python app.py workspaces`)."""
    return [dict(r) for r in db.query("SELECT * FROM slack_installations ORDER BY installed_at, install_key")]


def delete_installation_row(db: Database, install_key: str) -> bool:
    """Forget an installation and its tokens; False when there was none."""
    with db.atomic():
        gone = db.execute("DELETE FROM slack_installations WHERE install_key = ?", [install_key]).rowcount
    return bool(gone)


def clear_user_token(db: Database, install_key: str, user_id: str, at: datetime) -> None:
    """Forget the installing person's own token (tokens_revoked for that person)."""
    with db.atomic():
        db.execute(
            "UPDATE slack_installations SET user_token = NULL, user_refresh_token = NULL,"
            " user_token_expires_at = NULL, updated_at = ? WHERE install_key = ? AND user_id = ?",
            [utc_iso(at), install_key, user_id],
        )


def update_tokens(db: Database, install_key: str, fields: Mapping[str, Any], at: datetime) -> None:
    """Replace some token columns (a refresh, or re-encryption under a new key)."""
    allowed = {*TOKEN_COLUMNS, "bot_token_expires_at", "user_token_expires_at", "bot_scopes", "user_scopes"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"not token columns: {sorted(unknown)}")
    sets = ", ".join(f"{column} = ?" for column in fields)
    with db.atomic():
        db.execute(
            f"UPDATE slack_installations SET {sets}, updated_at = ? WHERE install_key = ?",
            [*fields.values(), utc_iso(at), install_key],
        )


def set_status(db: Database, install_key: str, status: str, note: str | None, at: datetime) -> None:
    with db.atomic():
        db.execute(
            "UPDATE slack_installations SET status = ?, status_note = ?, updated_at = ?"
            " WHERE install_key = ?",
            [status, note, utc_iso(at), install_key],
        )


def change_granted_teams(
    db: Database, install_key: str, *, add: Sequence[str] = (), remove: Sequence[str] = (), at: datetime
) -> list[str]:
    """Add or remove workspaces an org-wide install reaches; the teams it reaches after."""
    with db.atomic():
        row = installation_by_key(db, install_key)
        if row is None:
            return []
        teams = [t for t in str(row["granted_teams"] or "").split(",") if t]
        teams = sorted((set(teams) | set(add)) - set(remove))
        db.execute(
            "UPDATE slack_installations SET granted_teams = ?, updated_at = ? WHERE install_key = ?",
            ["," + ",".join(teams) + "," if teams else "", utc_iso(at), install_key],
        )
    return teams


# ------------------------------------------------------------------ install states


def issue_state(db: Database, state: str, expires_at: datetime) -> None:
    with db.atomic():
        db.execute(
            "INSERT INTO slack_oauth_states (state, expires_at) VALUES (?, ?)", [state, utc_iso(expires_at)]
        )


def consume_state(db: Database, state: str, now: datetime) -> bool:
    """Use up an install state: True once, while it has not expired; expired ones go too."""
    with db.atomic():
        taken = db.execute(
            "DELETE FROM slack_oauth_states WHERE state = ? AND expires_at > ?", [state, utc_iso(now)]
        ).rowcount
        db.execute("DELETE FROM slack_oauth_states WHERE expires_at <= ?", [utc_iso(now)])
    return taken == 1


# ------------------------------------------------------------------ the refresh lock


@contextlib.contextmanager
def refresh_lock(store: Store, install_key: str) -> Iterator[Database]:
    """Hold the lock under which one installation's tokens are refreshed, across threads and
    processes: on PostgreSQL a transaction-scoped advisory lock (the body runs in that
    transaction, on this thread's connection); on SQLite an exclusive `flock` on a file
    beside the database (all installations share it: refreshes are rare and short)."""
    db = store.db
    if is_postgres_url(store.path):
        with db.atomic():
            db.execute("SELECT pg_advisory_xact_lock(?, hashtext(?))", [_REFRESH_LOCK_NAMESPACE, install_key])
            yield db
        return
    if store.path == ":memory:":
        with _MEMORY_LOCK:
            yield db
        return
    import fcntl
    import os

    fd = os.open(f"{store.path}.token-refresh-lock", os.O_CREAT | os.O_RDWR, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield db
    finally:
        os.close(fd)  # closing lets the lock go
