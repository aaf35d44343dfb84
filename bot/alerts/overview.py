"""How a channel's alerts read back (`/aireview alerts`): its subscription in words, the next
alerts it will get, its muted subjects, and for admins the delivery problems (also on the
App Home); and the confirmation once a channel subscribes."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot import ids
from bot.alerts.alert import DELIVERY_BUSINESS, DELIVERY_DAYS, DIGEST_MODES, KIND_LABELS, KIND_OVERDUE, Alert
from bot.alerts.blocks import alert_content
from bot.alerts.rules import on_business_days
from bot.alerts.snooze import mute_until_text
from bot.blockkit import (
    MAX_MESSAGE_BLOCKS,
    Block,
    button,
    context,
    escape,
    fmt_date,
    fmt_datetime,
    header,
    pack_lines,
    safe,
    section,
    user_ref,
)
from bot.business_days import holiday_name
from bot.domain import countdown, today_in
from bot.replies import Reply
from bot.settings import Settings


def describe_subscription(sub: dict[str, Any]) -> str:
    kinds = ", ".join(KIND_LABELS.get(k, k) for k in sub["kinds"])
    leads = ", ".join(str(d) for d in sub["lead_days"]) or "none"
    developers = ", ".join(sub["developer_filter"]) if sub["developer_filter"] else "all"
    days = DELIVERY_DAYS[DELIVERY_BUSINESS if on_business_days(sub) else "every_day"]
    quiet = "Saturdays and Sundays (until Monday's delivery time)" if on_business_days(sub) else "none"
    if sub.get("quiet_start") and sub.get("quiet_end"):
        weekend = "Saturdays and Sundays, and " if on_business_days(sub) else ""
        quiet = f"{weekend}{sub['quiet_start']} to {sub['quiet_end']} every day"
    if quiet != "none":
        quiet += (
            "; alerts, edits, replies and reminders wait until it ends, except deadlines, "
            "review windows and releases today or tomorrow"
        )
    briefing = "off"
    if sub.get("briefing_since"):
        briefing = "Mondays (the subscribe form's box or `/aireview briefing off` stops it)"
    return (
        f"*Kinds:* {escape(kinds)}\n*Lead days:* {escape(leads)}\n"
        f"*Status changes and news:* {DIGEST_MODES.get(sub['digest'], sub['digest'])}\n"
        f"*Developers:* {escape(developers)}\n"
        f"*Delivery days:* {escape(days)}\n*Quiet time:* {escape(quiet)}\n"
        f"*Threads:* {'later date alerts reply under the first' if sub.get('threads', 1) else 'off'}\n"
        f"*Weekly briefing:* {briefing}"
    )


def delivery_problem_lines(problems: list[dict[str, Any]], tz: ZoneInfo) -> list[str]:
    lines = []
    for p in problems:
        slack = p["target_type"] == "slack"
        where = f"<#{p['target']}>" if slack else f"Teams webhook {safe(p['target'], 60)}"
        lines.append(
            f"• {where}: {safe(p['last_error'] or 'failed', 200)} "
            f"({p['alerts']} alert(s), last {fmt_datetime(p['last_at'], tz)})"
        )
    return lines


def delivery_problem_blocks(problems: list[dict[str, Any]], tz: ZoneInfo) -> list[Block]:
    """For admins (here and on the App Home): alerts that could not be delivered, and why."""
    if not problems:
        return []
    intro = (
        ":warning: *Alert delivery problems* (not retried; fix the cause, e.g. invite the bot "
        "with `/invite @Review Watch`, or fix the webhook):"
    )
    return [section(text) for text in pack_lines([intro, *delivery_problem_lines(problems, tz)])]


def _moved_note(alert: Alert, tz: ZoneInfo) -> str:
    """ " (moved from Sat Aug 1, not a business day)" for an alert shifted off its due day."""
    day = alert.day
    if day is None:
        return ""
    due = (
        day + timedelta(days=1) if alert.kind == KIND_OVERDUE else day - timedelta(days=alert.lead_days or 0)
    )
    if alert.due_at.astimezone(tz).date() == due:
        return ""
    why = holiday_name(due) or "not a business day"
    return f" _(moved from {fmt_date(due)}: {escape(why)})_"


def _days_to(at: datetime, now: datetime, tz: ZoneInfo) -> int:
    return (at.astimezone(tz).date() - today_in(tz, now)).days


def alerts_overview(
    *,
    channel_id: str | None,
    subscription: dict[str, Any] | None,
    upcoming: list[Alert],
    next_digest: datetime | None,
    problems: list[dict[str, Any]] | None,
    last_sweep: dict[str, Any] | None,
    settings: Settings,
    now: datetime,
    mutes: list[dict[str, Any]] | None = None,
    held: tuple[int, str] | None = None,  # (how many, until when) real-time alerts held
    title: str = "Alerts for this channel",
) -> Reply:
    """What a channel receives and the next alerts it will get (problems only for admins)."""
    tz = settings.tz
    where = f"<#{channel_id}>" if channel_id else "This conversation"
    blocks: list[Block] = [header(title)]
    if subscription is None:
        text = f"{where} has no alert subscription."
        blocks.append(section(f"{text} An admin can turn alerts on with `/aireview subscribe`."))
    else:
        text = f"{where} receives Review Watch alerts."
        since = fmt_datetime(subscription["created_at"], tz)
        blocks.append(section(f"{text} Set up by {user_ref(subscription['created_by'])} on {since}."))
        blocks.append(section(describe_subscription(subscription)))
        lines = [
            f"• {fmt_datetime(a.due_at, tz)} ({countdown(_days_to(a.due_at, now, tz))})"
            f" — {safe(alert_content(a, a.due_at, settings).headline, 200)}{_moved_note(a, tz)}"
            for a in upcoming
        ]
        if held:
            lines.insert(
                0,
                f"• {fmt_datetime(held[1], tz)} — {held[0]} alert(s) held for the quiet time",
            )
        if next_digest is not None:
            lines.append(f"• {fmt_datetime(next_digest, tz)} — next digest, if there is anything new")
        if lines:
            blocks += [section(t) for t in pack_lines(["*Next alerts:*", *lines])]
        else:
            blocks.append(section("*Next alerts:* none scheduled from the dates tracked now."))
        blocks += mute_lines(mutes or [], problems is not None)
    if problems is not None:
        blocks += delivery_problem_blocks(problems, tz)
        if last_sweep:
            state = "ok" if last_sweep.get("ok") else f"failed: {safe(last_sweep.get('error') or '', 200)}"
            blocks.append(context(f"Last alert sweep {fmt_datetime(last_sweep.get('at'), tz)}: {state}"))
    return Reply(text=text, blocks=blocks[:MAX_MESSAGE_BLOCKS])


def subscribed_message(channel_id: str, sub: dict[str, Any], user_id: str) -> Reply:
    text = f"Review Watch alerts are on for this channel (set up by {user_ref(user_id)})."
    return Reply(
        text=text,
        blocks=[
            section(text),
            section(describe_subscription(sub)),
            context("`/aireview alerts` shows what comes next; an admin can `/aireview unsubscribe`."),
        ],
    )


def mute_lines(mutes: list[dict[str, Any]], admin: bool) -> list[Block]:
    """`/aireview alerts`: the channel's muted subjects, each with Unmute for admins."""
    if not mutes:
        return []
    blocks: list[Block] = [section("*Muted here:*")]
    for mute in mutes:
        text = (
            f"• {safe(mute['title'] or mute['subject_type'], 200)} {mute_until_text(mute['until'])} "
            f"(by {user_ref(mute['created_by'])})"
        )
        block = section(text)
        if admin:
            block["accessory"] = button("Unmute", ids.ACTION_ALERT_UNMUTE, str(mute["id"]))
        blocks.append(block)
    return blocks
