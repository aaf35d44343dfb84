"""One developer in full (/aireview status <developer>), as plain data: its stated facts with
their sources, models, what is coming up, developments, passed deadlines and recent history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot import domain
from bot.blockkit import fmt_when
from bot.deps import Deps
from bot.read.answers.deadlines import DEFAULT_DAYS, STATUS_UPCOMING, passed_deadlines, upcoming_answer
from bot.read.answers.history import HistoryAnswer, history_answer
from bot.read.answers.holdouts import HoldoutEntry, holdout_entry
from bot.read.answers.models import STATUS_MODELS, ModelsAnswer, models_answer
from bot.read.answers.sourcing import Fact, contest_lines, labels, plural, sources_text
from storage.answers import developer_first_recorded
from storage.dates import PartialDate
from storage.facts import (
    EVENT_KIND_LABELS,
    Citations,
    citations_for,
    fact_sources,
    list_events,
    reported_date,
)


@dataclass(frozen=True)
class EventEntry:
    id: int
    kind_label: str
    effective: PartialDate | None  # None: no source says when it happened
    summary: str
    note: str | None
    sources: str | None
    as_of: str | None
    contests: tuple[str, ...] = ()
    reported: PartialDate | None = None  # the date of the report that mentions it
    date_sources: str | None = None  # the sources that give its date (or report it, undated)

    @property
    def when(self) -> str:
        """'Tue Jun 2, 2026', 'May 2026', or for an undated event 'reported June 2026'."""
        return event_when(self.effective, self.reported)

    @property
    def line(self) -> str:
        return f"{self.when} · {self.kind_label}: {self.summary}"

    @property
    def date_line(self) -> str:
        """'Date: Tue Jun 2, 2026, from <source>' or 'Date not reported; reported June 2026 by <source>'."""
        source = self.date_sources or "source not recorded"
        if self.effective is not None:
            return f"Date: {fmt_when(self.effective)}, from {source}"
        return f"Date not reported; {self.when} by {source}"


def event_when(effective: PartialDate | str | None, reported: PartialDate | str | None) -> str:
    """An event's date as surfaces say it: its own date at its precision, else 'reported
    June 2026' (the date of the report that mentions it), else 'date not reported'."""
    if effective:
        return fmt_when(effective)
    return f"reported {fmt_when(reported)}" if reported else "date not reported"


def event_entries(deps: Deps, developer_id: str | None = None, limit: int = 10) -> list[EventEntry]:
    db = deps.store.db
    rows = list_events(db, developer_id, limit=limit)
    ids = [str(r["id"]) for r in rows]
    cited = citations_for(db, "event", ids)
    contests = contest_lines(deps, "event", ids)
    entries = []
    for r in rows:
        every = _all_sources(cited, r["id"])
        dating = fact_sources(cited, r["id"], "effective")
        entries.append(
            EventEntry(
                id=r["id"],
                kind_label=EVENT_KIND_LABELS.get(r["kind"], r["kind"]),
                effective=domain.parse_fact_date(r["effective"]),
                summary=r["summary"],
                note=r.get("note"),
                sources=sources_text(labels(every)),
                as_of=r.get("as_of"),
                contests=tuple(contests.get(str(r["id"]), ())),
                reported=domain.parse_fact_date(reported_date(every)),
                date_sources=sources_text(labels(dating)),
            )
        )
    return entries


def _all_sources(cited: Citations, event_id: int) -> list[dict[str, Any]]:
    """Every source an event cites, on any of its facts, once each."""
    seen: dict[int, dict[str, Any]] = {}
    for sources in cited.get(str(event_id), {}).values():
        for source in sources:
            seen.setdefault(int(source["id"]), source)
    return [seen[k] for k in sorted(seen)]


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
                line += f" ({plural(self.days_since, 'day')})"
        return line

    @property
    def contested_words(self) -> str | None:
        """What is contested about it: 'yes' (its own facts), '1 development' (events about
        it), 'yes; 2 developments'; None when nothing is."""
        events = sum(1 for e in self.events if e.contests)
        said = ["yes"] if self.developer.get("contested") else []
        if events:
            said.append(plural(events, "development"))
        return "; ".join(said) or None

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
        return sources_text(labels(fact_sources(cited, developer["id"], field_name)))

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


def developer_status(deps: Deps, developer: dict[str, Any]) -> DeveloperStatus:
    now = deps.clock.now()
    today = domain.today_in(deps.settings.tz, now)
    contests = contest_lines(deps, "developer", [developer["id"]]).get(developer["id"], [])
    cited = citations_for(deps.store.db, "developer", [developer["id"]])
    entry = holdout_entry(developer, today, cited, contests)
    upcoming = upcoming_answer(deps, DEFAULT_DAYS, developer["id"], shown=STATUS_UPCOMING)
    first = developer_first_recorded(deps.store.db, developer["id"])
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
