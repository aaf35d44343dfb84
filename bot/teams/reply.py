"""The Teams reply itself: one message Activity carrying one Adaptive Card, kept under Teams'
28 KB message limit, and the small pieces every answer card is built from (titles, the
"…and N more" line, sources and contests as TextRuns, the @mention examples).

Tracker text goes in TextRuns, which Teams never reads as Markdown, so a note shows
literally.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from bot import domain
from bot.blockkit import clip, fmt_datetime, fmt_when
from bot.cardkit import (
    CARD_CONTENT_TYPE,
    CARD_SCHEMA,
    MAX_TEAMS_BYTES,
    Element,
    link_url,
    rich_text,
    text_block,
    text_run,
)
from bot.deps import Deps

# 1.4 is the version Microsoft's outgoing-webhook examples use; everything here exists in it.
TEAMS_REPLY_CARD_VERSION = "1.4"
# Room for what Teams adds around our Activity before it checks the 28 KB limit.
REPLY_BUDGET = MAX_TEAMS_BYTES - 1024
# Slack's limit is per block, Teams' per message: list notes are clipped shorter than in Slack
# so that more entries fit.
LIST_NOTE_CHARS = 600
WARNING = "⚠"
SLACK_ELSEWHERE = "see it in Slack or the App Home"


def reply_card(body: list[Element]) -> dict[str, Any]:
    return {"$schema": CARD_SCHEMA, "type": "AdaptiveCard", "version": TEAMS_REPLY_CARD_VERSION, "body": body}


def reply_activity(card: dict[str, Any]) -> dict[str, Any]:
    return {"type": "message", "attachments": [{"contentType": CARD_CONTENT_TYPE, "content": card}]}


def reply_bytes(activity: dict[str, Any]) -> bytes:
    """The response body as sent (compact UTF-8 JSON); its length is what the limit counts."""
    return json.dumps(activity, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def element_size(element: Element) -> int:
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
        room -= element_size(entry)
        if room < 0:
            break
        shown.append(entry)
    hidden += len(entries) - len(shown)
    return head + shown + ([more(hidden)] if hidden else []) + tail


def card_title(text: str) -> Element:
    return text_block(text, weight="Bolder", size="Medium", limit=150)


def subtle(text: str) -> Element:
    return text_block(text, subtle=True, size="Small")


def more_line(hint: str) -> Callable[[int], Element]:
    """The "…and N more. <hint>" line for a count of entries left out."""
    return lambda hidden: subtle(f"…and {hidden} more. {hint}")


def clean(text: Any, limit: int) -> str:
    return clip(" ".join(str(text).split()), limit)


def source_runs(source: str | None, as_of: str | None = None, contested: bool = False) -> list[Element]:
    if source:
        cleaned = clean(source, 600)
        runs = [
            text_run("Source: ", subtle=True),
            # A link only where the visible text is the URL itself.
            text_run(cleaned, subtle=True, url=source if link_url(source) and cleaned == source else None),
        ]
    else:
        runs = [text_run("Source: not recorded", subtle=True)]
    if as_of:
        runs.append(text_run(f" · as of {clean(fmt_when(as_of), 40)}", subtle=True))
    if contested:
        runs.append(text_run(f" · {WARNING} contested", color="Warning"))
    return runs


def contest_items(contests: tuple[str, ...] | list[str]) -> list[Element]:
    """Each open contest's claims side by side, one line each."""
    return [rich_text([text_run(f"{WARNING} {clean(c, 1200)}", color="Warning")]) for c in contests]


def days_ago(days: int | None) -> str:
    if days is None:
        return ""
    return " (today)" if days == 0 else f" ({domain.countdown(-days)})"


def as_of_now(deps: Deps) -> str:
    return fmt_datetime(deps.clock.now(), deps.settings.tz)


def mention(app: str, args: str) -> str:
    return f"@{app} {args}"


def notice_card(text: str, *runs: Element) -> dict[str, Any]:
    """Our own sentence, optionally followed by runs carrying user text."""
    if runs:
        return reply_card([rich_text([text_run(text), *runs])])
    return reply_card([text_block(text)])
