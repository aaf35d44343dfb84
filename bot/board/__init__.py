"""The web board: read-only pages of the tracker for people outside Slack (`/board`, one page
per developer, what changed, labs side by side, an Atom feed of changes), and who may read
them (REVIEWWATCH_BOARD, personal sign-in links from `/aireview board`, sessions).

`pages` and `listings` build each page's data from bot.read's answers, `render` lays it out
with Jinja2 templates (autoescaped) and serves the stylesheets, `access` holds sign-in and
sessions, `command` the `/aireview board` subcommand. handlers/http/board.py serves them.
Nothing here writes to the tracker.
"""

from bot.board.access import (
    MODE_OFF,
    MODE_PRIVATE,
    MODE_PUBLIC,
    SCOPE_PUBLIC,
    SESSION_COOKIE,
    SIGN_IN_PATH,
    NewSession,
    link_is_usable,
    reader_scope,
    session_cookie,
    sign_in,
)
from bot.board.command import BOARD_SUBCOMMAND

__all__ = [
    "BOARD_SUBCOMMAND",
    "MODE_OFF",
    "MODE_PRIVATE",
    "MODE_PUBLIC",
    "SCOPE_PUBLIC",
    "SESSION_COOKIE",
    "SIGN_IN_PATH",
    "NewSession",
    "link_is_usable",
    "reader_scope",
    "session_cookie",
    "sign_in",
]
