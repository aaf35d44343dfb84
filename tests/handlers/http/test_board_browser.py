"""The web board in a real browser: Debian's Chromium driven by Playwright against the app's
WSGI app on waitress. A person signs in with their link, reads the board, follows a
developer link, sees the contested claims with both sources, fetches the developer's
calendar; the pages fit a phone and a desktop; axe-core finds no accessibility violation.

Skipped only when /usr/bin/chromium is absent (`.ci/run` installs it)."""

from __future__ import annotations

import struct
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
from tests.support.board import ask_for_link, board_app, served

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
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
READING_PAGES = ("/board", "/board/developers/meta", "/board/changes", "/board/compare")


@pytest.fixture(scope="module")
def board(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Deps, str]]:
    folder = tmp_path_factory.mktemp("board-browser")
    clock = FixedClock(datetime(2026, 7, 24, 14, 0, tzinfo=UTC))
    store = open_store(folder / "reviewwatch.db")
    seed(store.db, at=clock.now())
    deps = make_deps(Settings(db_path=str(folder / "reviewwatch.db")), store, clock)
    try:
        with served(board_app(deps)) as url:
            yield deps, url
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


def signed_in_page(browser: Any, deps: Deps, url: str, viewport: dict[str, int] = DESKTOP) -> Any:
    """A fresh browser context that opened its own sign-in link and pressed the button."""
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.goto(url + ask_for_link(deps))
    page.get_by_role("button", name="Sign in to the board").click()
    page.wait_for_url(url + "/board")
    return page


def png_size(png: bytes) -> tuple[int, int]:
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def test_a_reader_signs_in_follows_a_developer_and_sees_both_sources_of_a_contested_claim(
    browser: Any, board: tuple[Deps, str]
) -> None:
    deps, url = board
    page = signed_in_page(browser, deps, url)
    assert page.get_by_role("heading", level=1).inner_text().startswith("Frontier AI model review")
    assert page.get_by_text("of 6 developers").first.is_visible()

    page.get_by_role("table", name="Agreement status of each tracked developer").get_by_role(
        "link", name="Meta"
    ).click()

    page.wait_for_url(url + "/board/developers/meta")
    assert page.get_by_role("heading", name="Meta", level=1).is_visible()
    contest = page.get_by_role("table", name="The competing claims about Meta: status")
    assert contest.is_visible()
    sources = contest.get_by_role("rowheader").all_inner_texts()
    assert any("Stocktwits" in s for s in sources)
    assert any("wire summary" in s for s in sources)
    assert "anticipates signing" in contest.inner_text()

    calendar_link = page.get_by_role(
        "link", name="Calendar of Meta's review windows and planned releases (.ics)"
    )
    answer = page.request.get(url + calendar_link.get_attribute("href"))
    assert answer.status == 200
    assert answer.headers["content-type"].startswith("text/calendar")
    assert answer.text().startswith("BEGIN:VCALENDAR")
    page.context.close()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_pages_fit_a_phone_and_a_desktop(
    browser: Any, board: tuple[Deps, str], viewport: dict[str, int]
) -> None:
    deps, url = board
    page = signed_in_page(browser, deps, url, viewport)
    for path in READING_PAGES:
        page.goto(url + path)
        assert page.get_by_role("heading", level=1).is_visible(), path
        assert page.get_by_role("navigation", name="Board pages").is_visible(), path
        assert page.get_by_role("main").is_visible(), path
        assert page.get_by_role("contentinfo").is_visible(), path  # the "as of" stamp
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} is {overflow}px wider than the {viewport['width']}px screen"
        shot = page.screenshot()
        assert png_size(shot) == (viewport["width"], viewport["height"])
    page.context.close()


def test_the_stylesheet_applies_under_the_content_security_policy(
    browser: Any, board: tuple[Deps, str]
) -> None:
    deps, url = board
    page = signed_in_page(browser, deps, url)
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(url + "/board")
    collapse = page.evaluate("getComputedStyle(document.querySelector('table')).borderCollapse")
    assert collapse == "collapse"  # board.css loaded from 'self'
    assert not [e for e in errors if "Content Security Policy" in e]
    page.context.close()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_axe_finds_no_violation_on_any_page(
    browser: Any, board: tuple[Deps, str], viewport: dict[str, int]
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    deps, url = board
    axe = Axe()
    signed_out = browser.new_context(viewport=viewport).new_page()
    signed_out.goto(url + "/board")
    pages = [("sign-in page", signed_out)]
    page = signed_in_page(browser, deps, url, viewport)
    found: dict[str, Any] = {}
    for name, tab in pages:
        found[name] = axe.run(tab).response["violations"]
    for path in (*READING_PAGES, "/board/changes?since=30d"):
        page.goto(url + path)
        result = axe.run(page).response
        assert result["passes"], f"axe checked nothing on {path}"
        found[path] = result["violations"]

    problems = {where: [(v["id"], v["help"], len(v["nodes"])) for v in found[where]] for where in found}
    assert all(not v for v in problems.values()), problems
    page.context.close()
    signed_out.context.close()
