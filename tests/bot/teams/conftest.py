"""The Teams bot on our server, talking to the local connector stand-in."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest

from bot.deps import Deps
from bot.settings import load_settings
from tests.support.teams_connector import BotServer, TeamsConnector


@pytest.fixture(scope="module")
def connector() -> Iterator[TeamsConnector]:
    with TeamsConnector() as server:
        yield server


def with_teams_bot(deps: Deps, connector: TeamsConnector, **extra: str) -> None:
    """Point deps' settings at the stand-in, as the environment would."""
    teams = load_settings({**connector.settings_env(), **extra}, env_file=None)
    deps.settings = dataclasses.replace(
        deps.settings,
        **{f.name: getattr(teams, f.name) for f in dataclasses.fields(teams) if f.name.startswith("teams_")},
    )


# An admin (REVIEWWATCH_TEAMS_ADMINS) and someone else, by Entra object id.
ADMIN_AAD = "7f1c0000-0000-4000-8000-00000000abcd"
OTHER_AAD = "0a0a0000-0000-4000-8000-000000000001"


@pytest.fixture
def admin_bot(deps: Deps, connector: TeamsConnector) -> Iterator[BotServer]:
    """The bot with ADMIN_AAD as its one admin."""
    with_teams_bot(deps, connector, REVIEWWATCH_TEAMS_ADMINS=ADMIN_AAD)
    connector.clear()
    server = BotServer(deps, typing_after=5.0)
    yield server
    server.close()


@pytest.fixture
def bot(deps: Deps, connector: TeamsConnector) -> Iterator[BotServer]:
    with_teams_bot(deps, connector)
    connector.clear()
    server = BotServer(deps, typing_after=5.0)
    yield server
    server.close()
