"""The board's two listing pages and its feed, as plain data: `/board/changes` (what changed
since a date, as `/aireview changes` answers it), `/board/compare` (labs side by side, as
`/aireview compare`) and the Atom feed of changes (`/board/changes.atom`)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from bot.blockkit import fmt_datetime
from bot.board.pages import Stamp, actor_words, stamp
from bot.deps import Deps
from bot.read import COMPARE_HEADINGS, BadSince, changes_answer, compare_answer, resolve_since
from storage.timestamps import utc_iso

FEED_DAYS = 30  # the Atom feed holds the changes of the last 30 days (at most 40)


@dataclass(frozen=True)
class ChangeLine:
    at: str
    text: str
    source: str | None
    url: str | None
    by: str


@dataclass(frozen=True)
class ChangeSection:
    title: str
    lines: list[ChangeLine]


@dataclass(frozen=True)
class ChangesPage:
    since_text: str  # what the reader typed, to show it back in the form
    summary: str
    sections: list[ChangeSection]
    more: int  # changes in the period not listed
    problem: str | None  # the period could not be read
    stamp: Stamp


def changes_page(deps: Deps, since_text: str) -> ChangesPage:
    try:
        since, label = resolve_since(deps, since_text)
    except BadSince:
        since, label = resolve_since(deps, "")
        problem: str | None = (
            "That period could not be read: give a number of days such as 30d, or a date such as "
            "2026-07-01. Showing the default period instead."
        )
    else:
        problem = None
    answer = changes_answer(deps, since, label)
    tz = deps.settings.tz
    sections = [
        ChangeSection(
            g.title,
            [
                ChangeLine(e.when or fmt_datetime(e.at, tz), e.text, e.source, e.url, actor_words(e.actor))
                for e in g.entries
            ],
        )
        for g in answer.groups
    ]
    return ChangesPage(
        since_text=since_text,
        summary=answer.summary,
        sections=sections,
        more=answer.total - answer.listed,
        problem=problem,
        stamp=stamp(deps),
    )


@dataclass(frozen=True)
class CompareRow:
    slug: str
    cells: list[str]  # in COMPARE_HEADINGS order; the first is the developer's name


@dataclass(frozen=True)
class ComparePage:
    headings: tuple[str, ...]
    rows: list[CompareRow]
    summary: str
    stamp: Stamp


def compare_page(deps: Deps) -> ComparePage:
    answer = compare_answer(deps)
    return ComparePage(
        headings=COMPARE_HEADINGS,
        rows=[CompareRow(e.id, e.cells(answer.tz)) for e in answer.entries],
        summary=answer.summary,
        stamp=stamp(deps),
    )


@dataclass(frozen=True)
class FeedEntry:
    entry_id: str  # a tag URI, the same for the same change in every fetch
    title: str
    updated: str  # RFC 3339
    summary: str


@dataclass(frozen=True)
class Feed:
    updated: str
    entries: list[FeedEntry]


def changes_feed(deps: Deps) -> Feed:
    now = deps.clock.now()
    answer = changes_answer(deps, now - timedelta(days=FEED_DAYS), f"the last {FEED_DAYS} days")
    entries = []
    for group in answer.groups:
        for e in group.entries:
            if e.when:  # what the sources date (no recorded time to stamp it with): not a feed entry
                continue
            digest = hashlib.sha256(f"{utc_iso(e.at)}|{group.title}|{e.text}".encode()).hexdigest()[:20]
            source = f" Source: {e.source}." if e.source else " Source: not recorded."
            entries.append(
                FeedEntry(
                    entry_id=f"tag:reviewwatch,{e.at.date().isoformat()}:change-{digest}",
                    title=f"{group.title}: {e.text}",
                    updated=utc_iso(e.at),
                    summary=f"{e.text}. Recorded {fmt_datetime(e.at, deps.settings.tz)}.{source}",
                )
            )
    entries.sort(key=lambda f: f.updated, reverse=True)
    return Feed(updated=entries[0].updated if entries else utc_iso(now), entries=entries)
