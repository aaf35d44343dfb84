"""An uninstall deletes that workspace's data and nothing of another's (bot/tenancy/forget.py,
docs/data-retention.md)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.clock import FixedClock
from bot.deps import Deps
from bot.settings import Settings
from bot.tenancy import UnknownWorkspace, Workspaces, in_workspace
from bot.tenancy.forget import FORMER_EDITOR, forget_workspace, forgetter
from storage import workspaces as registry
from storage.alerts import list_subscriptions
from storage.db import open_store
from storage.follows import add_follow, list_follows
from storage.tracker import update_record
from tests.conftest import ADMIN_ID
from tests.support.alerts import subscribe
from tests.support.tenants import TEAM_A, TEAM_B, routed_app_deps


@pytest.fixture
def two(tmp_path: Path, clock: FixedClock) -> Iterator[tuple[Deps, Workspaces]]:
    home = open_store(tmp_path / "home.db")
    workspaces = Workspaces(home, clock)
    deps = routed_app_deps(Settings(db_path=str(tmp_path / "home.db")), workspaces, clock)
    for team in (TEAM_A, TEAM_B):
        workspaces.ensure(team_id=team, enterprise_id=None)
        with in_workspace(team):
            subscribe(deps, clock.now() - timedelta(days=1), f"C0{team}")
            add_follow(deps.store.db, ADMIN_ID, "developer", "meta", "Meta", clock.now())
            update_record(
                deps.store.db,
                "developer",
                "meta",
                {"note": f"note of {team}"},
                actor="U0EDITOR",
                at=clock.now(),
            )
            deps.store.release()
    yield deps, workspaces
    workspaces.close()
    home.close()


def _data(deps: Deps, team: str) -> tuple[list[str], int, str]:
    with in_workspace(team):
        db = deps.store.db
        channels = [s["target"] for s in list_subscriptions(db)]
        follows = len(list_follows(db, ADMIN_ID))
        note = next(iter(db.query("SELECT note FROM developers WHERE id = 'meta'")))["note"]
        deps.store.release()
    return channels, follows, note


def test_an_uninstall_deletes_that_workspaces_data_and_leaves_the_other_untouched(
    two: tuple[Deps, Workspaces], tmp_path: Path
) -> None:
    deps, workspaces = two
    b_before = _data(deps, TEAM_B)
    a_file = registry.workspace_file(workspaces.home, TEAM_A)
    assert a_file.exists()

    forgetter(workspaces)(TEAM_A, None)

    assert not a_file.exists() and not Path(f"{a_file}-wal").exists()
    assert list(registry.workspace_databases(workspaces.home)) == [TEAM_B]
    assert _data(deps, TEAM_B) == b_before
    row = registry.workspace_row(workspaces.home.db, TEAM_A)
    assert row is not None and (row["status"], row["team_name"]) == ("forgotten", None)
    with pytest.raises(UnknownWorkspace):
        workspaces.store(TEAM_A)  # a job or a late request of A's reaches no database
    workspaces.ensure(team_id=TEAM_A, enterprise_id=None)  # a reinstall starts afresh
    assert _data(deps, TEAM_A)[:2] == ([], 0)


def test_an_org_wide_install_is_forgotten_by_its_enterprise_id(two: tuple[Deps, Workspaces]) -> None:
    deps, workspaces = two
    workspaces.ensure(team_id=None, enterprise_id="E0ORG", org_wide=True)
    assert forget_workspace(workspaces, None, "E0ORG") == "E0ORG"
    assert forget_workspace(workspaces, "T0NEVER", None) is None
    assert workspaces.keys() == [TEAM_A, TEAM_B]


def test_readers_of_a_forgotten_editors_tracker_keep_the_changes_without_the_people(
    two: tuple[Deps, Workspaces],
) -> None:
    deps, workspaces = two
    forget_workspace(workspaces, TEAM_A, None, readers_of=lambda key: [TEAM_B])
    with in_workspace(TEAM_B):
        actors = {row["actor"] for row in deps.store.db.query("SELECT actor FROM history")}
        note = next(iter(deps.store.db.query("SELECT note, updated_by FROM developers WHERE id = 'meta'")))
        deps.store.release()
    assert actors == {FORMER_EDITOR}
    assert (note["note"], note["updated_by"]) == (f"note of {TEAM_B}", FORMER_EDITOR)
