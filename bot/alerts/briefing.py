"""The weekly briefing: one message (Slack) or one card (Teams) on Mondays at the delivery time.

A subscription that takes it (`/aireview briefing on`) gets, each Monday: the holdouts and
for how long, what changed in the past week, the next 30 days, the contested facts and the
timeline picture. It is an alert like any other (bot/alerts/digests.py `briefing_alert`): one
ledger key per week and target, claimed before it is posted, found by its metadata after a
crash, retried on transient failures. The content is computed once, just before the claim,
and kept in the ledger's payload, so a retry posts the same text. A briefing delivered more
than an hour after its Monday delivery time (after downtime) says it is late.

The picture is drawn when the content is (`fill_briefing`), once per tracker version for
every target, and kept in `briefing_pictures`:
- Slack: the sender uploads it as a file of the app's own at delivery, then posts the one
  message with an image block showing that file (bot/alerts/slack_sender.py). A retry uploads
  again (an unshared file is harmless to repeat; the post is what must happen once). When
  the picture cannot be drawn or uploaded, the briefing goes out with a line saying so.
- Teams: a webhook card cannot carry the PNG (28 KB), so with REVIEWWATCH_PUBLIC_URL each
  briefing gets a page behind an unguessable token, served by the app's HTTP server
  (`briefing_http_response`): the picture (within Teams' 1024 x 1024 for card images, and
  full size) and the full text, for PAGE_LIFETIME. The card shows the picture as an Image
  element and, when it had to be trimmed to 28 KB, a "Full briefing" button. Without the
  setting, one line says where the picture is (in Slack).
"""

from __future__ import annotations

import base64
import dataclasses
import logging
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot import ids
from bot.admins import denial_text, is_admin
from bot.alerts.alert import KIND_BRIEFING, Alert
from bot.alerts.teams_bot_subscriptions import is_bot_target
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
from bot.cardkit import (
    Element,
    adaptive_card,
    fit_envelope,
    link_url,
    open_url,
    rich_text,
    text_block,
    text_run,
    webhook_envelope,
)
from bot.clock import FixedClock, utc_iso
from bot.deps import Deps
from bot.exports import empty_range_line, home_timeline_version, timeline_pictures
from bot.people import names_for
from bot.read import answers, changes_answer
from bot.replies import SURFACE_SLACK, CommandRequest, FileUpload, Reply, Subcommand
from bot.settings import Settings
from storage.alerts import TARGET_SLACK, TARGET_TEAMS, get_subscription
from storage.briefing import (
    get_page,
    get_picture,
    prune_pages,
    save_page,
    save_picture,
    set_briefing,
)
from storage.facts import open_contests

__all__ = [
    "BRIEFING_SUBCOMMAND",
    "KIND_BRIEFING",
    "CARD_LIMITS",
    "BriefingAlert",
    "briefing_card",
    "briefing_content",
    "briefing_http_response",
    "briefing_message",
    "fill_briefing",
    "headline",
    "picture_to_upload",
    "restore_briefing",
    "week_picture",
    "with_uploaded_picture",
]

log = logging.getLogger(__name__)

LATE_AFTER = timedelta(hours=1)
UPCOMING_DAYS = 30
# At most this many holdouts, changes, upcoming items and contested facts: in the message or
# card, and on the page a Teams card links to.
CARD_LIMITS = (15, 20, 15, 10)
PAGE_LIMITS = (300, 300, 300, 300)
KIND_LABEL = "Weekly briefing"

PICTURE_DAYS = 90  # the picture's range: the next 90 days (and the last 14)
PICTURE_FIT = 1024  # Teams: card images at most 1024 x 1024 ("Types of cards", Inline card images)
PAGE_LIFETIME = timedelta(days=90)
PAGE_PATH = "/briefings/"
PICTURE_ALT = (
    "Timeline of deadlines, review windows and releases per developer: the next 90 days and the last 14"
)
# The picture's fate, in the facts under "picture": drawn (and kept under "id"), nothing in range
# ("empty", with the one-line answer), unavailable (drawing failed), or not drawn for this
# target ("elsewhere": a Teams card without REVIEWWATCH_PUBLIC_URL).
PICTURE_DRAWN = "drawn"
PICTURE_EMPTY = "empty"
PICTURE_UNAVAILABLE = "unavailable"
PICTURE_ELSEWHERE = "elsewhere"
FULL_BRIEFING = "Full briefing"  # the card's button to the page
UNAVAILABLE_LINE = "The timeline picture is unavailable this week; `/aireview timeline` draws it."
ELSEWHERE_LINE = "The timeline picture is in Slack: the Review Watch App Home, or /aireview timeline."


@dataclass(frozen=True)
class BriefingAlert(Alert):
    """A briefing with its picture in hand, for the Slack sender to upload. The picture
    stays out of the ledger payload (the facts say which stored picture it is)."""

    picture: FileUpload | None = field(default=None, compare=False, repr=False)
    # The Teams bot's card carries the picture itself (fitted to 1024 x 1024, a data URI).
    preview: bytes | None = field(default=None, compare=False, repr=False)


def _with_picture(
    alert: Alert, facts: dict[str, Any], picture: FileUpload | None, preview: bytes | None = None
) -> BriefingAlert:
    fields = {f.name: getattr(alert, f.name) for f in dataclasses.fields(Alert)}
    return BriefingAlert(**{**fields, "facts": facts}, picture=picture, preview=preview)


def fill_briefing(deps: Deps, alert: Alert, now: datetime, *, dry_run: bool = False) -> BriefingAlert:
    """The briefing with its content: the tracker as of `now` (when it is claimed), its
    picture drawn (or found drawn) and, for Teams with REVIEWWATCH_PUBLIC_URL, its page
    stored. A dry run draws and stores nothing."""
    facts: dict[str, Any] = {
        **alert.facts,
        **briefing_content(deps, now, CARD_LIMITS),
        "prepared_at": utc_iso(now),
    }
    bot = is_bot_target(alert.target)
    wanted = alert.target_type == TARGET_SLACK or bot or bool(deps.settings.public_url)
    if dry_run or not wanted:
        facts["picture"] = {"status": PICTURE_ELSEWHERE}
        return _with_picture(alert, facts, None)
    prune_pages(deps.store.db, now, now - PAGE_LIFETIME)
    picture, preview, facts["picture"] = week_picture(deps, now)
    preview = preview if bot else None
    if alert.target_type != TARGET_TEAMS or not deps.settings.public_url:
        return _with_picture(alert, facts, picture, preview)
    token = secrets.token_urlsafe(32)
    page = f"{deps.settings.public_url}{PAGE_PATH}{token}"
    facts["page"] = {"url": page, "picture_url": f"{page}.png", "full_picture_url": f"{page}.full.png"}
    # The page lists more than the card has room for.
    longer = _with_picture(alert, {**facts, **briefing_content(deps, now, PAGE_LIMITS)}, None)
    drawn = facts["picture"]["status"] == PICTURE_DRAWN
    save_page(
        deps.store.db,
        token,
        alert.key,
        facts["picture"]["id"] if drawn else None,
        briefing_text(longer, now, deps.settings),
        now,
        now + PAGE_LIFETIME,
    )
    return _with_picture(alert, facts, picture, preview)


def briefing_content(deps: Deps, now: datetime, limits: tuple[int, int, int, int]) -> dict[str, Any]:
    """The briefing's sections as of `now`: at most `limits` (holdouts, changes, upcoming,
    contested) of each, with how many there are in all."""
    max_holdouts, max_changes, max_upcoming, max_contested = limits
    at = dataclasses.replace(deps, clock=FixedClock(now))
    holdouts = answers.holdouts_answer(at)
    week = changes_answer(at, now - timedelta(days=7), "a week ago", limit=max_changes)
    upcoming = answers.upcoming_answer(at, UPCOMING_DAYS, shown=max_upcoming)
    contested, contested_total = open_contests(deps.store.db, max_contested)
    names = names_for(deps, [e.actor for g in week.groups for e in g.entries])
    return {
        "holdouts_summary": holdouts.summary,
        "holdouts": [
            {
                "name": h.name,
                "status": h.status_label,
                "since": h.since.label() if h.since else None,
                "days": h.days_since,
            }
            for h in holdouts.holdouts[:max_holdouts]
        ],
        "holdouts_total": len(holdouts.holdouts),
        "changes": [
            {
                "developer": g.title,
                "at": utc_iso(e.at),
                "when": e.when,  # what happened, dated by its sources (no recorded time)
                "text": e.text,
                "source": e.source,
                "actor": e.actor,
                "actor_name": names[e.actor],  # Teams and the briefing page cannot show a user id
            }
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
        "contested": [
            {
                "what": c.entity,
                "label": label,
                "reason": c.reason,
                "claims": [{"text": claim.text, "source": claim.source_label} for claim in c.claims],
            }
            for label, c in contested
        ],
        "contested_total": contested_total,
    }


def week_picture(deps: Deps, now: datetime) -> tuple[FileUpload | None, bytes | None, dict[str, Any]]:
    """The timeline picture as of `now`, drawn once per tracker version (every target of the
    week's briefings shares it), its copy fitted to 1024 x 1024, and what the facts say."""
    at = dataclasses.replace(deps, clock=FixedClock(now))
    picture_id = f"{home_timeline_version(at)}:{deps.settings.timezone_name}"
    try:
        stored = get_picture(deps.store.db, picture_id)
        if stored is None:
            drawn = timeline_pictures(at, PICTURE_FIT, PICTURE_DAYS)
            if drawn is None:
                return None, None, {"status": PICTURE_EMPTY, "line": empty_range_line(at, PICTURE_DAYS)}
            upload, preview = drawn
            save_picture(deps.store.db, picture_id, upload.content, preview, now)
        else:
            upload, preview = _stored_upload(stored["png"], now, deps.settings), bytes(stored["preview"])
    except Exception:  # the briefing goes out without its picture rather than not at all
        log.exception("drawing the weekly briefing's timeline picture failed")
        return None, None, {"status": PICTURE_UNAVAILABLE}
    info = {"status": PICTURE_DRAWN, "id": picture_id, "filename": upload.filename, "title": upload.title}
    return upload, preview, info


def _stored_upload(
    png: bytes, now: datetime, settings: Settings, info: dict[str, Any] | None = None
) -> FileUpload:
    today = now.astimezone(settings.tz).date().isoformat()
    return FileUpload(
        content=png,
        filename=(info or {}).get("filename") or f"reviewwatch-timeline-{today}.png",
        title=(info or {}).get("title") or f"Review Watch timeline, {today}",
        comment="",
    )


def restore_briefing(deps: Deps, alert: Alert) -> Alert:
    """A briefing read back from the ledger (a retry), with its stored picture in hand again
    for Slack to upload or the Teams bot to carry; any other alert as it is."""
    info = alert.facts.get("picture") or {}
    bot = is_bot_target(alert.target)
    if (
        alert.kind != KIND_BRIEFING
        or (alert.target_type != TARGET_SLACK and not bot)
        or info.get("status") != PICTURE_DRAWN
    ):
        return alert
    stored = get_picture(deps.store.db, str(info.get("id")))
    if stored is None:
        return alert  # pruned: the sender says the picture is unavailable
    upload = _stored_upload(stored["png"], alert.due_at, deps.settings, info)
    return _with_picture(alert, alert.facts, upload, bytes(stored["preview"]) if bot else None)


def picture_to_upload(alert: Alert) -> FileUpload | None:
    """The picture a Slack briefing should upload before it is posted, if it has one in hand."""
    return alert.picture if isinstance(alert, BriefingAlert) else None


def with_uploaded_picture(alert: Alert, file_id: str | None) -> Alert:
    """The briefing showing the uploaded file `file_id`; None: the upload failed (or there was
    no picture to upload), so a drawn picture is said to be unavailable."""
    facts = dict(alert.facts)
    facts["timeline_file"] = file_id
    info = facts.get("picture") or {}
    if file_id is None and info.get("status") in (None, PICTURE_DRAWN):
        facts["picture"] = {**info, "status": PICTURE_UNAVAILABLE}
    return dataclasses.replace(alert, facts=facts)


def is_late(alert: Alert, now: datetime) -> bool:
    """Sent over an hour after its time: its Monday time, or the end of the quiet time that
    held it."""
    held = alert.facts.get("held_until")
    return now - max(alert.due_at, datetime.fromisoformat(held) if held else alert.due_at) > LATE_AFTER


def headline(alert: Alert, now: datetime) -> str:
    return alert.title + (" (late)" if is_late(alert, now) else "")


def _late_line(alert: Alert, now: datetime, settings: Settings) -> str | None:
    if not is_late(alert, now):
        return None
    due = fmt_datetime(alert.due_at, settings.tz)
    return f"Sent late: this briefing was due {due} (the app was not running)."


def _more(total: int, shown: int, where: str) -> str | None:
    return f"…and {total - shown} more: {where}" if total > shown else None


def _contested_line(c: dict[str, Any]) -> str:
    """'Meta (developer): the reason' and each competing claim with its source, one a line
    (a briefing stored before claims were kept says the record's source instead)."""
    head = f"{c['label']} ({c['what']})" + (f": {c['reason']}" if c.get("reason") else "")
    if "claims" not in c:
        return head + (f" · Source: {c['source']}" if c.get("source") else "")
    return "\n".join([head, *(f"   – {k['source']} says “{k['text']}”" for k in c["claims"])])


def briefing_sections(
    alert: Alert, now: datetime, settings: Settings, *, more_at: str | None = None
) -> list[tuple[str, list[str]]]:
    """(title, plain lines) in order: what every renderer shows. A list cut short ends with
    where to see the rest: the Slack command, or `more_at`."""
    f = alert.facts
    tz = settings.tz
    holdouts = [
        f"{h['name']}: {h['status']}"
        + (f" since {h['since']}" if h.get("since") else "")
        + (f" ({h['days']} days)" if h.get("days") is not None else "")
        for h in f.get("holdouts", [])
    ]
    changes = [
        f"{c['developer']} · {c.get('when') or fmt_datetime(c['at'], tz)} · {c['text']} · "
        + ("as the sources date it" if c.get("when") else f"recorded by {c.get('actor_name') or c['actor']}")
        + (f" · Source: {c['source']}" if c.get("source") else "")
        for c in f.get("changes", [])
    ]
    upcoming = [
        ("OVERDUE " if u.get("overdue") else "")
        + f"{u['day']} ({u['countdown']}) · {u['title']} · {u['status']}"
        for u in f.get("upcoming", [])
    ]
    contested = [_contested_line(c) for c in f.get("contested", [])]
    extra = [
        _more(f.get("holdouts_total", 0), len(holdouts), more_at or "/holdouts"),
        _more(f.get("changes_total", 0), len(changes), more_at or "/aireview changes 7d"),
        _more(f.get("upcoming_total", 0), len(upcoming), more_at or "/deadlines 30"),
        _more(f.get("contested_total", 0), len(contested), more_at or "/aireview compare"),
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
        texts = pack_lines([f"• {safe(line, 1500)}" for line in lines], 2800)
        blocks.append(section(f"*{safe(title, 300)}*\n{texts[0]}" if texts else f"*{safe(title, 300)}*"))
        blocks += [section(t) for t in texts[1:]]
    file_id = alert.facts.get("timeline_file")
    info = alert.facts.get("picture") or {}
    if file_id:
        blocks.append({"type": "image", "slack_file": {"id": str(file_id)}, "alt_text": PICTURE_ALT})
    elif info.get("status") == PICTURE_EMPTY:
        blocks.append(context(escape(info.get("line") or "Nothing to draw in the timeline's range.")))
    else:
        blocks.append(context(escape(UNAVAILABLE_LINE)))
    blocks.append(context(f"Review Watch · {KIND_LABEL}"))
    blocks.append(
        actions([button("Acknowledge", ids.ACTION_ALERT_ACKNOWLEDGE, alert.key)], ids.BLOCK_ALERT_ACTIONS)
    )
    summary = alert.facts.get("holdouts_summary", "")
    return Reply(
        text=fallback(headline(alert, now) + ".", late or "", summary), blocks=blocks[:MAX_MESSAGE_BLOCKS]
    )


def briefing_card(alert: Alert, now: datetime, settings: Settings) -> dict[str, Any]:
    """The Teams briefing: one card, trimmed from the end to Teams' 28 KB if it must be (the
    picture comes first, so it stays; the full text is a button away when there is a page).
    The Teams bot's card carries the picture itself, as an image with a data URI, which Teams'
    28 KB does not count ("Format your bot messages"), so it is put in after the fitting."""
    body: list[Element] = [
        text_block(f"Review Watch · {KIND_LABEL}", subtle=True, size="Small"),
        text_block(headline(alert, now), weight="Bolder", size="Medium"),
    ]
    late = _late_line(alert, now, settings)
    if late:
        body.append(text_block(late, weight="Bolder"))
    page = alert.facts.get("page") or {}
    full = link_url(page.get("url"))
    preview = alert.preview if isinstance(alert, BriefingAlert) else None
    picture_at = len(body)
    body.append(
        _card_picture(alert.facts.get("picture") or {}, page)
        if preview is None
        else {"type": "Image", "url": "data:,", "altText": PICTURE_ALT}
    )
    sections = briefing_sections(alert, now, settings, more_at=FULL_BRIEFING if full else None)
    for title, lines in sections:
        body.append({**text_block(title, weight="Bolder"), "separator": True})
        body += [_plain_line(line) for line in lines]
    if full is None:
        return _inline_picture(fit_envelope(webhook_envelope(adaptive_card(body))), picture_at, preview)
    fitted = fit_envelope(
        webhook_envelope(adaptive_card(body, [open_url(FULL_BRIEFING, full)])),
        more="…{n} more item(s) not shown: " + FULL_BRIEFING,
    )
    cut_short = any(
        alert.facts.get(f"{name}_total", 0) > len(alert.facts.get(name) or [])
        for name in ("holdouts", "changes", "upcoming", "contested")
    )
    if not cut_short and len(fitted["attachments"][0]["content"]["body"]) == len(body):
        fitted = webhook_envelope(adaptive_card(body))  # the card shows it all: no button
    return _inline_picture(fitted, picture_at, preview)


def _inline_picture(envelope: dict[str, Any], at: int, preview: bytes | None) -> dict[str, Any]:
    if preview is not None:
        image = envelope["attachments"][0]["content"]["body"][at]
        image["url"] = "data:image/png;base64," + base64.b64encode(preview).decode("ascii")
    return envelope


def _card_picture(info: dict[str, Any], page: dict[str, Any]) -> Element:
    status = info.get("status")
    picture, full = link_url(page.get("picture_url")), link_url(page.get("full_picture_url"))
    if status == PICTURE_DRAWN and picture and full:
        if picture.startswith("https://"):  # Teams shows card images from HTTPS URLs only
            return {
                "type": "Image",
                "url": picture,
                "altText": PICTURE_ALT,
                "selectAction": {"type": "Action.OpenUrl", "url": full},
            }
        return rich_text([text_run("Open the timeline picture", url=full)])
    if status == PICTURE_EMPTY:
        return text_block(str(info.get("line") or "Nothing to draw in the timeline's range."))
    if status == PICTURE_UNAVAILABLE:
        return text_block(
            "The timeline picture is unavailable this week; /aireview timeline draws it in Slack."
        )
    return text_block(ELSEWHERE_LINE)


def briefing_text(alert: Alert, now: datetime, settings: Settings) -> str:
    """The whole briefing as plain text: the page the Teams card links to."""
    lines = [f"Review Watch · {KIND_LABEL}", headline(alert, now)]
    late = _late_line(alert, now, settings)
    if late:
        lines.append(late)
    info, page = alert.facts.get("picture") or {}, alert.facts.get("page") or {}
    if info.get("status") == PICTURE_DRAWN and page.get("full_picture_url"):
        lines += ["", f"Timeline picture: {page['full_picture_url']}"]
    elif info.get("status") == PICTURE_EMPTY:
        lines += ["", str(info.get("line") or "")]
    for title, section_lines in briefing_sections(alert, now, settings):
        lines += ["", title, *(f"• {line}" for line in section_lines)]
    prepared = alert.facts.get("prepared_at")
    lines += ["", f"Prepared {fmt_datetime(prepared or now, settings.tz)} by Review Watch."]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- the page behind the card

_PAGE = re.compile(r"^" + re.escape(PAGE_PATH) + r"([A-Za-z0-9_-]{20,100})(\.png|\.full\.png)?$")
_NOT_FOUND = (404, {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}, b"Not found\n")
# A capability URL: nothing on it links out, nothing is indexed, no browser guesses types.
_PAGE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "Cache-Control": "private, max-age=86400",
}


def briefing_http_response(deps: Deps, path: str) -> tuple[int, dict[str, str], bytes]:
    """GET /briefings/TOKEN (the full text), TOKEN.png (the card's picture, within 1024 x 1024)
    and TOKEN.full.png (full size). An unknown, malformed or expired token: 404, the same."""
    match = _PAGE.match(path)
    page = get_page(deps.store.db, match[1], deps.clock.now()) if match else None
    if page is None:
        return _NOT_FOUND
    if match is not None and match[2]:
        png = page["preview"] if match[2] == ".png" else page["png"]
        if png is None:
            return _NOT_FOUND
        return 200, {"Content-Type": "image/png", **_PAGE_HEADERS}, bytes(png)
    return 200, {"Content-Type": "text/plain; charset=utf-8", **_PAGE_HEADERS}, page["text"].encode("utf-8")


def _plain_line(line: str) -> Element:
    # A TextRun shows tracker text literally (a TextBlock would read it as Markdown).
    return {"type": "RichTextBlock", "inlines": [{"type": "TextRun", "text": "• " + line[:1500]}]}


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
