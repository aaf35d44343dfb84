"""Shared fixtures: a real database file, a fixed clock, settings, deps, and a Bolt App
talking to the local Slack emulator."""

from __future__ import annotations

import functools
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from slack_bolt import App
from slack_sdk import WebClient

from bot.catalog import make_deps
from bot.clock import FixedClock
from bot.deps import Deps
from bot.news.feed_client import make_http_client
from bot.settings import Settings
from handlers import build_app
from storage.db import Store
from tests.support.feed_server import LocalOnlyTransport
from tests.support.pg_databases import PgDatabases, server_url, skip_or_fail, wants_both_engines
from tests.support.pictures import REMEMBERING_PAINTER
from tests.support.slack_emulator import SlackEmulator, slack_emulator  # noqa: F401
from tests.support.slack_requests import SIGNING_SECRET
from tests.support.template_db import SEEDED_AT, DatabaseTemplates

# The files that take longest, started first (longest first) so that the xdist workers
# finish together: a long file handed out last would keep one worker busy while the other
# idles (pyproject.toml: `--dist loadfile --no-loadscope-reorder` keeps this order). Stale
# entries only cost time; a file not listed runs after these, in collection order.
LONGEST_FIRST = (
    # With a PostgreSQL server (CI): about 2 minutes each; skipped in a moment without one.
    "tests/storage/test_copy_db.py",
    "tests/bot/alerts/test_instances.py",
    # The Teams SDK's files, handed out together as one unit (TEAMS_SDK_FILES below): the
    # longest unit of all, so its first file leads.
    "tests/bot/teams/test_bot_chat.py",
    # Ranked from two whole runs of the second session of issue 25 (3 workers).
    "tests/bot/exports/test_timeline.py",
    "tests/bench/test_smoke_pictures.py",
    "tests/bot/teams/test_bot_modes.py",
    "tests/test_lint.py",  # mypy with no cache of its own yet (a fresh checkout, CI): about 30 s
    "tests/bot/admin/test_record_forms.py",  # this and the next were test_edits.py
    "tests/bot/admin/test_status_form.py",
    "tests/bot/teams/test_answers.py",
    "tests/bench/test_smoke_runtime.py",
    "tests/bot/alerts/test_briefing.py",
    "tests/test_layout.py",
    "tests/bot/teams/test_bot_auth.py",
    "tests/handlers/test_menus.py",
    "tests/bot/exports/test_exports.py",
    "tests/bot/teams/test_bot_alerts.py",
    "tests/bot/board/test_slack_signin.py",
    "tests/bot/read/test_answers_upcoming.py",
    "tests/bot/ops/test_operations.py",
    "tests/bench/test_smoke_answers.py",
    "tests/bot/teams/test_bot_more.py",
    "tests/bench/test_smoke_parts.py",
    "tests/handlers/http/test_board_browser.py",
    "tests/storage/test_postgres.py",
    "tests/handlers/http/test_startup_errors.py",
    "tests/handlers/http/test_hostile_requests.py",
    "tests/handlers/test_verification.py",
    "tests/bot/board/test_slack_signin_browser.py",
    "tests/bot/read/test_commands.py",
    "tests/bot/news/test_hostile_feeds.py",
    "tests/handlers/http/test_board_access.py",
    "tests/bot/read/test_compare.py",
    "tests/bot/news/test_watch.py",
    "tests/bot/teams/test_literal_cards.py",
    "tests/bot/alerts/test_hostile_text.py",
    "tests/handlers/http/test_socket_mode.py",
    "tests/bot/test_people.py",
    "tests/handlers/http/test_menus_modes.py",
)


# The files that run the Teams bot in this process (its SDK, microsoft-teams-apps: about 2
# CPU-seconds to import and set up, once in each worker that runs one) are handed out as one
# unit, so that one worker pays for it rather than every worker.
TEAMS_SDK_FILES = "tests/bot/teams/test_bot_"  # test_bot_modes.py starts `python app.py` instead
TEAMS_SDK_UNIT = "tests/bot/teams/test_bot_* (the Teams SDK in-process)"


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """`--dist loadfile` (pyproject.toml), with the Teams SDK's files as one unit of work."""
    if config.getvalue("dist") != "loadfile":
        return None  # xdist's own choice
    from xdist.scheduler import LoadFileScheduling

    class TeamsSdkFilesTogether(LoadFileScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            scope = str(super()._split_scope(nodeid))
            in_process = scope.startswith(TEAMS_SDK_FILES) and scope != "tests/bot/teams/test_bot_modes.py"
            return TEAMS_SDK_UNIT if in_process else scope

    return TeamsSdkFilesTogether(config, log)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto`: half as many workers again as there are cores (3 on 2 cores). About a third
    of a worker's time is waiting, not computing (a `python app.py` starting, a server's
    deadline, a browser): the extra worker computes meanwhile, so the cores stay busy.
    PYTEST_XDIST_AUTO_NUM_WORKERS, when set, decides instead (pytest-xdist's own setting)."""
    named = os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS", "").strip()
    if named.isdigit():
        return int(named)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return cores + (cores + 1) // 2


def pytest_configure(config: pytest.Config) -> None:
    _keep_bytecode(config)
    _trust_a_lone_authority(config)
    config.addinivalue_line("markers", "sqlite_only: on SQLite alone where `store` runs on both engines")


def _keep_bytecode(config: pytest.Config) -> None:
    """Where PYTHONDONTWRITEBYTECODE is set (as on this project's machines), keep the compiled
    bytecode anyway, in pytest's cache folder rather than beside the sources (PYTHONPYCACHEPREFIX):
    otherwise every xdist worker compiles and assertion-rewrites each test module again (about
    5 CPU-seconds per worker), and every `python app.py` a test starts compiles the app's
    modules again (about 0.3 of its 1.2 CPU-seconds). Python checks each cached file against
    its source's modification time and size, as it does in __pycache__. Set here in the
    controller, before the workers start, so that they and the processes tests start inherit
    it; a PYTHONPYCACHEPREFIX of the caller's own is left as it is."""
    if hasattr(config, "workerinput") or not sys.dont_write_bytecode or os.environ.get("PYTHONPYCACHEPREFIX"):
        return
    cache = getattr(config, "cache", None)  # None under `-p no:cacheprovider`: a folder for this run
    if cache is not None:
        prefix = str(cache.mkdir("pycache"))
    else:
        prefix = tempfile.mkdtemp(prefix="reviewwatch-pycache-")
        config.add_cleanup(functools.partial(shutil.rmtree, prefix, ignore_errors=True))
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = prefix
    sys.dont_write_bytecode = False  # this process too, when it runs the tests itself (-n 0)
    sys.pycache_prefix = prefix


def _trust_a_lone_authority(config: pytest.Config) -> None:
    """The tests and the processes they start trust one certificate of their own instead of
    certifi's bundle (SSL_CERT_FILE; tests/support/trust.py): every httpx client parses the
    bundle again otherwise, about 20-40 ms of CPU each. Set in the controller, before the
    workers start, as above. It replaces any SSL_CERT_FILE of the caller's (machines often
    point it at the system's bundle): no test needs to trust a real server."""
    if hasattr(config, "workerinput"):
        return
    from tests.support.trust import write_lone_authority

    folder = tempfile.mkdtemp(prefix="reviewwatch-trust-")
    config.add_cleanup(functools.partial(shutil.rmtree, folder, ignore_errors=True))
    os.environ["SSL_CERT_FILE"] = str(write_lone_authority(Path(folder) / "authority.pem"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {path: n for n, path in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(rank)))  # stable


ADMIN_ID = "UADMIN0001"
BOT_TOKEN = "xoxb-test-token"


@pytest.fixture
def clock() -> FixedClock:
    # 2026-07-24 10:00 in New York: the July 31 deadline is a week away.
    return FixedClock(SEEDED_AT)


@pytest.fixture(scope="session")
def database_templates(tmp_path_factory: pytest.TempPathFactory) -> DatabaseTemplates:
    """Migrated and seeded databases made once per session (per xdist worker), copied per test."""
    return DatabaseTemplates(tmp_path_factory.mktemp("database-templates"))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "reviewwatch.db"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """The storage, alert and instance tests that use the shared `store` run on both engines
    (tests/support/pg_databases.py); the rest on SQLite, and so do those marked
    `sqlite_only` (they look at SQLite itself, e.g. count its statements)."""
    if metafunc.definition.get_closest_marker("sqlite_only"):
        return
    if wants_both_engines(metafunc.definition.nodeid, metafunc.fixturenames):
        metafunc.parametrize("engine", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def engine(request: pytest.FixtureRequest) -> str:
    """The database engine a test runs on: "sqlite", or "postgresql" where parametrised."""
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture(scope="session")
def pg_databases() -> Iterator[PgDatabases]:
    """Databases on the test PostgreSQL server (skipped, or failed in CI, without one)."""
    url = server_url()
    if url is None:
        skip_or_fail()
    databases = PgDatabases(str(url))
    yield databases
    databases.close()


@pytest.fixture
def store(
    db_path: Path, database_templates: DatabaseTemplates, engine: str, request: pytest.FixtureRequest
) -> Iterator[Store]:
    """What `open_store(db_path)` gives on a new file: a copy of the migrated template (on
    PostgreSQL: a new database copied from the migrated one)."""
    if engine == "postgresql":
        from storage.db import open_store

        databases: PgDatabases = request.getfixturevalue("pg_databases")
        url = databases.new_url()
        pg_store = open_store(url)
        yield pg_store
        pg_store.close()
        databases.drop(url)
        return
    store = database_templates.open_migrated(db_path)
    yield store
    store.close()


@pytest.fixture
def seeded_store(store: Store, clock: FixedClock, database_templates: DatabaseTemplates) -> Store:
    """What `seed(store.db, at=clock.now())` gives: a copy of the seeded template where that is
    the same (the seed time is the template's and nothing wrote to the store yet)."""
    database_templates.seed(store, at=clock.now())
    return store


@pytest.fixture
def settings(db_path: Path, engine: str, request: pytest.FixtureRequest) -> Settings:
    location = request.getfixturevalue("store").path if engine == "postgresql" else str(db_path)
    return Settings(
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        db_path=location,
        admins=(ADMIN_ID,),
    )


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say loudly when the PostgreSQL half was skipped for want of a server."""
    from tests.support.pg_databases import SKIP_REASON

    skipped = [r for r in terminalreporter.stats.get("skipped", []) if SKIP_REASON in str(r.longrepr)]
    if skipped:
        line = f"*** {len(skipped)} {SKIP_REASON} ***"
        terminalreporter.write_line(line, red=True, bold=True)


@pytest.fixture
def deps(settings: Settings, seeded_store: Store, clock: FixedClock) -> Iterator[Deps]:
    deps = make_deps(settings, seeded_store, clock)
    # News sources: only 127.0.0.1 is reachable from tests (tests/support/feed_server.py).
    deps.feed_client = make_http_client(transport=LocalOnlyTransport())
    # The real drawing worker, each distinct picture drawn once per session (tests/support/pictures.py).
    deps.painter = REMEMBERING_PAINTER
    yield deps
    from handlers.home import wait_for_home_pictures

    wait_for_home_pictures()  # an App Home picture still being drawn finishes inside its test


@pytest.fixture
def bolt_app(deps: Deps, slack_emulator: SlackEmulator) -> App:  # noqa: F811
    """A real Bolt App whose WebClient talks HTTP to the emulator."""
    client = WebClient(token=BOT_TOKEN, base_url=slack_emulator.api_url)
    return build_app(deps, client=client)
