"""The App Home dashboard: signed count and holdouts, the next dated items, the latest
changes, "as of" times, and (for admins) the admin action buttons.

`build_home` is pure (data in, view out). Other features add their own sections through
`deps.home_sections` (bot.catalog lists them): a section returns blocks for a viewer (e.g.
the alerts feature's "delivery problems" for admins); they appear above the admin
buttons. `home_view` is what the listeners publish (handlers/events.py and after a save).
"""

from __future__ import annotations

import logging
from typing import Any

from bot import domain, ids
from bot.admins import is_admin
from bot.blockkit import (
    MAX_VIEW_BLOCKS,
    Block,
    actions,
    button,
    context,
    divider,
    escape,
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
from bot.deps import Deps
from bot.directory import Directory
from bot.read.answers import HOME_ITEMS, HomeAnswer, home_answer, item_status

log = logging.getLogger(__name__)

HOME_HOLDOUTS = 15

# (label, action_id) for the admin buttons, in the order shown.
ADMIN_BUTTONS: tuple[tuple[str, str], ...] = (
    ("Update a status", ids.ACTION_ADMIN_UPDATE_STATUS),
    ("Add developer", ids.ACTION_ADMIN_ADD_DEVELOPER),
    ("Add model", ids.ACTION_ADMIN_ADD_MODEL),
    ("Edit model", ids.ACTION_ADMIN_EDIT_MODEL),
    ("Remove model", ids.ACTION_ADMIN_REMOVE_MODEL),
    ("Add deadline", ids.ACTION_ADMIN_ADD_DEADLINE),
    ("Edit deadline", ids.ACTION_ADMIN_EDIT_DEADLINE),
    ("Remove deadline", ids.ACTION_ADMIN_REMOVE_DEADLINE),
    ("Add event", ids.ACTION_ADMIN_ADD_EVENT),
    ("Edit event", ids.ACTION_ADMIN_EDIT_EVENT),
    ("Contest a fact", ids.ACTION_ADMIN_CONTEST),
    ("Resolve or reopen a contest", ids.ACTION_ADMIN_SETTLE_CONTEST),
)


def _holdout_blocks(answer: HomeAnswer) -> list[Block]:
    """The first HOME_HOLDOUTS holdouts, each with its source, as-of and contested claims."""
    holdouts = answer.holdouts.holdouts
    if not holdouts:
        return []
    lines = [
        f"• *{safe(h.name, 100)}* · {escape(h.status_line)}\n"
        + "\n".join(
            [f"   _Source: {safe(h.source or 'not recorded', 400)} · as of {escape(fmt_when(h.as_of))}_"]
            + [f"   :warning: {safe(c, 900)}" for c in h.contests]
        )
        for h in holdouts[:HOME_HOLDOUTS]
    ]
    if len(holdouts) > HOME_HOLDOUTS:
        lines.append(more_line(len(holdouts) - HOME_HOLDOUTS, "See them all with `/holdouts`."))
    return [section("\n".join(lines))]


def _contested_blocks(answer: HomeAnswer) -> list[Block]:
    """Every open contest (events included): what it is about, why, and each claim with its
    source; the first HOME_CONTESTED, then how many more."""
    if not answer.contested:
        return []
    blocks: list[Block] = [divider(), header("Contested facts")]
    lines = [
        "\n".join([f":warning: *{safe(c.lines[0], 600)}*", *(f"   {safe(k, 700)}" for k in c.lines[1:])])
        for c in answer.contested
    ]
    blocks += [section(t) for t in pack_lines(lines)]
    if answer.contested_total > len(answer.contested):
        hidden = answer.contested_total - len(answer.contested)
        blocks.append(context(more_line(hidden, escape("See each with `/aireview status <developer>`."))))
    return blocks


def build_home(answer: HomeAnswer, *, admin: bool, extra_blocks: list[Block] | None = None) -> dict[str, Any]:
    """The home view for one viewer; never more than Slack's 100 blocks."""
    tz = answer.tz
    updated = fmt_datetime(answer.tracker_updated_at, tz) if answer.tracker_updated_at else "never"
    blocks: list[Block] = [
        header("Review Watch: frontier AI pre-release review"),
        context(f"As of {fmt_datetime(answer.as_of, tz)}", f"Tracker last changed {updated}"),
        section(f"*{escape(answer.holdouts.summary)}*"),
    ]
    blocks += _holdout_blocks(answer)

    if answer.framework:
        blocks += [divider(), header("The framework")]
        for f in answer.framework:
            blocks.append(
                section(
                    f"*{safe(f.label, 150)}*: {safe(f.value, 900)}\n"
                    f"_Source: {safe(f.sources or 'not recorded', 400)} · as of {escape(fmt_when(f.as_of))}_"
                    + "".join(f"\n:warning: {safe(c, 900)}" for c in f.contests)
                )
            )

    blocks += _contested_blocks(answer)

    blocks += [divider(), header("Coming up")]
    listed = answer.upcoming.items[:HOME_ITEMS]
    if listed:
        for item in listed:
            flag = ":warning: " if item.overdue else ""
            blocks.append(
                section(
                    f"{flag}*{fmt_date(item.day)}* · *{item.countdown}* — {safe(item.title, 300)}\n"
                    f"{escape(domain.ITEM_KIND_LABELS.get(item.kind, item.kind))} · "
                    f"{escape(item_status(item))}\n"
                    f"_Source: {safe(item.source or 'not recorded', 400)}"
                    f" · as of {escape(fmt_when(item.as_of))}_"
                    + "".join(f"\n:warning: {safe(c, 900)}" for c in answer.upcoming.contest_lines(item))
                )
            )
        if answer.upcoming.total > len(listed):
            blocks.append(context(more_line(answer.upcoming.total - len(listed), "See `/deadlines 365`.")))
    else:
        blocks.append(section("Nothing is dated in the next year."))
    blocks.append(context(f"Dates in {escape(answer.upcoming.tz_name)} · `/deadlines [days]` for more"))

    blocks += [divider(), header("Latest changes")]
    if answer.changes.entries:
        for e in answer.changes.entries:
            blocks.append(
                section(
                    f"*{fmt_datetime(e.at, tz)}* · {safe(e.subject, 150)} · {safe(e.what, 500)}\n"
                    + (f"_{escape(e.when)}, recorded {fmt_datetime(e.at, tz)}_\n" if e.effective else "")
                    + f"_by {user_ref(e.actor)}"
                    + (f" · Source: {safe(e.source, 300)}_" if e.source else "_")
                )
            )
    else:
        blocks.append(section("No changes recorded yet."))
    blocks.append(context(escape("Full history: `/aireview history <developer|model|deadline>`")))

    tail: list[Block] = []
    if admin:
        tail = [
            divider(),
            header("Admin"),
            actions(
                [button(label, action_id) for label, action_id in ADMIN_BUTTONS], ids.BLOCK_HOME_ADMIN_ACTIONS
            ),
        ]
    extra = list(extra_blocks or [])
    room = MAX_VIEW_BLOCKS - len(blocks) - len(tail)
    if len(extra) > room:
        extra = extra[: max(room, 0)]
    return {"type": "home", "blocks": blocks + extra + tail}


def home_view(deps: Deps, user_id: str, directory: Directory | None = None) -> dict[str, Any]:
    """`user_id`'s App Home: the dashboard, every feature's section, admin buttons for admins."""
    admin = is_admin(deps, user_id, directory)
    extra: list[Block] = []
    for provider in deps.home_sections:
        try:
            extra += provider(deps, user_id, admin)
        except Exception:  # one broken section must not blank the whole home
            log.exception("App Home section %r failed", provider)
    return build_home(home_answer(deps), admin=admin, extra_blocks=extra)
