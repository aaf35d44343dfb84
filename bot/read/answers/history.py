"""What was changed in the tracker, by whom and when (/aireview history, the App Home's
latest changes, mention answers), as plain data.

One entry is one save (storage/history.py `list_saves`): an admin form that changed a status,
its "since" date, the agreement date and the as-of date is one entry, in plain words
("status: negotiating → signed; in this status since: June 2026 → Jul 20, 2026; ..."), never
a column name."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot import domain
from bot.blockkit import fmt_when
from bot.deps import Deps
from storage.dates import PartialDate
from storage.history import count_saves, field_words, list_saves
from storage.tracker import subject_label

HISTORY_LIMIT = 20


# Columns holding a date (shown at its precision) and a word from a fixed list (shown as words).
_DATE_FIELDS = frozenset(
    {"status_since", "agreement_date", "as_of", "planned_release", "submitted", "released", "due_date"}
    | {"extended_to", "effective"}
)
_WORD_FIELDS = frozenset({"status", "review_status", "outcome", "kind"})
_YES_NO_FIELDS = frozenset({"contested"})
# The order a save's changes are told in: what changed first, bookkeeping last.
_FIRST = ("status", "review_status", "outcome", "due_date", "planned_release", "title", "name")
_LAST = ("note", "source", "as_of")


def _value_words(field: str, value: str | None) -> str:
    if value is None or value == "":
        return "none"
    if field in _DATE_FIELDS:
        return fmt_when(value, "none")
    if field in _WORD_FIELDS:
        return value.replace("_", " ")
    if field in _YES_NO_FIELDS:
        return {"1": "yes", "0": "no"}.get(value, value)
    return value


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str | None
    new: str | None

    @property
    def words(self) -> str:
        """'in this status since: June 2026 → Jul 20, 2026'; created, removed and an event's
        text as they were written."""
        if self.field == "(created)":
            return "created"
        if self.field == "(removed)":
            return "removed"
        if self.field in ("event", "(contested)", "(reopened)"):
            return (f"{self.field.strip('()')}: " if self.field != "event" else "") + (self.new or "")
        if self.field == "(resolved)":
            return f"resolved: {self.new or ''}"
        old, new = _value_words(self.field, self.old), _value_words(self.field, self.new)
        return f"{field_words(self.field)}: {old} → {new}"


def _order(change: FieldChange) -> tuple[int, int]:
    if change.field in _FIRST:
        return 0, _FIRST.index(change.field)
    if change.field in _LAST:
        return 2, _LAST.index(change.field)
    return 1, 0


@dataclass(frozen=True)
class HistoryEntry:
    """One save: who, when, on what, and every field it changed."""

    id: int
    at: datetime
    actor: str
    entity: str
    subject: str
    field: str  # the first change told (the save's main one)
    old: str | None
    new: str | None
    note: str | None
    source: str | None
    effective: PartialDate | None = None  # when it took effect, as the source says
    changes: tuple[FieldChange, ...] = ()

    @property
    def what(self) -> str:
        """'status: negotiating → signed; agreement date: none → Jul 20, 2026', 'created',
        'removed', or the event's text."""
        if self.field == "(created)" and self.entity in ("event", "framework"):
            return self.new or ""
        changes = self.changes or (FieldChange(self.field, self.old, self.new),)
        return "; ".join(change.words for change in changes)

    @property
    def when(self) -> str:
        """'took effect May 2026' (or '' when the source gave no date)."""
        return f"took effect {fmt_when(self.effective)}" if self.effective else ""


def _history_entry(save: list[dict[str, Any]]) -> HistoryEntry:
    changes = sorted((FieldChange(r["field"], r.get("old"), r.get("new")) for r in save), key=_order)
    main = changes[0]
    # The note, source and effective date of the save (its rows share them; the developers
    # row of an event edit carries no effective date).
    row = next((r for r in save if r["field"] == main.field), save[0])
    return HistoryEntry(
        id=max(r["id"] for r in save),
        at=datetime.fromisoformat(row["at"]),
        actor=row["actor"],
        entity=row["entity"],
        subject=row["subject"],
        field=main.field,
        old=main.old,
        new=main.new,
        note=next((r["note"] for r in save if r.get("note")), None),
        source=next((r["source"] for r in save if r.get("source")), None),
        effective=domain.parse_fact_date(next((r["effective"] for r in save if r.get("effective")), None)),
        changes=tuple(changes),
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


def history_answer(
    deps: Deps,
    entity: str | None = None,
    record: dict[str, Any] | None = None,
    limit: int = HISTORY_LIMIT,
) -> HistoryAnswer:
    db = deps.store.db
    entity_id = str(record["id"]) if record else None
    saves = list_saves(db, entity, entity_id, limit=limit)
    label = None
    if record is not None and entity is not None:
        label = subject_label(db, entity, record)
    return HistoryAnswer(
        label=label,
        entity=entity,
        entries=[_history_entry(save) for save in saves],
        total=count_saves(db, entity, entity_id),
        tz=deps.settings.tz,
    )
