"""What the board's pages say (bot/board): every developer with status, dates at their
precision, sources and contested flag; the developer page's claims and contests; nothing
raw (ids) and nothing unescaped."""

from __future__ import annotations

from bot.board.pages import board_page, developer_page
from bot.board.render import render
from bot.catalog import make_deps
from bot.clock import FixedClock
from bot.deps import Deps
from bot.settings import Settings
from storage.db import Store
from storage.tracker import get_developer
from tests.support.large_tracker import HOSTILE, make_large_tracker


def test_the_board_lists_every_developer_with_sources_and_counts_in_context(deps: Deps) -> None:
    page = board_page(deps)

    names = [d.name for d in page.developers]
    assert names[0] == "Meta"  # holdouts first
    assert set(names) == {"Meta", "Anthropic", "Google DeepMind", "Microsoft", "OpenAI", "xAI"}
    assert all(d.sources for d in page.developers)
    assert {d.name for d in page.developers if d.contested} >= {"Meta"}
    counts = {c.label: c.value for c in page.counts}
    assert counts["Signed a review agreement"] == "5 of 6 developers"
    assert page.stamp.generation > 0


def test_dates_keep_their_precision_in_the_page(deps: Deps) -> None:
    page = board_page(deps)
    html = render("board.html", title="t", page=page, stamp=page.stamp, downloads=[]).decode()

    assert '<time datetime="2026-05">May 2026</time>' in html  # the May agreements, not May 1
    assert "UADMIN0001" not in html and "Recorded by the shipped facts" in html


def test_the_developer_page_sets_contested_claims_side_by_side_with_their_sources(deps: Deps) -> None:
    meta = get_developer(deps.store.db, "meta")
    assert meta is not None

    page = developer_page(deps, meta)

    assert [f.label for f in page.facts] == ["Status", "Since", "Agreement date"]
    assert all(f.sources for f in page.facts)
    contest = next(c for c in page.contests if c.subject == "Meta: status")
    sources = [c.source.text for c in contest.claims if c.source]
    assert any("Stocktwits" in s for s in sources) and any("wire summary" in s for s in sources)
    assert [m.name for m in page.models] == ["Muse Spark"]
    assert page.models[0].released.text == "April 2026"
    assert any(d.title.startswith("Formal pre-release review process") for d in page.deadlines)


def test_hostile_text_is_escaped(store: Store, settings: Settings, clock: FixedClock) -> None:
    deps = make_deps(settings, store, clock)
    make_large_tracker(deps.store.db, developers=14, models=30, deadlines=3)
    hostile = get_developer(deps.store.db, "dev-007")
    assert hostile is not None and hostile["note"] == HOSTILE

    page = developer_page(deps, hostile)
    html = render("developer.html", title=page.name, page=page, stamp=page.stamp, window_days=30).decode()

    assert "<https://evil.example|click>" not in html
    assert "&lt;https://evil.example|click&gt;" in html
