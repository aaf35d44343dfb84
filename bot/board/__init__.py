"""The web board: read-only pages of the tracker for people outside Slack (`/board`, one page
per developer, what changed, labs side by side, an Atom feed of changes), and who may read
them (REVIEWWATCH_BOARD, personal sign-in links from `/aireview board`, sessions).

`pages` and `listings` build each page's data from bot.read's answers, `render` lays it out
with Jinja2 templates (autoescaped) and serves the stylesheets, `access` holds sign-in links and
sessions, `slack_signin` "Sign in with Slack" (OpenID Connect, where a client id is set),
`command` the `/aireview board` subcommand. handlers/http/board.py serves them.
Nothing here writes to the tracker.
"""

from bot.board.access import (
    LINK_LIFETIME,
    MODE_OFF,
    MODE_PRIVATE,
    MODE_PUBLIC,
    SCOPE_PUBLIC,
    SESSION_COOKIE,
    SIGN_IN_PATH,
    NewSession,
    board_url,
    issue_teams_link,
    link_is_usable,
    reader_scope,
    session_cookie,
    sign_in,
)
from bot.board.command import BOARD_SUBCOMMAND
from bot.board.slack_signin import (
    CALLBACK_PATH,
    CANCELLED,
    CODE_USED,
    LOGIN_PATH,
    NOT_OFFERED,
    SLACK_REFUSED,
    UNREACHABLE,
    Refusal,
    Refused,
    finish_sign_in,
    keys_client,
    login_link,
    pending_login,
    redirect_uri,
    start_login,
    verified_claims,
)

__all__ = [
    "BOARD_SUBCOMMAND",
    "CALLBACK_PATH",
    "CANCELLED",
    "CODE_USED",
    "LOGIN_PATH",
    "NOT_OFFERED",
    "SLACK_REFUSED",
    "UNREACHABLE",
    "Refusal",
    "Refused",
    "finish_sign_in",
    "keys_client",
    "login_link",
    "pending_login",
    "redirect_uri",
    "start_login",
    "verified_claims",
    "MODE_OFF",
    "MODE_PRIVATE",
    "MODE_PUBLIC",
    "SCOPE_PUBLIC",
    "SESSION_COOKIE",
    "SIGN_IN_PATH",
    "LINK_LIFETIME",
    "NewSession",
    "board_url",
    "issue_teams_link",
    "link_is_usable",
    "reader_scope",
    "session_cookie",
    "sign_in",
]
