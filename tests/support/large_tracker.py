"""A large tracker for limit and speed tests: 200 developers, 5,000 models, 500 deadlines.

    make_large_tracker(store.db, developers=200, models=5000, deadlines=500)

Bulk inserts (with a `(created)` history row per record, and some status changes) so it
builds in about a second. Dates spread around 2026-07-24 so every kind of item shows up:
overdue submissions, recently passed items, windows opening soon, far-off releases.
Some notes and sources carry mrkdwn specials (<!channel>, <@U123>, &) and long text.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlite_utils import Database

BASE_DAY = date(2026, 7, 24)
CREATED_AT = "2026-06-10T12:00:00+00:00"
ACTOR = "UADMIN0001"
HOSTILE = "<!channel> ping <@U123ABC> & <https://evil.example|click> > everyone"
LONG_NOTE = ("A long note about the negotiation, repeated to stress the limits. " * 40).strip()
STATUSES = ("signed", "negotiating", "holdout", "declined", "unknown")
REVIEW_STATUSES = ("not_submitted", "submitted", "in_review", "cleared", "not_submitted")


def _developer(i: int) -> dict[str, Any]:
    note = HOSTILE if i % 7 == 0 else LONG_NOTE if i % 5 == 0 else f"Developer {i} note."
    return {
        "id": f"dev-{i:03d}",
        "name": f"Developer {i:03d} Labs",
        "status": STATUSES[i % len(STATUSES)],
        "status_since": (BASE_DAY - timedelta(days=i % 90)).isoformat(),
        "note": note,
        "source": HOSTILE if i % 11 == 0 else f"https://example.org/report/{i}",
        "as_of": "2026-07-01",
        "contested": int(i % 13 == 0),
        "version": 1,
        "created_at": CREATED_AT,
        "updated_at": CREATED_AT,
        "updated_by": ACTOR,
    }


def make_large_tracker(
    db: Database,
    developers: int = 200,
    models: int = 5000,
    deadlines: int = 500,
) -> dict[str, int]:
    """Fill an empty (migrated) database; returns the counts written."""
    devs = [_developer(i) for i in range(developers)]
    model_rows = []
    for i in range(models):
        planned = BASE_DAY + timedelta(days=(i % 400) - 60)
        status = REVIEW_STATUSES[i % len(REVIEW_STATUSES)]
        model_rows.append(
            {
                "id": i + 1,
                "developer_id": devs[i % developers]["id"],
                "name": f"Model {i:04d} <&>",
                "planned_release": planned.isoformat(),
                "review_status": status,
                "submitted": (planned - timedelta(days=35)).isoformat()
                if status != "not_submitted"
                else None,
                "note": HOSTILE if i % 9 == 0 else None,
                "source": HOSTILE if i % 17 == 0 else None,
                "as_of": "2026-07-01",
                "contested": int(i % 19 == 0),
                "version": 1,
                "created_at": CREATED_AT,
                "updated_at": CREATED_AT,
                "updated_by": ACTOR,
            }
        )
    deadline_rows = [
        {
            "id": i + 1,
            "title": f"Deadline {i:03d}: "
            + ("<!here> comment period" if i % 10 == 0 else "agency rule " + "x" * (i % 200)),
            "due_date": (BASE_DAY + timedelta(days=(i % 200) - 10)).isoformat(),
            "kind": "deadline",
            "note": LONG_NOTE,
            "source": HOSTILE,
            "as_of": "2026-07-01",
            "contested": int(i % 4 == 0),
            "version": 1,
            "created_at": CREATED_AT,
            "updated_at": CREATED_AT,
            "updated_by": ACTOR,
        }
        for i in range(deadlines)
    ]
    history = _history_rows(devs, model_rows, deadline_rows)
    with db.atomic():
        db["developers"].insert_all(devs)
        db["models"].insert_all(model_rows, batch_size=1000)
        db["deadlines"].insert_all(deadline_rows)
        db["history"].insert_all(history, batch_size=1000)
    return {
        "developers": len(devs),
        "models": len(model_rows),
        "deadlines": len(deadline_rows),
        "history": len(history),
    }


def _history_rows(
    devs: list[dict[str, Any]], model_rows: list[dict[str, Any]], deadline_rows: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Each row's creation, then a status change for the first 50 developers."""
    history: list[dict[str, Any]] = []

    def created(entity: str, entity_id: Any, subject: str) -> None:
        history.append(
            {
                "entity": entity,
                "entity_id": str(entity_id),
                "subject": subject,
                "field": "(created)",
                "old": None,
                "new": subject,
                "actor": ACTOR,
                "at": CREATED_AT,
                "note": HOSTILE,
                "source": HOSTILE,
            }
        )

    names = {d["id"]: d["name"] for d in devs}
    for d in devs:
        created("developer", d["id"], d["name"])
    for m in model_rows:
        created("model", m["id"], f"{names[m['developer_id']]} / {m['name']}")
    for row in deadline_rows:
        created("deadline", row["id"], row["title"])
    at = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    for n, d in enumerate(devs[:50]):
        history.append(
            {
                "entity": "developer",
                "entity_id": d["id"],
                "subject": d["name"],
                "field": "status",
                "old": "unknown",
                "new": d["status"],
                "actor": ACTOR,
                "at": (at + timedelta(hours=n)).isoformat(),
                "note": LONG_NOTE,
                "source": HOSTILE,
            }
        )
    return history
