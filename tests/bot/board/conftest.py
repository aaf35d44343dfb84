"""Sign in with Slack in tests: the board served on 127.0.0.1 (waitress) with its Slack
addresses (authorize URL, Web API, keys, issuer) pointed at the Slack emulator, whose
OpenID Connect provider keeps the app's injected clock."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

import pytest

from bot.clock import FixedClock
from bot.deps import Deps
from tests.support.board import board_app, served
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
