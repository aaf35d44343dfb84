"""What changed: `/aireview changes [since]` (and Teams `changes [since]`).

Two kinds of entry, grouped by developer (an event under the developers it concerns; groups
with the newest entry first, newest first inside each):
- what was recorded since the moment: status changes and changed "since" dates, new or moved
  deadlines and model dates, records added or removed, events, deadline outcomes, conflicts
  opened, settled or reopened, matched news; each with its source and who recorded it;
- what the tracker's facts say happened in the period, whoever recorded them (the shipped
  facts included): events by their date (an undated one by its report's date), statuses by
  their since date, agreements, releases and submissions, deadlines that fell due, and the
  reports' disagreements; each dated at its precision, with its sources.
`since` is `7d`, `30d` (or `7 days`, `2w`) or an ISO date (midnight in the team
timezone); without it, since the last weekly briefing was delivered, else the last 7 days.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.blockkit import (
    MAX_MESSAGE_BLOCKS,
    Block,
    context,
    escape,
    fallback,
    fit_blocks,
    fmt_datetime,
    fmt_when,
    header,
    link,
    more_line,
    pack_lines,
    safe,
    section,
    user_ref,
)
from bot.deps import Deps
from bot.replies import ALL_SURFACES, CommandRequest, Reply, Subcommand
from storage.changes import developer_names, happened_between, history_since, last_briefing_sent, news_since
from storage.dates import parse_partial
from storage.timestamps import utc_iso

DEFAULT_DAYS = 7
MAX_DAYS = 365
MAX_LISTED = 40  # entries an answer lists before "…and N more"
NO_DEVELOPER = "Deadlines and the framework"
NEWS_ACTOR = "news watch"
FACTS_ACTOR = "the sources"  # what happened, as the tracker's sources date it
USAGE = (
    "Usage: `/aireview changes [since]`, where since is a number of days (`7d`, `30d`, up to "
    f"{MAX_DAYS}) or a date (`2026-07-01`); without it, since the last weekly briefing or the last "
    f"{DEFAULT_DAYS} days."
)
FIELD_LABELS = {
    "status": "status",
    "agreement_date": "agreement date",
    "planned_release": "planned release",
    "submitted": "submitted",
    "released": "released",
    "review_status": "review status",
    "due_date": "due date",
    "outcome": "outcome",
    "status_since": "status since",
}
_DAYS = re.compile(r"^(\d{1,3})\s*(d|day|days|w|week|weeks)$")


class BadSince(ValueError):
    """`since` is neither a number of days nor a date (or is out of range)."""


@dataclass(frozen=True)
class ChangeEntry:
    at: datetime  # when it was recorded (for what happened: the end of its date, to sort by)
    kind: str  # "change", "event", "conflict" or "news"
    text: str  # what changed, in words
    source: str | None
    actor: str
    url: str | None = None  # a news item's link
    when: str | None = None  # what happened: its date as the sources give it ('May 2026')


@dataclass
class ChangeGroup:
    title: str  # the developer's name, or NO_DEVELOPER
    entries: list[ChangeEntry] = field(default_factory=list)


@dataclass(frozen=True)
class ChangesAnswer:
    since: datetime
    since_label: str  # how the asker said it: "Jul 17, 2026 (7 days)"
    groups: list[ChangeGroup]
    total: int  # changes and news in the period, listed or not
    tz: ZoneInfo

    @property
    def listed(self) -> int:
        return sum(len(g.entries) for g in self.groups)

    @property
    def summary(self) -> str:
        if not self.total:
            return f"Nothing changed since {self.since_label}."
        noun = "change" if self.total == 1 else "changes"
        return f"{self.total} {noun} since {self.since_label}, by developer, newest first"


def parse_since(text: str, now: datetime, tz: ZoneInfo) -> tuple[datetime, str] | None:
    """(the moment, how to say it) for `7d` / `30 days` / `2w` / `2026-07-01`; None for ''."""
    value = text.strip().lower()
    if not value:
        return None
    match = _DAYS.match(value)
    if match:
        days = int(match[1]) * (7 if match[2].startswith("w") else 1)
        if not 1 <= days <= MAX_DAYS:
            raise BadSince(text)
        since = now - timedelta(days=days)
        return since, f"{_day(since.astimezone(tz).date())} ({days} days)"
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise BadSince(text) from None
    since = datetime.combine(day, time(0), tzinfo=tz)
    if since > now or (now - since).days > MAX_DAYS * 3:
        raise BadSince(text)
    return since, _day(day)


def _day(day: date) -> str:
    return f"{day:%b} {day.day}, {day.year}"


def _history_text(row: dict[str, object]) -> tuple[str, str]:
    """(kind, words) for one history row."""
    subject = str(row["subject"])
    field_name = str(row["field"])
    if field_name == "event":
        return "event", f"{subject}: {row['new'] or ''}"
    if field_name == "(created)":
        return "change", f"{subject}: added"
    if field_name == "(removed)":
        return "change", f"{subject}: removed"
    if field_name == "(contested)":
        return "conflict", f"{subject}: newly contested. {row['new'] or ''}"
    if field_name == "(resolved)":
        return "conflict", f"{subject}: conflict settled, {row['new'] or ''}"
    if field_name == "(reopened)":
        return "conflict", f"{subject}: conflict reopened. {row['new'] or ''}"
    label = FIELD_LABELS.get(field_name, field_name)
    return "change", f"{subject}: {label} {row['old'] or '(empty)'} → {row['new'] or '(empty)'}"


def _group_title(developer_ids: list[str], names: dict[str, str]) -> str:
    """The developer(s) an entry is about, by name; NO_DEVELOPER for none."""
    found = sorted((names[d] for d in developer_ids if d in names), key=str.lower)
    return ", ".join(found) if found else NO_DEVELOPER


def _happened_entries(
    deps: Deps, since: datetime, recorded: set[tuple[str, str]], names: dict[str, str]
) -> list[tuple[datetime, str, ChangeEntry]]:
    """What the facts say happened in the period, except what a listed recorded change says."""
    tz = deps.settings.tz
    first, last = since.astimezone(tz).date(), deps.clock.now().astimezone(tz).date()
    out = []
    for row in happened_between(deps.store.db, first, last):
        if (row["entity"], row["entity_id"]) in recorded:
            continue
        parsed = parse_partial(row["when"])
        assert parsed is not None
        at = datetime.combine(parsed.last_day, time(23, 59), tzinfo=tz)
        when = fmt_when(parsed)
        if row.get("undated"):
            when = f"date not reported; reported {when}"
        text = f"{row['subject']}: {row['text']}"
        source = "; ".join(row["sources"]) or None
        entry = ChangeEntry(at, row["kind"], text, source, FACTS_ACTOR, when=when)
        out.append((at, _group_title(row["developer_ids"], names), entry))
    return out


def changes_answer(deps: Deps, since: datetime, since_label: str, limit: int = MAX_LISTED) -> ChangesAnswer:
    db = deps.store.db
    stamp, until = utc_iso(since), utc_iso(deps.clock.now())
    rows, history_total = history_since(db, stamp, until, limit)
    news, news_total = news_since(db, stamp, until, limit)
    names = developer_names(db)
    dated: list[tuple[datetime, str, ChangeEntry]] = []
    for row in rows:
        kind, text = _history_text(row)
        developer = _group_title(row["developer_ids"], names)
        at = datetime.fromisoformat(row["at"])
        dated.append((at, developer, ChangeEntry(at, kind, text, row.get("source"), str(row["actor"]))))
    recorded = {(str(r["entity"]), str(r["entity_id"])) for r in rows}
    happened = _happened_entries(deps, since, recorded, names)
    dated += happened
    for item in news:
        at = datetime.fromisoformat(item["first_seen_at"])
        developer = next((names[d] for d in item["developers"] if d in names), NO_DEVELOPER)
        source = item.get("source") or item.get("feed_title") or item.get("link")
        title = item.get("title") or item.get("link") or "(untitled)"
        dated.append(
            (at, developer, ChangeEntry(at, "news", f"News: {title}", source, NEWS_ACTOR, item.get("link")))
        )
    dated.sort(key=lambda d: d[0], reverse=True)
    groups: dict[str, ChangeGroup] = {}
    for _, developer, entry in dated[:limit]:
        groups.setdefault(developer, ChangeGroup(developer)).entries.append(entry)
    return ChangesAnswer(
        since=since,
        since_label=since_label,
        groups=list(groups.values()),  # in order of each group's newest change
        total=history_total + news_total + len(happened),
        tz=deps.settings.tz,
    )


def resolve_since(deps: Deps, text: str, conversation: str | None = None) -> tuple[datetime, str]:
    """The period `/aireview changes [since]` covers (BadSince for a bad `since`): without one,
    since the last weekly briefing this conversation (or, outside one, any target) received."""
    now = deps.clock.now()
    parsed = parse_since(text, now, deps.settings.tz)
    if parsed is not None:
        return parsed
    sent = last_briefing_sent(deps.store.db, conversation)
    briefed = datetime.fromisoformat(sent) if sent else None
    if briefed is not None:
        return briefed, f"the last weekly briefing ({fmt_datetime(briefed, deps.settings.tz)})"
    since = now - timedelta(days=DEFAULT_DAYS)
    return since, f"{_day(since.astimezone(deps.settings.tz).date())} ({DEFAULT_DAYS} days)"


# ---------------------------------------------------------------- Slack


def entry_line(e: ChangeEntry, tz: ZoneInfo) -> str:
    if e.actor == FACTS_ACTOR:
        source = f"Source: {safe(e.source, 400)}" if e.source else "Source: not recorded"
        return f"• *{escape(e.when or '')}* · {safe(e.text, 700)}\n   _as the sources date it · {source}_"
    when = fmt_datetime(e.at, tz)
    what = (
        link(e.url, e.text, 300) if e.url and e.url.startswith(("http://", "https://")) else safe(e.text, 400)
    )
    source = f" · Source: {safe(e.source, 200)}" if e.source else " · Source: not recorded"
    who = NEWS_ACTOR if e.actor == NEWS_ACTOR else user_ref(e.actor)
    return f"• *{when}* · {what}\n   _recorded by {who}{source}_"


def changes_reply(answer: ChangesAnswer) -> Reply:
    title = f"What changed since {answer.since_label}"
    if not answer.total:
        return Reply(text=answer.summary, blocks=[section(escape(answer.summary))])
    blocks: list[Block] = [header(title[:150]), context(escape(answer.summary))]
    for group in answer.groups:
        lines = [entry_line(e, answer.tz) for e in group.entries]
        texts = pack_lines(lines)
        blocks.append(section(f"*{safe(group.title, 150)}*\n{texts[0]}"))
        blocks += [section(t) for t in texts[1:]]
    tail: list[Block] = []
    if answer.total > answer.listed:
        tail.append(
            context(
                more_line(
                    answer.total - answer.listed,
                    escape("Ask for a shorter period, e.g. `/aireview changes 3d`."),
                )
            )
        )
    blocks = fit_blocks(blocks, MAX_MESSAGE_BLOCKS, tail)
    lines = [f"{g.title}: " + "; ".join(e.text for e in g.entries[:3]) for g in answer.groups[:10]]
    return Reply(text=fallback(answer.summary + ".", "\n".join(lines)), blocks=blocks)


def run_changes(deps: Deps, request: CommandRequest) -> Reply:
    try:
        since, label = resolve_since(deps, request.text, request.channel_id)
    except BadSince:
        return Reply(text=USAGE)
    return changes_reply(changes_answer(deps, since, label))


CHANGES_SUBCOMMAND = Subcommand(
    "changes",
    "changes [since]",
    "what changed since a date or a number of days (default: since the last weekly briefing, "
    f"or {DEFAULT_DAYS} days), by developer, with sources and who recorded it",
    "/aireview changes 30d",
    run_changes,
    surfaces=ALL_SURFACES,
)
