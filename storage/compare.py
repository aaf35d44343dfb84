"""Reads for "labs side by side": one row per developer with its models' figures, in one query."""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from storage.rules import SQL_RELEASED, SQL_SUBMITTED


def compare_rows(db: Database, today: str) -> list[dict[str, Any]]:
    """Every developer with: models in review, the earliest planned release among models not
        yet submitted (its window opening is the next submission due, or overdue), the next planned
        release from `today` (ISO date), contested flags on it, its models and the events that
    concern it, and its last change.
        One statement: the 200-developer tracker is one pass over models and history."""
    return list(
        db.query(
            f"""
            WITH per_model AS (
                SELECT m.developer_id,
                       SUM(m.review_status IN ('submitted', 'in_review')) AS in_review,
                       MIN(CASE WHEN NOT {SQL_SUBMITTED} AND NOT {SQL_RELEASED}
                                 AND COALESCE(m.planned_release, '') <> ''
                            THEN m.planned_release END) AS first_unsubmitted_release,
                       MIN(CASE WHEN NOT {SQL_RELEASED} AND m.planned_release >= :today
                            THEN m.planned_release END) AS next_release,
                       SUM(m.contested) AS contested_models
                FROM models m
                GROUP BY m.developer_id
            ),
            per_event AS (
                SELECT ed.developer_id, SUM(e.contested) AS contested_events
                FROM event_developers ed JOIN events e ON e.id = ed.event_id
                GROUP BY ed.developer_id
            ),
            model_changes AS (
                SELECT m.developer_id, MAX(h.at) AS at
                FROM history h JOIN models m
                  ON h.entity = 'model' AND h.entity_id = CAST(m.id AS TEXT)
                GROUP BY m.developer_id
            ),
            developer_changes AS (
                SELECT entity_id AS developer_id, MAX(at) AS at
                FROM history WHERE entity = 'developer' GROUP BY entity_id
            )
            SELECT d.id, d.name, d.status, d.status_since, d.agreement_date, d.contested,
                   COALESCE(p.in_review, 0) AS in_review,
                   p.first_unsubmitted_release,
                   p.next_release,
                   COALESCE(p.contested_models, 0) + d.contested
                     + COALESCE(pe.contested_events, 0) AS contested_facts,
                   MAX(COALESCE(dc.at, ''), COALESCE(mc.at, '')) AS last_change
            FROM developers d
            LEFT JOIN per_model p ON p.developer_id = d.id
            LEFT JOIN per_event pe ON pe.developer_id = d.id
            LEFT JOIN model_changes mc ON mc.developer_id = d.id
            LEFT JOIN developer_changes dc ON dc.developer_id = d.id
            """,
            {"today": today},
        )
    )
