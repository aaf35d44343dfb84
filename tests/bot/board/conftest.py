"""Sign in with Slack in tests: the board served on 127.0.0.1 (waitress) with its Slack
addresses (authorize URL, Web API, keys, issuer) pointed at the Slack emulator, whose
OpenID Connect provider keeps the app's injected clock."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

import pytest
from waitress import wasyncore
from waitress.server import create_server

from bot.clock import FixedClock
from bot.deps import Deps
from tests.support.board import board_app
from tests.support.slack_emulator import (
    OPENID_AUTHORIZE_PATH,
    OPENID_CLIENT_ID,
    OPENID_CLIENT_SECRET,
    OPENID_KEYS_PATH,
    SlackEmulator,
)


def with_slack_sign_in(deps: Deps, emulator: SlackEmulator) -> Deps:
    """Set the client id and secret, and point every Slack address at the emulator."""
    deps.settings = replace(
        deps.settings,
        slack_api_url=emulator.api_url,
        slack_client_id=OPENID_CLIENT_ID,
        slack_client_secret=OPENID_CLIENT_SECRET,
        slack_openid_authorize_url=emulator.base_url + OPENID_AUTHORIZE_PATH,
        slack_openid_keys_url=emulator.base_url + OPENID_KEYS_PATH,
        slack_openid_issuer=emulator.base_url,
    )
    return deps


@contextmanager
def served(app: Any) -> Iterator[str]:
    """The app on a free local port (waitress, as in production); yields its base URL. Stopped
    from inside waitress's own loop (its trigger), so it ends at once and cleanly."""
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    port = server.socket.getsockname()[1]  # type: ignore[union-attr]
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        # Closing every channel from inside the loop empties its map, and the loop returns.
        server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))  # type: ignore[union-attr]
        thread.join(timeout=5)
        server.task_dispatcher.shutdown()  # type: ignore[union-attr]


@dataclass
class SignInBoard:
    deps: Deps
    url: str  # the board's base URL on 127.0.0.1
    emulator: SlackEmulator


@pytest.fixture
def signin_board(deps: Deps, slack_emulator: SlackEmulator, clock: FixedClock) -> Iterator[SignInBoard]:
    slack_emulator.openid.now = lambda: clock.now().timestamp()
    with_slack_sign_in(deps, slack_emulator)
    with served(board_app(deps)) as url:
        yield SignInBoard(deps, url, slack_emulator)
