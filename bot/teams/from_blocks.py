"""A Slack answer (Block Kit) as an Adaptive Card, for the commands Teams has no card of its own.

The bot answers every command of the one command table. Those with a Teams card
(`answers.CARD_ANSWERS`) use it; the others (`models`, `history`, ...) are computed by the
same command as in Slack and their Block Kit is carried over block by block: headers,
sections and their fields, context lines, with Slack's markup (`*bold*`, `<url|label>`,
dates, mentions) turned into TextRuns, which Teams shows literally, as every Teams card here. Buttons, menus
and inputs are Slack's: they are left out, and a last line says the action is in Slack.
"""

from __future__ import annotations

import html
import re
from typing import Any

from bot.cardkit import Element, rich_text, text_run
from bot.teams.reply import card_title, fit_body, reply_card, subtle

_LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]+))?>")
_DATE = re.compile(r"<!date\^[^|>]*\|([^>]*)>")
_SPECIAL = re.compile(r"<!(here|channel|everyone)(?:\|[^>]*)?>")
_USER = re.compile(r"<@([A-Z0-9]+)(?:\|([^>]*))?>")
_CHANNEL = re.compile(r"<#([A-Z0-9]+)(?:\|([^>]*))?>")
_BOLD = re.compile(r"(?<![\w*])\*(?!\s)([^*\n]+?)(?<!\s)\*(?![\w*])")
_STRIKE_OR_ITALIC = re.compile(r"(?<![\w~_])[~_](?!\s)([^~_\n]+?)(?<!\s)[~_](?![\w~_])")


def _plain_runs(text: str, *, subtle: bool) -> list[Element]:
    runs: list[Element] = []
    at = 0
    for match in _BOLD.finditer(text):
        runs.append(text_run(html.unescape(text[at : match.start()]), subtle=subtle))
        runs.append(text_run(html.unescape(match.group(1)), bold=True, subtle=subtle))
        at = match.end()
    runs.append(text_run(html.unescape(text[at:]), subtle=subtle))
    return runs


def runs(mrkdwn: str, *, subtle: bool = False) -> list[Element]:
    """Slack mrkdwn as TextRuns (never read as Markdown): bold kept, dates at their fallback
    text, mentions by name, and a link only where its text is the URL itself (a labelled link
    shows its label, then the URL)."""
    text = _DATE.sub(lambda m: m.group(1), mrkdwn)
    text = _SPECIAL.sub(lambda m: "@" + m.group(1), text)
    text = _USER.sub(lambda m: m.group(2) or "someone in Slack", text)
    text = _CHANNEL.sub(lambda m: "#" + (m.group(2) or "a Slack channel"), text)
    text = _STRIKE_OR_ITALIC.sub(r"\1", text)
    text = "\n".join(line[5:] if line.startswith("&gt; ") else line for line in text.split("\n"))
    out: list[Element] = []
    at = 0
    for match in _LINK.finditer(text):
        out.extend(_plain_runs(text[at : match.start()], subtle=subtle))
        url, label = match.group(1), html.unescape(match.group(2) or "")
        if label and label != url:
            out.append(text_run(f"{label} (", subtle=subtle))
        out.append(text_run(url, subtle=subtle, url=url))
        if label and label != url:
            out.append(text_run(")", subtle=subtle))
        at = match.end()
    out.extend(_plain_runs(text[at:], subtle=subtle))
    return [r for r in out if r["text"]]


def _text(obj: Any, *, subtle: bool = False) -> list[Element]:
    if not isinstance(obj, dict):
        return []
    raw = str(obj.get("text") or "")
    return runs(raw, subtle=subtle) if obj.get("type") == "mrkdwn" else [text_run(raw, subtle=subtle)]


def _elements(block: dict[str, Any]) -> tuple[list[Element], bool]:
    """The card elements one block becomes, and whether it held something to press."""
    kind = block.get("type")
    if kind == "header":
        return [card_title(str((block.get("text") or {}).get("text") or ""))], False
    if kind == "divider":
        return [], False
    if kind == "context":
        parts = [_text(e, subtle=True) for e in block.get("elements") or []]
        line: list[Element] = []
        for part in (p for p in parts if p):
            line += ([text_run(" · ", subtle=True)] if line else []) + part
        return ([rich_text(line)] if line else []), False
    if kind == "section":
        items = [rich_text(_text(block["text"]))] if block.get("text") else []
        items += [rich_text(_text(f)) for f in block.get("fields") or []]
        return items, "accessory" in block
    if kind == "rich_text":
        return [], False
    return [], kind in ("actions", "input")


def card_from_blocks(blocks: list[dict[str, Any]], fallback: str) -> dict[str, Any]:
    """The card showing what these blocks show (or `fallback`, the reply's text, if nothing)."""
    body: list[Element] = []
    pressable = False
    for block in blocks:
        elements, has_action = _elements(block)
        body.extend(elements)
        pressable = pressable or has_action
    if not body:
        body = [rich_text(runs(fallback))]
    tail = [subtle("Its buttons are in Slack.")] if pressable else []
    head, entries = body[:2], body[2:]
    return reply_card(fit_body(head, entries, tail, lambda hidden: subtle(f"…and {hidden} more: see Slack")))
