"""The web board's access records: personal sign-in links and the sessions they open.

Tokens are never stored: callers pass the SHA-256 of each (`token_hash`), so the database
alone lets no one sign in. A link is good once, until it expires; redeeming it is one
`UPDATE ... WHERE used_at IS NULL`, so two tabs racing on one link open one session.
The board belongs to one Slack workspace (its team id, kept in `app_state`); a session
records the team it was issued for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from storage.timestamps import utc_iso

BOARD_TEAM_KEY = "board_team_id"


@dataclass(frozen=True)
class BoardPerson:
    """Who a link or a session was issued to."""

    user_id: str
    team_id: str


def board_team(db: Database) -> str | None:
    """The workspace whose tracker this is (None until the first link is issued)."""
    rows = list(db.query("SELECT value FROM app_state WHERE key = ?", [BOARD_TEAM_KEY]))
    return rows[0]["value"] if rows else None


def claim_board_team(db: Database, team_id: str) -> str:
    """Record `team_id` as the board's workspace unless one is recorded; the recorded one."""
    with db.atomic():
        db.execute(
            "INSERT INTO app_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO NOTHING",
            [BOARD_TEAM_KEY, team_id],
        )
    recorded = board_team(db)
    assert recorded is not None
    return recorded


def save_link(db: Database, token_hash: str, person: BoardPerson, *, at: datetime, expires: datetime) -> None:
    with db.atomic():
        db.execute(
            "INSERT INTO board_links (token_hash, user_id, team_id, created_at, expires_at)"
            " VALUES (?, ?, ?, ?, ?)",
            [token_hash, person.user_id, person.team_id, utc_iso(at), utc_iso(expires)],
        )
        # Links are short-lived: forget the ones that can no longer be used.
        db.execute("DELETE FROM board_links WHERE expires_at <= ?", [utc_iso(at)])


def link_usable(db: Database, token_hash: str, at: datetime) -> bool:
    """Whether the link is unused and unexpired (the sign-in page asks before redeeming)."""
    rows = db.query(
        "SELECT 1 FROM board_links WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?",
        [token_hash, utc_iso(at)],
    )
    return any(True for _ in rows)


def redeem_link(db: Database, token_hash: str, at: datetime) -> BoardPerson | None:
    """Mark the link used and say whom it was for; None when unknown, used or expired."""
    stamp = utc_iso(at)
    with db.atomic():
        cursor = db.execute(
            "UPDATE board_links SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?",
            [stamp, token_hash, stamp],
        )
        if cursor.rowcount != 1:
            return None
        row = next(
            iter(db.query("SELECT user_id, team_id FROM board_links WHERE token_hash = ?", [token_hash]))
        )
    return BoardPerson(row["user_id"], row["team_id"])


def save_session(
    db: Database, token_hash: str, person: BoardPerson, *, at: datetime, expires: datetime
) -> None:
    with db.atomic():
        db.execute(
            "INSERT INTO board_sessions (token_hash, user_id, team_id, created_at, expires_at)"
            " VALUES (?, ?, ?, ?, ?)",
            [token_hash, person.user_id, person.team_id, utc_iso(at), utc_iso(expires)],
        )
        db.execute("DELETE FROM board_sessions WHERE expires_at <= ?", [utc_iso(at)])


def session_person(db: Database, token_hash: str, at: datetime) -> BoardPerson | None:
    """Whom an unexpired session belongs to, or None."""
    rows = list(
        db.query(
            "SELECT user_id, team_id FROM board_sessions WHERE token_hash = ? AND expires_at > ?",
            [token_hash, utc_iso(at)],
        )
    )
    return BoardPerson(rows[0]["user_id"], rows[0]["team_id"]) if rows else None
