"""The web board in tests: its WSGI app over a Deps, an httpx client on it (no socket), a
personal sign-in link asked for as a person would (`/aireview board`), and a live server
for the browser tests."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

import httpx
from waitress import wasyncore
from waitress.server import create_server

from bot.deps import Deps
from bot.replies import CommandRequest
from handlers.http.board import board_routes
from handlers.http.routes import HttpApp, Route, plain

TEAM_ID = "T0EMULATE"
OTHER_TEAM_ID = "T0THEIRS1"
READER_ID = "U0READER1"


def board_app(deps: Deps, mode: str = "private") -> HttpApp:
    deps.settings = replace(deps.settings, board_mode=mode)
    return HttpApp([Route(p, m, plain(h)) for p, m, h in board_routes(deps)], deps.store)


def board_client(app: HttpApp) -> httpx.Client:
    return httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://board.test")


def ask_for_link(deps: Deps, team_id: str = TEAM_ID, user_id: str = READER_ID) -> str:
    """The sign-in path `/aireview board` gives (the reply's text holds the link)."""
    command = deps.subcommands.get("board")
    assert command is not None
    reply = command.run(deps, CommandRequest(text="", user_id=user_id, team_id=team_id))
    assert reply is not None
    found = re.search(r"(/board/signin/[A-Za-z0-9_-]+)", reply.text)
    assert found, reply.text
    return found.group(1)


def signed_in_client(deps: Deps, app: HttpApp) -> httpx.Client:
    client = board_client(app)
    answer = client.post(ask_for_link(deps))
    assert answer.status_code == 303, answer.text
    return client


@contextmanager
def served(app: HttpApp) -> Iterator[str]:
    """The app on a free local port (waitress, as in production); yields its base URL. Stopped
    from inside waitress's own loop (its trigger), so it ends at once rather than after the
    loop's next select timeout."""
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    port = server.socket.getsockname()[1]  # type: ignore[union-attr]
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        # Closing every channel from inside the loop empties its map, and the loop returns.
        try:
            server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))  # type: ignore[union-attr]
        except OSError:
            # The trigger's pipe was already closed (EBADF, seen once in CI at teardown, cause
            # not found): close the channels from here; the loop then ends on its next select.
            wasyncore.close_all(server._map)  # type: ignore[union-attr]
        thread.join(timeout=5)
        server.task_dispatcher.shutdown()  # type: ignore[union-attr]
