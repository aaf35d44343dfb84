"""Many workspaces in tests: a home database, the workspace registry, a routed Deps and a
Bolt App that authorizes each team with its own token (as OAuth mode's installation store
does), and requests re-addressed to a team."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

from slack_bolt import App
from slack_bolt.authorization import AuthorizeResult
from slack_sdk import WebClient

from bot.catalog import make_deps
from bot.clock import Clock
from bot.deps import Deps
from bot.settings import Settings
from bot.tenancy import Workspaces, routed_deps
from handlers import build_app
from storage.db import Store, open_store
from tests.support.slack_emulator import BOT_ID, BOT_USER_ID

TEAM_A = "T0AAAAAAA"
TEAM_B = "T0BBBBBBB"
TEAM_C = "T0CCCCCCC"
TOKENS = {TEAM_A: "xoxb-team-a", TEAM_B: "xoxb-team-b", TEAM_C: "xoxb-team-c"}


@dataclass
class DictBotTokens:
    """bot.tenancy.BotTokens over a dict of team (or enterprise) id -> token."""

    tokens: dict[str, str] = field(default_factory=lambda: dict(TOKENS))
    asked: list[str] = field(default_factory=list)

    def bot_token(self, *, team_id: str | None, enterprise_id: str | None) -> str | None:
        self.asked.append(team_id or enterprise_id or "")
        return self.tokens.get(team_id or "") or self.tokens.get(enterprise_id or "")


def authorizer(tokens: DictBotTokens) -> Any:
    """Bolt's `authorize`: the team's own token, or None (Bolt refuses) for a team never installed."""

    def authorize(enterprise_id: str | None, team_id: str | None, **_: Any) -> AuthorizeResult | None:
        token = tokens.bot_token(team_id=team_id, enterprise_id=enterprise_id)
        if token is None:
            return None
        return AuthorizeResult(
            enterprise_id=enterprise_id,
            team_id=team_id,
            bot_token=token,
            bot_user_id=BOT_USER_ID,
            bot_id=BOT_ID,
        )

    return authorize


def open_workspaces(home_path: Path, clock: Clock, url: str | None = None) -> tuple[Store, Workspaces]:
    home = open_store(url or home_path)
    return home, Workspaces(home, clock)


def routed_app_deps(settings: Settings, workspaces: Workspaces, clock: Clock) -> Deps:
    return routed_deps(make_deps(settings, workspaces.home, clock), workspaces)


def oauth_app(deps: Deps, workspaces: Workspaces, api_url: str, tokens: DictBotTokens, **kwargs: Any) -> App:
    """The app as OAuth mode runs it: a token per team, each request routed to its workspace."""
    client = WebClient(base_url=api_url)
    return build_app(deps, client=client, authorize=authorizer(tokens), workspaces=workspaces, **kwargs)


_TEAM_FIELDS = ("team_id", "app_installed_team_id", "user_team", "source_team")


def _retarget(value: Any, team_id: str) -> Any:
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key in _TEAM_FIELDS and isinstance(item, str):
                out[key] = team_id
            elif key == "team" and isinstance(item, dict):
                out[key] = {**item, "id": team_id}
            elif key == "team" and isinstance(item, str):
                out[key] = team_id
            elif key in ("enterprise_id", "enterprise"):
                out[key] = None
            else:
                out[key] = _retarget(item, team_id)
        return out
    if isinstance(value, list):
        return [_retarget(item, team_id) for item in value]
    return value


def from_team(body: str, team_id: str) -> str:
    """`body` (an Events API envelope, an interactive payload or a slash command) sent by `team_id`."""
    if body.startswith("{"):
        return json.dumps(_retarget(json.loads(body), team_id))
    fields = dict(parse_qsl(body, keep_blank_values=True))
    if "payload" in fields:
        fields["payload"] = json.dumps(_retarget(json.loads(fields["payload"]), team_id))
    else:
        fields["team_id"] = team_id
        fields.pop("enterprise_id", None)
    return urlencode(fields)
