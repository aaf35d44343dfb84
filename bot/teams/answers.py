"""Answers in Microsoft Teams: the command after the @mention, answered with an Adaptive Card.

Someone types `@Review Watch deadlines 30` in a channel; Teams posts the message to our
outgoing webhook (handlers/http/teams.py) and shows the Activity we return. The commands are
`holdouts`, `deadlines [days]`, `status <developer>` and `help`, with the same data
(bot/read/answers/), argument rules and name matching (bot/lookup.py) as the Slack commands;
anything else gets help. This module reads the message and picks the answer; the cards are
built in `cards` and `status_card`, on the reply plumbing of `reply`.
"""

from __future__ import annotations

import difflib
import html
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.blockkit import clip
from bot.cardkit import Element, rich_text, text_block, text_run
from bot.deps import Deps
from bot.lookup import find_developer
from bot.people import names_for
from bot.read import BadSince, answers, changes_answer, compare_answer, corrected_note, resolve_since
from bot.replies import SURFACE_TEAMS, split_command
from bot.teams.cards import changes_card, compare_card, deadlines_card, holdouts_card, match_problem_card
from bot.teams.reply import (
    as_of_now,
    card_title,
    clean,
    mention,
    notice_card,
    reply_activity,
    reply_card,
    subtle,
)
from bot.teams.status_card import status_card

DEFAULT_APP_NAME = "Review Watch"

_AT_MENTION = re.compile(r"<at\b[^>]*>(.*?)</at\s*>", re.I | re.S)
_TAG = re.compile(r"<[^>]*>")


# ---------------------------------------------------------------- the message text


def _plain(markup: str) -> str:
    """Teams message text without tags or entities, whitespace (and &nbsp;) collapsed."""
    return " ".join(html.unescape(_TAG.sub(" ", markup)).split())


def command_text(activity: Mapping[str, Any]) -> str:
    """What was typed after (or around) the @mentions: `deadlines 30`."""
    text = activity.get("text")
    if not isinstance(text, str):
        return ""
    return _plain(_AT_MENTION.sub(" ", text))


def app_name(activity: Mapping[str, Any]) -> str:
    """The name the app was @mentioned by (the first mention), for the examples we show."""
    text = activity.get("text")
    match = _AT_MENTION.search(text) if isinstance(text, str) else None
    name = _plain(match.group(1)) if match else ""
    return clip(name, 60) if name else DEFAULT_APP_NAME


@dataclass(frozen=True)
class TeamsCommand:
    name: str
    usage: str  # after the mention
    summary: str
    example: str  # after the mention


def teams_commands(deps: Deps) -> list[TeamsCommand]:
    """The commands offered in Teams: those of the app's one command table (bot.catalog)
    whose surfaces include Teams, with `help` last; examples without the leading slash."""
    offered = [c for c in (*deps.slash_commands, *deps.subcommands.all()) if SURFACE_TEAMS in c.surfaces]
    offered.sort(key=lambda c: c.name == "help")
    return [
        TeamsCommand(c.name, c.usage, c.summary, c.example.removeprefix("/aireview ").removeprefix("/"))
        for c in offered
    ]


@dataclass(frozen=True)
class TeamsAnswer:
    command: str  # what was answered, for the log: holdouts, deadlines, status, help
    activity: dict[str, Any]  # the reply: a message Activity carrying one Adaptive Card


# ---------------------------------------------------------------- help


def help_card(commands: list[TeamsCommand], app: str, problem: list[Element] | None = None) -> dict[str, Any]:
    body: list[Element] = [card_title("Review Watch in Teams")]
    if problem:
        body.append(rich_text(problem))
    body.append(text_block(f"Mention @{app} in this channel, then a command:"))
    for command in commands:
        body.append(
            rich_text(
                [
                    text_run(mention(app, command.usage), bold=True),
                    text_run(f" — {command.summary}. e.g. {mention(app, command.example)}"),
                ]
            )
        )
    body.append(
        subtle(
            "Names match like in Slack: any case, slug or display name, part of a name, small typos. "
            "History, models, the admin forms, exports and alert subscriptions are in Slack: /aireview help."
        )
    )
    return reply_card(body)


def unknown_command_card(commands: list[TeamsCommand], app: str, typed: str) -> dict[str, Any]:
    problem = [text_run("There is no command “"), text_run(clean(typed, 40), bold=True), text_run("”.")]
    close = difflib.get_close_matches(typed.lower(), [c.name for c in commands], n=1, cutoff=0.6)
    if close:
        example = next(c.example for c in commands if c.name == close[0])
        problem.append(text_run(f" Did you mean {mention(app, example)}?"))
    return help_card(commands, app, problem)


# ---------------------------------------------------------------- answering


def _holdouts(deps: Deps, args: str, app: str) -> dict[str, Any]:
    if args.lower() not in ("", "share"):  # `share` as in Slack; in Teams everyone sees the answer
        return notice_card(f"Usage: {mention(app, 'holdouts')}")
    return holdouts_card(answers.holdouts_answer(deps), as_of_now(deps), app)


def _deadlines(deps: Deps, args: str, app: str) -> dict[str, Any]:
    try:
        days = answers.parse_days(args)
    except answers.BadDays:
        return notice_card(
            f"Usage: {mention(app, 'deadlines [days]')}, where days is a whole number from 0 to "
            f"{answers.MAX_DAYS} (default {answers.DEFAULT_DAYS}), e.g. {mention(app, 'deadlines 30')}."
        )
    return deadlines_card(answers.upcoming_answer(deps, days), as_of_now(deps), app)


def _status(deps: Deps, args: str, app: str) -> dict[str, Any]:
    if not args:
        return notice_card(
            f"Usage: {mention(app, 'status <developer>')}, e.g. {mention(app, 'status meta')}."
        )
    match = find_developer(deps.store.db, args)
    if match.record is None:
        return match_problem_card(match, app)
    status = answers.developer_status(deps, match.record)
    names = names_for(deps, [status.developer.get("updated_by"), *(e.actor for e in status.history.entries)])
    return status_card(status, as_of_now(deps), app, note=corrected_note(match), names=names)


def _help(deps: Deps, args: str, app: str) -> dict[str, Any]:
    return help_card(teams_commands(deps), app)


def _compare(deps: Deps, args: str, app: str) -> dict[str, Any]:
    if args:
        return notice_card(f"Usage: {mention(app, 'compare')}")
    return compare_card(compare_answer(deps), as_of_now(deps), app)


def _changes(deps: Deps, args: str, app: str) -> dict[str, Any]:
    try:
        since, label = resolve_since(deps, args)
    except BadSince:
        return notice_card(
            f"Usage: {mention(app, 'changes [since]')}, where since is a number of days (7d, 30d) or a "
            f"date (2026-07-01), e.g. {mention(app, 'changes 30d')}."
        )
    answer = changes_answer(deps, since, label)
    names = names_for(deps, [e.actor for group in answer.groups for e in group.entries])
    return changes_card(answer, as_of_now(deps), app, names)


# How each command offered in Teams is answered as a card (a test checks that every
# command the table offers in Teams has one).
CARD_ANSWERS: dict[str, Callable[[Deps, str, str], dict[str, Any]]] = {
    "holdouts": _holdouts,
    "deadlines": _deadlines,
    "status": _status,
    "compare": _compare,
    "changes": _changes,
    "help": _help,
}


def answer_activity(deps: Deps, activity: Mapping[str, Any]) -> TeamsAnswer:
    """The reply to one outgoing-webhook message: a message Activity with one Adaptive Card."""
    app = app_name(activity)
    name, args = split_command(command_text(activity))
    commands = teams_commands(deps)
    run = CARD_ANSWERS.get(name) if any(c.name == name for c in commands) else None
    if run is None:
        card = help_card(commands, app) if not name else unknown_command_card(commands, app, name)
        return TeamsAnswer("help", reply_activity(card))
    return TeamsAnswer(name, reply_activity(run(deps, args, app)))
