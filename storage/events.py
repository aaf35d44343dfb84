"""Events: developments that are not a status (an order, a request, a statement, a release),
each concerning some developers, citing its sources, dated when a source gives the date.

An event no source dates has no `effective` date: surfaces show it by the date of the report
that mentions it (`reported_date`), and calendars and the timeline leave it out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from storage.dates import parse_partial
from storage.history import apply_changes, record_history
from storage.sources import WHOLE_RECORD, cite, record_sources, source_label
from storage.sql import placeholders
from storage.timestamps import utc_iso
from storage.tracker import NotFound, VersionConflict

EVENT_KINDS = ("order", "request", "statement", "agreement", "restriction", "release", "other")
EVENT_KIND_LABELS = {
    "order": "Order",
    "request": "Formal request",
    "statement": "Statement",
    "agreement": "Agreement",
    "restriction": "Restriction",
    "release": "Release",
    "other": "Development",
}
# The history field of an event's creation: the sweep reads these rows beside status
# changes and sends them as `development` alerts.
EVENT_FIELD = "event"


def event_developers(db: Database, event_ids: Iterable[str | int]) -> dict[str, list[str]]:
    """The developers each event concerns (str(event id) -> developer ids)."""
    wanted = [str(i) for i in event_ids]
    if not wanted:
        return {}
    out: dict[str, list[str]] = defaultdict(list)
    marks = placeholders(wanted)
    rows = db.query(
        f"SELECT event_id, developer_id FROM event_developers WHERE event_id IN ({marks})"
        " ORDER BY developer_id",
        wanted,
    )
    for row in rows:
        out[str(row["event_id"])].append(row["developer_id"])
    return dict(out)


def event_row(db: Database, event_id: int) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM events WHERE id = ?", [event_id]))
    if not rows:
        return None
    row = rows[0]
    row["developer_ids"] = [
        r["developer_id"]
        for r in db.query(
            "SELECT developer_id FROM event_developers WHERE event_id = ? ORDER BY developer_id", [event_id]
        )
    ]
    return row


def _link_developers(db: Database, event_id: int, developer_ids: Sequence[str]) -> None:
    for developer_id in dict.fromkeys(developer_ids):
        db.execute(
            "INSERT INTO event_developers (event_id, developer_id) VALUES (?, ?)", [event_id, developer_id]
        )


def seeded_event_ids(db: Database) -> dict[str, int]:
    """Every seeded event's id by its seed key."""
    rows = db.query("SELECT id, seed_key FROM events WHERE seed_key IS NOT NULL")
    return {r["seed_key"]: r["id"] for r in rows}


def get_event(db: Database, event_id: int) -> dict[str, Any] | None:
    return event_row(db, event_id)


def create_event(
    db: Database,
    *,
    kind: str,
    effective: str | None,
    summary: str,
    developer_ids: Sequence[str],
    source_ids: Sequence[int],
    actor: str,
    at: datetime,
    as_of: str | None = None,
    note: str | None = None,
    seed_key: str | None = None,
) -> dict[str, Any]:
    """A development (not a status), dated when a source gives its date (`effective` None:
    no source does; surfaces then show the date of the report that mentions it, see
    `reported_date`); its history row carries the summary and the effective date, so it
    reaches subscribers as a `development` alert."""
    if kind not in EVENT_KINDS:
        raise ValueError(f"unknown event kind {kind!r}")
    parsed = parse_partial(effective)
    day = parsed.iso() if parsed is not None else None
    stamp = utc_iso(at)
    with db.atomic():
        cursor = db.execute(
            "INSERT INTO events (kind, effective, summary, note, as_of, seed_key, created_at, updated_at,"
            " updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [kind, day, summary, note, as_of, seed_key, stamp, stamp, actor],
        )
        event_id = int(cursor.lastrowid or 0)
        _link_developers(db, event_id, developer_ids)
        cite(db, "event", event_id, [WHOLE_RECORD], source_ids)
        sources = [source_label(s) for s in record_sources(db, "event", event_id)]
        record_history(
            db,
            entity="event",
            entity_id=event_id,
            subject=event_subject(db, kind, developer_ids),
            field=EVENT_FIELD,
            old=None,
            new=summary,
            actor=actor,
            at=at,
            note=note,
            source="; ".join(sources) or None,
            effective=day,
        )
        created = event_row(db, event_id)
    assert created is not None
    return created


def event_subject(db: Database, kind: str, developer_ids: Sequence[str]) -> str:
    names = [
        r["name"]
        for r in db.query(
            f"SELECT name FROM developers WHERE id IN ({placeholders(developer_ids)}) ORDER BY name",
            list(developer_ids),
        )
    ]
    label = EVENT_KIND_LABELS.get(kind, kind)
    return f"{label}: {', '.join(names)}" if names else label


def update_event(
    db: Database,
    event_id: int,
    changes: dict[str, Any],
    *,
    developer_ids: Sequence[str] | None,
    source_ids: Sequence[int] | None,
    actor: str,
    at: datetime,
    note: str | None = None,
    expected_version: int | None = None,
) -> dict[str, Any]:
    """Change an event's kind, effective date, summary, note, developers or sources; one
    history row per changed field."""
    allowed = {"kind", "effective", "summary", "note", "as_of"}
    if set(changes) - allowed:
        raise ValueError(f"not editable on event: {sorted(set(changes) - allowed)}")
    with db.atomic():
        current = event_row(db, event_id)
        if current is None:
            raise NotFound(f"No event with id {event_id}.")
        if expected_version is not None and current["version"] != expected_version:
            raise VersionConflict("event", current)
        diffs = {k: v for k, v in changes.items() if (current[k] or None) != (v or None)}
        subject = event_subject(db, current["kind"], current["developer_ids"])
        source_text = None
        if source_ids is not None:
            cite(db, "event", event_id, [WHOLE_RECORD], source_ids)
            source_text = "; ".join(source_label(s) for s in record_sources(db, "event", event_id)) or None
        apply_changes(
            db,
            table="events",
            entity="event",
            record_id=event_id,
            subject=subject,
            current=current,
            diffs=diffs,
            actor=actor,
            at=at,
            note=note,
            source=source_text,
            effective=changes["effective"] if "effective" in changes else current["effective"],
        )
        if developer_ids is not None and list(dict.fromkeys(developer_ids)) != current["developer_ids"]:
            db.execute("DELETE FROM event_developers WHERE event_id = ?", [event_id])
            _link_developers(db, event_id, developer_ids)
            record_history(
                db,
                entity="event",
                entity_id=event_id,
                subject=subject,
                field="developers",
                old=", ".join(current["developer_ids"]),
                new=", ".join(dict.fromkeys(developer_ids)),
                actor=actor,
                at=at,
                note=note,
                source=source_text,
            )
        updated = event_row(db, event_id)
    assert updated is not None
    return updated


# Undated events after the dated ones (portable: NULLs sort differently in SQLite and PostgreSQL).
_EVENT_ORDER = "ORDER BY CASE WHEN e.effective IS NULL THEN 1 ELSE 0 END, e.effective DESC, e.id DESC"


def list_events(db: Database, developer_id: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
    """Newest effective date first (a month-precision date sorts as its month's start), then
    the events no source dates, newest recorded first."""
    if developer_id is None:
        rows = list(db.query(f"SELECT e.* FROM events e {_EVENT_ORDER} LIMIT ?", [limit]))
    else:
        rows = list(
            db.query(
                "SELECT e.* FROM events e JOIN event_developers ed ON ed.event_id = e.id "
                f"WHERE ed.developer_id = ? {_EVENT_ORDER} LIMIT ?",
                [developer_id, limit],
            )
        )
    if not rows:
        return rows
    marks = placeholders(rows)
    owners: dict[int, list[str]] = defaultdict(list)
    for r in db.query(
        f"SELECT * FROM event_developers WHERE event_id IN ({marks}) ORDER BY developer_id",
        [r["id"] for r in rows],
    ):
        owners[r["event_id"]].append(r["developer_id"])
    for row in rows:
        row["developer_ids"] = owners[row["id"]]
    return rows


def reported_date(sources: Iterable[dict[str, Any]]) -> str | None:
    """When a fact was first reported: the earliest published date among its sources (at
    its precision; None when none gives one). What an undated event is shown by."""
    dates = [p for p in (parse_partial(s.get("published")) for s in sources) if p is not None]
    return min(dates, key=lambda p: (p.first_day, p.last_day)).iso() if dates else None
