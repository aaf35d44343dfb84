"""The weekly briefing: one message (Slack) or one card (Teams) on Mondays at the delivery time.

A subscription that takes it (`/aireview briefing on`) gets, each Monday: the holdouts and
for how long, what changed in the past week, the next 30 days, the contested facts and the
timeline picture (Slack: the App Home's picture when it is current). It is an alert like any
other (bot/alerts/plan.py `briefing_alert`): one ledger key per week and target, claimed
before it is posted, found by its metadata after a crash, retried on transient failures.
The content is computed once, just before the claim, and kept in the ledger's payload, so a
retry posts the same text. A briefing delivered more than an hour after its Monday delivery
time (after downtime) says it is late.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from typing import Any

from bot import ids
from bot.admins import denial_text, is_admin
from bot.alerts.plan import KIND_BRIEFING, Alert
from bot.blockkit import (
    MAX_MESSAGE_BLOCKS,
    Block,
    actions,
    button,
    context,
    escape,
    fallback,
    fmt_datetime,
    header,
    pack_lines,
    safe,
    section,
)
from bot.cardkit import Element, adaptive_card, fit_envelope, text_block, webhook_envelope
from bot.clock import FixedClock, utc_iso
from bot.deps import Deps
from bot.exports import current_timeline_file
from bot.read import answers, changes_answer
from bot.replies import SURFACE_SLACK, CommandRequest, Reply, Subcommand
from bot.settings import Settings
from storage.alerts import TARGET_SLACK, TARGET_TEAMS, get_subscription
from storage.briefing import contested_records, set_briefing

__all__ = [
    "BRIEFING_SUBCOMMAND",
    "KIND_BRIEFING",
    "briefing_card",
    "briefing_message",
    "fill_briefing",
    "headline",
]

LATE_AFTER = timedelta(hours=1)
UPCOMING_DAYS = 30
MAX_HOLDOUTS = 15
MAX_CHANGES = 20
MAX_UPCOMING = 15
MAX_CONTESTED = 10
KIND_LABEL = "Weekly briefing"


def fill_briefing(deps: Deps, alert: Alert, now: datetime) -> Alert:
    """The briefing with its content: the tracker as of `now` (when it is claimed)."""
    at = dataclasses.replace(deps, clock=FixedClock(now))
    holdouts = answers.holdouts_answer(at)
    week = changes_answer(at, now - timedelta(days=7), "a week ago", limit=MAX_CHANGES)
    upcoming = answers.upcoming_answer(at, UPCOMING_DAYS, shown=MAX_UPCOMING)
    contested, contested_total = contested_records(deps.store.db, MAX_CONTESTED)
    facts: dict[str, Any] = {
        **alert.facts,
        "holdouts_summary": holdouts.summary,
        "holdouts": [
            {
                "name": h.name,
                "status": h.status_label,
                "since": h.since.label() if h.since else None,
                "days": h.days_since,
            }
            for h in holdouts.holdouts[:MAX_HOLDOUTS]
        ],
        "holdouts_total": len(holdouts.holdouts),
        "changes": [
            {"developer": g.title, "at": utc_iso(e.at), "text": e.text, "source": e.source, "actor": e.actor}
            for g in week.groups
            for e in g.entries
        ],
        "changes_total": week.total,
        "upcoming_summary": upcoming.summary,
        "upcoming": [
            {
                "day": i.day.isoformat(),
                "countdown": i.countdown,
                "title": i.title,
                "status": answers.item_status(i),
                "overdue": i.overdue,
            }
            for i in upcoming.items
        ],
        "upcoming_total": upcoming.total,
        "contested": [{"what": r["entity"], "label": r["label"], "source": r["source"]} for r in contested],
        "contested_total": contested_total,
        "timeline_file": current_timeline_file(deps) if alert.target_type == TARGET_SLACK else None,
        "prepared_at": utc_iso(now),
    }
    return dataclasses.replace(alert, facts=facts)


def is_late(alert: Alert, now: datetime) -> bool:
    return now - alert.due_at > LATE_AFTER


def headline(alert: Alert, now: datetime) -> str:
    return alert.title + (" (late)" if is_late(alert, now) else "")


def _late_line(alert: Alert, now: datetime, settings: Settings) -> str | None:
    if not is_late(alert, now):
        return None
    due = fmt_datetime(alert.due_at, settings.tz)
    return f"Sent late: this briefing was due {due} (the app was not running)."


def _more(total: int, shown: int, where: str) -> str | None:
    return f"…and {total - shown} more: {where}" if total > shown else None


def briefing_sections(alert: Alert, now: datetime, settings: Settings) -> list[tuple[str, list[str]]]:
    """(title, plain lines) in order: what both renderers show."""
    f = alert.facts
    tz = settings.tz
    holdouts = [
        f"{h['name']}: {h['status']}"
        + (f" since {h['since']}" if h.get("since") else "")
        + (f" ({h['days']} days)" if h.get("days") is not None else "")
        for h in f.get("holdouts", [])
    ]
    changes = [
        f"{c['developer']} · {fmt_datetime(c['at'], tz)} · {c['text']} · recorded by {c['actor']}"
        + (f" · Source: {c['source']}" if c.get("source") else "")
        for c in f.get("changes", [])
    ]
    upcoming = [
        ("OVERDUE " if u.get("overdue") else "")
        + f"{u['day']} ({u['countdown']}) · {u['title']} · {u['status']}"
        for u in f.get("upcoming", [])
    ]
    contested = [
        f"{c['label']} ({c['what']})" + (f" · Source: {c['source']}" if c.get("source") else "")
        for c in f.get("contested", [])
    ]
    extra = [
        _more(f.get("holdouts_total", 0), len(holdouts), "/holdouts"),
        _more(f.get("changes_total", 0), len(changes), "/aireview changes 7d"),
        _more(f.get("upcoming_total", 0), len(upcoming), "/deadlines 30"),
        _more(f.get("contested_total", 0), len(contested), "/aireview compare"),
    ]
    sections = [
        (f"Holdouts · {f.get('holdouts_summary', '')}", holdouts),
        ("What changed this week", changes or ["Nothing changed this week."]),
        (f"The next {UPCOMING_DAYS} days · {f.get('upcoming_summary', '')}", upcoming),
        ("Contested facts", contested or ["No fact is marked contested."]),
    ]
    return [
        (title, lines + ([more] if more else []))
        for (title, lines), more in zip(sections, extra, strict=True)
    ]


def briefing_message(alert: Alert, now: datetime, settings: Settings) -> Reply:
    """The Slack briefing: one message."""
    blocks: list[Block] = [header(headline(alert, now))]
    late = _late_line(alert, now, settings)
    if late:
        blocks.append(section(f":warning: *{escape(late)}*"))
    for title, lines in briefing_sections(alert, now, settings):
        texts = pack_lines([f"• {safe(line, 400)}" for line in lines], 2800)
        blocks.append(section(f"*{safe(title, 300)}*\n{texts[0]}" if texts else f"*{safe(title, 300)}*"))
    file_id = alert.facts.get("timeline_file")
    if file_id:
        blocks.append(
            {"type": "image", "slack_file": {"id": str(file_id)}, "alt_text": "Timeline of the next 90 days"}
        )
    else:
        blocks.append(context(escape("The timeline picture: `/aireview timeline` or the App Home.")))
    blocks.append(context(f"Review Watch · {KIND_LABEL}"))
    blocks.append(
        actions([button("Acknowledge", ids.ACTION_ALERT_ACKNOWLEDGE, alert.key)], ids.BLOCK_ALERT_ACTIONS)
    )
    summary = alert.facts.get("holdouts_summary", "")
    return Reply(
        text=fallback(headline(alert, now) + ".", late or "", summary), blocks=blocks[:MAX_MESSAGE_BLOCKS]
    )


def briefing_card(alert: Alert, now: datetime, settings: Settings) -> dict[str, Any]:
    """The Teams briefing: one card, trimmed from the end to Teams' 28 KB if it must be."""
    body: list[Element] = [
        text_block(f"Review Watch · {KIND_LABEL}", subtle=True, size="Small"),
        text_block(headline(alert, now), weight="Bolder", size="Medium"),
    ]
    late = _late_line(alert, now, settings)
    if late:
        body.append(text_block(late, weight="Bolder"))
    for title, lines in briefing_sections(alert, now, settings):
        body.append({**text_block(title, weight="Bolder"), "separator": True})
        body += [_plain_line(line) for line in lines]
    return fit_envelope(webhook_envelope(adaptive_card(body)))


def _plain_line(line: str) -> Element:
    # A TextRun shows tracker text literally (a TextBlock would read it as Markdown).
    return {"type": "RichTextBlock", "inlines": [{"type": "TextRun", "text": "• " + line[:500]}]}


# ---------------------------------------------------------------- /aireview briefing on|off


USAGE = (
    "Usage: `/aireview briefing on|off` in a subscribed channel (admins), or "
    "`/aireview briefing on|off teams:NAME` for a Teams webhook named in REVIEWWATCH_TEAMS_WEBHOOKS."
)


def run_briefing(deps: Deps, request: CommandRequest) -> Reply:
    words = request.text.split()
    if not words or words[0].lower() not in ("on", "off") or len(words) > 2:
        return Reply(text=USAGE)
    if not is_admin(deps, request.user_id, request.directory):
        return Reply(text=denial_text(deps))
    on = words[0].lower() == "on"
    since = deps.clock.now() if on else None
    if len(words) == 2:
        if not words[1].startswith("teams:") or words[1][6:] not in deps.settings.teams_webhooks:
            return Reply(text=USAGE)
        target_type, target, where = TARGET_TEAMS, words[1][6:], f"the Teams webhook `{words[1][6:]}`"
    elif request.surface == SURFACE_SLACK and request.channel_id:
        target_type, target, where = TARGET_SLACK, request.channel_id, "this channel"
    else:
        return Reply(text=USAGE)
    if get_subscription(deps.store.db, target_type, target) is None or not set_briefing(
        deps.store.db, target_type, target, since
    ):
        return Reply(text=f"{where.capitalize()} has no alert subscription yet: `/aireview subscribe` first.")
    if on:
        return Reply(
            text=f"The weekly briefing is on for {where}: Mondays at {deps.settings.alert_time:%H:%M} "
            f"({deps.settings.timezone_name}), from the next Monday on."
        )
    return Reply(text=f"The weekly briefing is off for {where}.")


BRIEFING_SUBCOMMAND = Subcommand(
    "briefing",
    "briefing on|off [teams:NAME]",
    "(admins) the weekly briefing on Mondays: holdouts, the week's changes, the next 30 days, "
    "contested facts and the timeline",
    "/aireview briefing on",
    run_briefing,
    admin_only=True,
)
