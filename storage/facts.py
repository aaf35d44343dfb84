"""Citations read per fact, contested claims, events and framework facts (sources
themselves are in storage/sources.py, re-exported here).

A contest holds the competing claims about one fact, each with its source, and a
one-line reason; a record's `contested` flag is 1 while it has an open contest. Opening,
resolving and reopening write history rows like every other change.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from storage.events import (
    EVENT_FIELD,
    EVENT_KIND_LABELS,
    EVENT_KINDS,
    create_event,
    event_developers,
    event_row,
    event_subject,
    get_event,
    list_events,
    reported_date,
    seeded_event_ids,
    update_event,
)
from storage.history import record_history
from storage.sources import (
    WHOLE_RECORD,
    SourceError,
    add_source,
    cite,
    clean_url,
    get_source,
    list_sources,
    record_sources,
    refresh_source_text,
    source_by_seed_key,
    source_from_text,
    source_label,
)
from storage.sql import placeholders
from storage.timestamps import utc_iso
from storage.tracker import (
    ENTITY_TABLES,
    NotFound,
    TrackerError,
    get_record,
    subject_label,
)

__all__ = [
    "EVENT_FIELD",
    "EVENT_KINDS",
    "EVENT_KIND_LABELS",
    "WHOLE_RECORD",
    "create_event",
    "event_developers",
    "get_event",
    "list_events",
    "reported_date",
    "seeded_event_ids",
    "update_event",
    "SourceError",
    "add_source",
    "cite",
    "clean_url",
    "get_source",
    "list_sources",
    "record_sources",
    "refresh_source_text",
    "source_by_seed_key",
    "source_from_text",
    "source_label",
]

# Tables whose rows carry `source` and `contested` columns kept here.
_FLAGGED = {**ENTITY_TABLES, "event": "events", "framework": "framework_facts"}


Citations = dict[str, dict[str, list[dict[str, Any]]]]  # entity_id -> field -> sources


def citations_for(db: Database, entity: str, entity_ids: Iterable[str | int] | None = None) -> Citations:
    """The sources citing each fact of these records (all of the entity's when None)."""
    sql = (
        "SELECT c.entity_id, c.field, s.* FROM citations c JOIN sources s ON s.id = c.source_id "
        "WHERE c.entity = ?"
    )
    params: list[Any] = [entity]
    if entity_ids is not None:
        wanted = [str(i) for i in entity_ids]
        if not wanted:
            return {}
        sql += f" AND c.entity_id IN ({placeholders(wanted)})"
        params += wanted
    out: Citations = defaultdict(lambda: defaultdict(list))
    for row in db.query(sql + " ORDER BY s.id", params):
        entity_id, field = row.pop("entity_id"), row.pop("field")
        out[entity_id][field].append(row)
    return {k: dict(v) for k, v in out.items()}


def fact_sources(cited: Citations, entity_id: str | int, field: str) -> list[dict[str, Any]]:
    """A fact's sources: its own citations, else the record's."""
    fields = cited.get(str(entity_id), {})
    return fields.get(field) or fields.get(WHOLE_RECORD) or []


# ---------------------------------------------------------------- contests


@dataclass(frozen=True)
class Claim:
    id: int
    text: str
    source: dict[str, Any] | None

    @property
    def source_label(self) -> str:
        return source_label(self.source) if self.source else "source not recorded"


@dataclass(frozen=True)
class Contest:
    id: int
    entity: str
    entity_id: str
    field: str
    reason: str
    state: str
    claims: list[Claim]
    resolved_claim_id: int | None
    resolution_source: dict[str, Any] | None

    @property
    def line(self) -> str:
        """'Contested: report A says X; report B says Y' (or the reason alone)."""
        if not self.claims:
            return f"Contested: {self.reason}"
        said = "; ".join(f"{c.source_label} says “{c.text}”" for c in self.claims)
        return f"Contested: {said}"


def _set_contested_flag(db: Database, entity: str, entity_id: str | int) -> None:
    table = _FLAGGED.get(entity)
    if table is None:
        return
    db.execute(
        f"UPDATE {table} SET contested = (SELECT COUNT(*) > 0 FROM contests WHERE entity = ? "
        "AND entity_id = ? AND state = 'open') WHERE id = ?",
        [entity, str(entity_id), entity_id],
    )


def _label(db: Database, entity: str, entity_id: str | int) -> str:
    if entity in ENTITY_TABLES:
        row = get_record(db, entity, entity_id)
        return subject_label(db, entity, row) if row else str(entity_id)
    table = _FLAGGED.get(entity)
    if table is None:
        return str(entity_id)
    rows = list(db.query(f"SELECT * FROM {table} WHERE id = ?", [entity_id]))
    if not rows:
        return str(entity_id)
    return str(rows[0].get("summary") or rows[0].get("label") or entity_id)


def open_contest(
    db: Database,
    *,
    entity: str,
    entity_id: str | int,
    field: str,
    reason: str,
    claims: Sequence[tuple[str, int | None]],
    actor: str,
    at: datetime,
    seed_key: str | None = None,
) -> Contest:
    """Mark a fact contested with its competing claims (text, source id)."""
    if len(claims) < 2:
        raise TrackerError("A contest needs at least two competing claims.")
    with db.atomic():
        cursor = db.execute(
            "INSERT INTO contests (entity, entity_id, field, reason, seed_key, opened_at, opened_by)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [entity, str(entity_id), field, reason, seed_key, utc_iso(at), actor],
        )
        contest_id = int(cursor.lastrowid or 0)
        for text, source_id in claims:
            db.execute(
                "INSERT INTO claims (contest_id, claim, source_id) VALUES (?, ?, ?)",
                [contest_id, text, source_id],
            )
        contest = get_contest(db, contest_id)
        assert contest is not None
        record_history(
            db,
            entity=entity,
            entity_id=entity_id,
            subject=_label(db, entity, entity_id),
            field="(contested)",
            old=None,
            new=f"{reason} — {contest.line}",
            actor=actor,
            at=at,
            note=None,
            source="; ".join(dict.fromkeys(c.source_label for c in contest.claims)),
        )
        _set_contested_flag(db, entity, entity_id)
    return contest


def get_contest(db: Database, contest_id: int) -> Contest | None:
    found = _contests(db, "c.id = ?", [contest_id])
    return found[0] if found else None


def _contests(db: Database, where: str, params: list[Any]) -> list[Contest]:
    rows = list(db.query(f"SELECT c.* FROM contests c WHERE {where} ORDER BY c.id", params))
    if not rows:
        return []
    marks = placeholders(rows)
    claims: dict[int, list[Claim]] = defaultdict(list)
    sources: dict[int, dict[str, Any]] = {}
    for row in db.query(
        f"SELECT * FROM claims WHERE contest_id IN ({marks}) ORDER BY id", [r["id"] for r in rows]
    ):
        source = None
        if row["source_id"] is not None:
            source = sources.get(row["source_id"]) or get_source(db, row["source_id"])
            if source is not None:
                sources[row["source_id"]] = source
        claims[row["contest_id"]].append(Claim(row["id"], row["claim"], source))
    return [
        Contest(
            id=r["id"],
            entity=r["entity"],
            entity_id=r["entity_id"],
            field=r["field"],
            reason=r["reason"],
            state=r["state"],
            claims=claims[r["id"]],
            resolved_claim_id=r["resolved_claim_id"],
            resolution_source=get_source(db, r["resolution_source_id"])
            if r["resolution_source_id"]
            else None,
        )
        for r in rows
    ]


def contests_for(
    db: Database, entity: str, entity_ids: Iterable[str | int] | None = None, *, open_only: bool = True
) -> dict[str, list[Contest]]:
    where, params = "c.entity = ?", [entity]
    if entity_ids is not None:
        wanted = [str(i) for i in entity_ids]
        if not wanted:
            return {}
        where += f" AND c.entity_id IN ({placeholders(wanted)})"
        params += wanted
    if open_only:
        where += " AND c.state = 'open'"
    out: dict[str, list[Contest]] = defaultdict(list)
    for contest in _contests(db, where, params):
        out[contest.entity_id].append(contest)
    return dict(out)


def contest_subject(db: Database, contest: Contest) -> str:
    """What a contest is about, in words: 'Meta', 'Meta / Muse Spark', or for an event its
    kind, developers and the start of its summary."""
    if contest.entity != "event":
        return _label(db, contest.entity, contest.entity_id)
    row = event_row(db, int(contest.entity_id))
    if row is None:
        return f"event {contest.entity_id}"
    summary = str(row["summary"]).rstrip(".")
    short = summary if len(summary) <= 90 else summary[:89].rstrip() + "…"
    return f"{event_subject(db, row['kind'], row['developer_ids'])}: {short}"


def open_contests(db: Database, limit: int) -> tuple[list[tuple[str, Contest]], int]:
    """(the first `limit`, how many in all) open contests on every kind of record, events
    included, each with what it is about; developers first, then models, deadlines, events."""
    found = _contests(db, "c.state = 'open'", [])
    order = {"developer": 0, "model": 1, "deadline": 2, "event": 3, "framework": 4}
    labelled = [(contest_subject(db, c), c) for c in found]
    labelled.sort(key=lambda lc: (order.get(lc[1].entity, 9), lc[0].lower()))
    return labelled[:limit], len(labelled)


def resolve_contest(
    db: Database,
    contest_id: int,
    *,
    claim_id: int,
    source_id: int | None,
    actor: str,
    at: datetime,
    note: str | None = None,
) -> Contest:
    """The claim that stands, with the source that settles it."""
    with db.atomic():
        contest = get_contest(db, contest_id)
        if contest is None:
            raise NotFound(f"No contest {contest_id}.")
        if contest.state != "open":
            raise TrackerError("This contest is already resolved; reopen it first.")
        claim = next((c for c in contest.claims if c.id == claim_id), None)
        if claim is None:
            raise TrackerError("Choose one of the contest's claims.")
        db.execute(
            "UPDATE contests SET state = 'resolved', resolved_claim_id = ?, resolution_source_id = ?,"
            " resolution_note = ?, resolved_at = ?, resolved_by = ? WHERE id = ?",
            [claim_id, source_id, note, utc_iso(at), actor, contest_id],
        )
        source = get_source(db, source_id) if source_id else None
        record_history(
            db,
            entity=contest.entity,
            entity_id=contest.entity_id,
            subject=_label(db, contest.entity, contest.entity_id),
            field="(resolved)",
            old=contest.line,
            new=f"“{claim.text}” stands",
            actor=actor,
            at=at,
            note=note,
            source=source_label(source) if source else None,
        )
        _set_contested_flag(db, contest.entity, contest.entity_id)
        resolved = get_contest(db, contest_id)
    assert resolved is not None
    return resolved


def reopen_contest(
    db: Database, contest_id: int, *, actor: str, at: datetime, note: str | None = None
) -> Contest:
    with db.atomic():
        contest = get_contest(db, contest_id)
        if contest is None:
            raise NotFound(f"No contest {contest_id}.")
        if contest.state == "open":
            raise TrackerError("This contest is already open.")
        db.execute(
            "UPDATE contests SET state = 'open', resolved_claim_id = NULL, resolution_source_id = NULL,"
            " resolution_note = NULL, resolved_at = NULL, resolved_by = NULL WHERE id = ?",
            [contest_id],
        )
        record_history(
            db,
            entity=contest.entity,
            entity_id=contest.entity_id,
            subject=_label(db, contest.entity, contest.entity_id),
            field="(reopened)",
            old=None,
            new=contest.line,
            actor=actor,
            at=at,
            note=note,
            source=None,
        )
        _set_contested_flag(db, contest.entity, contest.entity_id)
        reopened = get_contest(db, contest_id)
    assert reopened is not None
    return reopened


# ---------------------------------------------------------------- framework facts


def list_framework_facts(db: Database) -> list[dict[str, Any]]:
    return list(db.query("SELECT * FROM framework_facts ORDER BY rowid"))


def put_framework_fact(
    db: Database,
    fact_id: str,
    *,
    label: str,
    text: str,
    as_of: str | None,
    source_ids: Sequence[int],
    actor: str,
    at: datetime,
) -> None:
    """Add a framework fact (the seed's): its `(created)` history row and citations."""
    stamp = utc_iso(at)
    with db.atomic():
        db.execute(
            "INSERT INTO framework_facts (id, label, text, as_of, created_at, updated_at, updated_by)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [fact_id, label, text, as_of, stamp, stamp, actor],
        )
        cite(db, "framework", fact_id, [WHOLE_RECORD], source_ids)
        record_history(
            db,
            entity="framework",
            entity_id=fact_id,
            subject=f"Framework: {label}",
            field="(created)",
            old=None,
            new=text,
            actor=actor,
            at=at,
            note=None,
            source="; ".join(source_label(s) for s in record_sources(db, "framework", fact_id)) or None,
        )
