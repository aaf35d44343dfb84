"""The admin form tests' fixtures: a Bolt App that finishes each listener before a request
returns, talking to the Slack emulator, with two admins configured (the second one is who
changes a record under an open form, for the stale-version checks)."""

from __future__ import annotations

import pytest
from slack_bolt import App
from slack_sdk import WebClient

from bot.deps import Deps
from bot.settings import Settings
from handlers import build_app
from tests.conftest import ADMIN_ID, BOT_TOKEN
from tests.support.admin_edits import OTHER_ADMIN
from tests.support.admin_forms import InlineExecutor
from tests.support.slack_emulator import SlackEmulator


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return Settings(**{**settings.__dict__, "admins": (ADMIN_ID, OTHER_ADMIN)})


@pytest.fixture
def app(deps: Deps, slack_emulator: SlackEmulator) -> App:
    client = WebClient(token=BOT_TOKEN, base_url=slack_emulator.api_url)
    return build_app(deps, client=client, listener_executor=InlineExecutor())
