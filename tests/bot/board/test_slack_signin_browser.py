"""Sign in with Slack in a real browser: Debian's Chromium driven by Playwright, the board on
waitress and the Slack emulator (its authorize URL, Web API and keys), all on 127.0.0.1. A
colleague opens a forwarded developer page, follows "Sign in with Slack", and reads that
page; a person of another workspace gets the refusal page; axe-core finds no violation on
the sign-in and refusal pages.

Skipped only when /usr/bin/chromium is absent (`.ci/run` installs it)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.catalog import make_deps
from bot.clock import FixedClock
from bot.deps import Deps
from bot.settings import Settings
from storage.db import open_store
from storage.seed import seed
from tests.bot.board.conftest import SignInBoard, served, with_slack_sign_in
from tests.support.board import OTHER_TEAM_ID, TEAM_ID, board_app
from tests.support.slack_emulator import SlackEmulator

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium"
)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
FORWARDED_PAGE = "/board/developers/meta"


@pytest.fixture(scope="module")
def board(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SignInBoard]:
    folder = tmp_path_factory.mktemp("board-slack-signin")
    clock = FixedClock(datetime(2026, 7, 24, 14, 0, tzinfo=UTC))
    store = open_store(folder / "reviewwatch.db")
    seed(store.db, at=clock.now())
    settings = Settings(db_path=str(folder / "reviewwatch.db"), slack_bot_token="xoxb-test-token")
    deps: Deps = make_deps(settings, store, clock)
    try:
        with SlackEmulator() as emulator:
            emulator.openid.now = lambda: clock.now().timestamp()
            with_slack_sign_in(deps, emulator)
            with served(board_app(deps)) as url:
                yield SignInBoard(deps, url, emulator)
    finally:
        store.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def tab(browser: Any, board: SignInBoard) -> Iterator[Any]:
    """A fresh browser (no cookies), signed in as the board's workspace's reader unless a test
    says otherwise."""
    board.emulator.openid.team_id = TEAM_ID
    board.emulator.openid.user_id = "U0READER1"
    context = browser.new_context(viewport=DESKTOP)
    try:
        yield context.new_page()
    finally:
        context.close()


def test_a_colleague_signs_in_with_slack_and_reads_the_forwarded_developer_page(
    tab: Any, board: SignInBoard
) -> None:
    tab.goto(board.url + FORWARDED_PAGE)
    assert tab.get_by_role("heading", name="Sign in to read the board", level=1).is_visible()
    assert tab.get_by_text("Anthropic").count() == 0  # no data before signing in

    tab.get_by_role("link", name="Sign in with Slack").click()

    tab.wait_for_url(board.url + FORWARDED_PAGE)
    assert tab.get_by_role("heading", name="Meta", level=1).is_visible()
    contest = tab.get_by_role("table", name="The competing claims about Meta: status")
    assert contest.is_visible()
    authorize = board.emulator.openid.authorize_requests[-1]
    assert authorize["scope"] == "openid profile"
    assert authorize["redirect_uri"] == board.url + "/board/login/callback"
    cookies = {c["name"]: c for c in tab.context.cookies()}
    assert cookies["reviewwatch_board"]["httpOnly"] and cookies["reviewwatch_board"]["sameSite"] == "Lax"

    tab.get_by_role("navigation", name="Board pages").get_by_role("link", name="All developers").click()
    tab.wait_for_url(board.url + "/board")
    assert tab.get_by_role("table", name="Agreement status of each tracked developer").is_visible()


def test_a_person_of_another_workspace_gets_the_refusal_page(tab: Any, board: SignInBoard) -> None:
    board.emulator.openid.team_id = OTHER_TEAM_ID
    board.emulator.openid.user_id = "U0STRANGER"

    tab.goto(board.url + FORWARDED_PAGE)
    tab.get_by_role("link", name="Sign in with Slack").click()

    heading = tab.get_by_role("heading", level=1)
    heading.wait_for()
    assert heading.inner_text() == "This board belongs to another Slack workspace"
    assert not [c for c in tab.context.cookies() if c["name"] == "reviewwatch_board"]
    tab.goto(board.url + FORWARDED_PAGE)
    assert tab.get_by_role("heading", name="Sign in to read the board", level=1).is_visible()


def test_axe_finds_no_violation_on_the_sign_in_and_refusal_pages(tab: Any, board: SignInBoard) -> None:
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    found: dict[str, Any] = {}
    tab.goto(board.url + FORWARDED_PAGE)
    found["sign-in page"] = axe.run(tab).response
    tab.goto(board.url + "/board/login/callback?code=x&state=y")  # no sign-in started here
    assert tab.get_by_role("heading", level=1).inner_text() == "This sign-in could not be checked"
    found["refusal page"] = axe.run(tab).response

    assert all(result["passes"] for result in found.values())
    problems = {
        where: [(v["id"], v["help"], len(v["nodes"])) for v in result["violations"]]
        for where, result in found.items()
    }
    assert all(not v for v in problems.values()), problems
