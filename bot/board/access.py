"""Who may read the board: its mode (REVIEWWATCH_BOARD), personal sign-in links and sessions.

In `private` mode a page needs a session. `/aireview board` gives the person who asks a
link of their own (good once, for 15 minutes); opening it and pressing "Sign in" starts a
session held in a cookie (HttpOnly, SameSite=Lax, Secure when the board is served over
https). A session belongs to the Slack workspace it was issued for, and only the board's
own workspace may read it. Tokens are random; only their SHA-256 is stored.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from http.cookies import CookieError, SimpleCookie

from bot.deps import Deps
from bot.tenancy import current_workspace
from storage.board import (
    BoardPerson,
    board_team,
    claim_board_team,
    link_usable,
    redeem_link,
    save_link,
    save_session,
    session_person,
)

MODE_OFF = "off"
MODE_PRIVATE = "private"
MODE_PUBLIC = "public"
LINK_LIFETIME = timedelta(minutes=15)
SESSION_LIFETIME = timedelta(days=7)
SESSION_COOKIE = "reviewwatch_board"
SIGN_IN_PATH = "/board/signin/"
SCOPE_PUBLIC = "public"
KEY_SEPARATOR = "."


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def board_url(deps: Deps, path: str) -> str:
    """The address of a board path as people reach it (REVIEWWATCH_PUBLIC_URL), else the path."""
    return f"{deps.settings.public_url or ''}{path}"


class WrongWorkspace(Exception):
    """The person asks from a workspace this board does not belong to."""


def issue_link(deps: Deps, user_id: str, team_id: str) -> str:
    """A fresh personal sign-in link for `user_id` of `team_id`."""
    db = deps.store.db
    if claim_board_team(db, team_id) != team_id:
        raise WrongWorkspace(team_id)
    token = secrets.token_urlsafe(32)
    now = deps.clock.now()
    save_link(db, token_hash(token), BoardPerson(user_id, team_id), at=now, expires=now + LINK_LIFETIME)
    return board_url(deps, SIGN_IN_PATH + with_key(token))


def issue_teams_link(deps: Deps, aad_object_id: str) -> str:
    """A fresh personal sign-in link for a Teams person (by Entra object id, from an activity
    the bot authenticated, in the bot's own tenant): single use, LINK_LIFETIME, for the
    board's workspace; a board no Slack workspace has claimed yet is claimed for the tenant."""
    db = deps.store.db
    team = board_team(db) or claim_board_team(db, f"teams:{deps.settings.teams_tenant_id}")
    token = secrets.token_urlsafe(32)
    now = deps.clock.now()
    person = BoardPerson(f"teams:{aad_object_id}", team)
    save_link(db, token_hash(token), person, at=now, expires=now + LINK_LIFETIME)
    return board_url(deps, SIGN_IN_PATH + with_key(token))


def link_is_usable(deps: Deps, token: str) -> bool:
    return link_usable(deps.store.db, token_hash(split_key(token)[1]), deps.clock.now())


@dataclass(frozen=True)
class NewSession:
    token: str  # goes in the cookie, never stored
    max_age: int  # seconds


def sign_in(deps: Deps, link_token: str) -> NewSession | None:
    """Redeem a sign-in link: a new session, or None (unknown, used, expired, other workspace)."""
    db = deps.store.db
    now = deps.clock.now()
    person = redeem_link(db, token_hash(split_key(link_token)[1]), now)
    if person is None or person.team_id != board_team(db):
        return None
    return start_session(deps, person)


def start_session(deps: Deps, person: BoardPerson) -> NewSession:
    """A new session for `person` (a redeemed link, or "Sign in with Slack"), good for 7 days."""
    now = deps.clock.now()
    token = secrets.token_urlsafe(32)
    save_session(deps.store.db, token_hash(token), person, at=now, expires=now + SESSION_LIFETIME)
    return NewSession(token, int(SESSION_LIFETIME.total_seconds()))


def split_key(value: str) -> tuple[str | None, str]:
    """`<key>.<token>` as (key, token), a value with no key as (None, value): in OAuth mode
    links and session cookies carry their workspace's key (bot/board/workspace.py). Tokens
    are URL-safe base64, which has no dot."""
    key, separator, token = value.partition(KEY_SEPARATOR)
    return (key, token) if separator else (None, value)


def with_key(token: str) -> str:
    """`token` with the current workspace's key before it (as is with no workspace)."""
    key = current_workspace()
    return f"{key}{KEY_SEPARATOR}{token}" if key else token


def cookie_value(cookie_header: str | None, name: str) -> str | None:
    """The value of cookie `name` in a Cookie header, None when absent, empty or unreadable."""
    if not cookie_header:
        return None
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(cookie_header)
    except CookieError:
        return None
    morsel = jar.get(name)
    return morsel.value if morsel is not None and morsel.value else None


def cookie_token(cookie_header: str | None) -> str | None:
    """The session token in the board's cookie (without its workspace key)."""
    value = cookie_value(cookie_header, SESSION_COOKIE)
    return split_key(value)[1] if value else None


def reader_scope(deps: Deps, cookie_header: str | None) -> str | None:
    """Who the page is made for: SCOPE_PUBLIC in public mode, `team:<id>` for a valid session
    of the board's workspace, None when the reader must sign in first."""
    if deps.settings.board_mode == MODE_PUBLIC:
        return SCOPE_PUBLIC
    token = cookie_token(cookie_header)
    if token is None:
        return None
    person = session_person(deps.store.db, token_hash(token), deps.clock.now())
    if person is None or person.team_id != board_team(deps.store.db):
        return None
    key = current_workspace()
    return f"team:{person.team_id}" if key is None else f"workspace:{key}|team:{person.team_id}"


def secure_flag(deps: Deps) -> str:
    """A cookie's Secure attribute when the board is served over https (REVIEWWATCH_PUBLIC_URL)."""
    return "; Secure" if (deps.settings.public_url or "").startswith("https://") else ""


def session_cookie(deps: Deps, session: NewSession) -> str:
    secure = secure_flag(deps)
    return (
        f"{SESSION_COOKIE}={with_key(session.token)}; Max-Age={session.max_age}; Path=/board; HttpOnly; "
        f"SameSite=Lax{secure}"
    )
