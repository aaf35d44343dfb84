"""Block Kit for the read side: pure functions from bot/read/answers/ data to a Reply.

Every reply stays inside Slack's message limits whatever the tracker holds: long lists
end with "…and N more" and say where to see the rest. All tracker text is escaped.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import date
from zoneinfo import ZoneInfo

from bot import domain
from bot.blockkit import (
    MAX_MESSAGE_BLOCKS,
    Block,
    context,
    escape,
    fallback,
    fields_section,
    fit_blocks,
    fmt_date,
    fmt_datetime,
    fmt_when,
    header,
    more_line,
    pack_lines,
    safe,
    section,
    user_ref,
)
from bot.lookup import Match
from bot.read.answers import (
    MAX_LISTED,
    MODELS_LISTED,
    STATUS_MODELS,
    STATUS_UPCOMING,
    DeveloperStatus,
    Fact,
    HistoryAnswer,
    HistoryEntry,
    HoldoutEntry,
    HoldoutsAnswer,
    ModelEntry,
    ModelsAnswer,
    UpcomingAnswer,
    item_status,
)
from bot.replies import Reply, Subcommand

# How many entries a message lists before "…and N more" (each is one section block);
# MAX_LISTED, STATUS_UPCOMING, MODELS_LISTED and STATUS_MODELS are in bot.read.answers, which
# reads only that many items.
FALLBACK_NAMES = 20

HINT_HOLDOUTS_REST = escape("Ask about any one with `/aireview status <developer>`.")
HINT_DEADLINES_REST = "Ask for fewer days, e.g. `/deadlines 14`, to see them all."
HINT_MODELS_REST = escape("Ask for one developer's models with `/aireview models <developer>`.")


# Rendered lines are remembered by everything they are made of (the arguments, all
# hashable values), so an answer recomputed after a tracker change escapes and formats only
# the entries that changed: exact by construction, and bounded.
RENDER_MEMO = 4096


def _source_line(
    source: str | None,
    as_of: str | None = None,
    contested: bool = False,
    contests: Sequence[str] = (),
) -> str:
    """'_Source: … · as of June 2026_', then each open contest's claims side by side."""
    return _source_line_of(source, as_of, contested, tuple(contests))


@functools.lru_cache(maxsize=RENDER_MEMO)
def _source_line_of(source: str | None, as_of: str | None, contested: bool, contests: tuple[str, ...]) -> str:
    parts = [f"Source: {safe(source, 600)}" if source else "Source: not recorded"]
    if as_of:
        parts.append(f"as of {escape(fmt_when(as_of))}")
    if contested and not contests:
        parts.append(":warning: contested")
    lines = ["_" + " · ".join(parts) + "_"]
    lines += [f":warning: {safe(c, 1200)}" for c in contests]
    return "\n".join(lines)


def fact_lines(facts: Sequence[Fact]) -> list[str]:
    """Each fact's sources; facts with the same sources share one line."""
    groups: dict[str | None, list[str]] = {}
    for f in facts:
        groups.setdefault(f.sources, []).append(f.label)
    if len(groups) == 1:
        [(sources, _)] = groups.items()
        return [f"_Source: {safe(sources, 600) if sources else 'not recorded'}_"]
    return [
        f"_{escape(', '.join(labels))}: {safe(sources, 600) if sources else 'source not recorded'}_"
        for sources, labels in groups.items()
    ]


def _days_ago(days: int | None) -> str:
    if days is None:
        return ""
    return " (today)" if days == 0 else f" ({domain.countdown(-days)})"


def _as_of_context(as_of_text: str, *extra: str) -> Block:
    return context(f"As of {as_of_text}", *extra)


def _names(names: Sequence[str]) -> str:
    shown = ", ".join(escape(n) for n in names[:FALLBACK_NAMES])
    return shown + (f" and {len(names) - FALLBACK_NAMES} more" if len(names) > FALLBACK_NAMES else "")


# ---------------------------------------------------------------- simple replies


def usage_reply(usage: str) -> Reply:
    """A one-line answer to a bad argument (our own text; `<developer>` is escaped here)."""
    return Reply(text=escape(usage), blocks=[section(escape(usage))])


def notice_reply(text: str) -> Reply:
    return Reply(text=text, blocks=[section(text)])


# ---------------------------------------------------------------- /holdouts


def holdouts_reply(
    answer: HoldoutsAnswer, tz: ZoneInfo, *, shared: bool = False, only_you: bool = True
) -> Reply:
    """`only_you`: the answer is the slash command's private one, so say how to share it."""
    blocks: list[Block] = [header("Holdouts: no review agreement yet"), section(f"*{answer.summary}*")]
    # Only the listed entries are rendered; the rest are counted.
    entries: list[Block] = [section(_holdout_text(h)) for h in answer.holdouts[:MAX_LISTED]]
    tail: list[Block] = []
    if len(answer.holdouts) > MAX_LISTED:
        tail.append(context(more_line(len(answer.holdouts) - MAX_LISTED, HINT_HOLDOUTS_REST)))
    note = (
        "Only you can see this; `/holdouts share` posts it in the channel." if only_you and not shared else ""
    )
    tail.append(_as_of_context(fmt_datetime(answer.as_of, tz), *([note] if note else [])))
    blocks = fit_blocks(blocks + entries, MAX_MESSAGE_BLOCKS, tail)
    text = answer.summary
    if answer.holdouts:
        text += ": " + _names([h.name for h in answer.holdouts])
    return Reply(text=fallback(text), blocks=blocks, in_channel=shared)


@functools.lru_cache(maxsize=RENDER_MEMO)
def _holdout_text(h: HoldoutEntry) -> str:
    lines = [f"*{safe(h.name, 150)}* · {escape(h.status_line)}"]
    if h.note:
        lines.append(f"> {safe(h.note, 1500)}")
    lines.append(_source_line(h.source, h.as_of, h.contested, h.contests))
    return "\n".join(lines)


# ---------------------------------------------------------------- /deadlines


def _item_text(item: domain.DatedItem, contests: Sequence[str] = ()) -> str:
    return _item_text_of(item, tuple(contests))


@functools.lru_cache(maxsize=RENDER_MEMO)
def _item_text_of(item: domain.DatedItem, contests: tuple[str, ...]) -> str:
    when = f"*{fmt_date(item.day)}* · *{item.countdown}*"
    if item.overdue:
        when = ":warning: " + when
    kind = domain.ITEM_KIND_LABELS.get(item.kind, item.kind)
    lines = [
        f"{when} — {safe(item.title, 300)}",
        f"{escape(kind)} · {escape(item_status(item))}",
        _source_line(item.source, item.as_of, item.contested, contests),
    ]
    return "\n".join(lines)


def deadlines_reply(answer: UpcomingAnswer, tz: ZoneInfo) -> Reply:
    blocks: list[Block] = [
        header(f"Coming up in the next {answer.days} days"),
        section(f"*{escape(answer.summary)}*"),
    ]
    entries = [section(_item_text(item, answer.contest_lines(item))) for item in answer.items[:MAX_LISTED]]
    tail: list[Block] = []
    if answer.total > len(entries):
        tail.append(context(more_line(answer.total - len(entries), HINT_DEADLINES_REST)))
    tail.append(
        _as_of_context(
            fmt_datetime(answer.as_of, tz),
            f"Dates in {escape(answer.tz_name)}",
            f"Items passed in the last {domain.RECENTLY_PASSED_DAYS} days are shown as passed, "
            "deadlines with their outcome.",
        )
    )
    blocks = fit_blocks(blocks + entries, MAX_MESSAGE_BLOCKS, tail)
    first = answer.items[0] if answer.items else None
    text = answer.summary
    if first:
        text += f". Next: {escape(first.title)} ({fmt_date(first.day)}, {first.countdown})"
    return Reply(text=fallback(text), blocks=blocks)


# ---------------------------------------------------------------- /aireview help


def help_reply(subcommands: Sequence[Subcommand], problem: str | None = None, *, share: bool = True) -> Reply:
    """Every command in `subcommands`; `share`: offer `/holdouts share` (Slack, not the console)."""
    holdouts = (
        "`/holdouts [share]` — who has not signed a review agreement. e.g. `/holdouts share`"
        if share
        else "`/holdouts` — who has not signed a review agreement. e.g. `/holdouts`"
    )
    lines = [
        holdouts,
        "`/deadlines [days]` — deadlines, review windows and releases ahead (default 90 days). "
        "e.g. `/deadlines 30`",
    ]
    for sub in subcommands:
        admin = " _(admins)_" if sub.admin_only and "admin" not in sub.summary.lower() else ""
        lines.append(
            f"`/aireview {escape(sub.usage)}` — {escape(sub.summary)}{admin}. e.g. `{escape(sub.example)}`"
        )
    blocks: list[Block] = [header("Review Watch commands")]
    if problem:
        blocks.append(section(problem))
    blocks += [section(t) for t in pack_lines(lines)]
    blocks = fit_blocks(blocks, MAX_MESSAGE_BLOCKS)
    names = ", ".join(s.name for s in subcommands)
    text = (problem + " " if problem else "") + f"/aireview subcommands: {names}. Also /holdouts, /deadlines."
    return Reply(text=fallback(text), blocks=blocks)


# ---------------------------------------------------------------- name problems


def match_problem_reply(match: Match, what: str, example: str) -> Reply:
    """Unknown or ambiguous name: the candidates, or did you mean. `example` has a {id} slot."""
    query = safe(match.query, 100)
    if match.ambiguous:
        labels = ", ".join(f"*{safe(c.label, 150)}*" for c in match.candidates)
        more = match.total_candidates - len(match.candidates)
        if more > 0:
            labels += f" and {more} more"
        first = match.candidates[0]
        text = (
            f"“{query}” matches several {what}s: {labels}. Say which one, "
            f"e.g. `{escape(example.format(id=_typed(first)))}`."
        )
    elif match.suggestions:
        options = " or ".join(f"*{safe(c.label, 150)}*" for c in match.suggestions)
        text = (
            f"No tracked {what} matches “{query}”. Did you mean {options}? "
            f"e.g. `{escape(example.format(id=_typed(match.suggestions[0])))}`"
        )
    else:
        text = f"No tracked {what} matches “{query}”. `/aireview models` lists what is tracked."
    return Reply(text=fallback(text), blocks=[section(text)])


def corrected_note(match: Match) -> str | None:
    """When a typo was corrected, say so: the answer is about a name the user did not type."""
    if not match.corrected or match.record is None:
        return None
    label = match.record.get("name") or match.record.get("title") or ""
    return f"Showing {label}, the closest match to “{match.query.strip()}”."


def with_correction(reply: Reply, match: Match) -> Reply:
    note = corrected_note(match)
    if note is None:
        return reply
    reply.blocks.insert(0, context(safe(note, 300)))
    reply.text = fallback(f"{escape(note)} {reply.text}")
    return reply


def _typed(candidate: object) -> str:
    """What to type to pick a candidate: a developer's slug, else its label."""
    entity = getattr(candidate, "entity", "")
    return getattr(candidate, "id", "") if entity == "developer" else getattr(candidate, "label", "")


# ---------------------------------------------------------------- models


def _model_line(m: ModelEntry, today: date, with_developer: bool = False) -> str:
    name = f"{safe(m.developer_name, 100)} / {safe(m.name, 150)}" if with_developer else safe(m.name, 150)
    line = " · ".join([f"• *{name}*", *(escape(p) for p in m.facts(today, ":warning:"))])
    return line + "\n      " + _source_line(m.source, m.as_of, m.contested, m.contests)


def _model_lines(answer: ModelsAnswer, limit: int) -> tuple[list[str], int]:
    lines: list[str] = []
    shown = 0
    current_dev = None
    for m in answer.models[:limit]:
        if answer.developer is None and m.developer_id != current_dev:
            current_dev = m.developer_id
            lines.append(f"*{safe(m.developer_name, 150)}*")
        lines.append(_model_line(m, answer.today))
        shown += 1
    return lines, answer.total - shown


def models_reply(answer: ModelsAnswer) -> Reply:
    title = f"Models: {answer.developer['name']}" if answer.developer else "Models"
    blocks: list[Block] = [header(title), section(f"*{safe(answer.summary, 300)}*")]
    lines, hidden = _model_lines(answer, MODELS_LISTED)
    body = [section(t) for t in pack_lines(lines)]
    tail: list[Block] = []
    if hidden:
        where = (
            escape("Ask about one with `/aireview history <developer> <model>`.")
            if answer.developer
            else HINT_MODELS_REST
        )
        tail.append(context(more_line(hidden, where)))
    tail.append(
        context(
            f"Review windows open {domain.REVIEW_WINDOW_DAYS} days before the planned release "
            "(the submission due date)."
        )
    )
    blocks = fit_blocks(blocks + body, MAX_MESSAGE_BLOCKS, tail)
    return Reply(text=fallback(escape(answer.summary)), blocks=blocks)


# ---------------------------------------------------------------- history


def _history_text(e: HistoryEntry, tz: ZoneInfo, with_subject: bool = True) -> str:
    head = f"*{fmt_datetime(e.at, tz)}* · {user_ref(e.actor)}"
    if with_subject:
        head += f" · {safe(e.subject, 200)}"
    if e.effective:
        head += f" · {escape(e.when)} (recorded {fmt_datetime(e.at, tz)})"
    lines = [head, safe(e.what, 800)]
    if e.note:
        lines.append(f"> {safe(e.note, 600)}")
    if e.source:
        lines.append(f"_Source: {safe(e.source, 300)}_")
    return "\n".join(lines)


def history_reply(answer: HistoryAnswer) -> Reply:
    title = f"History: {answer.label}" if answer.label else "History: latest changes"
    blocks: list[Block] = [header(title), section(f"*{safe(answer.summary, 400)}*")]
    entries = [section(_history_text(e, answer.tz)) for e in answer.entries]
    tail = [context(f"Times in {escape(str(answer.tz))} · newest first")]
    blocks = fit_blocks(blocks + entries, MAX_MESSAGE_BLOCKS, tail)
    return Reply(text=fallback(safe(answer.summary, 400)), blocks=blocks)


# ---------------------------------------------------------------- status


def _contested_field(status: DeveloperStatus) -> str:
    """'yes', '1 development', 'yes; 2 developments' (with a warning sign), or 'no'."""
    words = status.contested_words
    return f"{escape(words)} :warning:" if words else "no"


def status_reply(status: DeveloperStatus, as_of_text: str) -> Reply:
    dev = status.developer
    since = fmt_when(status.since) + _days_ago(status.days_since) if status.since else "not recorded"
    blocks: list[Block] = [
        header(dev["name"]),
        fields_section(
            [
                f"*Status*\n{escape(status.status_line)}",
                f"*Since*\n{since}",
                f"*Agreement date*\n{escape(fmt_when(dev.get('agreement_date'), 'none'))}",
                f"*Contested*\n{_contested_field(status)}",
                f"*As of*\n{escape(fmt_when(dev.get('as_of')))}",
                f"*Last updated*\n{fmt_datetime(dev.get('updated_at'), status.tz)}"
                f" by {user_ref(dev.get('updated_by'))}",
            ]
        ),
    ]
    if dev.get("note"):
        blocks.append(section(f"> {safe(dev['note'], 2000)}"))
    blocks.append(context(*fact_lines(status.facts) if status.facts else [_source_line(dev.get("source"))]))
    if status.contests:
        blocks.append(section("\n".join(f":warning: {safe(c, 1200)}" for c in status.contests)))

    models = status.models
    model_lines, hidden = _model_lines(models, STATUS_MODELS)
    text = f"*Models* ({models.total})\n" + ("\n".join(model_lines) if model_lines else "None tracked.")
    if hidden:
        text += "\n" + more_line(hidden, f"See `/aireview models {dev['id']}`.")
    blocks.append(section(text))

    if status.events:
        lines = ["*Developments*"]
        for ev in status.events:
            mark = ":warning: *Contested* · " if ev.contests else ""
            lines.append(f"• {mark}{safe(ev.line, 900)}")
            lines.append(f"      _{safe(ev.date_line, 600)}_")
            lines.append("      " + _source_line(ev.sources, ev.as_of, bool(ev.contests), ev.contests))
        blocks.append(section("\n".join(lines)))

    if status.upcoming:
        upcoming = [
            f"• *{fmt_date(i.day)}* ({i.countdown}) — {safe(i.title, 200)} · {escape(item_status(i))}"
            for i in status.upcoming[:STATUS_UPCOMING]
        ]
        if status.upcoming_total > len(upcoming):
            upcoming.append(more_line(status.upcoming_total - len(upcoming), "See `/deadlines`."))
        blocks.append(section("*Coming up*\n" + "\n".join(upcoming)))

    if status.passed_deadlines:
        passed = [
            f"• *{fmt_date(i.day)}* ({i.countdown}) — {safe(i.title, 200)} · {escape(item_status(i))}"
            for i in status.passed_deadlines
        ]
        blocks.append(section("*Passed deadlines*\n" + "\n".join(passed)))

    history = status.history
    first = fmt_datetime(status.first_tracked, status.tz) if status.first_tracked else "unknown"
    summary = f"*History*: {history.total} changes recorded since {first}."
    if history.entries:
        latest = history.entries[0]
        summary += f" Latest: {fmt_datetime(latest.at, status.tz)} by {user_ref(latest.actor)}."
    blocks.append(section(summary))
    blocks += [section(_history_text(e, status.tz)) for e in history.entries]
    tail = [_as_of_context(as_of_text, f"Full history: `/aireview history {escape(dev['id'])}`")]
    blocks = fit_blocks(blocks, MAX_MESSAGE_BLOCKS, tail)
    text = escape(status.summary) + (f". {escape(dev['note'])}" if dev.get("note") else "")
    return Reply(text=fallback(text), blocks=blocks)
