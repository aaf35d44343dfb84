"""The list answers in Teams as Adaptive Cards: holdouts, what is coming up, labs side by side
and what changed, plus the card for a developer name that matched none or several.

A list stops at the Slack reply's count (or earlier when Teams' 28 KB runs out) and ends with
"…and N more", saying where to see the rest.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot import domain
from bot.blockkit import fmt_date, fmt_datetime
from bot.cardkit import Element, container, link_url, rich_text, text_block, text_run
from bot.lookup import Candidate, Match
from bot.read import COMPARE_HEADINGS, ChangesAnswer, CompareAnswer, answers
from bot.teams.reply import (
    LIST_NOTE_CHARS,
    REPLY_BUDGET,
    SLACK_ELSEWHERE,
    WARNING,
    card_title,
    clean,
    contest_items,
    element_size,
    fit_body,
    mention,
    more_line,
    reply_activity,
    reply_bytes,
    reply_card,
    source_runs,
    subtle,
)

# Table needs Adaptive Cards 1.5 (Teams renders it); the other answers stay on 1.4.
TABLE_CARD_VERSION = "1.5"
# Teams' narrow columns: the Slack table's columns less agreement and last change.
COMPARE_COLUMNS = (0, 1, 2, 4, 5, 6, 7)
COMPARE_WIDTHS = (3, 2, 2, 1, 2, 2, 1)


# ---------------------------------------------------------------- holdouts


def holdouts_card(answer: answers.HoldoutsAnswer, as_of: str, app: str) -> dict[str, Any]:
    head = [card_title("Holdouts: no review agreement yet"), text_block(answer.summary, weight="Bolder")]
    entries: list[Element] = []
    for h in answer.holdouts:
        line = f" · {h.status_line}"
        items = [rich_text([text_run(clean(h.name, 150), bold=True), text_run(line)])]
        if h.note:
            items.append(rich_text([text_run(clean(h.note, LIST_NOTE_CHARS), italic=True)]))
        items.append(rich_text(source_runs(h.source, h.as_of, h.contested and not h.contests)))
        items += contest_items(h.contests)
        entries.append(container(items, separator=True))
    hint = f"Ask about any one with {mention(app, 'status <developer>')}, or {SLACK_ELSEWHERE} (/holdouts)."
    tail = [subtle(f"As of {as_of}")]
    body = fit_body(
        head, entries[: answers.MAX_LISTED], tail, more_line(hint), max(len(entries) - answers.MAX_LISTED, 0)
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
        text_run(clean(item.title, 300)),
    ]
    kind = domain.ITEM_KIND_LABELS.get(item.kind, item.kind)
    return container(
        [
            rich_text(head),
            rich_text([text_run(f"{kind} · {answers.item_status(item)}")]),
            rich_text(source_runs(item.source, item.as_of, item.contested and not contests)),
            *contest_items(contests or []),
        ],
        separator=True,
    )


def deadlines_card(answer: answers.UpcomingAnswer, as_of: str, app: str) -> dict[str, Any]:
    head = [
        card_title(f"Coming up in the next {answer.days} days"),
        text_block(answer.summary, weight="Bolder"),
    ]
    entries = [_item_entry(item, answer.contest_lines(item)) for item in answer.items[: answers.MAX_LISTED]]
    hint = f"Ask for fewer days, e.g. {mention(app, 'deadlines 14')}, or {SLACK_ELSEWHERE} (/deadlines)."
    tail = [
        subtle(
            f"As of {as_of} · Dates in {answer.tz_name} · Items passed in the last "
            f"{domain.RECENTLY_PASSED_DAYS} days are shown as passed, deadlines with their outcome."
        )
    ]
    body = fit_body(head, entries, tail, more_line(hint), answer.total - len(entries))
    return reply_card(body)


# ---------------------------------------------------------------- names


def _label_runs(candidates: list[Candidate], joiner: str) -> list[Element]:
    runs: list[Element] = []
    for n, c in enumerate(candidates):
        if n:
            runs.append(text_run(joiner))
        runs.append(text_run(clean(c.label, 150), bold=True))
    return runs


def match_problem_card(match: Match, app: str) -> dict[str, Any]:
    """Unknown or ambiguous developer: the candidates, or did you mean (as in Slack)."""
    query = text_run(clean(match.query, 100), bold=True)
    if match.ambiguous:
        runs = [text_run("“"), query, text_run("” matches several developers: ")]
        runs += _label_runs(match.candidates, ", ")
        more = match.total_candidates - len(match.candidates)
        if more > 0:
            runs.append(text_run(f" and {more} more"))
        runs.append(text_run(f". Say which one, e.g. {mention(app, 'status ' + match.candidates[0].id)}."))
    elif match.suggestions:
        runs = [text_run("No tracked developer matches “"), query, text_run("”. Did you mean ")]
        runs += _label_runs(match.suggestions, " or ")
        runs.append(text_run(f"? e.g. {mention(app, 'status ' + match.suggestions[0].id)}"))
    else:
        runs = [
            text_run("No tracked developer matches “"),
            query,
            text_run(
                f"”. {mention(app, 'holdouts')} lists who has not signed; /aireview models in "
                "Slack lists everything tracked."
            ),
        ]
    return reply_card([rich_text(runs)])


# ---------------------------------------------------------------- compare


def _table_row(cells: list[str], *, bold: bool = False, attention: set[int] | None = None) -> Element:
    attention = attention or set()
    return {
        "type": "TableRow",
        "cells": [
            {
                "type": "TableCell",
                "items": [
                    rich_text(
                        [text_run(clean(text, 120), bold=bold, color="Attention" if n in attention else None)]
                    )
                ],
            }
            for n, text in enumerate(cells)
        ],
    }


def compare_card(answer: CompareAnswer, as_of: str, app: str) -> dict[str, Any]:
    """Labs side by side as a Table element, as many rows as fit in Teams' 28 KB."""
    head = [card_title("Labs side by side"), text_block(answer.summary, weight="Bolder")]
    tail = [subtle(f"Holdouts first · dates in {answer.tz_name} · as of {as_of}")]
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
    more = more_line("Every row: /aireview compare in Slack, or python app.py export csv compare.")
    worst = more(len(answer.entries))
    card = reply_card([*head, table, worst, *tail])
    card["version"] = TABLE_CARD_VERSION
    room = REPLY_BUDGET - len(reply_bytes(reply_activity(card)))
    for row in rows[1:]:
        room -= element_size(row)
        if room < 0:
            break
        table["rows"].append(row)
    hidden = len(answer.entries) - (len(table["rows"]) - 1)
    card["body"] = [*head, table, *([more(hidden)] if hidden else []), *tail]
    return card


# ---------------------------------------------------------------- changes


def changes_card(
    answer: ChangesAnswer, as_of: str, app: str, names: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """What changed, by developer, newest first, each with its source and who recorded it
    (by name: `names` maps a Slack user id to what to show, bot/people.py)."""
    if not answer.total:
        return reply_card([text_block(answer.summary), subtle(f"As of {as_of}")])
    head = [card_title(clean(f"What changed since {answer.since_label}", 150)), subtle(answer.summary)]
    # One element per change (the first of a group carries the developer's name), so what does
    # not fit in 28 KB is dropped, and counted, change by change.
    entries: list[Element] = []
    for group in answer.groups:
        for n, e in enumerate(group.entries):
            items = [rich_text([text_run(clean(group.title, 150), bold=True)])] if n == 0 else []
            items.append(
                rich_text(
                    [
                        text_run(f"• {e.when or fmt_datetime(e.at, answer.tz)}", bold=True),
                        text_run(" · "),
                        text_run(clean(e.text, 400), url=link_url(e.url)),
                    ]
                )
            )
            items.append(
                rich_text(
                    [
                        text_run(
                            "as the sources date it · "
                            if e.when
                            else f"recorded by {clean((names or {}).get(e.actor, e.actor), 60)} · ",
                            subtle=True,
                        ),
                        *source_runs(e.source),
                    ]
                )
            )
            entries.append(container(items, separator=n == 0))
    hidden = answer.total - answer.listed
    hint = f"Ask for a shorter period, e.g. {mention(app, 'changes 3d')}."
    return reply_card(fit_body(head, entries, [subtle(f"As of {as_of}")], more_line(hint), hidden))
