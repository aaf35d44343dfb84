"""Per-workspace admins in OAuth mode (docs/admins.md), through the real app with signed
requests: each installer is the admin of their own workspace only, admins add and remove
admins with `/aireview admins`, a non-admin changes nothing, the last admin stays; and in
single-workspace mode REVIEWWATCH_ADMINS works as before."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from slack_bolt import App
from slack_sdk import WebClient

from bot.catalog import make_deps
from bot.deps import Deps
from bot.tenancy import enable_workspaces, in_workspace
from handlers import build_app
from storage import admins as stored
from tests.handlers.test_install import KEY, install, settled
from tests.support.slack_emulator import SlackEmulator
from tests.support.slack_emulator_oauth import oauth_mode_settings
from tests.support.slack_requests import command_answer, dispatch, slash_command_body
from tests.support.tenants import from_team

A, B = "T0AAAAAAA", "T0BBBBBBB"
INSTALLER = {A: "U0AINSTALL", B: "U0BINSTALL"}
ENV_ADMIN = "U0ENVADMIN"  # in REVIEWWATCH_ADMINS: not read in OAuth mode
NEWCOMER = "U0NEWADMIN"


@pytest.fixture
def oauth(deps: Deps, slack_emulator: SlackEmulator) -> Iterator[tuple[Deps, App]]:
    settings = oauth_mode_settings(
        deps.settings,
        slack_emulator.api_url,
        KEY,
        admins=(ENV_ADMIN,),
        admin_group=None,
    )
    oauth_deps = make_deps(settings, deps.store, deps.clock)
    for team in (A, B):
        install(oauth_deps, slack_emulator, team, user_id=INSTALLER[team])
    workspaces = enable_workspaces(oauth_deps)
    app = build_app(oauth_deps, client=WebClient(base_url=slack_emulator.api_url, timeout=10))
    yield oauth_deps, app
    workspaces.close()


def _command(
    app: App, emu: SlackEmulator, team: str, user: str, text: str, command: str = "/aireview"
) -> Any:
    """`command text` typed by `user` in `team`, signed; what they see."""
    body = from_team(slash_command_body(command, text, user_id=user, channel_id=f"C0{team}"), team)
    response = dispatch(app, body)
    assert response.status == 200
    return command_answer(response, emu, command) if response.body else {}


def _admins(deps: Deps, team: str) -> list[str]:
    deps.runtime.workspaces.ensure(team_id=team, enterprise_id=None)  # as its first request would
    with in_workspace(team):
        found = [row["user_id"] for row in stored.list_admins(deps.store.db)]
        deps.store.release()
    return found


def _changes(deps: Deps, team: str) -> list[dict[str, Any]]:
    deps.runtime.workspaces.ensure(team_id=team, enterprise_id=None)
    with in_workspace(team):
        found = stored.admin_changes(deps.store.db)
        deps.store.release()
    return found


def _opens_the_menu(app: App, emu: SlackEmulator, team: str, user: str) -> bool:
    answer = _command(app, emu, team, user, "admin")
    return "choose what to change" in answer.get("text", "")


def test_each_installer_is_an_admin_of_their_own_workspace_and_not_of_the_other(
    oauth: tuple[Deps, App], slack_emulator: SlackEmulator
) -> None:
    deps, app = oauth
    assert _opens_the_menu(app, slack_emulator, A, INSTALLER[A])
    assert _opens_the_menu(app, slack_emulator, B, INSTALLER[B])
    # The same user id string in the other workspace is nobody there.
    assert not _opens_the_menu(app, slack_emulator, B, INSTALLER[A])
    assert not _opens_the_menu(app, slack_emulator, A, INSTALLER[B])
    # Nor is the environment's admin: OAuth mode reads each workspace's own.
    refused = _command(app, slack_emulator, A, ENV_ADMIN, "admin")["text"]
    assert "admin of this workspace" in refused and f"<@{INSTALLER[A]}>" in refused
    assert "REVIEWWATCH_ADMINS" not in refused
    assert _admins(deps, A) == [INSTALLER[A]] and _admins(deps, B) == [INSTALLER[B]]
    listing = _command(app, slack_emulator, B, INSTALLER[A], "admins")["text"]
    assert INSTALLER[B] in listing and INSTALLER[A] not in listing


def test_an_admin_adds_an_admin_who_can_then_open_an_admin_form(
    oauth: tuple[Deps, App], slack_emulator: SlackEmulator
) -> None:
    deps, app = oauth
    assert not _opens_the_menu(app, slack_emulator, A, NEWCOMER)
    said = _command(app, slack_emulator, A, INSTALLER[A], f"admins add <@{NEWCOMER}|newcomer>")["text"]
    assert f"<@{NEWCOMER}> is now an admin" in said
    assert _opens_the_menu(app, slack_emulator, A, NEWCOMER)
    slack_emulator.reset()
    _command(app, slack_emulator, A, NEWCOMER, "update meta")
    settled(lambda: slack_emulator.calls_to("views.open"), "the status form opened")
    views = slack_emulator.calls_to("views.open")
    assert len(views) == 1 and views[0].args["view"]["type"] == "modal"
    # Only workspace A changed; the change says who made it.
    assert _admins(deps, A) == [INSTALLER[A], NEWCOMER] and _admins(deps, B) == [INSTALLER[B]]
    assert [(c["action"], c["subject"], c["actor"]) for c in _changes(deps, A)][0] == (
        "added",
        NEWCOMER,
        INSTALLER[A],
    )
    assert not _opens_the_menu(app, slack_emulator, B, NEWCOMER)


def test_a_non_admins_admins_add_is_refused_and_writes_nothing(
    oauth: tuple[Deps, App], slack_emulator: SlackEmulator
) -> None:
    deps, app = oauth
    before = _changes(deps, A)
    for text in (f"admins add <@{NEWCOMER}>", f"admins remove <@{INSTALLER[A]}>", "admins group S0GROUP1"):
        said = _command(app, slack_emulator, A, INSTALLER[B], text)["text"]
        assert "you are not one" in said and f"<@{INSTALLER[A]}>" in said
    assert _admins(deps, A) == [INSTALLER[A]]
    assert _changes(deps, A) == before and [c["action"] for c in before] == ["added"]
    with in_workspace(A):
        assert stored.admin_group(deps.store.db) is None
        deps.store.release()


def test_the_last_admin_cannot_be_removed(oauth: tuple[Deps, App], slack_emulator: SlackEmulator) -> None:
    deps, app = oauth
    said = _command(app, slack_emulator, A, INSTALLER[A], f"admins remove <@{INSTALLER[A]}>")["text"]
    assert "only admin here" in said
    assert _admins(deps, A) == [INSTALLER[A]]
    _command(app, slack_emulator, A, INSTALLER[A], f"admins add {NEWCOMER}")
    said = _command(app, slack_emulator, A, NEWCOMER, f"admins remove <@{INSTALLER[A]}>")["text"]
    assert f"<@{INSTALLER[A]}> is no longer an admin" in said
    assert _admins(deps, A) == [NEWCOMER]
    assert not _opens_the_menu(app, slack_emulator, A, INSTALLER[A])
    said = _command(app, slack_emulator, A, NEWCOMER, f"admins remove <@{NEWCOMER}>")["text"]
    assert "only admin here" in said and _admins(deps, A) == [NEWCOMER]
    actions = [(c["action"], c["subject"], c["actor"]) for c in _changes(deps, A)]
    assert actions[0] == ("removed", INSTALLER[A], NEWCOMER)


def test_an_admin_sets_and_clears_the_workspaces_admin_group(
    oauth: tuple[Deps, App], slack_emulator: SlackEmulator
) -> None:
    deps, app = oauth
    said = _command(app, slack_emulator, A, INSTALLER[A], "admins group <!subteam^S0ADMINS|@admins>")["text"]
    assert "<!subteam^S0ADMINS>" in said
    with in_workspace(A):
        assert stored.admin_group(deps.store.db) == "S0ADMINS"
        deps.store.release()
    _command(app, slack_emulator, A, INSTALLER[A], "admins group off")
    with in_workspace(A):
        assert stored.admin_group(deps.store.db) is None
        deps.store.release()
    assert [c["action"] for c in _changes(deps, A)][:2] == ["group off", "group set"]


def test_single_workspace_mode_keeps_the_environments_admins(
    bolt_app: App, deps: Deps, slack_emulator: SlackEmulator
) -> None:
    admin = deps.settings.admins[0]
    answer = command_answer(
        dispatch(bolt_app, slash_command_body("/aireview", "admins", user_id=admin)),
        slack_emulator,
        "/aireview",
    )
    assert f"<@{admin}>" in answer["text"] and "REVIEWWATCH_ADMINS" in answer["text"]
    refused = command_answer(
        dispatch(bolt_app, slash_command_body("/aireview", "admins add <@U0OTHER>", user_id=admin)),
        slack_emulator,
        "/aireview",
    )
    assert "Nothing was changed" in refused["text"]
    menu = command_answer(
        dispatch(bolt_app, slash_command_body("/aireview", "admin", user_id=admin)),
        slack_emulator,
        "/aireview",
    )
    assert "choose what to change" in menu["text"]
    other = command_answer(
        dispatch(bolt_app, slash_command_body("/aireview", "admin", user_id="U0NOTADMIN")),
        slack_emulator,
        "/aireview",
    )
    assert "REVIEWWATCH_ADMINS" in other["text"]
