"""`/aireview board`: where the web board is, with a personal sign-in link when it is private.

The link is shown only to the person who asked (an ephemeral answer to the slash command);
asked in a channel message it is refused, since everyone there would see it.
"""

from __future__ import annotations

from bot.board.access import (
    LINK_LIFETIME,
    MODE_OFF,
    MODE_PUBLIC,
    WrongWorkspace,
    board_url,
    issue_link,
)
from bot.deps import Deps
from bot.replies import SURFACE_CONSOLE, SURFACE_SLACK, CommandRequest, Reply, Subcommand

BOARD_PATH = "/board"


def run_board(deps: Deps, request: CommandRequest) -> Reply:
    mode = deps.settings.board_mode
    if mode == MODE_OFF:
        return Reply(text="The web board is off here (`REVIEWWATCH_BOARD=off`).")
    where = board_url(deps, BOARD_PATH)
    if mode == MODE_PUBLIC and deps.runtime.workspaces is not None:
        return Reply(text="The public board is off: this Review Watch serves many Slack workspaces.")
    if mode == MODE_PUBLIC:
        return Reply(text=f"The board is open to anyone: {where}")
    if request.surface != SURFACE_SLACK or request.team_id is None or request.asked_in_message:
        return Reply(
            text="Sign-in links are personal: ask with the slash command `/aireview board` in Slack, "
            "and I will send one only to you."
        )
    try:
        link = issue_link(deps, request.user_id, request.team_id)
    except WrongWorkspace:
        return Reply(text="This board belongs to another Slack workspace.")
    minutes = int(LINK_LIFETIME.total_seconds() // 60)
    note = "" if deps.settings.public_url else " (set `REVIEWWATCH_PUBLIC_URL` to get full web addresses)"
    return Reply(
        text=(
            f"Your personal sign-in link to the board, good once for {minutes} minutes: {link}{note}\n"
            "Do not share it; forward page addresses instead (colleagues sign in with their own link)."
        )
    )


BOARD_SUBCOMMAND = Subcommand(
    name="board",
    usage="board",
    summary="the web board's address, with a personal sign-in link (only you see it) when it is private",
    example="/aireview board",
    run=run_board,
    surfaces=(SURFACE_SLACK, SURFACE_CONSOLE),
)
