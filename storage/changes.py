"""Reads for "what changed": the history rows and matched news recorded in a period."""

from __future__ import annotations

import json
from typing import Any

from sqlite_utils import Database

from storage.seed import SEED_ACTOR  # the shipped facts loaded at installation are not changes
from storage.sql import placeholders

# The history fields a policy reader counts as a change: statuses and agreements, model and
# deadline dates, records added or removed, events, and a deadline's outcome (issue 15 adds
# `outcome` rows; until then none match). Notes, sources and as-of dates are left out.
CHANGE_FIELDS = (
    "status",
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
)


def history_since(db: Database, since: str, until: str, limit: int) -> tuple[list[dict[str, Any]], int]:
    """(newest first, at most `limit`) history rows of CHANGE_FIELDS recorded from the UTC ISO
    `since` to `until`, each with the developer it concerns (`developer_id`: a model's developer, or None for
    deadlines and the framework), and how many there are in all."""
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
    return rows, int(total)


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
