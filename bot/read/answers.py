"""The read side as plain data: what /holdouts, /deadlines, /aireview status|models|history
and the App Home say, computed from the tracker, the settings and the clock.

No Block Kit here: bot/read/blocks.py renders these for Slack (and the console), and a Teams
renderer can turn the same data into Adaptive Cards.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot import domain
from bot.blockkit import fmt_date, fmt_when
from bot.deps import Deps
from storage.dates import PartialDate
from storage.facts import (
    EVENT_KIND_LABELS,
    Citations,
    citations_for,
    contests_for,
    fact_sources,
    list_events,
    list_framework_facts,
    source_label,
)
from storage.tracker import (
    DEVELOPER_HISTORY,
    list_developers,
    list_history,
    model_listing,
    subject_label,
)
from storage.upcoming import DATED_DEADLINE_COLUMNS, count_upcoming, listing_order, upcoming_rows

DEFAULT_DAYS = 90
MAX_DAYS = 730
HISTORY_LIMIT = 20


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


# ---------------------------------------------------------------- holdouts


def _labels(sources: list[dict[str, Any]]) -> list[str]:
    return [source_label(s) for s in sources]


def sources_text(labels: list[str]) -> str | None:
    """The sources of one fact on one line (None: not recorded)."""
    return "; ".join(labels) if labels else None


@dataclass(frozen=True)
class HoldoutEntry:
    id: str
    name: str
    status: str
    status_label: str
    since: PartialDate | None
    days_since: int | None  # only when the day is known
    note: str | None
    source: str | None  # the sources of the status fact
    contested: bool
    as_of: str | None
    contests: tuple[str, ...] = ()  # "Contested: A says X; B says Y", one per open contest

    @property
    def status_line(self) -> str:
        """'Signed · May 2026', 'Negotiating', 'Holdout · Fri Jul 3, 2026 (21 days ago)'."""
        if self.since is None:
            return self.status_label
        line = f"{self.status_label} · since {fmt_when(self.since)}"
        if self.days_since is not None:
            line += " (today)" if self.days_since == 0 else f" ({domain.countdown(-self.days_since)})"
        return line


@dataclass(frozen=True)
class HoldoutsAnswer:
    total: int
    signed: int
    holdouts: list[HoldoutEntry]
    as_of: datetime

    @property
    def summary(self) -> str:
        """One line such as '5 of 6 tracked developers have signed a review agreement; 1 holdout'."""
        if self.total == 0:
            return "No developers are tracked yet, so there are no holdouts to show."
        if not self.holdouts:
            return (
                f"All {_plural(self.total, 'tracked developer')} have signed a review agreement; "
                "there are no holdouts."
            )
        return (
            f"{self.signed} of {_plural(self.total, 'tracked developer')} "
            f"{'has' if self.signed == 1 else 'have'} signed a review agreement; "
            f"{_plural(len(self.holdouts), 'holdout')}"
        )


def _holdout_entry(
    dev: domain.Row, today: date, cited: Citations | None = None, contests: list[str] | None = None
) -> HoldoutEntry:
    since = domain.parse_fact_date(dev.get("status_since"))
    status_sources = _labels(fact_sources(cited or {}, dev["id"], "status"))
    return HoldoutEntry(
        id=dev["id"],
        name=dev["name"],
        status=dev["status"],
        status_label=domain.DEVELOPER_STATUS_LABELS.get(dev["status"], str(dev["status"])),
        since=since,
        days_since=(today - since.exact).days if since and since.exact else None,
        note=dev.get("note"),
        source=sources_text(status_sources) or dev.get("source"),
        contested=bool(dev.get("contested")),
        as_of=dev.get("as_of"),
        contests=tuple(contests or ()),
    )


def contest_lines(deps: Deps, entity: str, ids: list[str]) -> dict[str, list[str]]:
    """Each record's open contests, as 'Contested: A says X; B says Y' lines."""
    found = contests_for(deps.store.db, entity, ids)
    return {k: [c.line for c in v] for k, v in found.items()}


def holdouts_answer(deps: Deps) -> HoldoutsAnswer:
    now = deps.clock.now()
    today = domain.today_in(deps.settings.tz, now)
    developers = list_developers(deps.store.db)
    ids = [d["id"] for d in domain.holdouts(developers)]
    cited = citations_for(deps.store.db, "developer", ids)
    contests = contest_lines(deps, "developer", ids)
    holdouts = [_holdout_entry(d, today, cited, contests.get(d["id"])) for d in domain.holdouts(developers)]
    return HoldoutsAnswer(
        total=len(developers),
        signed=len(developers) - len(holdouts),
        holdouts=holdouts,
        as_of=now,
    )


# ---------------------------------------------------------------- deadlines


class BadDays(ValueError):
    """`/deadlines` got something other than a number of days."""


def parse_days(text: str) -> int:
    """'' -> 90; '30', '30d', '30 days' -> 30; anything else (or out of range) -> BadDays."""
    value = text.strip().lower()
    if not value:
        return DEFAULT_DAYS
    for suffix in (" days", " day", "days", "day", "d"):
        if value.endswith(suffix):
            value = value[: -len(suffix)].strip()
            break
    if not value.isdigit() or not 0 <= int(value) <= MAX_DAYS:
        raise BadDays(text)
    return int(value)


# How many items each surface lists before "…and N more", so an answer reads only those:
# /holdouts and /deadlines (bot.read.blocks and bot.teams.answers), and /aireview status's "Coming up".
MAX_LISTED = 40
STATUS_UPCOMING = 5


@dataclass(frozen=True)
class UpcomingAnswer:
    days: int
    items: list[domain.DatedItem]  # the first `shown` of them, most urgent first
    total: int  # how many items the window holds
    overdue: int  # how many of those are overdue submissions
    today: date
    tz_name: str
    as_of: datetime
    contests: dict[str, list[str]] = field(default_factory=dict)  # "deadline:3" -> lines

    def contest_lines(self, item: domain.DatedItem) -> list[str]:
        return self.contests.get(f"{item.subject_type}:{item.subject_id}", [])

    @property
    def summary(self) -> str:
        if not self.total:
            return (
                f"Nothing is due in the next {_plural(self.days, 'day')}: no deadlines, review "
                "windows or planned releases, and nothing overdue."
            )
        parts = [f"{_plural(self.total, 'item')} in the next {_plural(self.days, 'day')}"]
        if self.overdue:
            parts.append(f"{self.overdue} overdue")
        return ", ".join(parts) + f" (dates in {self.tz_name})"


def item_status(item: domain.DatedItem) -> str:
    """What a user reads as the item's status: overdue and passed say so."""
    if item.overdue:
        return "Overdue: not submitted"
    if item.passed and item.kind == domain.ITEM_DEADLINE:
        return f"Passed · {domain.outcome_label(item)}"
    if item.passed:
        return f"Passed ({item.status})"
    return item.status


def upcoming_answer(
    deps: Deps,
    days: int = DEFAULT_DAYS,
    developer_id: str | None = None,
    shown: int = MAX_LISTED,
) -> UpcomingAnswer:
    """bot.domain.upcoming_items over the tracker, with SQLite counting the items and reading
    them in date order, so only about the first `shown` are read and built (a long window
    can hold thousands; what a surface lists is bounded)."""
    now = deps.clock.now()
    today = domain.today_in(deps.settings.tz, now)
    window_days = deps.settings.review_window_days
    query: dict[str, Any] = dict(
        today=today,
        days=days,
        passed_days=domain.RECENTLY_PASSED_DAYS,
        window_days=window_days,
        developer_id=developer_id,
    )
    db = deps.store.db
    # Ties on urgency keep the order of the lists bot.domain.upcoming_items would read.
    ordered = sorted(
        (
            (_upcoming_item(row, today, window_days), listing_order(row, developer_id is not None))
            for row in upcoming_rows(db, **query, limit=shown)
        ),
        key=lambda pair: (domain.urgency(pair[0]), pair[1]),
    )
    total, overdue = count_upcoming(db, **query)
    items = [item for item, _ in ordered[:shown]]
    contests: dict[str, list[str]] = {}
    for entity in ("deadline", "model"):
        ids = sorted({i.subject_id for i in items if i.subject_type == entity and i.contested})
        for record_id, lines in contest_lines(deps, entity, ids).items():
            contests[f"{entity}:{record_id}"] = lines
    return UpcomingAnswer(
        days=days,
        items=items,
        total=total,
        overdue=overdue,
        today=today,
        tz_name=deps.settings.timezone_name,
        as_of=now,
        contests=contests,
    )


def _upcoming_item(row: dict[str, Any], today: date, window_days: int) -> domain.DatedItem:
    if row["kind"] == domain.ITEM_DEADLINE:
        item = domain.deadline_item(row, today)
        assert item is not None
        return item
    return next(i for i in domain.model_items(row, today, window_days) if i.kind == row["kind"])


# ---------------------------------------------------------------- models


@dataclass(frozen=True)
class ModelEntry:
    id: int
    developer_id: str
    developer_name: str
    name: str
    status_label: str
    planned_release: date | None
    window_opens: date | None
    submitted: PartialDate | None
    released: PartialDate | None
    overdue: bool
    note: str | None
    source: str | None
    contested: bool
    as_of: str | None = None
    contests: tuple[str, ...] = ()

    def facts(self, today: date, warning: str) -> list[str]:
        """What a model's line says after its name, in order; Slack and Teams both list these."""
        parts = [f"{warning} overdue for submission"] if self.overdue else []
        if self.released and self.status_label == domain.REVIEW_STATUS_LABELS["released"]:
            parts.append(f"released {fmt_when(self.released)}")  # the status says no more
        elif self.released:
            parts += [self.status_label, f"released {fmt_when(self.released)}"]
        else:
            parts.append(self.status_label)
        if self.released:
            pass  # said above
        elif self.planned_release and self.window_opens:
            opens, release = (self.window_opens - today).days, (self.planned_release - today).days
            opens_in = domain.deadline_countdown(self.window_opens, opens)
            parts.append(f"window opens {fmt_date(self.window_opens)} ({opens_in})")
            parts.append(f"release {fmt_date(self.planned_release)} ({domain.countdown(release)})")
        else:
            parts.append("no planned release date")
        if self.submitted:
            parts.append(f"submitted {fmt_when(self.submitted)}")
        if self.contested:
            parts.append(f"{warning} contested")
        return parts


def _model_entry(
    model: dict[str, Any],
    today: date,
    window_days: int,
    cited: Citations | None = None,
    contests: list[str] | None = None,
) -> ModelEntry:
    fact = "released" if model.get("released") else "review_status"
    sources = sources_text(_labels(fact_sources(cited or {}, model["id"], fact)))
    return ModelEntry(
        id=model["id"],
        developer_id=model["developer_id"],
        developer_name=model.get("developer_name") or model["developer_id"],
        name=model["name"],
        status_label=domain.model_status_label(model),
        planned_release=domain.parse_date(model.get("planned_release")),
        window_opens=domain.review_window_opens(model, window_days),
        submitted=domain.parse_fact_date(model.get("submitted")),
        released=domain.parse_fact_date(model.get("released")),
        overdue=domain.is_overdue(model, today, window_days),
        note=model.get("note"),
        source=sources or model.get("source"),
        contested=bool(model.get("contested")),
        as_of=model.get("as_of"),
        contests=tuple(contests or ()),
    )


# How many models a surface lists before "…and N more": /aireview models, and /aireview status.
MODELS_LISTED = 60
STATUS_MODELS = 10


@dataclass(frozen=True)
class ModelsAnswer:
    developer: dict[str, Any] | None  # None: every developer's models
    models: list[ModelEntry]  # the first `shown` of them, in listing order
    total: int  # how many models there are
    overdue: int  # how many of those are overdue for submission
    today: date

    @property
    def summary(self) -> str:
        whose = self.developer["name"] if self.developer else "all tracked developers"
        if not self.total:
            return f"No models are tracked for {whose}."
        line = f"{_plural(self.total, 'model')} tracked for {whose}"
        return line + (f"; {self.overdue} overdue for submission" if self.overdue else "")


def models_answer(
    deps: Deps, developer: dict[str, Any] | None = None, shown: int = MODELS_LISTED
) -> ModelsAnswer:
    """The models a surface lists (the first `shown`) and the counts, all from SQLite."""
    today = domain.today_in(deps.settings.tz, deps.clock.now())
    window_days = deps.settings.review_window_days
    rows, total, overdue = model_listing(
        deps.store.db, developer["id"] if developer else None, shown, today, window_days
    )
    # Each listed model's citations and open contests (only what a surface lists is read).
    listed = [str(m["id"]) for m in rows]
    cited = citations_for(deps.store.db, "model", listed)
    contests = contest_lines(deps, "model", [str(m["id"]) for m in rows if m.get("contested")])
    entries = [_model_entry(m, today, window_days, cited, contests.get(str(m["id"]))) for m in rows]
    return ModelsAnswer(developer=developer, models=entries, total=total, overdue=overdue, today=today)


# ---------------------------------------------------------------- history


@dataclass(frozen=True)
class HistoryEntry:
    id: int
    at: datetime
    actor: str
    entity: str
    subject: str
    field: str
    old: str | None
    new: str | None
    note: str | None
    source: str | None
    effective: PartialDate | None = None  # when it took effect, as the source says

    @property
    def what(self) -> str:
        """'status: negotiating → signed', 'created', 'removed', or the event's text."""
        if self.field == "(created)" and self.entity in ("event", "framework"):
            return self.new or ""
        if self.field == "(created)":
            return "created"
        if self.field == "(removed)":
            return "removed"
        if self.field in ("event", "(contested)", "(reopened)"):
            return (f"{self.field.strip('()')}: " if self.field != "event" else "") + (self.new or "")
        if self.field == "(resolved)":
            return f"resolved: {self.new or ''}"
        return f"{self.field}: {self.old or '(empty)'} → {self.new or '(empty)'}"

    @property
    def when(self) -> str:
        """'took effect May 2026' (or '' when the source gave no date)."""
        return f"took effect {fmt_when(self.effective)}" if self.effective else ""


def _history_entry(row: dict[str, Any]) -> HistoryEntry:
    return HistoryEntry(
        id=row["id"],
        at=datetime.fromisoformat(row["at"]),
        actor=row["actor"],
        entity=row["entity"],
        subject=row["subject"],
        field=row["field"],
        old=row.get("old"),
        new=row.get("new"),
        note=row.get("note"),
        source=row.get("source"),
        effective=domain.parse_fact_date(row.get("effective")),
    )


@dataclass(frozen=True)
class HistoryAnswer:
    label: str | None  # None: the whole tracker
    entity: str | None
    entries: list[HistoryEntry]
    total: int
    tz: ZoneInfo

    @property
    def summary(self) -> str:
        whose = self.label or "the tracker"
        if not self.entries:
            return f"No changes are recorded for {whose}."
        shown = len(self.entries)
        latest = "The last change" if shown == 1 else f"The last {shown} changes"
        return f"{latest} to {whose}" + (f" (of {self.total})" if self.total > shown else "")


def _history_count(deps: Deps, entity: str | None, entity_id: str | None) -> int:
    db = deps.store.db
    if entity is None:
        sql, params = "SELECT COUNT(*) AS n FROM history", {}
    elif entity == "developer":
        sql = f"SELECT COUNT(*) AS n FROM history WHERE {DEVELOPER_HISTORY}"
        params = {"id": entity_id}
    else:
        sql = "SELECT COUNT(*) AS n FROM history WHERE entity = :entity AND entity_id = :id"
        params = {"entity": entity, "id": entity_id}
    return int(next(iter(db.query(sql, params)))["n"])


def history_answer(
    deps: Deps,
    entity: str | None = None,
    record: dict[str, Any] | None = None,
    limit: int = HISTORY_LIMIT,
) -> HistoryAnswer:
    db = deps.store.db
    entity_id = str(record["id"]) if record else None
    rows = list_history(db, entity, entity_id, limit=limit)
    label = None
    if record is not None and entity is not None:
        label = subject_label(db, entity, record)
    return HistoryAnswer(
        label=label,
        entity=entity,
        entries=[_history_entry(r) for r in rows],
        total=_history_count(deps, entity, entity_id),
        tz=deps.settings.tz,
    )


# ---------------------------------------------------------------- developer status


@dataclass(frozen=True)
class Fact:
    """One stated fact with what backs it: its sources, its as-of and any open contests."""

    label: str
    value: str
    sources: str | None
    as_of: str | None = None
    contests: tuple[str, ...] = ()


@dataclass(frozen=True)
class EventEntry:
    id: int
    kind_label: str
    effective: PartialDate | None
    summary: str
    note: str | None
    sources: str | None
    as_of: str | None
    contests: tuple[str, ...] = ()

    @property
    def line(self) -> str:
        return f"{fmt_when(self.effective)} · {self.kind_label}: {self.summary}"


def event_entries(deps: Deps, developer_id: str | None = None, limit: int = 10) -> list[EventEntry]:
    db = deps.store.db
    rows = list_events(db, developer_id, limit=limit)
    ids = [str(r["id"]) for r in rows]
    cited = citations_for(db, "event", ids)
    contests = contest_lines(deps, "event", ids)
    return [
        EventEntry(
            id=r["id"],
            kind_label=EVENT_KIND_LABELS.get(r["kind"], r["kind"]),
            effective=domain.parse_fact_date(r["effective"]),
            summary=r["summary"],
            note=r.get("note"),
            sources=sources_text(_labels(fact_sources(cited, r["id"], "*"))),
            as_of=r.get("as_of"),
            contests=tuple(contests.get(str(r["id"]), ())),
        )
        for r in rows
    ]


@dataclass(frozen=True)
class DeveloperStatus:
    developer: dict[str, Any]
    status_label: str
    since: PartialDate | None
    days_since: int | None
    models: ModelsAnswer
    upcoming: list[domain.DatedItem]  # the first STATUS_UPCOMING, most urgent first
    upcoming_total: int  # how many are due in the next DEFAULT_DAYS
    history: HistoryAnswer
    first_tracked: datetime | None
    tz: ZoneInfo
    facts: list[Fact] = field(default_factory=list)  # status, since, agreement date, note
    contests: tuple[str, ...] = ()
    events: list[EventEntry] = field(default_factory=list)
    passed_deadlines: list[domain.DatedItem] = field(default_factory=list)
    entry: HoldoutEntry | None = None

    @property
    def summary(self) -> str:
        dev = self.developer
        line = f"{dev['name']}: {self.status_label}"
        if self.since:
            line += f" since {fmt_when(self.since)}"
            if self.days_since is not None:
                line += f" ({_plural(self.days_since, 'day')})"
        return line

    @property
    def status_line(self) -> str:
        """'Signed · May 2026': the status and since when."""
        if self.since is None:
            return self.status_label
        return f"{self.status_label} · {fmt_when(self.since)}"


STATUS_RECENT_CHANGES = 5
STATUS_EVENTS = 5
PASSED_DEADLINE_DAYS = 90  # how far back /aireview status lists passed deadlines


def _developer_facts(deps: Deps, developer: dict[str, Any]) -> list[Fact]:
    cited = citations_for(deps.store.db, "developer", [developer["id"]])
    as_of = developer.get("as_of")

    def sourced(field_name: str) -> str | None:
        return sources_text(_labels(fact_sources(cited, developer["id"], field_name)))

    status = domain.DEVELOPER_STATUS_LABELS.get(developer["status"], str(developer["status"]))
    facts = [
        Fact("Status", status, sourced("status"), as_of),
        Fact("Since", fmt_when(developer.get("status_since")), sourced("status_since"), as_of),
        Fact(
            "Agreement date",
            fmt_when(developer.get("agreement_date"), "none"),
            sourced("agreement_date"),
            as_of,
        ),
    ]
    return facts


def passed_deadlines(deps: Deps, days: int = PASSED_DEADLINE_DAYS) -> list[domain.DatedItem]:
    """Deadlines passed in the last `days` days, newest first, with their outcomes."""
    today = domain.today_in(deps.settings.tz, deps.clock.now())
    first = (today - timedelta(days=days)).isoformat()
    rows = deps.store.db.query(
        f"SELECT {DATED_DEADLINE_COLUMNS} FROM deadlines WHERE due_date >= ? AND due_date < ? "
        "ORDER BY due_date DESC, id DESC LIMIT 20",
        [first, today.isoformat()],
    )
    return [item for item in (domain.deadline_item(r, today) for r in rows) if item is not None]


def developer_status(deps: Deps, developer: dict[str, Any]) -> DeveloperStatus:
    now = deps.clock.now()
    today = domain.today_in(deps.settings.tz, now)
    contests = contest_lines(deps, "developer", [developer["id"]]).get(developer["id"], [])
    cited = citations_for(deps.store.db, "developer", [developer["id"]])
    entry = _holdout_entry(developer, today, cited, contests)
    upcoming = upcoming_answer(deps, DEFAULT_DAYS, developer["id"], shown=STATUS_UPCOMING)
    first = next(
        iter(
            deps.store.db.query(
                "SELECT MIN(at) AS at FROM history WHERE entity = 'developer' AND entity_id = ?",
                [developer["id"]],
            )
        )
    )["at"]
    return DeveloperStatus(
        developer=developer,
        status_label=entry.status_label,
        since=entry.since,
        days_since=entry.days_since,
        models=models_answer(deps, developer, shown=STATUS_MODELS),
        upcoming=upcoming.items,
        upcoming_total=upcoming.total,
        history=history_answer(deps, "developer", developer, limit=STATUS_RECENT_CHANGES),
        first_tracked=datetime.fromisoformat(first) if first else None,
        tz=deps.settings.tz,
        facts=_developer_facts(deps, developer),
        contests=tuple(contests),
        events=event_entries(deps, developer["id"], limit=STATUS_EVENTS),
        passed_deadlines=passed_deadlines(deps),
        entry=entry,
    )


# ---------------------------------------------------------------- App Home


HOME_ITEMS = 8
HOME_CHANGES = 8


@dataclass(frozen=True)
class HomeAnswer:
    holdouts: HoldoutsAnswer
    upcoming: UpcomingAnswer  # the next dated items (within a year), most urgent first
    changes: HistoryAnswer
    tracker_updated_at: datetime | None
    as_of: datetime
    tz: ZoneInfo
    extra: dict[str, Any] = field(default_factory=dict)
    framework: list[Fact] = field(default_factory=list)


def framework_facts(deps: Deps) -> list[Fact]:
    """What the framework is (who runs the reviews, what they look for), each sourced."""
    db = deps.store.db
    rows = list_framework_facts(db)
    ids = [r["id"] for r in rows]
    cited = citations_for(db, "framework", ids)
    contests = contest_lines(deps, "framework", ids)
    return [
        Fact(
            r["label"],
            r["text"],
            sources_text(_labels(fact_sources(cited, r["id"], "*"))),
            r.get("as_of"),
            tuple(contests.get(r["id"], ())),
        )
        for r in rows
    ]


def home_answer(deps: Deps) -> HomeAnswer:
    latest = next(iter(deps.store.db.query("SELECT MAX(at) AS at FROM history")))["at"]
    return HomeAnswer(
        framework=framework_facts(deps),
        holdouts=holdouts_answer(deps),
        upcoming=upcoming_answer(deps, 365, shown=HOME_ITEMS),
        changes=history_answer(deps, limit=HOME_CHANGES),
        tracker_updated_at=datetime.fromisoformat(latest) if latest else None,
        as_of=deps.clock.now(),
        tz=deps.settings.tz,
    )
