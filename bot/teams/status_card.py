"""`@Review Watch status <developer>` in Teams: one developer in full as an Adaptive Card, in
Slack's order (facts and their sources, models, coming up, developments, passed deadlines,
history). Each section is one entry of the card, so a huge record loses its last ones first.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from bot import domain
from bot.blockkit import fmt_date, fmt_datetime, fmt_when
from bot.cardkit import Element, container, fact_set, rich_text, text_block, text_run
from bot.read import STATUS_MODELS, answers
from bot.teams.reply import (
    LIST_NOTE_CHARS,
    WARNING,
    clean,
    contest_items,
    days_ago,
    fit_body,
    mention,
    more_line,
    reply_card,
    source_runs,
    subtle,
)

STATUS_NOTE_CHARS = 2000


def who(actor: str | None, names: Mapping[str, str]) -> str:
    """A person's name for a user id (bot/people.py looked them up), else the actor as stored."""
    return clean(names.get(actor, actor) if actor else "unknown", 60)


# ---------------------------------------------------------------- the head: facts and sources


def _facts(status: answers.DeveloperStatus, names: Mapping[str, str]) -> Element:
    dev = status.developer
    since = fmt_when(status.since) + days_ago(status.days_since) if status.since else "not recorded"
    return fact_set(
        [
            ("Status", status.status_line),
            ("Since", since),
            ("Agreement date", fmt_when(dev.get("agreement_date"), "none")),
            ("Contested", f"{status.contested_words} {WARNING}" if status.contested_words else "no"),
            ("As of", clean(fmt_when(dev.get("as_of")), 40)),
            (
                "Last updated",
                f"{fmt_datetime(dev.get('updated_at'), status.tz)} by {who(dev.get('updated_by'), names)}",
            ),
        ]
    )


def _sources(status: answers.DeveloperStatus) -> list[Element]:
    """One source line when every fact has the same sources, else one line per set of facts."""
    groups: dict[str | None, list[str]] = {}
    for fact in status.facts:
        groups.setdefault(fact.sources, []).append(fact.label)
    if len(groups) <= 1:
        return [rich_text(source_runs(next(iter(groups), None) or status.developer.get("source")))]
    return [
        rich_text([text_run(f"{', '.join(labels)}: ", subtle=True), *source_runs(sources)])
        for sources, labels in groups.items()
    ]


def _head(status: answers.DeveloperStatus, note: str | None, names: Mapping[str, str]) -> list[Element]:
    dev = status.developer
    name = {**text_run(clean(dev["name"], 150), bold=True), "size": "Medium"}
    head: list[Element] = [subtle(clean(note, 300))] if note else []
    head += [rich_text([name]), _facts(status, names)]
    if dev.get("note"):
        head.append(rich_text([text_run(clean(dev["note"], STATUS_NOTE_CHARS), italic=True)]))
    return head + _sources(status) + contest_items(status.contests)


# ---------------------------------------------------------------- the sections


def _model_runs(m: answers.ModelEntry, today: date) -> list[Element]:
    runs = [text_run("• "), text_run(clean(m.name, 150), bold=True)]
    return (
        runs
        + [text_run(" · " + " · ".join(m.facts(today, WARNING)) + " · ")]
        + source_runs(m.source, m.as_of, m.contested)
    )


def _models_section(status: answers.DeveloperStatus) -> Element:
    models = status.models
    items: list[Element] = [text_block(f"Models ({models.total})", weight="Bolder")]
    items += [rich_text(_model_runs(m, models.today)) for m in models.models[:STATUS_MODELS]]
    if not models.models:
        items.append(text_block("None tracked."))
    if models.total > STATUS_MODELS:
        items.append(
            subtle(
                f"…and {models.total - STATUS_MODELS} more. "
                f"See /aireview models {status.developer['id']} in Slack."
            )
        )
    return container(items, separator=True)


def _dated_line(item: domain.DatedItem) -> Element:
    return rich_text(
        [
            text_run(f"• {fmt_date(item.day)} ({item.countdown})", bold=True),
            text_run(f" — {clean(item.title, 200)} · {answers.item_status(item)}"),
        ]
    )


def _upcoming_section(status: answers.DeveloperStatus, app: str) -> list[Element]:
    if not status.upcoming:
        return []
    listed = status.upcoming[: answers.STATUS_UPCOMING]
    items: list[Element] = [text_block("Coming up", weight="Bolder"), *map(_dated_line, listed)]
    if status.upcoming_total > len(listed):
        items.append(
            subtle(
                f"…and {status.upcoming_total - len(listed)} more. "
                f"See {mention(app, 'deadlines')} or /deadlines in Slack."
            )
        )
    return [container(items, separator=True)]


def _events_section(status: answers.DeveloperStatus) -> list[Element]:
    if not status.events:
        return []
    items: list[Element] = [text_block("Developments", weight="Bolder")]
    for ev in status.events:
        mark = "Contested · " if ev.contests else ""
        items.append(rich_text([text_run(f"• {mark}{clean(ev.line, 900)}")]))
        items.append(rich_text([text_run(clean(ev.date_line, 600), italic=True)]))
        items.append(rich_text(source_runs(ev.sources, ev.as_of, False)))
        items += contest_items(ev.contests)
    return [container(items, separator=True)]


def _passed_section(status: answers.DeveloperStatus) -> list[Element]:
    if not status.passed_deadlines:
        return []
    items = [text_block("Passed deadlines", weight="Bolder"), *map(_dated_line, status.passed_deadlines)]
    return [container(items, separator=True)]


def _history_entry(
    e: answers.HistoryEntry, status: answers.DeveloperStatus, names: Mapping[str, str]
) -> Element:
    items = [
        rich_text(
            [
                text_run(fmt_datetime(e.at, status.tz), bold=True),
                text_run(f" · {who(e.actor, names)} · {clean(e.subject, 200)}"),
                *(
                    [text_run(f" · {e.when} (recorded {fmt_datetime(e.at, status.tz)})")]
                    if e.effective
                    else []
                ),
            ]
        ),
        rich_text([text_run(clean(e.what, 800))]),
    ]
    if e.note:
        items.append(rich_text([text_run(clean(e.note, LIST_NOTE_CHARS), italic=True)]))
    if e.source:
        items.append(rich_text(source_runs(e.source)))
    return container(items, separator=True)


def _history_section(status: answers.DeveloperStatus, names: Mapping[str, str]) -> list[Element]:
    """How much history there is and since when, then the latest changes, one entry each."""
    history = status.history
    first = fmt_datetime(status.first_tracked, status.tz) if status.first_tracked else "unknown"
    summary = f"History: {history.total} changes recorded since {first}."
    if history.entries:
        latest = history.entries[0]
        summary += f" Latest: {fmt_datetime(latest.at, status.tz)} by {who(latest.actor, names)}."
    entries = [container([rich_text([text_run(summary, bold=True)])], separator=True)]
    return entries + [_history_entry(e, status, names) for e in history.entries]


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
    dev_id = status.developer["id"]
    entries = [
        _models_section(status),
        *_upcoming_section(status, app),
        *_events_section(status),
        *_passed_section(status),
        *_history_section(status, names),
    ]
    tail = [subtle(f"As of {as_of} · Full history: /aireview history {dev_id} in Slack")]
    hint = f"See /aireview status {dev_id} in Slack."
    return reply_card(fit_body(_head(status, note, names), entries, tail, more_line(hint)))
