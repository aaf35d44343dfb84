"""Reads for "what changed": the history rows and matched news recorded in a period."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from sqlite_utils import Database

from storage.dates import parse_partial, partial_label
from storage.events import EVENT_KIND_LABELS, event_developers, reported_date
from storage.facts import open_contests
from storage.seed import SEED_ACTOR  # the shipped facts loaded at installation are not changes
from storage.sources import source_label
from storage.sql import placeholders

# The history fields a policy reader counts as a change: statuses and since when, agreements,
# model and deadline dates, records added or removed, events, a deadline's outcome, and
# conflicts opened, settled or reopened. Notes, sources and as-of dates are left out.
CONTEST_FIELDS = ("(contested)", "(resolved)", "(reopened)")
CHANGE_FIELDS = (
    "status",
    "status_since",
    "agreement_date",
    "planned_release",
    "submitted",
    "released",
    "review_status",
    "due_date",
    "outcome",
    "(created)",
    "(removed)",
    "event",
    *CONTEST_FIELDS,
)


def history_since(db: Database, since: str, until: str, limit: int) -> tuple[list[dict[str, Any]], int]:
    """(newest first, at most `limit`) history rows of CHANGE_FIELDS recorded from the UTC ISO
    `since` to `until`, each with the developers it concerns (`developer_ids`: the developer, a
    model's developer, the developers an event concerns; empty for deadlines and the
    framework), and how many there are in all."""
    fields = placeholders(CHANGE_FIELDS)
    where = f"h.at >= ? AND h.at <= ? AND h.field IN ({fields}) AND h.actor <> '{SEED_ACTOR}'"
    params: list[Any] = [since, until, *CHANGE_FIELDS]
    rows = list(
        db.query(
            f"""SELECT h.*,
                       CASE h.entity
                         WHEN 'developer' THEN h.entity_id
                         WHEN 'model' THEN (SELECT m.developer_id FROM models m
                                            WHERE CAST(m.id AS TEXT) = h.entity_id)
                       END AS developer_id
                FROM history h WHERE {where} ORDER BY h.at DESC, h.id DESC LIMIT ?""",
            [*params, limit],
        )
    )
    total = next(iter(db.query(f"SELECT COUNT(*) AS n FROM history h WHERE {where}", params)))["n"]
    owners = event_developers(db, [r["entity_id"] for r in rows if r["entity"] == "event"])
    for row in rows:
        if row["entity"] == "event":
            row["developer_ids"] = owners.get(str(row["entity_id"]), [])
        else:
            row["developer_ids"] = [row["developer_id"]] if row["developer_id"] else []
    return rows, int(total)


def _in_period(value: str | None, first: date, last: date) -> bool:
    """A date at its precision falls in [first, last]: all of it from `first` on (May 2026 is
    not "since May 20", it may be earlier), and its start by `last`."""
    parsed = parse_partial(value)
    return parsed is not None and first <= parsed.first_day <= last


def happened_between(db: Database, first: date, last: date) -> list[dict[str, Any]]:
    """What the tracker's facts say happened from `first` to `last` (days, at any precision),
    whoever recorded them: events by their date (or, undated, by the date of the report that
    mentions them), statuses by their since date, agreements, models' releases and
    submissions, deadlines that fell due, and the reports' disagreements by the date of the
    reports. Each row: entity, entity_id, kind, subject, text, when (ISO at its precision),
    developer_ids, sources (labels: the fact's own, else the record's), undated; oldest first."""
    out: list[dict[str, Any]] = []
    cited, by_field = _sources_by_record(db)

    def add(
        entity: str, record: dict[str, Any], field: str, subject: str, text: str, devs: list[str]
    ) -> None:
        key = (entity, str(record["id"]))
        when = record.get(field) or (reported_date(cited.get(key, [])) if entity == "event" else None)
        if _in_period(when, first, last):
            sources = by_field.get((*key, field)) or cited.get(key, [])
            row = _happened(entity, record["id"], subject, text, when, devs)
            row.update(sources=[source_label(s) for s in sources], undated=not record.get(field))
            out.append(row)

    events = list(db.query("SELECT * FROM events"))
    owners = event_developers(db, [e["id"] for e in events])
    for e in events:
        label = EVENT_KIND_LABELS.get(e["kind"], e["kind"])
        add("event", e, "effective", label, e["summary"], owners.get(str(e["id"]), []))
    for d in db.query("SELECT id, name, status, status_since, agreement_date FROM developers"):
        status = str(d["status"]).replace("_", " ")
        since = f"{status} since {partial_label(d['status_since'])}" if d["status_since"] else status
        add("developer", d, "status_since", d["name"], since, [d["id"]])
        add("developer", d, "agreement_date", d["name"], "agreement reached", [d["id"]])
    for m in db.query("SELECT id, developer_id, name, submitted, released FROM models"):
        add("model", m, "submitted", m["name"], "submitted for review", [m["developer_id"]])
        add("model", m, "released", m["name"], "released", [m["developer_id"]])
    for t in db.query("SELECT id, title, due_date, outcome FROM deadlines"):
        add("deadline", t, "due_date", t["title"], f"fell due (outcome: {t['outcome'] or 'open'})", [])
    for row in out:
        if row["entity"] == "event":
            row["kind"] = "event"
    out += _disagreements(db, first, last, owners)
    out.sort(key=lambda r: _sort_day(r["when"]))
    return out


def _sort_day(value: str | None) -> date:
    parsed = parse_partial(value)
    return parsed.last_day if parsed else date.min


def _happened(
    entity: str, record_id: Any, subject: str, text: str, when: str | None, developer_ids: list[str]
) -> dict[str, Any]:
    return {
        "entity": entity,
        "entity_id": str(record_id),
        "kind": "change",
        "subject": subject,
        "text": text,
        "when": when,
        "developer_ids": developer_ids,
        "undated": False,
    }


Sourced = dict[tuple[str, str], list[dict[str, Any]]]


def _sources_by_record(db: Database) -> tuple[Sourced, dict[tuple[str, str, str], list[dict[str, Any]]]]:
    """Every record's sources (on any of its facts, once each), and each fact's own."""
    out: dict[tuple[str, str], dict[int, dict[str, Any]]] = {}
    by_field: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    rows = db.query(
        "SELECT c.entity, c.entity_id, c.field, s.* FROM citations c JOIN sources s ON s.id = c.source_id"
        " ORDER BY s.id"
    )
    for row in rows:
        key = (str(row.pop("entity")), str(row.pop("entity_id")))
        by_field.setdefault((*key, str(row.pop("field"))), []).append(row)
        out.setdefault(key, {})[int(row["id"])] = row
    return {k: list(v.values()) for k, v in out.items()}, by_field


def _disagreements(
    db: Database, first: date, last: date, owners: dict[str, list[str]]
) -> list[dict[str, Any]]:
    """Open contests whose competing claims were reported in the period (by the reports' date)."""
    found, _ = open_contests(db, 10_000)
    out = []
    for label, contest in found:
        sources = [k.source for k in contest.claims if k.source is not None]
        when = reported_date(sources)
        if not _in_period(when, first, last):
            continue
        if contest.entity == "event":
            developers = owners.get(contest.entity_id, [])
        elif contest.entity == "developer":
            developers = [contest.entity_id]
        else:
            developers = []
        said = "; ".join(f"{k.source_label} says “{k.text}”" for k in contest.claims)
        text = f"conflicting reports. {contest.reason} {said}"
        row = _happened("contest", contest.id, label, text, when, developers)
        row.update(kind="conflict", sources=list(dict.fromkeys(k.source_label for k in contest.claims)))
        out.append(row)
    return out


def news_since(db: Database, since: str, until: str, limit: int) -> tuple[list[dict[str, Any]], int]:
    """(newest first) news items that matched (those alerted on) first seen from `since` to
    `until`, with their feed's title, and how many there are in all."""
    rows = [
        {**row, "developers": json.loads(row.get("developers") or "[]")}
        for row in db.query(
            """SELECT n.id, n.title, n.link, n.published, n.source, n.developers, n.first_seen_at,
                      f.title AS feed_title
               FROM news_items n LEFT JOIN feeds f ON f.id = n.feed_id
               WHERE n.alert = 1 AND n.first_seen_at >= ? AND n.first_seen_at <= ?
               ORDER BY n.first_seen_at DESC, n.id DESC LIMIT ?""",
            [since, until, limit],
        )
    ]
    total = next(
        iter(
            db.query(
                "SELECT COUNT(*) AS n FROM news_items "
                "WHERE alert = 1 AND first_seen_at >= ? AND first_seen_at <= ?",
                [since, until],
            )
        )
    )["n"]
    return rows, int(total)


def developer_names(db: Database) -> dict[str, str]:
    return {row["id"]: row["name"] for row in db.query("SELECT id, name FROM developers")}


# The alert kind of the weekly briefing in the ledger (bot/alerts writes it).
BRIEFING_KIND = "briefing"


def last_briefing_sent(db: Database, target: str | None = None) -> str | None:
    """When the last weekly briefing was delivered (UTC ISO), to `target` or to any target."""
    sql = "SELECT MAX(sent_at) AS at FROM alert_ledger WHERE kind = ? AND status = 'sent'"
    params: list[Any] = [BRIEFING_KIND]
    if target is not None:
        sql += " AND target = ?"
        params.append(target)
    at = next(iter(db.query(sql, params)))["at"]
    if at is None and target is not None:
        return last_briefing_sent(db)
    return str(at) if at else None
