"""What was changed in the tracker, by whom and when (/aireview history, the App Home's
latest changes), as plain data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot import domain
from bot.blockkit import fmt_when
from bot.deps import Deps
from storage.answers import history_count
from storage.dates import PartialDate
from storage.tracker import list_history, subject_label

HISTORY_LIMIT = 20


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
        total=history_count(db, entity, entity_id),
        tz=deps.settings.tz,
    )
