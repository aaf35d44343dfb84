"""OAuth mode's events, through a real Bolt App and real signed requests: uninstalling and
revoking delete the credentials and then call `on_uninstall`; an org's granted workspaces
follow team_access_granted/revoked; a token about to expire is refreshed once on a request."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.fernet import Fernet
from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import Installation

from bot.catalog import make_deps
from bot.clock import FixedClock
from bot.deps import Deps
from bot.install.crypto import TokenCipher
from bot.install.store import DatabaseInstallationStore
from handlers import build_app
from storage import installations as rows
from storage.db import Store
from tests.support.app_process import wait_until
from tests.support.slack_emulator import SlackEmulator
from tests.support.slack_emulator_oauth import OAUTH_CLIENT_ID, OAUTH_CLIENT_SECRET, oauth_mode_settings
from tests.support.slack_requests import app_mention_event, dispatch

KEY = Fernet.generate_key().decode()


@pytest.fixture
def oauth_deps(deps: Deps, slack_emulator: SlackEmulator) -> Deps:
    settings = oauth_mode_settings(
        deps.settings,
        slack_emulator.api_url,
        KEY,
    )
    oauth = make_deps(settings, deps.store, deps.clock)
    oauth.painter = deps.painter
    return oauth


@pytest.fixture
def uninstalled() -> list[tuple[str | None, str | None]]:
    return []


@pytest.fixture
def app(oauth_deps: Deps, slack_emulator: SlackEmulator, uninstalled: list[Any]) -> Iterator[App]:
    client = WebClient(base_url=slack_emulator.api_url, timeout=10)
    yield build_app(oauth_deps, client=client, on_uninstall=lambda team, org: uninstalled.append((team, org)))


def installs(deps: Deps) -> DatabaseInstallationStore:
    return DatabaseInstallationStore(deps.store, TokenCipher([KEY]), deps.clock)


def install(deps: Deps, emu: SlackEmulator, key: str, org: bool = False, **more: Any) -> str:
    """Install `key` as the emulator would have: its token, saved in the store."""
    who = emu.oauth.add_org(key, "Org", first_team="T0FIRST") if org else emu.oauth.add_workspace(key, key)
    issued = emu.oauth._issue(who)
    fields: dict[str, Any] = (
        {"enterprise_id": key, "is_enterprise_install": True} if org else {"team_id": key}
    )
    fields.update(more)
    if "refresh_token" in issued:
        fields.setdefault("bot_refresh_token", issued["refresh_token"])
    fields.setdefault("user_id", "U0INSTALL1")
    installs(deps).save(Installation(app_id="A0APPID", bot_token=issued["access_token"], **fields))
    return str(issued["access_token"])


def event(
    app: App, inner: dict[str, Any], team: str | None, enterprise: str | None = None, *, org: bool = False
) -> int:
    authorization = {"team_id": team, "enterprise_id": enterprise, "user_id": "U0BOT", "is_bot": True}
    body: dict[str, Any] = {
        "api_app_id": "A0APPID",
        "event": inner,
        "type": "event_callback",
        "event_id": f"Ev{inner['type']}{team}{enterprise}",
        "event_time": 1515449522,
        "authorizations": [{**authorization, "is_enterprise_install": org}],
    }
    if team:
        body["team_id"] = team
    if enterprise:
        body["enterprise_id"] = enterprise
    return dispatch(app, json.dumps(body)).status


def key_rows(store: Store) -> list[str]:
    return [row["install_key"] for row in rows.list_installations(store.db)]


def settled(check: Any, what: str) -> None:
    """Bolt runs event listeners after the ack, on its worker threads: wait for their effect."""
    wait_until(check, what=what)


def test_app_uninstalled_deletes_that_workspaces_credentials_then_calls_the_callback(
    app: App, oauth_deps: Deps, slack_emulator: SlackEmulator, uninstalled: list[Any]
) -> None:
    install(oauth_deps, slack_emulator, "T0AAA")
    install(oauth_deps, slack_emulator, "T0BBB")

    assert event(app, {"type": "app_uninstalled"}, "T0AAA") == 200

    settled(lambda: uninstalled, "the uninstall callback")
    assert key_rows(oauth_deps.store) == ["T0BBB"]
    assert uninstalled == [("T0AAA", None)]
    mention = {"type": "event_callback", "team_id": "T0AAA", "event": app_mention_event("hi")}
    answer = dispatch(app, json.dumps(mention))
    assert answer.status == 200 and "not installed in this workspace" in answer.body


def test_an_org_wide_uninstall_is_found_by_its_enterprise_id(
    app: App, oauth_deps: Deps, slack_emulator: SlackEmulator, uninstalled: list[Any]
) -> None:
    install(oauth_deps, slack_emulator, "E0ORG", org=True)
    install(oauth_deps, slack_emulator, "T0BBB")

    assert event(app, {"type": "app_uninstalled"}, None, "E0ORG") == 200

    settled(lambda: uninstalled, "the uninstall callback")
    assert key_rows(oauth_deps.store) == ["T0BBB"]
    assert uninstalled == [(None, "E0ORG")]


def test_an_org_wide_uninstall_naming_one_of_its_workspaces_leaves_that_workspaces_own_install(
    app: App, oauth_deps: Deps, slack_emulator: SlackEmulator, uninstalled: list[Any]
) -> None:
    install(oauth_deps, slack_emulator, "E0ORG", org=True)
    install(oauth_deps, slack_emulator, "T0INORG", enterprise_id="E0ORG")

    assert event(app, {"type": "app_uninstalled"}, "T0INORG", "E0ORG", org=True) == 200

    settled(lambda: uninstalled, "the uninstall callback")
    assert key_rows(oauth_deps.store) == ["T0INORG"]
    assert uninstalled == [(None, "E0ORG")]


def test_revoked_bot_tokens_delete_the_credentials_and_revoked_user_tokens_only_the_users(
    app: App, oauth_deps: Deps, slack_emulator: SlackEmulator, uninstalled: list[Any]
) -> None:
    install(oauth_deps, slack_emulator, "T0AAA", user_token="xoxp-installer")
    install(oauth_deps, slack_emulator, "T0BBB")

    event(app, {"type": "tokens_revoked", "tokens": {"oauth": ["U0INSTALL1"]}}, "T0AAA")

    def user_token() -> str | None:
        found = installs(oauth_deps).find_installation(enterprise_id=None, team_id="T0AAA")
        assert found is not None and found.bot_token
        return found.user_token

    settled(lambda: user_token() is None, "the installer's token forgotten")
    assert uninstalled == []

    event(app, {"type": "tokens_revoked", "tokens": {"bot": ["U0BOT"]}}, "T0BBB")
    settled(lambda: uninstalled, "the uninstall callback")
    assert key_rows(oauth_deps.store) == ["T0AAA"]
    assert uninstalled == [("T0BBB", None)]


def test_an_orgs_granted_workspaces_follow_team_access_granted_and_revoked(
    app: App, oauth_deps: Deps, slack_emulator: SlackEmulator
) -> None:
    install(oauth_deps, slack_emulator, "E0ORG", org=True)

    def granted() -> str:
        row = rows.installation_by_key(oauth_deps.store.db, "E0ORG")
        assert row is not None
        return str(row["granted_teams"])

    event(app, {"type": "team_access_granted", "team_ids": ["T0NEW1", "T0NEW2"]}, "T0NEW1", "E0ORG")
    settled(lambda: granted() == ",T0NEW1,T0NEW2,", "the granted workspaces")

    event(app, {"type": "team_access_revoked", "team_ids": ["T0NEW1"]}, "T0NEW1", "E0ORG")
    settled(lambda: granted() == ",T0NEW2,", "one workspace revoked")


def test_a_request_finding_the_token_about_to_expire_refreshes_it_once_and_uses_the_new_one(
    app: App, oauth_deps: Deps, slack_emulator: SlackEmulator, clock: FixedClock
) -> None:
    slack_emulator.oauth.rotation = True
    old = install(oauth_deps, slack_emulator, "T0ROT", bot_token_expires_at=int(clock.now().timestamp()) + 60)

    for n in range(2):
        body = {
            "type": "event_callback",
            "team_id": "T0ROT",
            "event_id": f"EvRot{n}",
            "event": app_mention_event("holdouts", channel=f"C0ROT{n}"),
        }
        assert dispatch(app, json.dumps(body)).status == 200

    assert len(slack_emulator.calls_to("oauth.v2.access")) == 1
    new = [t for t, who in slack_emulator.oauth.tokens.items() if who.key == "T0ROT"][-1]
    settled(lambda: len(slack_emulator.calls_to("chat.postMessage")) == 2, "both answers")
    assert new != old and [c.token for c in slack_emulator.calls_to("chat.postMessage")] == [new, new]
    assert oauth_deps.runtime.bot_tokens.bot_token(team_id="T0ROT", enterprise_id=None) == new


@pytest.mark.parametrize("client_id", [None, OAUTH_CLIENT_ID])
def test_without_a_token_key_the_app_serves_one_workspace_as_before(
    deps: Deps, slack_emulator: SlackEmulator, client_id: str | None
) -> None:
    from handlers.http.routes import build_routes

    # A client id and secret beside the bot token are the board's Sign in with Slack only.
    settings = dataclasses.replace(
        deps.settings, slack_client_id=client_id, slack_client_secret=client_id and OAUTH_CLIENT_SECRET
    )
    single = make_deps(settings, deps.store, deps.clock)
    app = build_app(single, client=WebClient(token="xoxb-one", base_url=slack_emulator.api_url))

    assert not settings.oauth_mode and app.oauth_flow is None and app.installation_store is None
    assert not [r for r in build_routes(app, single) if r.path.startswith("/slack/install")]
    mention = {"type": "event_callback", "team_id": "T0ANY", "event": app_mention_event("holdouts")}
    assert dispatch(app, json.dumps(mention)).status == 200
    settled(lambda: slack_emulator.calls_to("chat.postMessage"), "the answer")
    assert slack_emulator.last("chat.postMessage").token == "xoxb-one"
