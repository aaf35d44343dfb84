"""Block Kit primitives and Slack's limits, shared by every builder in bot/.

Builders escape all user and source text with `escape` (so `<!channel>` shows literally
and notifies no one) and clip it to fit; `fit_blocks` keeps a message or view under its
block limit, ending with an "and N more" line that says where to see the rest.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from storage.dates import PartialDate, parse_partial

Block = dict[str, Any]

# https://api.slack.com/reference/block-kit (limits as documented).
MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_SECTION_TEXT = 3000
MAX_HEADER_TEXT = 150
MAX_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_CONTEXT_ELEMENTS = 10
MAX_ACTIONS_ELEMENTS = 25
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_MODAL_TITLE = 24
MAX_PRIVATE_METADATA = 3000
MAX_ID_LENGTH = 255
# Slack truncates message `text` beyond 40,000 characters; keep fallbacks far shorter.
MAX_FALLBACK_TEXT = 3000

ELLIPSIS = "…"
_PARTIAL_ENTITY = re.compile(r"&[a-z]{0,3}$")
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")


def escape(text: Any) -> str:
    """Text from users or sources, made safe for mrkdwn: & < > become entities."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def link(url: str, label: str, limit: int = 200) -> str:
    """A mrkdwn link to a URL from a source. `|`, `<`, `>` and spaces in the URL are
    percent-encoded, so the URL cannot end early and pose as a different label."""
    target = quote(str(url).strip(), safe=":/?#[]@!$&'()*+,;=%~.-_")
    return f"<{escape(target)}|{safe(label, limit)}>"


def clip(text: str, limit: int) -> str:
    """At most `limit` characters, ending with an ellipsis when cut (plain text)."""
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)].rstrip() + ELLIPSIS


def clip_mrkdwn(text: str, limit: int) -> str:
    """Like clip, but never leaves half an entity (`&am`) at the cut."""
    if len(text) <= limit:
        return text
    cut = _PARTIAL_ENTITY.sub("", text[: max(limit - 1, 0)])
    return cut.rstrip() + ELLIPSIS


def safe(text: Any, limit: int = 500) -> str:
    """User/source text: clipped to `limit` characters, then escaped for mrkdwn."""
    return escape(clip(" ".join(str(text).split()), limit))


def user_ref(actor: str | None) -> str:
    """A history actor: a Slack user id becomes a mention, anything else escaped text."""
    if not actor:
        return "unknown"
    return f"<@{actor}>" if _USER_ID.match(actor) else escape(actor)


def plain(text: str, limit: int = MAX_SECTION_TEXT) -> Block:
    return {"type": "plain_text", "text": clip(text, limit), "emoji": True}


def mrkdwn(text: str, limit: int = MAX_SECTION_TEXT) -> Block:
    return {"type": "mrkdwn", "text": clip_mrkdwn(text, limit)}


def header(text: str) -> Block:
    return {"type": "header", "text": plain(text, MAX_HEADER_TEXT)}


def section(
    text: str, *, fields: list[str] | None = None, block_id: str | None = None, accessory: Block | None = None
) -> Block:
    block: Block = {"type": "section", "text": mrkdwn(text)}
    if fields:
        block["fields"] = [mrkdwn(f, MAX_FIELD_TEXT) for f in fields[:MAX_FIELDS]]
    if block_id:
        block["block_id"] = block_id
    if accessory:
        block["accessory"] = accessory
    return block


def fields_section(fields: list[str]) -> Block:
    return {"type": "section", "fields": [mrkdwn(f, MAX_FIELD_TEXT) for f in fields[:MAX_FIELDS]]}


def context(*texts: str) -> Block:
    return {"type": "context", "elements": [mrkdwn(t) for t in texts[:MAX_CONTEXT_ELEMENTS]]}


def divider() -> Block:
    return {"type": "divider"}


def button(text: str, action_id: str, value: str = "", style: str | None = None) -> Block:
    element: Block = {"type": "button", "text": plain(text, MAX_BUTTON_TEXT), "action_id": action_id}
    if value:
        element["value"] = value[:MAX_BUTTON_VALUE]
    if style:
        element["style"] = style
    return element


def actions(elements: list[Block], block_id: str) -> Block:
    return {"type": "actions", "block_id": block_id, "elements": elements[:MAX_ACTIONS_ELEMENTS]}


def more_line(hidden: int, where: str) -> str:
    return f"_…and {hidden} more. {where}_"


def fit_blocks(blocks: list[Block], limit: int, tail: list[Block] | None = None) -> list[Block]:
    """`blocks` then `tail`, dropping blocks from the end of `blocks` until all fit in `limit`."""
    tail = tail or []
    room = limit - len(tail)
    return blocks[:room] + tail


def pack_lines(lines: list[str], limit: int = MAX_SECTION_TEXT - 100) -> list[str]:
    """Join lines into as few texts of at most `limit` characters as possible."""
    texts: list[str] = []
    current = ""
    for line in lines:
        line = clip_mrkdwn(line, limit)
        if current and len(current) + 1 + len(line) > limit:
            texts.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current:
        texts.append(current)
    return texts


def fmt_date(day: date | None) -> str:
    """'Fri Jul 31, 2026' (dates are calendar dates as the team reads them)."""
    return day.strftime("%a %b %-d, %Y") if day else "not set"


def fmt_when(value: PartialDate | date | str | None, empty: str = "not recorded") -> str:
    """A fact's date at its precision: 'Fri Jul 31, 2026', 'May 2026' or '2026'."""
    if isinstance(value, date):
        return fmt_date(value)
    try:
        parsed = parse_partial(value) if isinstance(value, str) else value
    except ValueError:  # text that is not a date (an older free-text as-of): shown as written
        return str(value)
    if parsed is None:
        return empty
    return fmt_date(parsed.exact) if parsed.exact else parsed.label()


def fmt_datetime(at: datetime | str | None, tz: ZoneInfo) -> str:
    """'Jul 24, 2026 10:00 EDT' in the team timezone."""
    if at is None or at == "":
        return "unknown"
    if isinstance(at, str):
        at = datetime.fromisoformat(at)
    return at.astimezone(tz).strftime("%b %-d, %Y %H:%M %Z")


def fallback(*parts: str) -> str:
    """The `text` every message carries (notifications, screen readers), kept short."""
    return clip(" ".join(p for p in parts if p), MAX_FALLBACK_TEXT)
