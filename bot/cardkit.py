"""Adaptive Card primitives for Microsoft Teams: a small generic builder and the Workflows
webhook envelope (the Teams counterpart of blockkit.py).

Cards target Adaptive Card 1.5 (what Teams renders) and stay under Teams' 28 KB message
limit: `fit_envelope` drops body elements from the end, leaving a note, until it fits.

Text is shown literally. Teams reads a TextBlock's text, and a FactSet's titles and values,
as Markdown, so a tracker title or a feed headline like `[Official](https://evil.example)`
became a disguised link there. Every primitive here therefore emits text as TextRuns of a
RichTextBlock, which Teams never parses; a link is only ever an explicit run or action
whose URL is http(s) (`link_url`) and whose visible text is that URL or a fixed label.
"""

from __future__ import annotations

import json
from typing import Any

from bot.blockkit import clip

CARD_VERSION = "1.5"
CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
MAX_TEAMS_BYTES = 28 * 1024
_SAFETY_BYTES = 1024  # room for Teams' own wrapping of the payload

Element = dict[str, Any]


def link_url(url: str | None) -> str | None:
    """`url` when it may be a link target (http or https, no spaces), else None."""
    if not url:
        return None
    text = str(url).strip()
    if text.lower().startswith(("http://", "https://")) and not any(c.isspace() for c in text):
        return text
    return None


def text_block(
    text: str,
    *,
    weight: str | None = None,
    size: str | None = None,
    subtle: bool = False,
    limit: int = 2000,
) -> Element:
    """A paragraph shown literally (a RichTextBlock of one run; it wraps)."""
    run = text_run(clip(text, limit), bold=weight == "Bolder", subtle=subtle)
    if size:
        run["size"] = size
    return {"type": "RichTextBlock", "inlines": [run]}


def fact_set(facts: list[tuple[str, str]]) -> Element:
    """`Title: value` lines, shown literally (a FactSet's title and value read as Markdown)."""
    return container(
        [rich_text([text_run(f"{clip(t, 100)}: ", bold=True), text_run(clip(v, 1000))]) for t, v in facts]
    )


def text_run(
    text: str,
    *,
    bold: bool = False,
    subtle: bool = False,
    italic: bool = False,
    color: str | None = None,
    url: str | None = None,
) -> Element:
    """An inline for `rich_text`. Unlike a TextBlock's text, a TextRun is never read as
    Markdown, so tracker text shows literally; `url` makes the run a link when it is http(s)
    (the caller shows the URL itself or a fixed label as `text`)."""
    run: Element = {"type": "TextRun", "text": text}
    if bold:
        run["weight"] = "Bolder"
    if subtle:
        run["isSubtle"] = True
    if italic:
        run["italic"] = True
    if color:
        run["color"] = color
    target = link_url(url)
    if target:
        run["selectAction"] = {"type": "Action.OpenUrl", "url": target}
    return run


def rich_text(runs: list[Element], *, separator: bool = False) -> Element:
    block: Element = {"type": "RichTextBlock", "inlines": [r for r in runs if r.get("text")]}
    if separator:
        block["separator"] = True
    return block


def container(items: list[Element], *, separator: bool = False) -> Element:
    block: Element = {"type": "Container", "items": items}
    if separator:
        block["separator"] = True
    return block


def open_url(title: str, url: str) -> Element:
    """A button opening `url`; `title` is a fixed label of ours, `url` must be http(s)."""
    target = link_url(url)
    if target is None:
        raise ValueError("an Action.OpenUrl needs an http(s) URL")
    return {"type": "Action.OpenUrl", "title": clip(title, 60), "url": target}


def adaptive_card(body: list[Element], actions: list[Element] | None = None) -> dict[str, Any]:
    card: dict[str, Any] = {
        "$schema": CARD_SCHEMA,
        "type": "AdaptiveCard",
        "version": CARD_VERSION,
        "body": body,
    }
    if actions:
        card["actions"] = actions
    return card


def webhook_envelope(card: dict[str, Any]) -> dict[str, Any]:
    """The message a Teams Workflows webhook ("post to a channel when a webhook request is
    received") accepts: one Adaptive Card attachment."""
    return {
        "type": "message",
        "attachments": [{"contentType": CARD_CONTENT_TYPE, "contentUrl": None, "content": card}],
    }


def envelope_size(envelope: dict[str, Any]) -> int:
    return len(json.dumps(envelope, ensure_ascii=False).encode("utf-8"))


def fit_envelope(
    envelope: dict[str, Any],
    limit: int = MAX_TEAMS_BYTES - _SAFETY_BYTES,
    *,
    more: str = "…{n} more item(s) not shown; see Review Watch in Slack.",
) -> dict[str, Any]:
    """The envelope, trimmed from the end of the card body until it is at most `limit` bytes;
    `more` (with `{n}`, the number dropped) ends a trimmed body."""
    if envelope_size(envelope) <= limit:
        return envelope
    card = dict(envelope["attachments"][0]["content"])
    body = list(card["body"])
    dropped = 0
    while body and envelope_size(webhook_envelope({**card, "body": body})) > limit - 200:
        body.pop()
        dropped += 1
    body.append(text_block(more.format(n=dropped), subtle=True))
    return webhook_envelope({**card, "body": body})
