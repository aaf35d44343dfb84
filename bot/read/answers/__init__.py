"""The read side as plain data: what /holdouts, /deadlines, /aireview status|models|history
and the App Home say, computed from the tracker, the settings and the clock.

No Block Kit here: bot/read/blocks.py renders these for Slack (and the console), and the
Teams cards (bot/teams) turn the same data into Adaptive Cards. One module per answer:
`holdouts`, `deadlines` (what is coming up, and what passed), `models`, `history`, `status`
(one developer in full) and `dashboard` (the App Home); `sourcing` says what backs a fact.
"""

from bot.read.answers.dashboard import HOME_CHANGES, HOME_ITEMS, HomeAnswer, framework_facts, home_answer
from bot.read.answers.deadlines import (
    DEFAULT_DAYS,
    MAX_DAYS,
    MAX_LISTED,
    PASSED_DEADLINE_DAYS,
    STATUS_UPCOMING,
    BadDays,
    UpcomingAnswer,
    item_status,
    parse_days,
    passed_deadlines,
    upcoming_answer,
)
from bot.read.answers.history import HISTORY_LIMIT, HistoryAnswer, HistoryEntry, history_answer
from bot.read.answers.holdouts import HoldoutEntry, HoldoutsAnswer, holdouts_answer
from bot.read.answers.models import MODELS_LISTED, STATUS_MODELS, ModelEntry, ModelsAnswer, models_answer
from bot.read.answers.sourcing import ContestedFact, Fact, contest_lines, contested_facts, sources_text
from bot.read.answers.status import (
    STATUS_EVENTS,
    STATUS_RECENT_CHANGES,
    DeveloperStatus,
    EventEntry,
    developer_status,
    event_entries,
)

__all__ = [
    "DEFAULT_DAYS",
    "HISTORY_LIMIT",
    "HOME_CHANGES",
    "HOME_ITEMS",
    "MAX_DAYS",
    "MAX_LISTED",
    "MODELS_LISTED",
    "PASSED_DEADLINE_DAYS",
    "STATUS_EVENTS",
    "STATUS_MODELS",
    "STATUS_RECENT_CHANGES",
    "STATUS_UPCOMING",
    "BadDays",
    "ContestedFact",
    "DeveloperStatus",
    "EventEntry",
    "Fact",
    "HistoryAnswer",
    "HistoryEntry",
    "HoldoutEntry",
    "HoldoutsAnswer",
    "HomeAnswer",
    "ModelEntry",
    "ModelsAnswer",
    "UpcomingAnswer",
    "contest_lines",
    "contested_facts",
    "developer_status",
    "event_entries",
    "framework_facts",
    "history_answer",
    "holdouts_answer",
    "home_answer",
    "item_status",
    "models_answer",
    "parse_days",
    "passed_deadlines",
    "sources_text",
    "upcoming_answer",
]
