"""An alert as a Slack message (Block Kit): its words, the message with its buttons and
overflow menu, the "Updated" restatement and thread reply, the acknowledged state, and the
mute form the overflow menu opens.

`alert_content` words an alert once (what, when, why it matters, source) as plain text;
the Slack blocks here and the Teams card (bot/alerts/cards.py) both render it. The
subscribe form is in bot/alerts/subscribe_form.py, the `/aireview alerts` overview in
bot/alerts/overview.py.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot import ids, menus
from bot.alerts.alert import (
    DIGEST_MODES,
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
    Alert,
)
from bot.alerts.briefing import KIND_BRIEFING, briefing_message, headline
from bot.alerts.snooze import MUTE_SUBJECTS, REMIND_LABELS, original_alert, remind_choices
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
from bot.business_days import business_days_until, holiday_name, is_business_day
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
    return fmt_date(day), countdown(days), business_phrase(day, days)


def business_phrase(day: date, days: int) -> str:
    """The countdown with business days, for a date that may fall on a weekend or a federal
    holiday (an alert due then comes the business day before): it names that day and never
    counts "0 business days" ("in 2 days; Sun Aug 2 is not a business day, so today is the
    last business day before it")."""
    if days < 1 or is_business_day(day):
        return deadline_countdown(day, days)
    what = holiday_name(day) or f"a {day.strftime('%A')}"
    business = business_days_until(day - timedelta(days=days), day)
    if business == 0:
        return f"{countdown(days)}; it falls on {what}, so today is the last business day before it"
    plural = "" if business == 1 else "s"
    return f"{countdown(days)}, {business} business day{plural} before it; it falls on {what}"


def _model_why(facts: dict[str, Any]) -> list[str]:
    """What the sources say about the window, never a duty they dispute: "may submit up to 30
    days before public release", not "submission is due"; whether taking part is voluntary
    or mandatory is shown by the contest lines the sweep attaches (bot/alerts/sweep_plan.py)."""
    planned = parse_date(facts.get("planned_release"))
    window = facts.get("window_days", REVIEW_WINDOW_DAYS)
    why = []
    opens = review_window_opens(facts, window)
    if planned and opens:
        rule = (
            f"The reports say developers may submit covered frontier models for government "
            f"examination up to {window} days before public release"
            if window == REVIEW_WINDOW_DAYS
            else f"This team counts a review window of {window} days before public release"
        )
        why.append(f"Planned release {fmt_date(planned)}. {rule}: for this model, from {fmt_date(opens)}.")
    status = f"Submission status: {facts.get('submission_status', 'unknown')}"
    if facts.get("submitted"):
        status += f" (submitted {fmt_date(parse_date(facts['submitted']))})"
    why.append(status + ".")
    return why


def alert_content(alert: Alert, now: datetime, settings: Settings) -> AlertContent:
    """The alert in plain words: what each kind says comes from its own wording below."""
    if alert.kind == KIND_REMINDER:
        return _reminder_content(alert, now, settings)
    facts = alert.facts
    content = AlertContent(
        headline=alert.title,
        when="",
        source=facts.get("source"),
        contested=bool(facts.get("contested")),
        as_of=fmt_when(facts["as_of"]) if facts.get("as_of") else None,
        contests=list(facts.get("contests") or []),
        kind_label=KIND_LABELS.get(alert.kind, "Digest"),
    )
    words = _WORDS_BY_KIND.get(alert.kind)
    if words is not None:
        words(content, alert, now, settings.tz)
    return content


def _deadline_words(content: AlertContent, alert: Alert, now: datetime, tz: ZoneInfo) -> None:
    day_text, count, business_count = _day_phrase(alert.day, now, tz)
    content.headline = f"Deadline {count}: {alert.title}"
    content.when = f"Due {day_text} ({business_count})"
    content.why = [alert.facts["note"]] if alert.facts.get("note") else []


def _model_date_words(content: AlertContent, alert: Alert, now: datetime, tz: ZoneInfo) -> None:
    """A model's review window opening, planned release, or no submission after it opened."""
    facts = alert.facts
    day_text, count, business_count = _day_phrase(alert.day, now, tz)
    model_name = f"{facts.get('developer', '')} {facts.get('model', '')}".strip()
    if alert.kind == KIND_WINDOW:
        content.headline = f"Review window opens {count}: {model_name}"
        content.when = f"The review window opens {day_text} ({business_count})"
    elif alert.kind == KIND_RELEASE:
        content.headline = f"Planned release {count}: {model_name}"
        content.when = f"Planned release {day_text} ({count})"
    else:  # "overdue": the window is open and no submission is recorded (no duty asserted)
        content.headline = f"Not submitted, review window open: {model_name}"
        content.when = f"The review window opened {day_text} ({count}); no submission is recorded"
    content.why = _model_why(facts)


def _status_words(content: AlertContent, alert: Alert, now: datetime, tz: ZoneInfo) -> None:
    facts = alert.facts
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


def _development_words(content: AlertContent, alert: Alert, now: datetime, tz: ZoneInfo) -> None:
    facts = alert.facts
    content.headline = f"Development: {facts.get('subject') or alert.title}"
    recorded = fmt_datetime(facts.get("at"), tz)
    content.when = (
        f"Took effect {fmt_when(facts['effective'])}; recorded {recorded}"
        if facts.get("effective")
        else f"Recorded {recorded}"
    )
    content.actor = facts.get("actor") or "unknown"
    content.why = [str(facts.get("summary") or "")] + ([facts["note"]] if facts.get("note") else [])


def _news_words(content: AlertContent, alert: Alert, now: datetime, tz: ZoneInfo) -> None:
    facts = alert.facts
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


def _briefing_words(content: AlertContent, alert: Alert, now: datetime, tz: ZoneInfo) -> None:
    content.headline = headline(alert, now)
    content.kind_label = "Weekly briefing"
    content.when = f"Due {fmt_datetime(alert.due_at, tz)}"


def _digest_words(content: AlertContent, alert: Alert, now: datetime, tz: ZoneInfo) -> None:
    mode, items = alert.facts.get("mode"), alert.facts.get("items", [])
    # Counted as sent: a digest released from quiet time may carry a held one's items.
    content.headline = (
        f"{DIGEST_MODES[mode]}: {len(items)} update(s)" if mode in DIGEST_MODES else alert.title
    )
    content.when = f"Up to {fmt_datetime(alert.due_at, tz)}"
    content.lines = [_digest_line(e, tz) for e in alert.facts.get("items", [])]
    content.source = None


_WORDS_BY_KIND: dict[str, Callable[[AlertContent, Alert, datetime, ZoneInfo], None]] = {
    KIND_DEADLINE: _deadline_words,
    KIND_WINDOW: _model_date_words,
    KIND_RELEASE: _model_date_words,
    KIND_OVERDUE: _model_date_words,
    KIND_STATUS: _status_words,
    KIND_DEVELOPMENT: _development_words,
    KIND_NEWS: _news_words,
    KIND_BRIEFING: _briefing_words,
    KIND_DIGEST: _digest_words,
}


def _reminder_content(alert: Alert, now: datetime, settings: Settings) -> AlertContent:
    """The original alert's words, titled as a reminder, saying where and when it was asked for."""
    facts = alert.facts
    original = alert_content(original_alert(alert), now, settings)
    original.headline = f"Reminder: {original.headline}"
    original.kind_label = f"Reminder · {original.kind_label}"
    where = str(facts.get("channel") or "")
    original.channel = where if where.isalnum() else None
    asked = f"You asked for this reminder on {fmt_datetime(facts.get('requested_at'), settings.tz)}."
    if facts.get("ended"):  # rendered at send time (bot/alerts/render.py): the subject ended
        title = original_alert(alert).title
        original.headline = f"Reminder: no longer applies: {title}"
        original.when = str(facts["ended"])
        original.why = [asked]
        return original
    moved = [str(facts["moved"])] if facts.get("moved") else []
    original.why = [*moved, *original.why, asked]
    return original


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


def alert_message(alert: Alert, now: datetime, settings: Settings, key: str | None = None) -> Reply:
    """The Slack message for one alert: blocks, a text fallback, an Acknowledge button. The
    buttons carry `key` (default the alert's): a restated alert keeps its ledger key."""
    key = key or alert.key
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
    buttons = [button("Acknowledge", ids.ACTION_ALERT_ACKNOWLEDGE, key)]
    if alert.kind == KIND_NEWS:  # opens the status form prefilled from the item (admins only)
        buttons.append(button("Update tracker", ids.ACTION_NEWS_UPDATE_TRACKER, alert.subject_id))
        buttons.append(button("Add as event", ids.ACTION_NEWS_ADD_EVENT, alert.subject_id))
    more = _more_menu(alert, key, now, settings)
    if more is not None:
        buttons.append(more)
    blocks.append(actions(buttons, ids.BLOCK_ALERT_ACTIONS))
    blocks = blocks[-MAX_MESSAGE_BLOCKS:] if len(blocks) > MAX_MESSAGE_BLOCKS else blocks
    return Reply(text=fallback(escape(content.headline) + ".", escape(content.when)), blocks=blocks)


def updated_message(
    alert: Alert, change: str, when: str, now: datetime, settings: Settings, key: str | None = None
) -> Reply:
    """A sent alert's message restated with current facts and an "Updated <when>" line; its
    buttons keep the sent alert's ledger `key`."""
    message = alert_message(alert, now, settings, key)
    line = context(f":pencil2: *Updated {escape(when)}:* {safe(change, 500)}")
    line["block_id"] = ids.BLOCK_ALERT_UPDATED
    blocks = [message.blocks[0], line, *message.blocks[1:]][:MAX_MESSAGE_BLOCKS]
    # `message.text` is escaped already; the change carries tracker values: escaped too.
    return Reply(text=fallback(message.text, escape(f"Updated {when}: {change}")), blocks=blocks)


def update_reply(change: str, when: str, actor: str | None, source: str | None, note: str | None) -> Reply:
    """The thread reply under an edited alert: what changed, who recorded it, the source."""
    by = f" Recorded by {user_ref(actor)}." if actor else ""
    lines = [f":pencil2: *Updated {escape(when)}:* {safe(change, 500)}.{by}"]
    if note:
        lines.append(f"*Note:* {safe(note, 1200)}")
    lines.append(f"*Source:* {_source_text(AlertContent(headline='', when='', source=source))}")
    # The `text` is mrkdwn too (notifications): tracker text in it is escaped like the blocks.
    text = fallback(escape(f"Updated {when}: {change}."), escape(f"Source: {source or 'not recorded'}"))
    return Reply(text=text, blocks=[section("\n".join(lines))])


MUTE_CHOICE = "mute"
MAX_OPTION_VALUE = 150


def _more_menu(alert: Alert, key: str, now: datetime, settings: Settings) -> Block | None:
    """The overflow menu: "Remind me" choices, and "Mute this subject here" (admins; checked
    on use). Each option's value is `choice|alert key`."""
    if alert.kind == KIND_DIGEST or alert.target_type != "slack":
        return None
    choices = [(REMIND_LABELS[c], c) for c in remind_choices(alert, now, settings)]
    if alert.subject_type in MUTE_SUBJECTS:
        choices.append(("Mute this subject here…", MUTE_CHOICE))
    options = [menus.option(f"{choice}|{key}", label) for label, choice in choices]
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
