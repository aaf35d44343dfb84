"""What the board's two main pages show, as plain data: `/board` (every developer, counts
with their context, what is due next, the latest changes) and `/board/developers/<slug>`
(one developer's claims with their reports, contested claims side by side, events, models,
deadlines and history). Templates (bot/board/templates) only lay these out.

Built from bot.read's answers and the storage reads they use; dates keep the precision
their source gives (`May 2026` stays a month). No raw record or user ids reach a page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot import domain
from bot.blockkit import fmt_datetime, fmt_when
from bot.deps import Deps
from bot.people import is_user_id
from bot.read import answers
from storage.dates import PartialDate
from storage.facts import Contest, citations_for, contests_for, fact_sources, source_label
from storage.generation import tracker_generation
from storage.tracker import list_deadlines, list_developers, list_history

BOARD_UPCOMING = 12
BOARD_CHANGES = 10
DEVELOPER_HISTORY = 200
DEVELOPER_MODELS = 500
DEVELOPER_EVENTS = 50
UPCOMING_DAYS = 90


@dataclass(frozen=True)
class SourceRef:
    """A report, named; `url` only when the report gave a web address."""

    text: str
    url: str | None = None


@dataclass(frozen=True)
class When:
    """A date at its precision: `text` for people, `iso` for <time datetime>."""

    text: str
    iso: str | None = None


@dataclass(frozen=True)
class Stamp:
    as_of: str  # when the page was made, in the team timezone
    generation: int  # the tracker's data version
    last_change: str | None
    tz_name: str


def source_ref(row: dict[str, Any]) -> SourceRef:
    url = row.get("url") if str(row.get("url") or "").startswith(("https://", "http://")) else None
    name = source_label({**row, "url": None})
    return SourceRef(url if name == "unnamed source" and url else name, url)


def when(value: PartialDate | date | str | None, empty: str = "not recorded") -> When:
    parsed = domain.parse_fact_date(value) if not isinstance(value, PartialDate) else value
    if parsed is None:
        return When(empty)
    return When(fmt_when(parsed), parsed.iso())


def stamp(deps: Deps, latest: datetime | str | None = None, read_latest: bool = True) -> Stamp:
    """The page's "as of" line; `latest` when the page already read the newest change."""
    if latest is None and read_latest:
        newest = list_history(deps.store.db, limit=1)
        latest = newest[0]["at"] if newest else None
    tz = deps.settings.tz
    return Stamp(
        as_of=fmt_datetime(deps.clock.now(), tz),
        generation=tracker_generation(deps.store),
        last_change=fmt_datetime(latest, tz) if latest else None,
        tz_name=deps.settings.timezone_name,
    )


def actor_words(actor: str) -> str:
    """Who recorded a change, without a raw id: people are 'an admin'."""
    if is_user_id(actor):
        return "an admin"
    return "the shipped facts" if actor == "seed" else actor


# ---------------------------------------------------------------- /board


@dataclass(frozen=True)
class DeveloperRow:
    slug: str
    name: str
    status: str
    status_label: str
    since: When
    agreement: When
    sources: list[SourceRef]
    contested: bool


@dataclass(frozen=True)
class Count:
    label: str
    value: str  # "5 of 6 developers"


@dataclass(frozen=True)
class ItemRow:
    day: When
    countdown: str
    kind: str
    title: str
    status: str
    contested: bool
    developer_slug: str | None = None


@dataclass(frozen=True)
class ChangeRow:
    at: str
    subject: str
    what: str
    effective: str
    source: str | None
    by: str


@dataclass(frozen=True)
class BoardPage:
    summary: str
    counts: list[Count]
    developers: list[DeveloperRow]
    upcoming: list[ItemRow]
    upcoming_total: int
    changes: list[ChangeRow]
    stamp: Stamp


def _of(part: int, whole: int, noun: str) -> str:
    return f"{part} of {whole} {noun if whole == 1 else noun + 's'}"


def developer_rows(deps: Deps) -> list[DeveloperRow]:
    developers = list_developers(deps.store.db)
    cited = citations_for(deps.store.db, "developer")
    rows = []
    for dev in developers:
        sources = [source_ref(s) for s in fact_sources(cited, dev["id"], "status")]
        if not sources and dev.get("source"):
            sources = [SourceRef(str(dev["source"]))]
        rows.append(
            DeveloperRow(
                slug=dev["id"],
                name=dev["name"],
                status=dev["status"],
                status_label=domain.DEVELOPER_STATUS_LABELS.get(dev["status"], str(dev["status"])),
                since=when(dev.get("status_since")),
                agreement=when(dev.get("agreement_date"), "none"),
                sources=sources,
                contested=bool(dev.get("contested")),
            )
        )
    rows.sort(key=lambda r: (r.status == "signed", r.name.lower()))
    return rows


def item_row(item: domain.DatedItem) -> ItemRow:
    return ItemRow(
        day=When(fmt_when(item.day), item.day.isoformat()),
        countdown=item.countdown,
        kind=domain.ITEM_KIND_LABELS.get(item.kind, item.kind),
        title=item.title,
        status=answers.item_status(item),
        contested=item.contested,
        developer_slug=item.developer_id,
    )


def change_rows(history: answers.HistoryAnswer) -> list[ChangeRow]:
    return [
        ChangeRow(
            at=fmt_datetime(e.at, history.tz),
            subject=e.subject,
            what=e.what.replace("_", " "),
            effective=e.when,
            source=e.source,
            by=actor_words(e.actor),
        )
        for e in history.entries
    ]


def board_page(deps: Deps) -> BoardPage:
    developers = developer_rows(deps)
    total = len(developers)
    signed = sum(1 for d in developers if d.status == "signed")
    contested = sum(1 for d in developers if d.contested)
    models = answers.models_answer(deps, None, shown=0)
    upcoming = answers.upcoming_answer(deps, UPCOMING_DAYS, shown=BOARD_UPCOMING)
    history = answers.history_answer(deps, limit=BOARD_CHANGES)
    due = f"{upcoming.total} dated item" + ("" if upcoming.total == 1 else "s")
    counts = [
        Count("Signed a review agreement", _of(signed, total, "developer")),
        Count("Holdouts (not signed)", _of(total - signed, total, "developer")),
        Count("Status contested", _of(contested, total, "developer")),
        Count("Overdue for submission", _of(models.overdue, models.total, "model")),
        Count(f"Due in the next {UPCOMING_DAYS} days", due),
    ]
    return BoardPage(
        summary=answers.holdouts_answer(deps).summary,
        counts=counts,
        developers=developers,
        upcoming=[item_row(i) for i in upcoming.items],
        upcoming_total=upcoming.total,
        changes=change_rows(history),
        stamp=stamp(deps, history.entries[0].at if history.entries else None, read_latest=False),
    )


# ---------------------------------------------------------------- /board/developers/<slug>


@dataclass(frozen=True)
class FactRow:
    label: str
    value: When
    sources: list[SourceRef]


@dataclass(frozen=True)
class ClaimView:
    text: str
    source: SourceRef | None


@dataclass(frozen=True)
class ContestView:
    subject: str  # "Meta: status", "Muse Spark: released"
    reason: str
    claims: list[ClaimView]


@dataclass(frozen=True)
class ModelRow:
    name: str
    status: str
    planned_release: When
    window_opens: When
    submitted: When
    released: When
    overdue: bool
    contested: bool
    source: str | None


@dataclass(frozen=True)
class EventRow:
    effective: When
    kind: str
    summary: str
    sources: str | None


@dataclass(frozen=True)
class DeadlineRow:
    title: str
    due: When
    outcome: str
    contested: bool


@dataclass(frozen=True)
class DeveloperPage:
    slug: str
    name: str
    status_label: str
    since: When
    note: str | None
    facts: list[FactRow]
    contests: list[ContestView]
    models: list[ModelRow]
    models_total: int
    events: list[EventRow]
    deadlines: list[DeadlineRow]
    history: list[ChangeRow]
    history_total: int
    stamp: Stamp


FACT_FIELDS = (("Status", "status"), ("Since", "status_since"), ("Agreement date", "agreement_date"))


def _facts(deps: Deps, developer: dict[str, Any]) -> list[FactRow]:
    cited = citations_for(deps.store.db, "developer", [developer["id"]])
    rows = []
    for label, name in FACT_FIELDS:
        value = (
            When(domain.DEVELOPER_STATUS_LABELS.get(developer["status"], str(developer["status"])))
            if name == "status"
            else when(developer.get(name), "none" if name == "agreement_date" else "not recorded")
        )
        rows.append(
            FactRow(label, value, [source_ref(s) for s in fact_sources(cited, developer["id"], name)])
        )
    return rows


def _contest_view(contest: Contest, subject: str) -> ContestView:
    return ContestView(
        subject=f"{subject}: {contest.field.replace('_', ' ')}",
        reason=contest.reason,
        claims=[ClaimView(c.text, source_ref(c.source) if c.source else None) for c in contest.claims],
    )


def _contests(deps: Deps, developer: dict[str, Any], models: list[answers.ModelEntry]) -> list[ContestView]:
    db = deps.store.db
    views = [
        _contest_view(c, developer["name"])
        for c in contests_for(db, "developer", [developer["id"]]).get(developer["id"], [])
    ]
    names = {str(m.id): m.name for m in models if m.contested}
    for model_id, found in contests_for(db, "model", list(names)).items():
        views += [_contest_view(c, names[model_id]) for c in found]
    return views


def _model_row(m: answers.ModelEntry) -> ModelRow:
    return ModelRow(
        name=m.name,
        status=m.status_label,
        planned_release=when(m.planned_release, "not set"),
        window_opens=when(m.window_opens, "—"),
        submitted=when(m.submitted, "—"),
        released=when(m.released, "—"),
        overdue=m.overdue,
        contested=m.contested,
        source=m.source,
    )


def _deadline_rows(deps: Deps) -> list[DeadlineRow]:
    today = domain.today_in(deps.settings.tz, deps.clock.now())
    rows = []
    for d in list_deadlines(deps.store.db):
        item = domain.deadline_item(d, today)
        if item is None:
            continue
        outcome = domain.outcome_label(item) if item.passed or item.outcome != "open" else "open"
        rows.append(
            DeadlineRow(item.title, When(fmt_when(item.day), item.day.isoformat()), outcome, item.contested)
        )
    return rows


def developer_page(deps: Deps, developer: dict[str, Any]) -> DeveloperPage:
    models = answers.models_answer(deps, developer, shown=DEVELOPER_MODELS)
    history = answers.history_answer(deps, "developer", developer, limit=DEVELOPER_HISTORY)
    events = answers.event_entries(deps, developer["id"], limit=DEVELOPER_EVENTS)
    since = domain.parse_fact_date(developer.get("status_since"))
    return DeveloperPage(
        slug=developer["id"],
        name=developer["name"],
        status_label=domain.DEVELOPER_STATUS_LABELS.get(developer["status"], str(developer["status"])),
        since=when(since),
        note=developer.get("note"),
        facts=_facts(deps, developer),
        contests=_contests(deps, developer, models.models),
        models=[_model_row(m) for m in models.models],
        models_total=models.total,
        events=[
            EventRow(when(e.effective) if e.effective else When(e.when), e.kind_label, e.summary, e.sources)
            for e in events
        ],
        deadlines=_deadline_rows(deps),
        history=change_rows(history),
        history_total=history.total,
        stamp=stamp(deps),
    )
