"""Each SQL twin in storage/rules.py selects exactly the models its Python rule in
bot/domain.py accepts, on generated rows (the odd cases included: empty strings, a time
suffix on a date, statuses that contradict the dates)."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest

from bot import domain
from storage import rules

TODAY = date(2026, 7, 24)
STATUSES = ("not_submitted", "submitted", "in_review", "cleared", "released", "withdrawn")


def _some_date(rng: random.Random) -> str | None:
    choice = rng.random()
    if choice < 0.2:
        return None
    if choice < 0.3:
        return ""
    day = TODAY + timedelta(days=rng.randint(-60, 60))
    return day.isoformat() + ("T12:00:00" if rng.random() < 0.1 else "")


def generated_models(count: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [
        {
            "id": i,
            "planned_release": _some_date(rng),
            "submitted": _some_date(rng),
            "released": _some_date(rng),
            "review_status": rng.choice(STATUSES),
        }
        for i in range(count)
    ]


def selected(models: list[dict[str, Any]], where: str, params: dict[str, Any]) -> set[int]:
    conn = sqlite3.connect(":memory:")
    conn.execute(
        "CREATE TABLE models (id INTEGER, planned_release TEXT, submitted TEXT, released TEXT, "
        "review_status TEXT)"
    )
    conn.executemany(
        "INSERT INTO models VALUES (:id, :planned_release, :submitted, :released, :review_status)", models
    )
    return {row[0] for row in conn.execute(f"SELECT m.id FROM models m WHERE {where}", params)}


def _planned_as_day(model: dict[str, Any]) -> dict[str, Any]:
    # The Python rules read the day of a stored value; parse_date takes ISO dates only.
    planned = model["planned_release"]
    return {**model, "planned_release": planned[:10] if planned else planned}


CASES: list[tuple[str, str, Callable[[dict[str, Any]], bool], dict[str, Any]]] = [
    ("released", rules.SQL_RELEASED, domain.is_released, {}),
    ("submitted", rules.SQL_SUBMITTED, domain.is_submitted, {}),
    (
        "overdue",
        rules.SQL_OVERDUE,
        lambda m: domain.is_overdue(_planned_as_day(m), TODAY),
        {"overdue_before": rules.overdue_if_planned_before(TODAY, domain.REVIEW_WINDOW_DAYS).isoformat()},
    ),
]


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize(("name", "where", "rule", "params"), CASES, ids=[c[0] for c in CASES])
def test_sql_twin_agrees_with_its_rule(
    name: str, where: str, rule: Callable[[dict[str, Any]], bool], params: dict[str, Any], seed: int
) -> None:
    models = generated_models(400, seed)
    expected = {m["id"] for m in models if rule(m)}
    assert selected(models, where, params) == expected
    assert 0 < len(expected) < len(models)  # the generated rows exercise both sides


def test_planned_releases_opening_inverts_review_window_opens() -> None:
    first, last = rules.planned_releases_opening(TODAY, TODAY + timedelta(days=6), domain.REVIEW_WINDOW_DAYS)
    for planned in (first, last):
        opens = domain.review_window_opens({"planned_release": planned.isoformat()})
        assert opens is not None and TODAY <= opens <= TODAY + timedelta(days=6)
