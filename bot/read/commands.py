"""The read-side commands as plain `run(deps, request) -> Reply` functions.

Slack (handlers/commands.py) and the console (bot/ops/console.py) both call these, so they
give the same answers. `/aireview` dispatches through `deps.subcommands`.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Callable

from bot.blockkit import fmt_datetime, safe
from bot.deps import Deps
from bot.lookup import find_developer, find_subject
from bot.read import answers, blocks
from bot.replies import ALL_SURFACES, SURFACE_CONSOLE, SURFACE_SLACK, CommandRequest, Reply, Subcommand
from storage.generation import tracker_generation

HOLDOUTS_USAGE = "Usage: `/holdouts` (only you see it) or `/holdouts share` (posts it in the channel)."
# Where the answer is not a private slash-command reply (the console, a mention, a DM).
HOLDOUTS_USAGE_PLAIN = "Usage: `holdouts` (no arguments)."
DEADLINES_USAGE = (
    f"Usage: `/deadlines [days]`, where days is a whole number from 0 to {answers.MAX_DAYS} "
    f"(default {answers.DEFAULT_DAYS}), e.g. `/deadlines 30`."
)


def remembered(run: Callable[[Deps, CommandRequest], Reply]) -> Callable[[Deps, CommandRequest], Reply]:
    """`run`, answered from `deps.answers` while the tracker and the minute are unchanged.

    These answers depend only on the question, the tracker and the clock (not on who asks),
    and policy staff ask the same few questions many times between changes: asked again,
    one costs a one-row read and a dictionary lookup instead of its queries and Block Kit
    (README "Benchmarks"). Any write to what they read moves the generation
    (storage/generation.py)."""

    @functools.wraps(run)
    def answer_remembered(deps: Deps, request: CommandRequest) -> Reply:
        key = (run.__name__, " ".join(request.text.split()), request.surface, request.asked_in_message)
        stamp = (tracker_generation(deps.store), deps.clock.now().replace(second=0, microsecond=0))
        reply = deps.answers.get(key, stamp)
        if reply is None:
            reply = run(deps, request)
            deps.answers.put(key, stamp, reply)
        return reply

    return answer_remembered


@remembered
def run_holdouts(deps: Deps, request: CommandRequest) -> Reply:
    arg = request.text.strip().lower()
    slash_reply = request.surface == SURFACE_SLACK and not request.asked_in_message
    if arg not in ("", "share"):
        return blocks.usage_reply(HOLDOUTS_USAGE if slash_reply else HOLDOUTS_USAGE_PLAIN)
    return blocks.holdouts_reply(
        answers.holdouts_answer(deps),
        deps.settings.tz,
        shared=slash_reply and arg == "share",
        only_you=slash_reply,
    )


@remembered
def run_deadlines(deps: Deps, request: CommandRequest) -> Reply:
    try:
        days = answers.parse_days(request.text)
    except answers.BadDays:
        return blocks.usage_reply(DEADLINES_USAGE)
    return blocks.deadlines_reply(answers.upcoming_answer(deps, days), deps.settings.tz)


def run_aireview(deps: Deps, request: CommandRequest) -> Reply | None:
    """`/aireview <subcommand> [args]`: empty or unknown gives help."""
    name, _, rest = request.text.strip().partition(" ")
    if not name:
        return help_for(deps, surface=request.surface)
    sub = deps.subcommands.get(name)
    if sub is None:
        known = [s.name for s in deps.subcommands.for_surface(request.surface)]
        close = difflib.get_close_matches(name.lower(), known, n=1, cutoff=0.6)
        problem = f"There is no `/aireview {safe(name, 40)}`."
        if close:
            problem += f" Did you mean `/aireview {close[0]}`?"
        return help_for(deps, problem, surface=request.surface)
    if request.surface not in sub.surfaces:
        where = "Slack" if request.surface == SURFACE_CONSOLE else "another surface"
        return blocks.notice_reply(f"`/aireview {sub.name}` is available in {where}, not here.")
    return sub.run(deps, request.with_text(rest.strip()))


def help_for(deps: Deps, problem: str | None = None, *, surface: str = SURFACE_SLACK) -> Reply:
    """The commands offered where the question was asked (the console lists only its own)."""
    return blocks.help_reply(deps.subcommands.for_surface(surface), problem, share=surface == SURFACE_SLACK)


def run_help(deps: Deps, request: CommandRequest) -> Reply:
    return help_for(deps, surface=request.surface)


@remembered
def run_status(deps: Deps, request: CommandRequest) -> Reply:
    if not request.text:
        return blocks.usage_reply("Usage: `/aireview status <developer>`, e.g. `/aireview status meta`.")
    match = find_developer(deps.store.db, request.text)
    if match.record is None:
        return blocks.match_problem_reply(match, "developer", "/aireview status {id}")
    status = answers.developer_status(deps, match.record)
    return blocks.with_correction(
        blocks.status_reply(status, fmt_datetime(deps.clock.now(), deps.settings.tz)), match
    )


@remembered
def run_models(deps: Deps, request: CommandRequest) -> Reply:
    if not request.text:
        return blocks.models_reply(answers.models_answer(deps, None))
    match = find_developer(deps.store.db, request.text)
    if match.record is None:
        return blocks.match_problem_reply(match, "developer", "/aireview models {id}")
    return blocks.with_correction(blocks.models_reply(answers.models_answer(deps, match.record)), match)


@remembered
def run_history(deps: Deps, request: CommandRequest) -> Reply:
    if not request.text:
        return blocks.history_reply(answers.history_answer(deps))
    match = find_subject(deps.store.db, request.text)
    if match.record is None:
        return blocks.match_problem_reply(match, "developer, model or deadline", "/aireview history {id}")
    return blocks.with_correction(
        blocks.history_reply(answers.history_answer(deps, match.entity, match.record)), match
    )


READ_SUBCOMMANDS = (
    Subcommand(
        "help", "help", "every command with an example", "/aireview help", run_help, surfaces=ALL_SURFACES
    ),
    Subcommand(
        "status",
        "status <developer>",
        "a developer's full record: status, source, models, what is coming up, history",
        "/aireview status meta",
        run_status,
        surfaces=ALL_SURFACES,
    ),
    Subcommand(
        "models",
        "models [developer]",
        "tracked models with review windows and status",
        "/aireview models meta",
        run_models,
    ),
    Subcommand(
        "history",
        "history [developer|model|deadline]",
        "the last 20 changes: who, when, what and the source",
        "/aireview history meta",
        run_history,
    ),
)

# The slash commands themselves (the manifest declares the same three).
SLASH_COMMANDS = (
    Subcommand(
        "holdouts",
        "holdouts",
        "who has not signed a review agreement",
        "/holdouts",
        run_holdouts,
        surfaces=ALL_SURFACES,
    ),
    Subcommand(
        "deadlines",
        "deadlines [days]",
        f"deadlines, review windows and releases ahead (default {answers.DEFAULT_DAYS} days)",
        "/deadlines 30",
        run_deadlines,
        surfaces=ALL_SURFACES,
    ),
    Subcommand(
        "aireview", "aireview <subcommand>", "everything else: /aireview help", "/aireview help", run_aireview
    ),
)
