"""Every Teams card kind shows tracker, form and feed text literally.

Teams reads a TextBlock's text and a FactSet's titles and values as Markdown, so a deadline
title or a feed headline like `[Official](https://evil.example)` arrived as a clickable,
disguised link. Here every card kind (each alert kind, the digest, every answer) is built
from hostile text, and the card is checked: that text only ever sits in TextRuns (which
Teams never parses), and a link is only an explicit run or action with an http(s) URL
whose visible text is that URL or one of our fixed labels.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.alerts.alert import KIND_LABELS, Alert
from bot.alerts.cards import alert_card, update_card
from bot.deps import Deps
from bot.teams.answers import answer_activity
from storage.tracker import create_record, update_record
from tests.support.teams_requests import activity, card_of

LINK = "[Official](https://evil.example/login)"
HOSTILE = f"{LINK} **urgent** _now_ <at>Everyone</at> ![x](https://evil.example/p.png) # head"
PIECES = ("[official]", "**urgent**", "**x**", "_now_", "<at>everyone</at>", "@everyone", "![x]")
FIXED_LABELS = {"Open", "Source"}
AT = datetime(2026, 7, 24, 14, 0, tzinfo=UTC)


def hostile(text: str) -> bool:
    return any(p in text.lower() for p in PIECES)


def assert_literal(card: dict[str, Any]) -> None:
    """Hostile text only in TextRuns; links only http(s) with honest visible text."""
    seen_in_runs = False

    def visit(node: Any, parent: dict[str, Any] | None = None) -> None:
        nonlocal seen_in_runs
        if isinstance(node, list):
            for item in node:
                visit(item, parent)
            return
        if not isinstance(node, dict):
            return
        kind = node.get("type")
        assert "msteams" not in node  # no mention entities: <at> cannot mention anyone
        if kind == "TextRun":
            seen_in_runs = seen_in_runs or hostile(node["text"])
        elif kind == "TextBlock":  # parsed as Markdown by Teams
            assert not hostile(node["text"]), node
        elif kind == "FactSet":  # titles and values parsed as Markdown by Teams
            for fact in node["facts"]:
                assert not hostile(fact["title"] + fact["value"]), fact
        if kind == "Action.OpenUrl":
            assert node["url"].startswith(("https://", "http://")), node
            if parent is not None and parent.get("type") == "TextRun":
                assert parent["text"] in (node["url"], *FIXED_LABELS), parent
            else:
                assert node["title"] in FIXED_LABELS, node
        for key, value in node.items():
            if key == "selectAction":
                visit(value, node)
            elif isinstance(value, (dict, list)):
                visit(value, node)

    visit(card)
    assert seen_in_runs, "the hostile text should be in the card, shown literally"


def alert(kind: str, facts: dict[str, Any], subject_date: str | None = "2026-07-31") -> Alert:
    return Alert(
        kind=kind,
        subject_type="digest" if kind == "digest" else "deadline",
        subject_id="1",
        subject_date=subject_date,
        lead_days=7,
        target_type="teams",
        target="policy",
        subscription_id=1,
        due_at=AT,
        title=HOSTILE,
        facts=facts,
    )


HOSTILE_FACTS = {
    "note": HOSTILE,
    "source": HOSTILE,
    "contested": True,
    "developer": HOSTILE,
    "model": HOSTILE,
    "actor": HOSTILE,
    "at": AT.isoformat(),
    "summary": HOSTILE,
    "source_name": HOSTILE,
    "matched": [HOSTILE],
    "published": "2026-07-24",
}


@pytest.mark.parametrize("kind", sorted(set(KIND_LABELS) - {"digest"}))
@pytest.mark.parametrize(
    "link", [None, "javascript:alert(1)", "https://policywire.example/story", f"https://x.example/{LINK}"]
)
def test_every_alert_kind_shows_tracker_and_feed_text_literally(
    deps: Deps, kind: str, link: str | None
) -> None:
    envelope = alert_card(alert(kind, {**HOSTILE_FACTS, "link": link}), AT, deps.settings)
    card = envelope["attachments"][0]["content"]

    assert_literal(card)
    assert "javascript:" not in json.dumps([a.get("url") for a in card.get("actions", [])])


@pytest.mark.parametrize("source", [HOSTILE, "javascript:alert(1)", "https://policywire.example/story"])
def test_the_update_card_shows_the_change_literally(deps: Deps, source: str) -> None:
    original = alert("deadline", HOSTILE_FACTS)
    envelope = update_card(original, HOSTILE, HOSTILE, HOSTILE, source, AT, deps.settings)
    card = envelope["attachments"][0]["content"]

    assert_literal(card)
    assert [a["url"] for a in card.get("actions", [])] == ([source] if source.startswith("https") else [])


def test_a_source_that_is_a_url_becomes_a_source_button_only_if_http() -> None:
    from bot.settings import Settings

    for source, expected in (
        ("https://www.nytimes.com/2026/06/ai.html", ["https://www.nytimes.com/2026/06/ai.html"]),
        ("javascript:alert(1)", []),
        ("data:text/html,hi", []),
    ):
        card = alert_card(alert("deadline", {"source": source}), AT, Settings())["attachments"][0]["content"]
        assert [a["url"] for a in card.get("actions", [])] == expected
        assert all(a["title"] == "Source" for a in card.get("actions", []))


def test_the_digest_shows_every_entry_literally(deps: Deps) -> None:
    items = [
        {"kind": kind, "title": HOSTILE, "at": AT.isoformat(), "source": HOSTILE, "link": f"{LINK}"}
        for kind in ("news", "status", "deadline")
    ]
    digest = alert("digest", {"mode": "daily", "items": items}, subject_date="2026-07-24")

    card = alert_card(digest, AT, deps.settings)["attachments"][0]["content"]

    assert_literal(card)


@pytest.fixture
def hostile_tracker(deps: Deps) -> Deps:
    """Meta's record, a model and a deadline, edited through the forms' storage path with
    Markdown and a mention in every free-text field."""
    db = deps.store.db
    now = deps.clock.now()
    update_record(
        db,
        "developer",
        "meta",
        {"note": HOSTILE, "source": HOSTILE, "as_of": HOSTILE},
        actor=HOSTILE,
        at=now - timedelta(hours=1),
        note=HOSTILE,
        source=HOSTILE,
    )
    create_record(
        db,
        "model",
        {
            "developer_id": "meta",
            "name": f"Muse {LINK}",
            "planned_release": "2026-08-20",
            "note": HOSTILE,
        },
        actor=HOSTILE,
        at=now,
    )
    create_record(
        db,
        "deadline",
        {"title": HOSTILE, "due_date": "2026-08-01", "kind": "other", "note": HOSTILE, "source": HOSTILE},
        actor=HOSTILE,
        at=now,
    )
    return deps


@pytest.mark.parametrize(
    "command",
    [
        "holdouts",
        "deadlines 30",
        "status meta",
        "help",
        f"status {LINK}",
        f"{LINK} **x**",
        "<at>Everyone</at>",
    ],
)
def test_every_answer_card_shows_tracker_and_typed_text_literally(
    hostile_tracker: Deps, command: str
) -> None:
    answer = answer_activity(hostile_tracker, activity(command))
    card = card_of(answer.activity)

    if command == "help":  # the help card holds no tracker text: only our own words
        assert not hostile(json.dumps(card))
    else:
        assert_literal(card)
    assert "javascript:" not in json.dumps(card)
