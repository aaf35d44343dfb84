"""How many workspace databases stay open (REVIEWWATCH_OPEN_WORKSPACES, bot/tenancy/workspaces.py):
at most the configured number, the least recently used closed beyond it and opened again
when next needed; the open-files limit raised to fit them, or fewer kept where it cannot be."""

from __future__ import annotations

import resource
from pathlib import Path
from typing import Any

import pytest

from bot.catalog import make_deps
from bot.clock import FixedClock
from bot.settings import load_settings
from bot.tenancy import Workspaces, enable_workspaces
from bot.tenancy.workspaces import FILES_PER_WORKSPACE, OTHER_FILES, fit_open_files
from storage.db import open_store
from storage.errors import DatabaseUnavailable


def _workspaces(tmp_path: Path, clock: FixedClock, environ: dict[str, str]) -> Workspaces:
    settings = load_settings({"REVIEWWATCH_DB": str(tmp_path / "home.db"), **environ}, env_file=None)
    deps = make_deps(settings, open_store(tmp_path / "home.db"), clock)
    return enable_workspaces(deps)


def test_at_most_the_configured_number_stay_open_the_least_recently_used_closed(
    tmp_path: Path, clock: FixedClock
) -> None:
    workspaces = _workspaces(tmp_path, clock, {"REVIEWWATCH_OPEN_WORKSPACES": "2"})
    try:
        teams = ["T0000001A", "T0000002B", "T0000003C"]
        stores = {}
        for team in teams:
            stores[team] = workspaces.store(workspaces.ensure(team_id=team, enterprise_id=None))
        assert workspaces.max_open == 2
        assert list(workspaces._open.values()) == [stores["T0000002B"], stores["T0000003C"]]
        with pytest.raises(DatabaseUnavailable):
            stores["T0000001A"].db.execute("SELECT 1")  # the least recently used was closed
        first = workspaces.store(workspaces.ensure(team_id="T0000001A", enterprise_id=None))
        assert first.db.execute("SELECT 1").fetchone() is not None  # opened again when needed
        assert list(workspaces._open.values()) == [stores["T0000003C"], first]
    finally:
        workspaces.close()
        workspaces.home.close()


def test_the_default_keeps_a_thousand_workspaces_open_and_the_files_limit_fits_them(
    tmp_path: Path, clock: FixedClock
) -> None:
    workspaces = _workspaces(tmp_path, clock, {})
    try:
        assert workspaces.max_open == 2000 >= 1000
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        wanted = 2000 * FILES_PER_WORKSPACE + OTHER_FILES
        assert soft == resource.RLIM_INFINITY or soft >= wanted or soft == hard
    finally:
        workspaces.close()
        workspaces.home.close()


def test_fewer_are_kept_open_where_the_files_limit_cannot_be_raised(
    tmp_path: Path, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[Any] = []
    monkeypatch.setattr(resource, "getrlimit", lambda _: (1024, 2048))
    monkeypatch.setattr(resource, "setrlimit", lambda _, limits: asked.append(limits))
    home = open_store(tmp_path / "home.db")
    workspaces = Workspaces(home, clock, max_open=2000)
    try:
        assert fit_open_files(workspaces) == (2048 - OTHER_FILES) // FILES_PER_WORKSPACE
        assert asked == [(2048, 2048)]  # raised as far as the hard limit lets it
    finally:
        home.close()
