"""The board in OAuth mode (many workspaces, one database each): which workspace a board
request belongs to.

A board request comes from a browser, not from Slack, so nothing routes it: the workspace
travels with it. The sign-in link `/aireview board` gives carries the workspace's key before
its token (`/board/signin/<key>.<token>`), and so does the session cookie it starts
(`<key>.<token>`); Sign in with Slack takes it from the id_token's team id. A request is
served only inside an active (installed) workspace, and there its link or session is looked
up in that workspace's database alone: a token of workspace A presented with B's key is not
found. A request that names no active workspace reads nothing, not even the home database
(which holds no workspace's tracker), and gets a page saying where to start. The public
board is not offered in OAuth mode: anyone could then read any workspace's tracker.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from bot.board.access import (
    MODE_PUBLIC,
    SESSION_COOKIE,
    SIGN_IN_PATH,
    cookie_value,
    session_cookie,
    split_key,
)
from bot.board.slack_signin import TEAM_CLAIM, Refusal, Refused, finish_sign_in
from bot.deps import Deps
from bot.tenancy import in_workspace

R = TypeVar("R")

NO_WORKSPACE = Refusal(
    403,
    "Open the board from Slack",
    (
        "This Review Watch serves many Slack workspaces, each with its own board, and this "
        "address names none of them (or a workspace where Review Watch is not installed).",
        "In Slack, type /aireview board in your workspace: Review Watch sends you a personal "
        "sign-in link to your workspace's board.",
    ),
)
NOT_INSTALLED = Refusal(
    403,
    "Review Watch is not installed in your workspace",
    (
        "You signed in to a Slack workspace where Review Watch is not installed, so it has no board for you.",
        "Ask a workspace admin to add Review Watch to Slack, then type /aireview board there.",
    ),
)
NO_PUBLIC_BOARD = Refusal(
    404,
    "No public board here",
    (
        "This Review Watch serves many Slack workspaces, and a public board would show every "
        "workspace's tracker to anyone, so it is off.",
        "In Slack, type /aireview board in your workspace for a personal sign-in link.",
    ),
)


def many_workspaces(deps: Deps) -> bool:
    """Whether the app serves many workspaces, each on its own database (OAuth mode)."""
    return deps.runtime.workspaces is not None


def active_key(deps: Deps, key: str | None) -> str | None:
    """`key` when it names an installed, active workspace, else None."""
    if not key or not many_workspaces(deps):
        return None
    return key if deps.runtime.workspaces.is_active(key) else None


def request_workspace(deps: Deps, path: str, cookie_header: str | None, session_cookie: str) -> str | None:
    """The active workspace a board request names: a sign-in link's key, else the session
    cookie's; None when it names none (or one not installed)."""
    if path.startswith(SIGN_IN_PATH):
        key, _ = split_key(path[len(SIGN_IN_PATH) :])
    else:
        key, _ = split_key(cookie_value(cookie_header, session_cookie) or "")
    return active_key(deps, key)


def in_request_workspace(
    deps: Deps, path: str, cookie_header: str | None, serve: Callable[[], R], refuse: Callable[[Refusal], R]
) -> R:
    """Serve a board request: as is with one workspace; in OAuth mode only inside the active
    workspace it names, and refused (nothing read or written) when it names none."""
    if not many_workspaces(deps):
        return serve()
    if deps.settings.board_mode == MODE_PUBLIC:
        return refuse(NO_PUBLIC_BOARD)
    key = request_workspace(deps, path, cookie_header, SESSION_COOKIE)
    if key is None:
        return refuse(NO_WORKSPACE)
    deps.runtime.workspaces.use(key)
    with in_workspace(key):
        return serve()


def slack_session_cookie(deps: Deps, claims: dict[str, Any], bot_team: Callable[[], str | None]) -> str:
    """The session cookie for the person verified claims name (Sign in with Slack). In OAuth
    mode the id_token's team id names the workspace, which must be installed and active; the
    session is kept in its database and the cookie carries its key."""
    if not many_workspaces(deps):
        return session_cookie(deps, finish_sign_in(deps, claims, bot_team))
    key = active_key(deps, str(claims.get(TEAM_CLAIM) or ""))
    if key is None:
        raise Refused(NOT_INSTALLED)
    deps.runtime.workspaces.use(key)
    with in_workspace(key):
        return session_cookie(deps, finish_sign_in(deps, claims, lambda: key))
