"""Answers in Microsoft Teams: the command after the @mention, answered with an Adaptive Card.

Someone types `@Review Watch deadlines 30` in a channel; Teams posts the message to our
outgoing webhook (handlers/http/teams.py) and shows the Activity we return. The commands are
`holdouts`, `deadlines [days]`, `status <developer>` and `help`, with the same data
(bot/read/answers.py), argument rules and name matching (bot/lookup.py) as the Slack commands;
anything else gets help.

Tracker text goes in TextRuns, which Teams never reads as Markdown, so a note shows
literally. A reply stays under Teams' 28 KB message limit: lists stop at the Slack
reply's count (or earlier when the bytes run out) and end with "…and N more", saying
where to see the rest. List notes are clipped shorter than in Slack (Slack's limit is per
block, Teams' per message) so that more entries fit.
"""

from __future__ import annotations

import difflib
import html
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot import domain
from bot.blockkit import clip, fmt_date, fmt_datetime, fmt_when
from bot.cardkit import (
    CARD_CONTENT_TYPE,
    CARD_SCHEMA,
    MAX_TEAMS_BYTES,
    Element,
    container,
    fact_set,
    link_url,
    rich_text,
    text_block,
    text_run,
)
from bot.deps import Deps
from bot.lookup import Candidate, Match, find_developer
from bot.people import names_for
from bot.read import (
    COMPARE_HEADINGS,
    STATUS_MODELS,
    BadSince,
    ChangesAnswer,
    CompareAnswer,
    answers,
    changes_answer,
    compare_answer,
    corrected_note,
    resolve_since,
)
from bot.replies import SURFACE_TEAMS, split_command

# 1.4 is the version Microsoft's outgoing-webhook examples use; everything here exists in it.
TEAMS_REPLY_CARD_VERSION = "1.4"
# Room for what Teams adds around our Activity before it checks the 28 KB limit.
REPLY_BUDGET = MAX_TEAMS_BYTES - 1024
DEFAULT_APP_NAME = "Review Watch"
LIST_NOTE_CHARS = 600
STATUS_NOTE_CHARS = 2000
WARNING = "⚠"
SLACK_ELSEWHERE = "see it in Slack or the App Home"

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


# ---------------------------------------------------------------- card plumbing


@dataclass(frozen=True)
class TeamsAnswer:
    command: str  # what was answered, for the log: holdouts, deadlines, status, help
    activity: dict[str, Any]  # the reply: a message Activity carrying one Adaptive Card


def reply_card(body: list[Element]) -> dict[str, Any]:
    return {"$schema": CARD_SCHEMA, "type": "AdaptiveCard", "version": TEAMS_REPLY_CARD_VERSION, "body": body}


def reply_activity(card: dict[str, Any]) -> dict[str, Any]:
    return {"type": "message", "attachments": [{"contentType": CARD_CONTENT_TYPE, "content": card}]}


def reply_bytes(activity: dict[str, Any]) -> bytes:
    """The response body as sent (compact UTF-8 JSON); its length is what the limit counts."""
    return json.dumps(activity, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _size(element: Element) -> int:
    return len(reply_bytes(element)) + 1  # and its comma


def fit_body(
    head: list[Element],
    entries: list[Element],
    tail: list[Element],
    more: Callable[[int], Element],
    hidden: int = 0,
    budget: int = REPLY_BUDGET,
) -> list[Element]:
    """head + as many entries as fit in `budget` bytes + "…and N more" + tail.

    `hidden` counts entries already left out (beyond the count limit); the more line
    counts those and any dropped here for size.
    """
    worst = more(hidden + len(entries))  # the longest more line: its count has the most digits
    room = budget - len(reply_bytes(reply_activity(reply_card(head + [worst] + tail))))
    shown: list[Element] = []
    for entry in entries:
        room -= _size(entry)
        if room < 0:
            break
        shown.append(entry)
    hidden += len(entries) - len(shown)
    return head + shown + ([more(hidden)] if hidden else []) + tail


def _title(text: str) -> Element:
    return text_block(text, weight="Bolder", size="Medium", limit=150)


def _subtle(text: str) -> Element:
    return text_block(text, subtle=True, size="Small")


def _more(hint: str) -> Callable[[int], Element]:
    return lambda hidden: _subtle(f"…and {hidden} more. {hint}")


def _clean(text: Any, limit: int) -> str:
    return clip(" ".join(str(text).split()), limit)


def _source_runs(source: str | None, as_of: str | None = None, contested: bool = False) -> list[Element]:
    if source:
        clean = _clean(source, 600)
        runs = [
            text_run("Source: ", subtle=True),
            # A link only where the visible text is the URL itself.
            text_run(clean, subtle=True, url=source if link_url(source) and clean == source else None),
        ]
    else:
        runs = [text_run("Source: not recorded", subtle=True)]
    if as_of:
        runs.append(text_run(f" · as of {_clean(fmt_when(as_of), 40)}", subtle=True))
    if contested:
        runs.append(text_run(f" · {WARNING} contested", color="Warning"))
    return runs


def _contest_items(contests: tuple[str, ...] | list[str]) -> list[Element]:
    """Each open contest's claims side by side, one line each."""
    return [rich_text([text_run(f"{WARNING} {_clean(c, 1200)}", color="Warning")]) for c in contests]


def _days_ago(days: int | None) -> str:
    if days is None:
        return ""
    return " (today)" if days == 0 else f" ({domain.countdown(-days)})"


def _as_of(deps: Deps) -> str:
    return fmt_datetime(deps.clock.now(), deps.settings.tz)


def _mention(app: str, args: str) -> str:
    return f"@{app} {args}"


# ---------------------------------------------------------------- simple cards


def notice_card(text: str, *runs: Element) -> dict[str, Any]:
    """Our own sentence, optionally followed by runs carrying user text."""
    if runs:
        return reply_card([rich_text([text_run(text), *runs])])
    return reply_card([text_block(text)])


def help_card(commands: list[TeamsCommand], app: str, problem: list[Element] | None = None) -> dict[str, Any]:
    body: list[Element] = [_title("Review Watch in Teams")]
    if problem:
        body.append(rich_text(problem))
    body.append(text_block(f"Mention @{app} in this channel, then a command:"))
    for command in commands:
        body.append(
            rich_text(
                [
                    text_run(_mention(app, command.usage), bold=True),
                    text_run(f" — {command.summary}. e.g. {_mention(app, command.example)}"),
                ]
            )
        )
    body.append(
        _subtle(
            "Names match like in Slack: any case, slug or display name, part of a name, small typos. "
            "History, models, the admin forms, exports and alert subscriptions are in Slack: /aireview help."
        )
    )
    return reply_card(body)


def unknown_command_card(commands: list[TeamsCommand], app: str, typed: str) -> dict[str, Any]:
    problem = [text_run("There is no command “"), text_run(_clean(typed, 40), bold=True), text_run("”.")]
    close = difflib.get_close_matches(typed.lower(), [c.name for c in commands], n=1, cutoff=0.6)
    if close:
        example = next(c.example for c in commands if c.name == close[0])
        problem.append(text_run(f" Did you mean {_mention(app, example)}?"))
    return help_card(commands, app, problem)


# ---------------------------------------------------------------- holdouts


def holdouts_card(answer: answers.HoldoutsAnswer, as_of: str, app: str) -> dict[str, Any]:
    head = [_title("Holdouts: no review agreement yet"), text_block(answer.summary, weight="Bolder")]
    entries: list[Element] = []
    for h in answer.holdouts:
        line = f" · {h.status_line}"
        items = [rich_text([text_run(_clean(h.name, 150), bold=True), text_run(line)])]
        if h.note:
            items.append(rich_text([text_run(_clean(h.note, LIST_NOTE_CHARS), italic=True)]))
        items.append(rich_text(_source_runs(h.source, h.as_of, h.contested and not h.contests)))
        items += _contest_items(h.contests)
        entries.append(container(items, separator=True))
    hint = f"Ask about any one with {_mention(app, 'status <developer>')}, or {SLACK_ELSEWHERE} (/holdouts)."
    tail = [_subtle(f"As of {as_of}")]
    body = fit_body(
        head, entries[: answers.MAX_LISTED], tail, _more(hint), max(len(entries) - answers.MAX_LISTED, 0)
    )
    return reply_card(body)


# ---------------------------------------------------------------- deadlines


def _item_entry(item: domain.DatedItem, contests: list[str] | None = None) -> Element:
    when = f"{fmt_date(item.day)} · {item.countdown}"
    head = [
        text_run(
            f"{WARNING} {when}" if item.overdue else when,
            bold=True,
            color="Attention" if item.overdue else None,
        ),
        text_run(" — "),
        text_run(_clean(item.title, 300)),
    ]
    kind = domain.ITEM_KIND_LABELS.get(item.kind, item.kind)
    return container(
        [
            rich_text(head),
            rich_text([text_run(f"{kind} · {answers.item_status(item)}")]),
            rich_text(_source_runs(item.source, item.as_of, item.contested and not contests)),
            *_contest_items(contests or []),
        ],
        separator=True,
    )


def deadlines_card(answer: answers.UpcomingAnswer, as_of: str, app: str) -> dict[str, Any]:
    head = [_title(f"Coming up in the next {answer.days} days"), text_block(answer.summary, weight="Bolder")]
    entries = [_item_entry(item, answer.contest_lines(item)) for item in answer.items[: answers.MAX_LISTED]]
    hint = f"Ask for fewer days, e.g. {_mention(app, 'deadlines 14')}, or {SLACK_ELSEWHERE} (/deadlines)."
    tail = [
        _subtle(
            f"As of {as_of} · Dates in {answer.tz_name} · Items passed in the last "
            f"{domain.RECENTLY_PASSED_DAYS} days are shown as passed, deadlines with their outcome."
        )
    ]
    body = fit_body(head, entries, tail, _more(hint), answer.total - len(entries))
    return reply_card(body)


# ---------------------------------------------------------------- status


def _model_runs(m: answers.ModelEntry, today: date) -> list[Element]:
    runs = [text_run("• "), text_run(_clean(m.name, 150), bold=True)]
    return (
        runs
        + [text_run(" · " + " · ".join(m.facts(today, WARNING)) + " · ")]
        + _source_runs(m.source, m.as_of, m.contested)
    )


def _who(actor: str | None, names: Mapping[str, str]) -> str:
    """A person's name for a user id (bot/people.py looked them up), else the actor as stored."""
    return _clean(names.get(actor, actor) if actor else "unknown", 60)


def _history_entry(
    e: answers.HistoryEntry, status: answers.DeveloperStatus, names: Mapping[str, str]
) -> Element:
    items = [
        rich_text(
            [
                text_run(fmt_datetime(e.at, status.tz), bold=True),
                text_run(f" · {_who(e.actor, names)} · {_clean(e.subject, 200)}"),
                *(
                    [text_run(f" · {e.when} (recorded {fmt_datetime(e.at, status.tz)})")]
                    if e.effective
                    else []
                ),
            ]
        ),
        rich_text([text_run(_clean(e.what, 800))]),
    ]
    if e.note:
        items.append(rich_text([text_run(_clean(e.note, LIST_NOTE_CHARS), italic=True)]))
    if e.source:
        items.append(rich_text(_source_runs(e.source)))
    return container(items, separator=True)


def status_card(
    status: answers.DeveloperStatus,
    as_of: str,
    app: str,
    note: str | None = None,
    names: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """`note`, when given, heads the card (e.g. that a typo was corrected); `names` shows
    people by name instead of Slack user id."""
    names = names or {}
    dev = status.developer
    since = fmt_when(status.since) + _days_ago(status.days_since) if status.since else "not recorded"
    name = {**text_run(_clean(dev["name"], 150), bold=True), "size": "Medium"}
    head: list[Element] = [_subtle(_clean(note, 300))] if note else []
    head += [
        rich_text([name]),
        fact_set(
            [
                ("Status", status.status_line),
                ("Since", since),
                ("Agreement date", fmt_when(dev.get("agreement_date"), "none")),
                ("Contested", f"yes {WARNING}" if dev.get("contested") else "no"),
                ("As of", _clean(fmt_when(dev.get("as_of")), 40)),
                (
                    "Last updated",
                    f"{fmt_datetime(dev.get('updated_at'), status.tz)} by "
                    f"{_who(dev.get('updated_by'), names)}",
                ),
            ]
        ),
    ]
    if dev.get("note"):
        head.append(rich_text([text_run(_clean(dev["note"], STATUS_NOTE_CHARS), italic=True)]))
    groups: dict[str | None, list[str]] = {}
    for fact in status.facts:
        groups.setdefault(fact.sources, []).append(fact.label)
    if len(groups) <= 1:
        head.append(rich_text(_source_runs(next(iter(groups), None) or dev.get("source"))))
    else:
        for sources, labels in groups.items():
            head.append(rich_text([text_run(f"{', '.join(labels)}: ", subtle=True), *_source_runs(sources)]))
    head += _contest_items(status.contests)

    # Sections in Slack's order; each is one entry, so a huge record loses its last ones.
    models = status.models
    model_items: list[Element] = [text_block(f"Models ({models.total})", weight="Bolder")]
    model_items += [rich_text(_model_runs(m, models.today)) for m in models.models[:STATUS_MODELS]]
    if not models.models:
        model_items.append(text_block("None tracked."))
    if models.total > STATUS_MODELS:
        model_items.append(
            _subtle(f"…and {models.total - STATUS_MODELS} more. See /aireview models {dev['id']} in Slack.")
        )
    entries: list[Element] = [container(model_items, separator=True)]

    if status.upcoming:
        upcoming: list[Element] = [text_block("Coming up", weight="Bolder")]
        listed = status.upcoming[: answers.STATUS_UPCOMING]
        for item in listed:
            upcoming.append(
                rich_text(
                    [
                        text_run(f"• {fmt_date(item.day)} ({item.countdown})", bold=True),
                        text_run(f" — {_clean(item.title, 200)} · {answers.item_status(item)}"),
                    ]
                )
            )
        if status.upcoming_total > len(listed):
            upcoming.append(
                _subtle(
                    f"…and {status.upcoming_total - len(listed)} more. "
                    f"See {_mention(app, 'deadlines')} or /deadlines in Slack."
                )
            )
        entries.append(container(upcoming, separator=True))

    if status.events:
        events: list[Element] = [text_block("Developments", weight="Bolder")]
        for ev in status.events:
            events.append(rich_text([text_run(f"• {_clean(ev.line, 900)}")]))
            events.append(rich_text(_source_runs(ev.sources, ev.as_of, False)))
            events += _contest_items(ev.contests)
        entries.append(container(events, separator=True))

    if status.passed_deadlines:
        passed: list[Element] = [text_block("Passed deadlines", weight="Bolder")]
        for item in status.passed_deadlines:
            passed.append(
                rich_text(
                    [
                        text_run(f"• {fmt_date(item.day)} ({item.countdown})", bold=True),
                        text_run(f" — {_clean(item.title, 200)} · {answers.item_status(item)}"),
                    ]
                )
            )
        entries.append(container(passed, separator=True))

    history = status.history
    first = fmt_datetime(status.first_tracked, status.tz) if status.first_tracked else "unknown"
    summary = f"History: {history.total} changes recorded since {first}."
    if history.entries:
        latest = history.entries[0]
        summary += f" Latest: {fmt_datetime(latest.at, status.tz)} by {_who(latest.actor, names)}."
    entries.append(container([rich_text([text_run(summary, bold=True)])], separator=True))
    entries += [_history_entry(e, status, names) for e in history.entries]

    tail = [_subtle(f"As of {as_of} · Full history: /aireview history {dev['id']} in Slack")]
    hint = f"See /aireview status {dev['id']} in Slack."
    return reply_card(fit_body(head, entries, tail, _more(hint)))


# ---------------------------------------------------------------- names


def _label_runs(candidates: list[Candidate], joiner: str) -> list[Element]:
    runs: list[Element] = []
    for n, c in enumerate(candidates):
        if n:
            runs.append(text_run(joiner))
        runs.append(text_run(_clean(c.label, 150), bold=True))
    return runs


def match_problem_card(match: Match, app: str) -> dict[str, Any]:
    """Unknown or ambiguous developer: the candidates, or did you mean (as in Slack)."""
    query = text_run(_clean(match.query, 100), bold=True)
    if match.ambiguous:
        runs = [text_run("“"), query, text_run("” matches several developers: ")]
        runs += _label_runs(match.candidates, ", ")
        more = match.total_candidates - len(match.candidates)
        if more > 0:
            runs.append(text_run(f" and {more} more"))
        runs.append(text_run(f". Say which one, e.g. {_mention(app, 'status ' + match.candidates[0].id)}."))
    elif match.suggestions:
        runs = [text_run("No tracked developer matches “"), query, text_run("”. Did you mean ")]
        runs += _label_runs(match.suggestions, " or ")
        runs.append(text_run(f"? e.g. {_mention(app, 'status ' + match.suggestions[0].id)}"))
    else:
        runs = [
            text_run("No tracked developer matches “"),
            query,
            text_run(
                f"”. {_mention(app, 'holdouts')} lists who has not signed; /aireview models in "
                "Slack lists everything tracked."
            ),
        ]
    return reply_card([rich_text(runs)])


# ---------------------------------------------------------------- answering


def _holdouts(deps: Deps, args: str, app: str) -> dict[str, Any]:
    if args.lower() not in ("", "share"):  # `share` as in Slack; in Teams everyone sees the answer
        return notice_card(f"Usage: {_mention(app, 'holdouts')}")
    return holdouts_card(answers.holdouts_answer(deps), _as_of(deps), app)


def _deadlines(deps: Deps, args: str, app: str) -> dict[str, Any]:
    try:
        days = answers.parse_days(args)
    except answers.BadDays:
        return notice_card(
            f"Usage: {_mention(app, 'deadlines [days]')}, where days is a whole number from 0 to "
            f"{answers.MAX_DAYS} (default {answers.DEFAULT_DAYS}), e.g. {_mention(app, 'deadlines 30')}."
        )
    return deadlines_card(answers.upcoming_answer(deps, days), _as_of(deps), app)


def _status(deps: Deps, args: str, app: str) -> dict[str, Any]:
    if not args:
        return notice_card(
            f"Usage: {_mention(app, 'status <developer>')}, e.g. {_mention(app, 'status meta')}."
        )
    match = find_developer(deps.store.db, args)
    if match.record is None:
        return match_problem_card(match, app)
    status = answers.developer_status(deps, match.record)
    names = names_for(deps, [status.developer.get("updated_by"), *(e.actor for e in status.history.entries)])
    return status_card(status, _as_of(deps), app, note=corrected_note(match), names=names)


def _help(deps: Deps, args: str, app: str) -> dict[str, Any]:
    return help_card(teams_commands(deps), app)


# ---------------------------------------------------------------- compare

# Table needs Adaptive Cards 1.5 (Teams renders it); the other answers stay on 1.4.
TABLE_CARD_VERSION = "1.5"
# Teams' narrow columns: the Slack table's columns less agreement and last change.
COMPARE_COLUMNS = (0, 1, 2, 4, 5, 6, 7)
COMPARE_WIDTHS = (3, 2, 2, 1, 2, 2, 1)


def _table_row(cells: list[str], *, bold: bool = False, attention: set[int] | None = None) -> Element:
    attention = attention or set()
    return {
        "type": "TableRow",
        "cells": [
            {
                "type": "TableCell",
                "items": [
                    rich_text(
                        [
                            text_run(
                                _clean(text, 120), bold=bold, color="Attention" if n in attention else None
                            )
                        ]
                    )
                ],
            }
            for n, text in enumerate(cells)
        ],
    }


def compare_card(answer: CompareAnswer, as_of: str, app: str) -> dict[str, Any]:
    """Labs side by side as a Table element, as many rows as fit in Teams' 28 KB."""
    head = [_title("Labs side by side"), text_block(answer.summary, weight="Bolder")]
    tail = [_subtle(f"Holdouts first · dates in {answer.tz_name} · as of {as_of}")]
    if not answer.entries:
        return reply_card([*head, *tail])
    rows = [_table_row([COMPARE_HEADINGS[c] for c in COMPARE_COLUMNS], bold=True)]
    for e in answer.entries:
        cells = e.cells(answer.tz)
        rows.append(
            _table_row([cells[c] for c in COMPARE_COLUMNS], attention={2} if e.due_overdue else set())
        )
    table: Element = {
        "type": "Table",
        "firstRowAsHeader": True,
        "gridStyle": "accent",
        "columns": [{"type": "TableColumnDefinition", "width": w} for w in COMPARE_WIDTHS],
        "rows": rows[:1],
    }
    more = _more("Every row: /aireview compare in Slack, or python app.py export csv compare.")
    worst = more(len(answer.entries))
    card = reply_card([*head, table, worst, *tail])
    card["version"] = TABLE_CARD_VERSION
    room = REPLY_BUDGET - len(reply_bytes(reply_activity(card)))
    for row in rows[1:]:
        room -= _size(row)
        if room < 0:
            break
        table["rows"].append(row)
    hidden = len(answer.entries) - (len(table["rows"]) - 1)
    card["body"] = [*head, table, *([more(hidden)] if hidden else []), *tail]
    return card


def _compare(deps: Deps, args: str, app: str) -> dict[str, Any]:
    if args:
        return notice_card(f"Usage: {_mention(app, 'compare')}")
    return compare_card(compare_answer(deps), _as_of(deps), app)


# ---------------------------------------------------------------- changes


def changes_card(answer: ChangesAnswer, as_of: str, app: str) -> dict[str, Any]:
    """What changed, by developer, newest first, each with its source and who recorded it."""
    if not answer.total:
        return reply_card([text_block(answer.summary), _subtle(f"As of {as_of}")])
    head = [_title(_clean(f"What changed since {answer.since_label}", 150)), _subtle(answer.summary)]
    # One element per change (the first of a group carries the developer's name), so what does
    # not fit in 28 KB is dropped, and counted, change by change.
    entries: list[Element] = []
    for group in answer.groups:
        for n, e in enumerate(group.entries):
            items = [rich_text([text_run(_clean(group.title, 150), bold=True)])] if n == 0 else []
            items.append(
                rich_text(
                    [
                        text_run(f"• {fmt_datetime(e.at, answer.tz)}", bold=True),
                        text_run(" · "),
                        text_run(_clean(e.text, 400), url=link_url(e.url)),
                    ]
                )
            )
            items.append(
                rich_text(
                    [text_run(f"recorded by {_clean(e.actor, 60)} · ", subtle=True), *_source_runs(e.source)]
                )
            )
            entries.append(container(items, separator=n == 0))
    hidden = answer.total - answer.listed
    hint = f"Ask for a shorter period, e.g. {_mention(app, 'changes 3d')}."
    return reply_card(fit_body(head, entries, [_subtle(f"As of {as_of}")], _more(hint), hidden))


def _changes(deps: Deps, args: str, app: str) -> dict[str, Any]:
    try:
        since, label = resolve_since(deps, args)
    except BadSince:
        return notice_card(
            f"Usage: {_mention(app, 'changes [since]')}, where since is a number of days (7d, 30d) or a "
            f"date (2026-07-01), e.g. {_mention(app, 'changes 30d')}."
        )
    return changes_card(changes_answer(deps, since, label), _as_of(deps), app)


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
