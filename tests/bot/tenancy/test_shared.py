"""One workspace edits the tracker every other workspace reads (bot/tenancy/shared.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.admin import edits
from bot.clock import FixedClock
from bot.deps import Deps
from bot.replies import CommandRequest
from bot.settings import Settings
from bot.tenancy import Workspaces, in_workspace
from bot.tenancy.forget import FORMER_EDITOR, forget_workspace
from bot.tenancy.jobs import run_for_each_workspace
from bot.tenancy.shared import READER_TEXT
from storage.db import open_store
from storage.tracker import update_record
from tests.conftest import ADMIN_ID
from tests.support.alerts import SleepRecorder, alert_keys, subscribe
from tests.support.slack_emulator import SlackEmulator
from tests.support.tenants import TEAM_A, TEAM_B, TEAM_C, DictBotTokens, routed_app_deps

EDITOR, READERS = TEAM_A, (TEAM_B, TEAM_C)
CHANNELS = {TEAM_A: "C0ACHAN", TEAM_B: "C0BCHAN", TEAM_C: "C0CCHAN"}


@pytest.fixture
def shared(
    tmp_path: Path, clock: FixedClock, slack_emulator: SlackEmulator
) -> Iterator[tuple[Deps, Workspaces]]:
    home = open_store(tmp_path / "home.db")
    workspaces = Workspaces(home, clock)
    settings = Settings(
        db_path=str(tmp_path / "home.db"),
        slack_api_url=slack_emulator.api_url,
        admins=(ADMIN_ID,),
        shared_tracker_editor=EDITOR,
    )
    deps = routed_app_deps(settings, workspaces, clock)
    for team in CHANNELS:
        workspaces.ensure(team_id=team, enterprise_id=None)
        with in_workspace(team):
            subscribe(deps, clock.now() - timedelta(days=40), CHANNELS[team])
            deps.store.release()
    yield deps, workspaces
    workspaces.close()
    home.close()


def _note(deps: Deps, team: str) -> str | None:
    with in_workspace(team):
        row = next(iter(deps.store.db.query("SELECT note FROM developers WHERE id = 'meta'")))
        deps.store.release()
    return row["note"]  # type: ignore[no-any-return]


def _edit(deps: Deps, workspaces: Workspaces, note: str, at: object) -> None:
    with in_workspace(EDITOR):
        update_record(
            deps.store.db, "developer", "meta", {"status": "signed", "note": note}, actor=ADMIN_ID, at=at
        )  # type: ignore[arg-type]
        deps.store.release()


def test_a_change_by_the_editor_reaches_every_reader_in_one_copy_with_its_history(
    shared: tuple[Deps, Workspaces], clock: FixedClock
) -> None:
    deps, workspaces = shared
    _edit(deps, workspaces, "signed at last", clock.now())
    for reader in READERS:
        workspaces.ensure(team_id=reader, enterprise_id=None)  # a request from the reader
        assert _note(deps, reader) == "signed at last"
        with in_workspace(reader):
            history = [
                r["new"] for r in deps.store.db.query("SELECT new FROM history WHERE entity_id = 'meta'")
            ]
            deps.store.release()
        assert "signed" in history
    copies = workspaces.shared.copies
    workspaces.ensure(team_id=TEAM_B, enterprise_id=None)
    assert workspaces.shared.copies == copies  # unchanged since: no copy


def test_alerts_about_the_shared_tracker_reach_each_workspaces_channels_once(
    shared: tuple[Deps, Workspaces], clock: FixedClock, slack_emulator: SlackEmulator
) -> None:
    from handlers.tenancy import sweep_workspace, workspace_senders

    deps, workspaces = shared
    make = workspace_senders(deps.settings, sleep=SleepRecorder())
    run_for_each_workspace(deps, workspaces, DictBotTokens(), sweep_workspace, make)
    first = {team: alert_keys(slack_emulator, channel) for team, channel in CHANNELS.items()}
    assert all(first.values())
    _edit(deps, workspaces, "signed at last", clock.now())
    run_for_each_workspace(deps, workspaces, DictBotTokens(), sweep_workspace, make)
    run_for_each_workspace(deps, workspaces, DictBotTokens(), sweep_workspace, make)
    for team, channel in CHANNELS.items():
        keys = alert_keys(slack_emulator, channel)
        new = [key for key in keys if key not in first[team]]
        assert len(new) == 1 and new[0].startswith("status"), (team, new)  # the change, once
        assert len(keys) == len(set(keys))
        posts = [c for c in slack_emulator.calls_to("chat.postMessage") if c.args["channel"] == channel]
        assert {c.token for c in posts} == {DictBotTokens().tokens[team]}


def test_only_the_editors_admins_change_the_tracker(shared: tuple[Deps, Workspaces]) -> None:
    deps, _ = shared
    request = CommandRequest(text="meta", user_id=ADMIN_ID, channel_id="C0X")
    with in_workspace(TEAM_B):
        refused = edits.run_update(deps, request)
        outcome = edits.submit(deps, None, "developer_status_form", ADMIN_ID, {"state": {"values": {}}})
        deps.store.release()
    assert refused is not None and refused.text == READER_TEXT
    assert READER_TEXT in str(outcome.errors)
    with in_workspace(EDITOR):
        allowed = edits.run_admin(deps, request)
        deps.store.release()
    assert allowed.text != READER_TEXT


def test_readers_keep_the_tracker_without_its_people_when_the_editor_uninstalls(
    shared: tuple[Deps, Workspaces], clock: FixedClock
) -> None:
    deps, workspaces = shared
    _edit(deps, workspaces, "signed at last", clock.now())
    workspaces.ensure(team_id=TEAM_B, enterprise_id=None)
    forget_workspace(workspaces, EDITOR, None)
    assert _note(deps, TEAM_B) == "signed at last"
    with in_workspace(TEAM_B):
        actors = {r["actor"] for r in deps.store.db.query("SELECT DISTINCT actor FROM history")}
        deps.store.release()
    assert actors == {FORMER_EDITOR}
    workspaces.ensure(team_id=TEAM_B, enterprise_id=None)  # no editor: no copy, no failure


def test_the_editor_setting_takes_a_slack_team_or_enterprise_id_only() -> None:
    from bot.settings import SettingsError, load_settings

    assert (
        load_settings({"REVIEWWATCH_SHARED_TRACKER_EDITOR": "T0AAAAAAA"}, env_file=None).shared_tracker_editor
        == "T0AAAAAAA"
    )
    assert load_settings({}, env_file=None).shared_tracker_editor is None
    with pytest.raises(SettingsError, match="REVIEWWATCH_SHARED_TRACKER_EDITOR='policy team'"):
        load_settings({"REVIEWWATCH_SHARED_TRACKER_EDITOR": "policy team"}, env_file=None)
