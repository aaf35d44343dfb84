"""`python app.py console`: ask the slash commands locally, without Slack.

Reads lines such as `/holdouts`, `/deadlines 30` or `/aireview status meta` from the
terminal or standard input and prints the same answers Slack gives, rendered as text from
the same Block Kit. A prompt is shown only when standard input is a terminal.
"""

from __future__ import annotations

import logging
import re
from typing import Any, TextIO

from bot.deps import Deps
from bot.replies import SURFACE_CONSOLE, CommandRequest, Reply
from storage.tracker import TrackerError

log = logging.getLogger(__name__)

CONSOLE_USER = "console"
PROMPT = "review-watch> "
UNKNOWN = "Unknown command. Try `/holdouts`, `/deadlines [days]` or `/aireview help` (`exit` to leave)."

_LINK = re.compile(r"<([^<>|]+)\|([^<>]+)>")
_BARE = re.compile(r"<([@#!]?)([^<>]+)>")
_BOLD = re.compile(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])")
_ITALIC = re.compile(r"(?<![\w])_([^_\n]+)_(?![\w])")
_EMOJI = {":warning:": "(!)", ":white_check_mark:": "(ok)"}


def mrkdwn_to_text(text: str) -> str:
    """Readable text from Slack mrkdwn: links, mentions and entities as a reader sees them."""
    text = _LINK.sub(lambda m: f"{m[2]} ({m[1]})", text)
    text = _BARE.sub(lambda m: ("@" if m[1] == "@" else m[1] if m[1] == "#" else "") + m[2], text)
    text = _BOLD.sub(r"\1", text)
    text = _ITALIC.sub(r"\1", text)
    for code, shown in _EMOJI.items():
        text = text.replace(code, shown)
    text = text.replace("`", "")
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _text_of(obj: dict[str, Any] | None) -> str:
    if not obj:
        return ""
    raw = obj.get("text", "")
    return mrkdwn_to_text(raw) if obj.get("type") == "mrkdwn" else raw


def render_blocks(blocks: list[dict[str, Any]]) -> str:
    """Block Kit as plain text: underlined headers, sections, fields, context, buttons."""
    out: list[str] = []
    for block in blocks:
        kind = block.get("type")
        if out and out[-1] and (kind in ("header", "divider") or "\n" in out[-1]):
            out.append("")  # a blank line after a multi-line entry and before a heading
        if kind == "header":
            title = _text_of(block.get("text"))
            out += [title, "=" * len(title)]
        elif kind == "section":
            if block.get("text"):
                out.append(_text_of(block["text"]))
            for f in block.get("fields", []):
                label, _, value = _text_of(f).partition("\n")
                out.append(f"  {label}: {value}" if value else f"  {label}")
        elif kind == "context":
            out.append("  " + " · ".join(_text_of(e) for e in block.get("elements", [])))
        elif kind == "divider":
            out.append("-" * 40)
        elif kind == "actions":
            out.append("  " + " ".join(f"[{_text_of(e.get('text'))}]" for e in block.get("elements", [])))
        elif kind == "table":
            for row in block.get("rows", []):
                out.append(" | ".join(cell.get("text", "") for cell in row))
        elif kind == "rich_text":
            continue
        else:
            text = _text_of(block.get("text"))
            if text:
                out.append(text)
    return "\n".join(out).strip("\n")


def render_reply(reply: Reply | None) -> str:
    if reply is None or (reply.modal is not None and not reply.text):
        return "(this opens a form in Slack)"
    return render_blocks(reply.blocks) if reply.blocks else mrkdwn_to_text(reply.text)


def console_answer(deps: Deps, line: str) -> Reply | None:
    """The answer to one console line, as Slack would give it."""
    name, _, rest = line.strip().partition(" ")
    name = name.lower()
    if not name.startswith("/"):
        name = "/" + name
    if name == "/help":
        name, rest = "/aireview", "help"
    run = next((c.run for c in deps.slash_commands if f"/{c.name}" == name), None)
    if run is None:
        return Reply(text=UNKNOWN)
    request = CommandRequest(text=rest.strip(), user_id=CONSOLE_USER, surface=SURFACE_CONSOLE)
    try:
        return run(deps, request)
    except TrackerError as exc:
        return Reply(text=str(exc))
    except Exception:
        log.exception("console command failed: %r", line)
        return Reply(text="Sorry, something went wrong answering that (see the log above).")


def run_console(deps: Deps, stdin: TextIO, stdout: TextIO) -> int:
    """Answer each line of `stdin` on `stdout` until end of input or `exit`."""
    interactive = stdin.isatty()
    if interactive:
        stdout.write(
            "Review Watch console. Type /holdouts, /deadlines [days] or /aireview help; "
            "exit or Ctrl-D to leave.\n"
        )
    while True:
        if interactive:
            stdout.write(PROMPT)
            stdout.flush()
        line = stdin.readline()
        if not line:
            break
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.lower() in ("exit", "quit"):
            break
        stdout.write(render_reply(console_answer(deps, line)) + "\n\n")
        stdout.flush()
    return 0
