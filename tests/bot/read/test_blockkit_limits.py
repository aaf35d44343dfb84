"""Every read-side builder stays inside Slack's limits on a large tracker (200 developers,
5,000 models, 500 deadlines), shortens with "and N more" plus where to see the rest, and
never lets tracker text mention anyone."""

from __future__ import annotations

from typing import Any

import pytest

from bot.catalog import make_deps
from bot.deps import Deps
from bot.lookup import find_developer, find_subject
from bot.read import answers, blocks
from bot.read.commands import run_aireview, run_deadlines, run_holdouts
from bot.read.home import build_home, home_view
from bot.replies import CommandRequest
from storage.db import open_store
from tests.support.blockkit import message_errors, mrkdwn_texts, special_mentions, view_errors, visible_text
from tests.support.large_tracker import ACTOR, make_large_tracker


@pytest.fixture(scope="module")
def large_deps(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from datetime import UTC, datetime

    from bot.clock import FixedClock
    from bot.settings import Settings

    path = tmp_path_factory.mktemp("large") / "large.db"
    store = open_store(path)
    counts = make_large_tracker(store.db)
    assert counts["models"] == 5000
    deps = make_deps(
        Settings(db_path=str(path), admins=(ACTOR,)),
        store,
        FixedClock(datetime(2026, 7, 24, 14, 0, tzinfo=UTC)),
    )
    yield deps
    store.close()


def check(reply: Any) -> str:
    assert reply is not None
    message = {"text": reply.text, "blocks": reply.blocks}
    assert message_errors(message) == []
    # Mentions in mrkdwn notify (and the `text` fallback is mrkdwn); plain_text never does.
    mrkdwn = "\n".join(mrkdwn_texts(reply.blocks)) + "\n" + reply.text
    assert set(special_mentions(mrkdwn)) <= {f"@{ACTOR}"}, special_mentions(mrkdwn)
    return visible_text(reply.blocks) + "\n" + reply.text


def run(deps: Deps, fn: Any, text: str) -> str:
    return check(fn(deps, CommandRequest(text=text, user_id="UMEMBER001")))


def test_holdouts_large(large_deps: Deps) -> None:
    text = run(large_deps, run_holdouts, "")
    assert "40 of 200 tracked developers have signed a review agreement; 160 holdouts" in text
    assert "…and 120 more. Ask about any one with `/aireview status &lt;developer&gt;`." in text
    run(large_deps, run_holdouts, "share")


@pytest.mark.parametrize("days", ["", "0", "7", "30", "365", "730"])
def test_deadlines_large(large_deps: Deps, days: str) -> None:
    text = run(large_deps, run_deadlines, days)
    if days not in ("0",):
        assert "more. Ask for fewer days" in text
    assert "Overdue: not submitted" in text


@pytest.mark.parametrize(
    "sub",
    [
        "",
        "help",
        "status dev-000",
        "status Developer 007 Labs",
        "status dev-015",
        "models",
        "models dev-001",
        "history",
        "history dev-000",
        "history Model 0009",
        "history Deadline 010",
        "status dev",
        "status qqq",
        "history x",
    ],
)
def test_aireview_large(large_deps: Deps, sub: str) -> None:
    run(large_deps, run_aireview, sub)


def test_models_large_says_where_the_rest_is(large_deps: Deps) -> None:
    text = run(large_deps, run_aireview, "models")
    assert "5000 models tracked for all tracked developers" in text
    assert "more. Ask for one developer's models with `/aireview models &lt;developer&gt;`." in text


def test_ambiguous_on_large_tracker_caps_candidates(large_deps: Deps) -> None:
    match = find_developer(large_deps.store.db, "developer")
    assert match.ambiguous and len(match.candidates) == 10 and match.total_candidates == 200
    text = check(blocks.match_problem_reply(match, "developer", "/aireview status {id}"))
    assert "and 190 more" in text
    assert find_subject(large_deps.store.db, "Model 0042").record["id"] == 43  # type: ignore[index]


def test_status_with_long_and_hostile_text(large_deps: Deps) -> None:
    text = run(large_deps, run_aireview, "status dev-035")  # 35: hostile note (i % 7) and long (i % 5)
    assert "&lt;!channel&gt;" in text


def test_home_large(large_deps: Deps) -> None:
    for user in (ACTOR, "UMEMBER001"):
        view = home_view(large_deps, user)
        assert view_errors(view) == []
        text = visible_text(view["blocks"])
        assert set(special_mentions("\n".join(mrkdwn_texts(view["blocks"])))) <= {f"@{ACTOR}"}
        assert "See them all with `/holdouts`." in text
        assert "See `/deadlines 365`." in text
    # Extra sections cannot push a home over 100 blocks.
    many = [{"type": "divider"}] * 150
    view = build_home(answers.home_answer(large_deps), admin=True, extra_blocks=many)
    assert view_errors(view) == []
