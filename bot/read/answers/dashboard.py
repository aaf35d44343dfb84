"""What the App Home dashboard says, as plain data: the framework's facts, the holdouts,
what is coming up and the latest changes (bot/read/home.py renders it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.deps import Deps
from bot.read.answers.deadlines import UpcomingAnswer, upcoming_answer
from bot.read.answers.history import HistoryAnswer, history_answer
from bot.read.answers.holdouts import HoldoutsAnswer, holdouts_answer
from bot.read.answers.sourcing import (
    ContestedFact,
    Fact,
    contest_lines,
    contested_facts,
    labels,
    sources_text,
)
from storage.answers import tracker_last_changed
from storage.facts import citations_for, fact_sources, list_framework_facts

HOME_ITEMS = 8
HOME_CHANGES = 8
HOME_CONTESTED = 6


@dataclass(frozen=True)
class HomeAnswer:
    holdouts: HoldoutsAnswer
    upcoming: UpcomingAnswer  # the next dated items (within a year), most urgent first
    changes: HistoryAnswer
    tracker_updated_at: datetime | None
    as_of: datetime
    tz: ZoneInfo
    extra: dict[str, Any] = field(default_factory=dict)
    framework: list[Fact] = field(default_factory=list)
    contested: list[ContestedFact] = field(default_factory=list)  # the first HOME_CONTESTED
    contested_total: int = 0


def framework_facts(deps: Deps) -> list[Fact]:
    """What the framework is (who runs the reviews, what they look for), each sourced."""
    db = deps.store.db
    rows = list_framework_facts(db)
    ids = [r["id"] for r in rows]
    cited = citations_for(db, "framework", ids)
    contests = contest_lines(deps, "framework", ids)
    return [
        Fact(
            r["label"],
            r["text"],
            sources_text(labels(fact_sources(cited, r["id"], "*"))),
            r.get("as_of"),
            tuple(contests.get(r["id"], ())),
        )
        for r in rows
    ]


def home_answer(deps: Deps) -> HomeAnswer:
    latest = tracker_last_changed(deps.store.db)
    contested, contested_total = contested_facts(deps, HOME_CONTESTED)
    return HomeAnswer(
        contested=contested,
        contested_total=contested_total,
        framework=framework_facts(deps),
        holdouts=holdouts_answer(deps),
        upcoming=upcoming_answer(deps, 365, shown=HOME_ITEMS),
        changes=history_answer(deps, limit=HOME_CHANGES),
        tracker_updated_at=datetime.fromisoformat(latest) if latest else None,
        as_of=deps.clock.now(),
        tz=deps.settings.tz,
    )
