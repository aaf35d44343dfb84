"""Questions asked in a Slack message: `@Review Watch holdouts` in a channel, or
`deadlines 30` in a direct message to the app.

The same command table as `/aireview` and Teams (bot.catalog via Deps), the same grammar
(`replies.split_command`: the command without its slash, `aireview` optional) and the same
"did you mean". The answer is a message in the conversation, so a command whose answer is
a form says to use the slash command instead (a message carries no trigger_id).
"""

from __future__ import annotations

import difflib
import re

from bot.blockkit import escape, safe
from bot.deps import Deps
from bot.read import blocks
from bot.read.commands import help_for, run_aireview
from bot.replies import CommandRequest, Reply, split_command

# A user mention (`<@U0BOT>`, `<@U0BOT|name>`): the @Review Watch that addressed us.
_MENTION = re.compile(r"<@[UW][A-Z0-9]+(?:\|[^<>]*)?>")
# Slack turns typed URLs into `<https://x>` or `<https://x|x>`; a command wants them as typed.
_LINK = re.compile(r"<((?:https?|mailto):[^<>|]+)(?:\|[^<>]*)?>")

MESSAGE_HELP_INTRO = (
    "Ask me in a message with the same commands, without the slash: mention me in a channel "
    "(`@Review Watch deadlines 30`, answered in a thread) or write to me directly (`status meta`)."
)


def message_command_text(text: str) -> str:
    """The command in a message's text: mentions dropped, links and entities as typed."""
    text = _MENTION.sub(" ", text)
    text = _LINK.sub(lambda m: m[1], text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return " ".join(text.split())


def _message_help(deps: Deps, problem: str | None = None) -> Reply:
    return help_for(deps, f"{problem}\n{MESSAGE_HELP_INTRO}" if problem else MESSAGE_HELP_INTRO)


def answer_message(deps: Deps, request: CommandRequest) -> Reply | None:
    """The reply to a command asked in a message; `request.text` is the command line."""
    name, args = split_command(request.text)
    slash = {c.name: c for c in deps.slash_commands if c.name != "aireview"}
    if not name or name == "help":
        return _message_help(deps)
    if name in slash:
        reply = slash[name].run(deps, request.with_text(args))
    elif deps.subcommands.get(name) is not None:
        reply = run_aireview(deps, request.with_text(f"{name} {args}".strip()))
    else:
        known = [*slash, *(s.name for s in deps.subcommands.all())]
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
        problem = f"There is no command “{safe(name, 40)}”."
        if close:
            problem += f" Did you mean `{escape(close[0])}`?"
        return _message_help(deps, problem)
    if reply is not None and reply.modal is not None:
        typed = f"/aireview {name} {args}".strip() if name not in slash else f"/{name} {args}".strip()
        return blocks.notice_reply(
            f"`{escape(name)}` opens a form, and Slack opens forms only from a slash command: "
            f"type `{safe(typed, 200)}` instead."
        )
    return reply
