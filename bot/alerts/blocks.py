"""Alert messages (Block Kit), the subscribe form and the `/aireview alerts` overview.

`alert_content` words an alert once (what, when, why it matters, source) as plain text;
the Slack blocks here and the Teams card (bot/alerts/cards.py) both render it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot import ids, menus
from bot.alerts.alert import (
    DELIVERY_BUSINESS,
    DELIVERY_DAYS,
    DIGEST_MODES,
    DIGEST_REALTIME,
    KIND_DEADLINE,
    KIND_DEVELOPMENT,
    KIND_DIGEST,
    KIND_LABELS,
    KIND_NEWS,
    KIND_OVERDUE,
    KIND_RELEASE,
    KIND_REMINDER,
    KIND_STATUS,
    KIND_WINDOW,
    SUBSCRIBABLE_KINDS,
    Alert,
)
from bot.alerts.briefing import KIND_BRIEFING, briefing_message, headline
from bot.alerts.rules import on_business_days
from bot.alerts.snooze import MUTE_SUBJECTS, REMIND_LABELS, mute_until_text, original_alert, remind_choices
from bot.blockkit import (
    MAX_MESSAGE_BLOCKS,
    Block,
    actions,
    button,
    context,
    escape,
    fallback,
    fmt_date,
    fmt_datetime,
    fmt_when,
    header,
    link,
    pack_lines,
    plain,
    safe,
    section,
    user_ref,
)
from bot.business_days import holiday_name
from bot.domain import (
    REVIEW_WINDOW_DAYS,
    countdown,
    deadline_countdown,
    parse_date,
    review_window_opens,
    today_in,
)
from bot.news import published_text
from bot.replies import Reply
from bot.settings import Settings

ALERT_EVENT_TYPE = "review_watch_alert"
UPDATE_EVENT_TYPE = "review_watch_alert_update"  # the thread reply saying what changed
MAX_DIGEST_LINES = 40


@dataclass
class AlertContent:
    """An alert in plain words: the renderers escape and lay it out."""

    headline: str
    when: str
    why: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # digest entries
    source: str | None = None
    contested: bool = False
    as_of: str | None = None  # the tracker's as-of for the facts stated (e.g. "June 2026")
    contests: list[str] = field(default_factory=list)  # "Contested: A says X; B says Y"
    link: str | None = None
    kind_label: str = ""
    actor: str | None = None  # who made a change (a Slack user id, or e.g. "seed")
    channel: str | None = None  # a reminder: the channel it was asked for in (a Slack id)


def _day_phrase(day: date | None, now: datetime, tz: ZoneInfo) -> tuple[str, str, str]:
    """The date, its countdown, and the countdown with business days (deadlines and
    submission due dates say both where they differ)."""
    if day is None:
        return "", "", ""
    days = (day - today_in(tz, now)).days
    return fmt_date(day), countdown(days), deadline_countdown(day, days)


def _model_why(facts: dict[str, Any]) -> list[str]:
    planned = parse_date(facts.get("planned_release"))
    window = facts.get("window_days", REVIEW_WINDOW_DAYS)
    why = []
    opens = review_window_opens(facts, window)
    if planned and opens:
        why.append(
            f"Planned release {fmt_date(planned)}; the voluntary CAISI review window is {window} days, "
            f"so submission is due when it opens on {fmt_date(opens)}."
        )
    status = f"Submission status: {facts.get('submission_status', 'unknown')}"
    if facts.get("submitted"):
        status += f" (submitted {fmt_date(parse_date(facts['submitted']))})"
    why.append(status + ".")
    return why


def alert_content(alert: Alert, now: datetime, settings: Settings) -> AlertContent:
    tz = settings.tz
    facts = alert.facts
    day_text, count, business_count = _day_phrase(alert.day, now, tz)
    label = KIND_LABELS.get(alert.kind, "Digest")
    content = AlertContent(
        headline=alert.title,
        when="",
        source=facts.get("source"),
        contested=bool(facts.get("contested")),
        as_of=fmt_when(facts["as_of"]) if facts.get("as_of") else None,
        contests=list(facts.get("contests") or []),
        kind_label=label,
    )
    model_name = f"{facts.get('developer', '')} {facts.get('model', '')}".strip()
    if alert.kind == KIND_DEADLINE:
        content.headline = f"Deadline {count}: {alert.title}"
        content.when = f"Due {day_text} ({business_count})"
        content.why = [facts["note"]] if facts.get("note") else []
    elif alert.kind == KIND_WINDOW:
        content.headline = f"Review window opens {count}: {model_name} (submission due)"
        content.when = f"Submission due {day_text} ({business_count})"
        content.why = _model_why(facts)
    elif alert.kind == KIND_RELEASE:
        content.headline = f"Planned release {count}: {model_name}"
        content.when = f"Planned release {day_text} ({count})"
        content.why = _model_why(facts)
    elif alert.kind == KIND_OVERDUE:
        content.headline = f"Submission overdue: {model_name}"
        content.when = f"The review window opened {day_text} ({count}) and the model is not submitted"
        content.why = _model_why(facts)
    elif alert.kind == KIND_STATUS:
        content.headline = f"Status changed: {alert.title}"
        recorded = fmt_datetime(facts.get("at"), tz)
        content.when = (
            f"Took effect {fmt_when(facts['effective'])}; recorded {recorded}"
            if facts.get("effective")
            else f"Changed {recorded} (when it took effect was not recorded)"
        )
        # The name the sweep looked up (bot/people.py), else the id.
        content.actor = facts.get("actor_name") or facts.get("actor") or "unknown"
        content.why = [facts["note"]] if facts.get("note") else []
    elif alert.kind == KIND_DEVELOPMENT:
        content.headline = f"Development: {facts.get('subject') or alert.title}"
        recorded = fmt_datetime(facts.get("at"), tz)
        content.when = (
            f"Took effect {fmt_when(facts['effective'])}; recorded {recorded}"
            if facts.get("effective")
            else f"Recorded {recorded}"
        )
        content.actor = facts.get("actor") or "unknown"
        content.why = [str(facts.get("summary") or "")] + ([facts["note"]] if facts.get("note") else [])
    elif alert.kind == KIND_NEWS:
        content.headline = f"News: {alert.title}"
        published = facts.get("published")
        content.when = (
            f"Published {published_text(published, tz)}"
            if published
            else f"Seen {fmt_datetime(alert.due_at, tz)}"
        )
        content.source = facts.get("source_name") or facts.get("source")
        content.why = [facts["summary"]] if facts.get("summary") else []
        if facts.get("matched"):
            content.why.append("Matched: " + ", ".join(str(m) for m in facts["matched"]))
        content.link = facts.get("link")
    elif alert.kind == KIND_REMINDER:
        original = alert_content(original_alert(alert), now, settings)
        original.headline = f"Reminder: {original.headline}"
        original.kind_label = f"Reminder · {original.kind_label}"
        where = str(facts.get("channel") or "")
        original.channel = where if where.isalnum() else None
        original.why = [
            *original.why,
            f"You asked for this reminder on {fmt_datetime(facts.get('requested_at'), tz)}.",
        ]
        return original
    elif alert.kind == KIND_BRIEFING:
        content.headline = headline(alert, now)
        content.kind_label = "Weekly briefing"
        content.when = f"Due {fmt_datetime(alert.due_at, tz)}"
    elif alert.kind == KIND_DIGEST:
        content.headline = alert.title
        content.when = f"Up to {fmt_datetime(alert.due_at, tz)}"
        content.lines = [_digest_line(e, tz) for e in facts.get("items", [])]
        content.source = None
    return content


def _digest_line(entry: dict[str, Any], tz: ZoneInfo) -> str:
    """'Status changed: Meta: … (recorded Jul 24, 2026 10:00 EDT; took effect July 2026) ·
    Source: …': each item with when it took effect and its source."""
    when = f"recorded {fmt_datetime(entry['at'], tz)}"
    if entry.get("effective"):
        when += f"; took effect {fmt_when(entry['effective'])}"
    line = f"{KIND_LABELS.get(entry['kind'], entry['kind'])}: {entry['title']} ({when})"
    source = entry.get("source") if entry.get("kind") != KIND_NEWS else None
    return line + (f" · Source: {source}" if source else "")


def _source_text(content: AlertContent) -> str:
    source = content.source or "not recorded"
    if source.startswith(("http://", "https://")) and " " not in source:
        text = link(source, source)
    else:
        text = safe(source, 600)
    if content.as_of:
        text += f" · as of {escape(content.as_of)}"
    return text + (" _(contested)_" if content.contested and not content.contests else "")


def alert_metadata(key: str, event_type: str = ALERT_EVENT_TYPE) -> dict[str, Any]:
    """Message metadata carrying the alert key, so a retry can find a post that happened."""
    return {"event_type": event_type, "event_payload": {"key": key}}


def metadata_key(message: dict[str, Any]) -> str | None:
    metadata = message.get("metadata") or {}
    if metadata.get("event_type") not in (ALERT_EVENT_TYPE, UPDATE_EVENT_TYPE):
        return None
    return (metadata.get("event_payload") or {}).get("key")


def alert_message(alert: Alert, now: datetime, settings: Settings) -> Reply:
    """The Slack message for one alert: blocks, a text fallback, an Acknowledge button."""
    if alert.kind == KIND_BRIEFING:
        return briefing_message(alert, now, settings)
    content = alert_content(alert, now, settings)
    blocks: list[Block] = [header(content.headline)]
    if content.when:
        by = f" by {user_ref(content.actor)}" if content.actor else ""
        blocks.append(section(f"*When:* {safe(content.when, 300)}{by}"))
    if content.why:
        blocks.append(section("*Why it matters:* " + " ".join(safe(w, 1200) for w in content.why)))
    if content.lines:
        shown = content.lines[:MAX_DIGEST_LINES]
        lines = [f"• {safe(line, 300)}" for line in shown]
        if len(content.lines) > len(shown):
            lines.append(f"_…and {len(content.lines) - len(shown)} more; see `/aireview history`._")
        blocks += [section(text) for text in pack_lines(lines)]
    if content.link:
        blocks.append(section(f"*Link:* {link(content.link, content.link)}"))
    if alert.kind != KIND_DIGEST:
        blocks.append(section(f"*Source:* {_source_text(content)}"))
    if content.contests:
        blocks.append(section("\n".join(f":warning: {safe(c, 1200)}" for c in content.contests)))
    where = f" · asked in <#{content.channel}>" if content.channel else ""
    blocks.append(context(f"Review Watch alert · {escape(content.kind_label)}{where}"))
    buttons = [button("Acknowledge", ids.ACTION_ALERT_ACKNOWLEDGE, alert.key)]
    if alert.kind == KIND_NEWS:  # opens the status form prefilled from the item (admins only)
        buttons.append(button("Update tracker", ids.ACTION_NEWS_UPDATE_TRACKER, alert.subject_id))
        buttons.append(button("Add as event", ids.ACTION_NEWS_ADD_EVENT, alert.subject_id))
    more = _more_menu(alert, now, settings)
    if more is not None:
        buttons.append(more)
    blocks.append(actions(buttons, ids.BLOCK_ALERT_ACTIONS))
    blocks = blocks[-MAX_MESSAGE_BLOCKS:] if len(blocks) > MAX_MESSAGE_BLOCKS else blocks
    return Reply(text=fallback(escape(content.headline) + ".", escape(content.when)), blocks=blocks)


def updated_message(alert: Alert, change: str, when: str, now: datetime, settings: Settings) -> Reply:
    """A sent alert's message restated with current facts and an "Updated <when>" line."""
    message = alert_message(alert, now, settings)
    line = context(f":pencil2: *Updated {escape(when)}:* {safe(change, 500)}")
    line["block_id"] = ids.BLOCK_ALERT_UPDATED
    blocks = [message.blocks[0], line, *message.blocks[1:]][:MAX_MESSAGE_BLOCKS]
    return Reply(text=fallback(message.text, f"Updated {when}: {change}"), blocks=blocks)


def update_reply(change: str, when: str, actor: str | None, source: str | None, note: str | None) -> Reply:
    """The thread reply under an edited alert: what changed, who recorded it, the source."""
    by = f" Recorded by {user_ref(actor)}." if actor else ""
    lines = [f":pencil2: *Updated {escape(when)}:* {safe(change, 500)}.{by}"]
    if note:
        lines.append(f"*Note:* {safe(note, 1200)}")
    lines.append(f"*Source:* {_source_text(AlertContent(headline='', when='', source=source))}")
    text = fallback(f"Updated {when}: {change}.", f"Source: {source or 'not recorded'}")
    return Reply(text=text, blocks=[section("\n".join(lines))])


MUTE_CHOICE = "mute"
MAX_OPTION_VALUE = 150


def _more_menu(alert: Alert, now: datetime, settings: Settings) -> Block | None:
    """The overflow menu: "Remind me" choices, and "Mute this subject here" (admins; checked
    on use). Each option's value is `choice|alert key`."""
    if alert.kind == KIND_DIGEST or alert.target_type != "slack":
        return None
    choices = [(REMIND_LABELS[c], c) for c in remind_choices(alert, now, settings)]
    if alert.subject_type in MUTE_SUBJECTS:
        choices.append(("Mute this subject here…", MUTE_CHOICE))
    options = [_option(label, f"{choice}|{alert.key}") for label, choice in choices]
    if any(len(o["value"]) > MAX_OPTION_VALUE for o in options):
        return None
    return {"type": "overflow", "action_id": ids.ACTION_ALERT_MORE, "options": options}


def mute_modal(key: str, channel: str, title: str) -> dict[str, Any]:
    """Admins: mute an alert's subject in a channel, until a date or for good."""
    return {
        "type": "modal",
        "callback_id": ids.VIEW_MUTE,
        "private_metadata": json.dumps({"key": key, "channel": channel}),
        "title": plain("Mute this subject", 24),
        "submit": plain("Mute", 24),
        "close": plain("Cancel", 24),
        "blocks": [
            section(f"No more alerts about *{safe(title, 300)}* in <#{channel}>."),
            {
                "type": "input",
                "block_id": ids.BLOCK_MUTE_UNTIL,
                "optional": True,
                "label": plain("Until (inclusive)"),
                "hint": plain("Leave empty to mute it for good. `/aireview alerts` lists mutes with Unmute."),
                "element": {"type": "datepicker", "action_id": ids.ACTION_FIELD},
            },
        ],
    }


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


def acknowledged_blocks(blocks: list[Block], user_id: str, at: datetime, tz: ZoneInfo) -> list[Block]:
    """The alert's blocks with the Acknowledge button replaced by who acknowledged and when
    (other buttons, such as a news alert's Update tracker, stay)."""
    kept = []
    for block in blocks:
        if block.get("block_id") == ids.BLOCK_ALERT_ACK:
            continue
        if block.get("block_id") == ids.BLOCK_ALERT_ACTIONS:
            elements = block.get("elements", [])
            others = [e for e in elements if e.get("action_id") != ids.ACTION_ALERT_ACKNOWLEDGE]
            if not others:
                continue
            block = {**block, "elements": others}
        kept.append(block)
    ack = context(f":white_check_mark: Acknowledged by {user_ref(user_id)} on {fmt_datetime(at, tz)}")
    ack["block_id"] = ids.BLOCK_ALERT_ACK
    return [*kept, ack]


# ---------------------------------------------------------------- subscribe form


def _option(text: str, value: str) -> Block:
    return menus.option(value, text)


def subscribe_modal(
    channel_id: str,
    current: dict[str, Any] | None,
    filter_developers: list[dict[str, Any]],
    settings: Settings,
) -> dict[str, Any]:
    """The channel's alert settings; `filter_developers` are the rows of the developers its
    filter names now (shown selected in the type-ahead developer menu)."""
    kinds = current["kinds"] if current else list(SUBSCRIBABLE_KINDS)
    leads = current["lead_days"] if current else list(settings.lead_days)
    mode = current["digest"] if current else DIGEST_REALTIME
    delivery = current.get("delivery_days") or DELIVERY_BUSINESS if current else DELIVERY_BUSINESS
    delivery_options = {d: _option(label, d) for d, label in DELIVERY_DAYS.items()}
    kind_options = {k: _option(KIND_LABELS[k], k) for k in SUBSCRIBABLE_KINDS}
    mode_options = {m: _option(label, m) for m, label in DIGEST_MODES.items()}
    kinds_element: Block = {
        "type": "checkboxes",
        "action_id": ids.ACTION_FIELD,
        "options": list(kind_options.values()),
    }
    if kinds:
        kinds_element["initial_options"] = [kind_options[k] for k in kinds if k in kind_options]
    developer_element = menus.multi_type_ahead_menu(
        menus.DEVELOPERS, initial=filter_developers, placeholder="All developers (type to choose)"
    )
    return {
        "type": "modal",
        "callback_id": ids.VIEW_SUBSCRIBE,
        "private_metadata": json.dumps({"channel_id": channel_id}),
        "title": plain("Channel alerts", 24),
        "submit": plain("Save", 24),
        "close": plain("Cancel", 24),
        "blocks": [
            section(
                f"Alerts for <#{channel_id}>. Date alerts arrive at "
                f"{settings.alert_time.strftime('%H:%M')} {escape(settings.timezone_name)}."
            ),
            {
                "type": "input",
                "block_id": ids.BLOCK_SUBSCRIBE_KINDS,
                "label": plain("Alert kinds"),
                "element": kinds_element,
            },
            {
                "type": "input",
                "block_id": ids.BLOCK_SUBSCRIBE_LEADS,
                "label": plain("Lead days"),
                "hint": plain("Days before each date to alert, comma-separated (0 = on the day)."),
                "element": {
                    "type": "plain_text_input",
                    "action_id": ids.ACTION_FIELD,
                    "initial_value": ",".join(str(d) for d in leads),
                },
            },
            {
                "type": "input",
                "block_id": ids.BLOCK_SUBSCRIBE_MODE,
                "label": plain("Status changes and news"),
                "element": {
                    "type": "radio_buttons",
                    "action_id": ids.ACTION_FIELD,
                    "options": list(mode_options.values()),
                    "initial_option": mode_options[mode],
                },
            },
            {
                "type": "input",
                "block_id": ids.BLOCK_SUBSCRIBE_DEVELOPERS,
                "optional": True,
                "label": plain("Only these developers"),
                "hint": plain("Leave empty for all. Deadlines and news always come through."),
                "element": developer_element,
            },
            {
                "type": "input",
                "block_id": ids.BLOCK_SUBSCRIBE_DELIVERY_DAYS,
                "label": plain("Date alerts arrive on"),
                "hint": plain(
                    "On business days, an alert due on a weekend or holiday comes the business day before."
                ),
                "element": {
                    "type": "radio_buttons",
                    "action_id": ids.ACTION_FIELD,
                    "options": list(delivery_options.values()),
                    "initial_option": delivery_options.get(delivery, delivery_options[DELIVERY_BUSINESS]),
                },
            },
            _time_input(
                ids.BLOCK_SUBSCRIBE_QUIET_START,
                "Quiet hours start",
                current.get("quiet_start") if current else None,
                "Real-time status changes and news wait until quiet hours end. Leave both empty for none.",
            ),
            _time_input(
                ids.BLOCK_SUBSCRIBE_QUIET_END,
                "Quiet hours end",
                current.get("quiet_end") if current else None,
            ),
            _threads_input(bool(current.get("threads", 1)) if current else True),
            _briefing_input(bool(current.get("briefing_since")) if current else False, settings),
        ],
    }


BRIEFING_OPTION = "briefing"


def _briefing_input(on: bool, settings: Settings) -> Block:
    return _one_checkbox(
        ids.BLOCK_SUBSCRIBE_BRIEFING,
        "Weekly briefing",
        _option("Weekly briefing (Mondays)", BRIEFING_OPTION),
        on,
        f"Mondays at {settings.alert_time.strftime('%H:%M')}, from the next Monday on: the holdouts, "
        "the week's changes, the next 30 days, contested facts and the timeline.",
    )


def _one_checkbox(block_id: str, label: str, option: Block, on: bool, hint: str) -> Block:
    """An optional input of one checkbox, ticked when `on`."""
    element: Block = {"type": "checkboxes", "action_id": ids.ACTION_FIELD, "options": [option]}
    if on:
        element["initial_options"] = [option]
    return {
        "type": "input",
        "block_id": block_id,
        "optional": True,
        "label": plain(label),
        "hint": plain(hint),
        "element": element,
    }


THREADS_OPTION = "threads"


def _threads_input(on: bool) -> Block:
    return _one_checkbox(
        ids.BLOCK_SUBSCRIBE_THREADS,
        "Threads",
        _option("Reply in the thread of the first alert about the same deadline or model", THREADS_OPTION),
        on,
        "The most urgent (1 day, the day itself, overdue) are also shown in the channel.",
    )


def _time_input(block_id: str, label: str, initial: str | None, hint: str | None = None) -> Block:
    element: Block = {"type": "timepicker", "action_id": ids.ACTION_FIELD, "placeholder": plain("HH:MM")}
    if initial:
        element["initial_time"] = initial
    block: Block = {"type": "input", "block_id": block_id, "optional": True, "label": plain(label)}
    if hint:
        block["hint"] = plain(hint)
    block["element"] = element
    return block


def parse_subscribe_state(values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The submitted form as plain values, plus inline errors by block id."""

    def element(block_id: str) -> dict[str, Any]:  # each block holds one element
        return next(iter((values.get(block_id) or {}).values()), None) or {}

    errors: dict[str, str] = {}
    kinds = [o["value"] for o in element(ids.BLOCK_SUBSCRIBE_KINDS).get("selected_options") or []]
    kinds = [k for k in kinds if k in SUBSCRIBABLE_KINDS]
    if not kinds:
        errors[ids.BLOCK_SUBSCRIBE_KINDS] = "Pick at least one kind of alert."
    raw_leads = element(ids.BLOCK_SUBSCRIBE_LEADS).get("value") or ""
    parts = [p.strip() for p in raw_leads.replace(" ", ",").split(",") if p.strip()]
    leads: list[int] = []
    if not parts or not all(p.isdigit() and int(p) <= 365 for p in parts):
        errors[ids.BLOCK_SUBSCRIBE_LEADS] = "Enter days from 0 to 365, comma-separated, e.g. 30,14,7,1,0."
    else:
        leads = sorted({int(p) for p in parts}, reverse=True)
    mode = (element(ids.BLOCK_SUBSCRIBE_MODE).get("selected_option") or {}).get("value", DIGEST_REALTIME)
    if mode not in DIGEST_MODES:
        errors[ids.BLOCK_SUBSCRIBE_MODE] = "Pick real-time, daily or weekly."
    developers = [o["value"] for o in element(ids.BLOCK_SUBSCRIBE_DEVELOPERS).get("selected_options") or []]
    delivery = (element(ids.BLOCK_SUBSCRIBE_DELIVERY_DAYS).get("selected_option") or {}).get(
        "value", DELIVERY_BUSINESS
    )
    if delivery not in DELIVERY_DAYS:
        errors[ids.BLOCK_SUBSCRIBE_DELIVERY_DAYS] = "Pick business days or every day."
    start = element(ids.BLOCK_SUBSCRIBE_QUIET_START).get("selected_time")
    end = element(ids.BLOCK_SUBSCRIBE_QUIET_END).get("selected_time")
    quiet: tuple[str, str] | None = None
    if bool(start) != bool(end):
        missing = ids.BLOCK_SUBSCRIBE_QUIET_END if start else ids.BLOCK_SUBSCRIBE_QUIET_START
        errors[missing] = "Give both ends of the quiet hours, or neither."
    elif start and end:
        if start == end:
            errors[ids.BLOCK_SUBSCRIBE_QUIET_END] = "Quiet hours must end at another time than they start."
        quiet = (start, end)
    return (
        {
            "kinds": kinds,
            "lead_days": leads,
            "digest": mode,
            "developer_filter": developers or None,
            "delivery_days": delivery,
            "quiet_hours": quiet,
            # Slack sends every input block; a form without this one keeps the default (on).
            "threads": ids.BLOCK_SUBSCRIBE_THREADS not in values
            or any(
                o.get("value") == THREADS_OPTION
                for o in element(ids.BLOCK_SUBSCRIBE_THREADS).get("selected_options") or []
            ),
            # None (a form opened before the box existed): the briefing stays as it is.
            "briefing": None
            if ids.BLOCK_SUBSCRIBE_BRIEFING not in values
            else any(
                o.get("value") == BRIEFING_OPTION
                for o in element(ids.BLOCK_SUBSCRIBE_BRIEFING).get("selected_options") or []
            ),
        },
        errors,
    )


# ---------------------------------------------------------------- /aireview alerts


def describe_subscription(sub: dict[str, Any]) -> str:
    kinds = ", ".join(KIND_LABELS.get(k, k) for k in sub["kinds"])
    leads = ", ".join(str(d) for d in sub["lead_days"]) or "none"
    developers = ", ".join(sub["developer_filter"]) if sub["developer_filter"] else "all"
    days = DELIVERY_DAYS[DELIVERY_BUSINESS if on_business_days(sub) else "every_day"]
    quiet = "none"
    if sub.get("quiet_start") and sub.get("quiet_end"):
        quiet = f"{sub['quiet_start']} to {sub['quiet_end']} (real-time alerts wait until they end)"
    briefing = "off"
    if sub.get("briefing_since"):
        briefing = "Mondays (the subscribe form's box or `/aireview briefing off` stops it)"
    return (
        f"*Kinds:* {escape(kinds)}\n*Lead days:* {escape(leads)}\n"
        f"*Status changes and news:* {DIGEST_MODES.get(sub['digest'], sub['digest'])}\n"
        f"*Developers:* {escape(developers)}\n"
        f"*Delivery days:* {escape(days)}\n*Quiet hours:* {escape(quiet)}\n"
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
) -> Reply:
    """What a channel receives and the next alerts it will get (problems only for admins)."""
    tz = settings.tz
    where = f"<#{channel_id}>" if channel_id else "This conversation"
    blocks: list[Block] = [header("Alerts for this channel")]
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
                f"• {fmt_datetime(held[1], tz)} — {held[0]} real-time alert(s) held for the quiet hours",
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
