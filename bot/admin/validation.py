"""What a submitted admin form may hold: each form's flattened values read into column
values, with the problems found returned as `{block_id: message}`, the shape Slack's
`response_action: "errors"` takes, so each shows under the field it is about."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlparse

from bot import ids
from bot.admin.modal import (
    FACT_CHOICES,
    MAX_CLAIM,
    MAX_NAME,
    MAX_NOTE,
    MAX_REASON,
    MAX_SOURCE,
    MAX_SUMMARY,
    MAX_TITLE,
    MAX_YEAR,
    MIN_YEAR,
    OUTCOME_LABELS,
    Errors,
    Values,
    as_date,
)
from bot.blockkit import fmt_date
from storage.dates import PartialDate, parse_partial
from storage.facts import EVENT_KINDS
from storage.tracker import DEADLINE_KINDS, DEVELOPER_STATUSES, REVIEW_STATUSES

_URLISH = re.compile(r"^[a-z][a-z0-9+.-]*://|^www\.", re.IGNORECASE)


def source_problem(text: str) -> str | None:
    """Why a source cannot be used, or None. Citation text is fine; a URL must be http(s)."""
    if not _URLISH.match(text) and not text.lower().startswith(("http:", "https:")):
        return None
    parsed = urlparse(text)
    if parsed.scheme.lower() not in ("http", "https"):
        return "A source link must start with http:// or https:// (or write a citation instead)."
    if not parsed.hostname or " " in text:
        return "This link has no valid host: use a full address such as https://example.gov/page."
    return None


@dataclass
class NewSource:
    """A source the admin described in the form (recorded when the change is saved)."""

    text: str  # a URL or a citation
    title: str | None = None
    published: str | None = None


@dataclass
class SourceChoice:
    """The sources a form names for one fact: recorded ones (several may be picked), a new
    one, both, or none (optional fields)."""

    source_ids: tuple[int, ...] = ()
    new: NewSource | None = None

    @property
    def given(self) -> bool:
        return bool(self.source_ids) or self.new is not None


@dataclass
class FormReader:
    """Reads flattened form values into column values, collecting errors per block.

    `today` is the team's date: an effective date after it is refused (the tracker records
    what happened, when it happened)."""

    values: Values
    errors: Errors = field(default_factory=dict)
    today: date | None = None

    def _fail(self, block: str, message: str) -> None:
        self.errors.setdefault(block, message)

    def text(self, block: str, label: str, *, limit: int, required: bool = False) -> str | None:
        value = self.values.get(block)
        if value is not None and not isinstance(value, str):
            self._fail(block, f"{label} must be text.")
            return None
        if not value:
            if required:
                self._fail(block, f"{label} is required.")
            return None
        if len(value) > limit:
            self._fail(block, f"{label} is {len(value)} characters long; the limit is {limit}.")
        return value

    def choice(self, block: str, label: str, allowed: tuple[str, ...]) -> str | None:
        value = self.values.get(block)
        if not value:
            self._fail(block, f"{label} is required.")
            return None
        if value not in allowed:
            self._fail(block, f"Choose one of the offered values for {label.lower()}.")
            return None
        return str(value)

    def day(
        self,
        block: str,
        label: str,
        *,
        required: bool = False,
        past: bool = False,
        precision_block: str | None = None,
    ) -> str | None:
        """A YYYY-MM-DD date; with `past`, one later than today (at the precision chosen in
        `precision_block`) is refused with what to enter instead."""
        value = self.values.get(block)
        if not value:
            if required:
                self._fail(block, f"{label} is required.")
            return None
        parsed = as_date(value) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(value)) else None
        if parsed is None:
            self._fail(block, f"{label} must be a date such as 2026-07-31.")
            return None
        if not MIN_YEAR <= parsed.year <= MAX_YEAR:
            self._fail(block, f"{label} must be between the years {MIN_YEAR} and {MAX_YEAR}.")
            return None
        if past and self.today is not None:
            precision = self.values.get(precision_block) if precision_block else None
            first = parsed
            if precision == "month":
                first = parsed.replace(day=1)
            elif precision == "year":
                first = parsed.replace(month=1, day=1)
            if first > self.today:
                self._fail(
                    block,
                    f"{label} {fmt_date(parsed)} is later than today ({fmt_date(self.today)}): "
                    "enter when it actually happened, as the source says. A change that has not "
                    "happened yet is recorded once it does (note the plan in the Note meanwhile).",
                )
                return None
        return parsed.isoformat()

    def source(self, *, required: bool) -> SourceChoice:
        """The recorded sources picked (one or several) and a new one (link or citation,
        title, published at the precision it gives): the fact cites them all."""
        picked = self.values.get(ids.BLOCK_SOURCE_PICK)
        chosen = picked if isinstance(picked, list) else [picked] if picked else []
        source_ids = tuple(dict.fromkeys(int(p) for p in chosen if str(p).isdigit()))
        value = self.text(ids.BLOCK_SOURCE, "Source", limit=MAX_SOURCE)
        title = self.text(ids.BLOCK_SOURCE_TITLE, "Title", limit=MAX_TITLE)
        published = self.partial(
            ids.BLOCK_SOURCE_PUBLISHED, ids.BLOCK_SOURCE_PUBLISHED_PRECISION, "Published"
        )
        if value:
            problem = source_problem(value)
            if problem:
                self._fail(ids.BLOCK_SOURCE, problem)
            return SourceChoice(source_ids, NewSource(value, title, published))
        if title:
            return SourceChoice(source_ids, NewSource(title, None, published))
        if not source_ids and required:
            self._fail(ids.BLOCK_SOURCE, "Source is required: choose a recorded source or add a new one.")
        return SourceChoice(source_ids)

    def partial(
        self, date_block: str, precision_block: str, label: str, *, required: bool = False
    ) -> str | None:
        """A date at the precision the form says it is known to: 2026-05-14, 2026-05 or 2026."""
        day = self.day(date_block, label, required=required, past=True, precision_block=precision_block)
        if day is None:
            return None
        precision = self.values.get(precision_block) or "day"
        whole = PartialDate.of(date.fromisoformat(day))
        if precision == "month":
            return PartialDate(whole.year, whole.month).iso()
        if precision == "year":
            return PartialDate(whole.year).iso()
        return day

    def flag(self, block: str, value: str) -> bool:
        ticked = self.values.get(block) or []
        return isinstance(ticked, list) and value in ticked


def read_status(
    values: Values, today: date | None = None
) -> tuple[str | None, dict[str, Any], SourceChoice, Errors]:
    """(developer id, changes, source, errors) from the status form."""
    form = FormReader(values, today=today)
    developer_id = form.text(ids.BLOCK_DEVELOPER, "Developer", limit=MAX_NAME, required=True)
    changes = {
        "status": form.choice(ids.BLOCK_STATUS, "Agreement status", DEVELOPER_STATUSES),
        "status_since": form.partial(
            ids.BLOCK_EFFECTIVE_DATE, ids.BLOCK_EFFECTIVE_PRECISION, "Effective date", required=True
        ),
        "agreement_date": form.partial(
            ids.BLOCK_AGREEMENT_DATE, ids.BLOCK_AGREEMENT_PRECISION, "Agreement date"
        ),
        "note": form.text(ids.BLOCK_NOTE, "Note", limit=MAX_NOTE),
    }
    source = form.source(required=True)
    return developer_id, changes, source, form.errors


def read_new_developer(
    values: Values, today: date | None = None
) -> tuple[dict[str, Any], SourceChoice, Errors]:
    form = FormReader(values, today=today)
    changes = {
        "name": form.text(ids.BLOCK_NAME, "Name", limit=MAX_NAME, required=True),
        "status": form.choice(ids.BLOCK_STATUS, "Agreement status", DEVELOPER_STATUSES),
        "status_since": form.partial(
            ids.BLOCK_EFFECTIVE_DATE, ids.BLOCK_EFFECTIVE_PRECISION, "Effective date", required=True
        ),
        "note": form.text(ids.BLOCK_NOTE, "Note", limit=MAX_NOTE),
    }
    if changes["status"] == "signed":
        changes["agreement_date"] = changes["status_since"]
    source = form.source(required=True)
    return changes, source, form.errors


RELEASED_IMPLIED_FROM = ("not_submitted", "submitted", "in_review", "cleared")


def read_model(values: Values, today: date | None = None) -> tuple[dict[str, Any], SourceChoice, Errors]:
    form = FormReader(values, today=today)
    changes = {
        "developer_id": form.text(ids.BLOCK_DEVELOPER, "Developer", limit=MAX_NAME, required=True),
        "name": form.text(ids.BLOCK_NAME, "Model name", limit=MAX_NAME, required=True),
        "planned_release": form.day(ids.BLOCK_PLANNED_RELEASE, "Planned release"),
        "submitted": form.day(ids.BLOCK_SUBMITTED, "Submitted", past=True),
        "released": form.partial(ids.BLOCK_RELEASED, ids.BLOCK_RELEASED_PRECISION, "Released"),
        "review_status": form.choice(ids.BLOCK_REVIEW_STATUS, "Review status", REVIEW_STATUSES),
        "note": form.text(ids.BLOCK_NOTE, "Note", limit=MAX_NOTE),
    }
    source = form.source(required=False)
    released = parse_partial(changes["released"]) if changes["released"] else None
    submitted = as_date(changes["submitted"])
    if submitted and released and submitted > released.last_day:
        form.errors.setdefault(ids.BLOCK_SUBMITTED, "Submitted cannot be after the release date.")
    # A released date means the model is out; a Released model must say when.
    if released and changes["review_status"] in RELEASED_IMPLIED_FROM:
        changes["review_status"] = "released"
    if changes["review_status"] == "released" and not released and ids.BLOCK_RELEASED not in form.errors:
        form.errors[ids.BLOCK_RELEASED] = (
            'A Released model needs its released date (choose "the month only" or "the year only" '
            "below if the source gives no day); or choose another review status."
        )
    return changes, source, form.errors


def read_event(
    values: Values, today: date | None = None
) -> tuple[dict[str, Any], list[str], SourceChoice, Errors]:
    """(changes, developer ids, source, errors) from the event form."""
    form = FormReader(values, today=today)
    changes = {
        "kind": form.choice(ids.BLOCK_EVENT_KIND, "Kind", EVENT_KINDS),
        # Empty when no source says when it happened: shown by its report's date.
        "effective": form.partial(
            ids.BLOCK_EFFECTIVE_DATE, ids.BLOCK_EFFECTIVE_PRECISION, "When it happened"
        ),
        "summary": form.text(ids.BLOCK_SUMMARY, "What happened", limit=MAX_SUMMARY, required=True),
        "note": form.text(ids.BLOCK_NOTE, "Note", limit=MAX_NOTE),
    }
    chosen = values.get(ids.BLOCK_EVENT_DEVELOPERS) or []
    developer_ids = [str(d) for d in chosen] if isinstance(chosen, list) else []
    source = form.source(required=True)
    return changes, developer_ids, source, form.errors


def read_deadline(values: Values, today: date | None = None) -> tuple[dict[str, Any], SourceChoice, Errors]:
    form = FormReader(values, today=today)
    changes = {
        "title": form.text(ids.BLOCK_TITLE, "Title", limit=MAX_TITLE, required=True),
        "due_date": form.day(ids.BLOCK_DUE_DATE, "Due date", required=True),
        "kind": form.choice(ids.BLOCK_KIND, "Kind", DEADLINE_KINDS),
        "note": form.text(ids.BLOCK_NOTE, "Note", limit=MAX_NOTE),
        "outcome": values.get(ids.BLOCK_OUTCOME) or "open",
    }
    if changes["outcome"] not in OUTCOME_LABELS:
        form.errors[ids.BLOCK_OUTCOME] = "Choose one of the offered outcomes."
    source = form.source(required=True)
    return changes, source, form.errors


def read_contest(values: Values) -> tuple[dict[str, Any], Errors]:
    form = FormReader(values)
    developer = values.get(ids.BLOCK_DEVELOPER)
    subject = values.get(ids.BLOCK_SUBJECT)
    found: dict[str, Any] = {
        "fact": form.choice(ids.BLOCK_FACT, "Fact", tuple(v for v, _ in FACT_CHOICES)),
        "reason": form.text(ids.BLOCK_REASON, "Reason", limit=MAX_REASON, required=True),
        "claims": [],
    }
    if bool(developer) == bool(subject):
        form.errors[ids.BLOCK_DEVELOPER] = "Choose a developer, or an event or a deadline (one of them)."
    elif developer:
        found["entity"], found["entity_id"] = "developer", str(developer)
    else:
        entity, _, record = str(subject).partition(":")
        found["entity"], found["entity_id"] = entity, record
    for claim, source, new in (
        (ids.BLOCK_CLAIM_A, ids.BLOCK_CLAIM_A_SOURCE, ids.BLOCK_CLAIM_A_NEW_SOURCE),
        (ids.BLOCK_CLAIM_B, ids.BLOCK_CLAIM_B_SOURCE, ids.BLOCK_CLAIM_B_NEW_SOURCE),
    ):
        text = form.text(claim, "Claim", limit=MAX_CLAIM, required=True)
        typed = form.text(new, "Source", limit=MAX_SOURCE)
        picked = values.get(source)
        if typed:  # a source not recorded yet: recorded with the contest
            problem = source_problem(typed)
            if problem:
                form.errors.setdefault(new, problem)
            found["claims"].append((text, NewSource(typed)))
        elif picked and str(picked).isdigit():
            found["claims"].append((text, int(picked)))
        else:
            form.errors.setdefault(source, "Choose the source that makes this claim, or add a new one below.")
    return found, form.errors
