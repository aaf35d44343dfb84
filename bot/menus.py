"""Menus in forms: the one place a select menu is built, static or type-ahead.

Small fixed lists (agreement statuses, review statuses, deadline kinds) are static
menus. Lists that grow with the tracker are type-ahead menus (`external_select`, or
`multi_external_select` for several): Slack asks the app for options as the user types
(a `block_suggestion` request, answered by handlers/menus.py with `menu_options`), so
every record stays reachable however many there are, though Slack shows 100 at a time.
Names match as `/aireview status` matches them (bot.lookup): any case, slug or display
name, a part of the name, small typos; most relevant first.

A form opened on a record shows it selected whatever its position (`initial_option`,
built from the record by `record_option`).

Adding a type-ahead menu for another kind of record (feeds, say): its key function
(names it answers to, as in bot.lookup) and its rows, in one MenuKind in MENU_KINDS with
a new ids.ACTION_MENU_* id; handlers/menus.py then serves it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from bot import ids
from bot.blockkit import Block, plain
from bot.lookup import (
    MAX_RANKED,
    Candidate,
    Keyed,
    NameIndexCache,
    Stamp,
    deadline_keys,
    developer_keys,
    event_keys,
    model_keys,
    source_keys,
    subject_keys,
)
from storage.facts import list_events
from storage.sources import list_source_names, sources_stamp
from storage.tracker import latest_history_id, list_deadlines, list_developers, list_model_names

MAX_OPTION_TEXT = 75  # Slack's limit for an option's text and description
MAX_OPTION_VALUE = 150
MAX_STATIC_OPTIONS = 100  # Slack's limit for a static menu


@dataclass(frozen=True)
class MenuKind:
    """A kind of record offered in type-ahead menus."""

    name: str  # "developer": the NameIndexCache key
    action_id: str
    placeholder: str
    rows: Callable[[Database], list[dict[str, Any]]]  # every record, in listing order
    keys: Callable[[Iterable[dict[str, Any]]], list[Keyed]]  # candidates and their names
    # Changes whenever `rows` would read something else (records without history rows need
    # their own, e.g. their table's newest id and count).
    stamp: Stamp = latest_history_id

    def index_rows(self, db: Database) -> list[Keyed]:
        return self.keys(self.rows(db))


DEVELOPERS = MenuKind(
    "developer", ids.ACTION_MENU_DEVELOPER, "Type a developer's name", list_developers, developer_keys
)
MODELS = MenuKind("model", ids.ACTION_MENU_MODEL, "Type a model's name", list_model_names, model_keys)
DEADLINES = MenuKind(
    "deadline", ids.ACTION_MENU_DEADLINE, "Type a deadline's title", list_deadlines, deadline_keys
)

# Sources have no history rows of their own: their table says when the list changed.
SOURCES = MenuKind(
    "source",
    ids.ACTION_MENU_SOURCE,
    "Type a title, publisher or link",
    list_source_names,
    source_keys,
    stamp=sources_stamp,
)


def _all_events(db: Database) -> list[dict[str, Any]]:
    return list_events(db, limit=-1)  # newest first; -1: no limit in SQLite


def _contest_subjects(db: Database) -> list[dict[str, Any]]:
    events = [{**e, "entity": "event"} for e in _all_events(db)]
    return events + [{**d, "entity": "deadline"} for d in list_deadlines(db)]


EVENTS = MenuKind("event", ids.ACTION_MENU_EVENT, "Type part of the summary", _all_events, event_keys)
# What a contest can be about besides a developer: values 'event:3', 'deadline:1'.
SUBJECTS = MenuKind(
    "subject", ids.ACTION_MENU_SUBJECT, "Type an event or a deadline", _contest_subjects, subject_keys
)

MENU_KINDS: dict[str, MenuKind] = {
    kind.name: kind for kind in (DEVELOPERS, MODELS, DEADLINES, SOURCES, EVENTS, SUBJECTS)
}
# action_id -> the kind its options come from
MENU_ACTIONS: dict[str, MenuKind] = {
    **{kind.action_id: kind for kind in MENU_KINDS.values()},
    ids.ACTION_FORM_DEVELOPER_PICK: DEVELOPERS,
}


def option(value: str, label: str, detail: str = "") -> Block:
    """One menu option: its text (and an optional line under it) and its value."""
    built: Block = {"text": plain(label, MAX_OPTION_TEXT), "value": value[:MAX_OPTION_VALUE]}
    if detail:
        built["description"] = plain(detail, MAX_OPTION_TEXT)
    return built


def candidate_option(candidate: Candidate) -> Block:
    return option(candidate.id, candidate.label, candidate.detail)


def static_menu(
    choices: list[tuple[str, str]], initial: str | None, placeholder: str, action_id: str = ids.ACTION_FIELD
) -> Block:
    """A static_select of (value, label) choices; for small fixed lists only."""
    if len(choices) > MAX_STATIC_OPTIONS:  # a list that can grow this long needs a type-ahead menu
        raise ValueError(f"{len(choices)} choices: use type_ahead_menu")
    options = [option(value, label) for value, label in choices]
    element: Block = {
        "type": "static_select",
        "action_id": action_id,
        "options": options,
        "placeholder": plain(placeholder),
    }
    chosen = next((o for o in options if o["value"] == initial), None)
    if chosen is not None:
        element["initial_option"] = chosen
    return element


def record_option(kind: MenuKind, record: dict[str, Any]) -> Block:
    """The option that stands for `record` (a row as `kind.rows` reads it)."""
    return candidate_option(kind.keys([record])[0][0])


def type_ahead_menu(
    kind: MenuKind,
    *,
    initial: dict[str, Any] | None = None,
    action_id: str | None = None,
    placeholder: str | None = None,
) -> Block:
    """An external_select of `kind`, showing `initial` (a record) selected."""
    element: Block = {
        "type": "external_select",
        "action_id": action_id or kind.action_id,
        "placeholder": plain(placeholder or kind.placeholder),
        "min_query_length": 0,  # opening the menu lists the first 100 at once
    }
    if initial is not None:
        element["initial_option"] = record_option(kind, initial)
    return element


def multi_type_ahead_menu(
    kind: MenuKind,
    *,
    initial: Iterable[dict[str, Any]] = (),
    action_id: str | None = None,
    placeholder: str | None = None,
) -> Block:
    """A multi_external_select of `kind`, showing the `initial` records selected."""
    element: Block = {
        "type": "multi_external_select",
        "action_id": action_id or kind.action_id,
        "placeholder": plain(placeholder or kind.placeholder),
        "min_query_length": 0,
    }
    chosen = [record_option(kind, row) for row in initial]
    if chosen:
        element["initial_options"] = chosen
    return element


def menu_options(db: Database, cache: NameIndexCache, action_id: str, typed: str) -> list[Block]:
    """The options for a type-ahead menu given what the user typed so far (at most 100,
    most relevant first; [] for a menu that is not ours)."""
    kind = MENU_ACTIONS.get(action_id)
    if kind is None:
        return []
    index = cache.get(db, kind.name, kind.index_rows, kind.stamp)
    return [candidate_option(c) for c in index.rank(typed, MAX_RANKED)]
