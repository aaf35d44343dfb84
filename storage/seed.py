"""The facts the app ships with, as reported in June 2026, each with its source.

Seeding adds what is missing and never touches what exists: a developer an admin edited
keeps the admin's values, and a seeded model or deadline an admin removed stays removed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlite_utils import Database

from storage.tracker import create_record, get_record, get_state, record_event, set_state

SEED_ACTOR = "seed"
AS_OF = "2026-06-03"
SEEDED_AT = datetime(2026, 6, 3, 12, 0, tzinfo=UTC)

# Citation text only: these reports were not given to us with URLs, and we never invent one.
SOURCE_NYT = "Stocktwits, citing The New York Times (June 2026)"
SOURCE_WIRE = "Wire report, June 2026, reporting the same facts"
SOURCE_BOTH = f"{SOURCE_NYT}; {SOURCE_WIRE}"

DEVELOPERS: list[dict[str, Any]] = [
    {
        "id": "openai",
        "name": "OpenAI",
        "status": "signed",
        "note": "Already testing unreleased models with federal agencies.",
    },
    {
        "id": "anthropic",
        "name": "Anthropic",
        "status": "signed",
        "note": "Already testing unreleased models with federal agencies.",
    },
    {
        "id": "google-deepmind",
        "name": "Google DeepMind",
        "status": "signed",
        "note": "Agreed in May 2026 to give the government early access to models.",
    },
    {
        "id": "microsoft",
        "name": "Microsoft",
        "status": "signed",
        "note": "Agreed in May 2026 to give the government early access to models.",
    },
    {
        "id": "xai",
        "name": "xAI",
        "status": "signed",
        "note": "Agreed in May 2026 to give the government early access to models.",
    },
    {
        "id": "meta",
        "name": "Meta",
        "status": "negotiating",
        "note": (
            "The only major US developer without an agreement; a spokesperson said Meta is "
            '"working through the details" and hopes to sign soon.'
        ),
    },
]

MODELS: list[dict[str, Any]] = [
    {
        "seed_key": "meta-muse-spark",
        "developer_id": "meta",
        "name": "Muse Spark",
        # Reported as "released in April 2026"; the day was not reported.
        "released": "2026-04-01",
        "review_status": "released",
        "note": "Released in April 2026 (day not reported), before the review framework existed.",
    },
]

DEADLINES: list[dict[str, Any]] = [
    {
        "seed_key": "formal-review-process",
        "title": "Formal pre-release review process to be established",
        "due_date": "2026-07-31",
        "kind": "deadline",
        "note": (
            "The administration set itself the end of July 2026 to establish the formal "
            "review process under the June 2, 2026 executive order."
        ),
    },
]

EVENTS: list[dict[str, Any]] = [
    {
        "key": "event:executive-order-2026-06-02",
        "entity": "framework",
        "entity_id": "executive-order-2026-06-02",
        "subject": "Executive order on frontier AI model review",
        "at": datetime(2026, 6, 2, 12, 0, tzinfo=UTC),
        "text": (
            "Executive order of June 2, 2026 creates a voluntary framework: developers may "
            "submit covered frontier models to the Center for AI Standards and Innovation "
            "(CAISI) for examination up to 30 days before public release."
        ),
    },
    {
        "key": "event:anthropic-foreign-national-restriction",
        "entity": "developer",
        "entity_id": "anthropic",
        "subject": "Anthropic",
        "at": SEEDED_AT,
        "text": (
            "The government ordered Anthropic to restrict access to its newest model for foreign nationals."
        ),
    },
]


def _was_removed(db: Database, entity: str, record_key: str) -> bool:
    return get_state(db, f"seed:{entity}:{record_key}") == "done"


def seed(db: Database) -> dict[str, int]:
    """Add the seed facts that are missing. Returns how many of each were added."""
    added = {"developers": 0, "models": 0, "deadlines": 0, "events": 0}
    with db.atomic():
        for dev in DEVELOPERS:
            if get_record(db, "developer", dev["id"]) is not None:
                continue
            values = {k: v for k, v in dev.items() if k != "id"}
            values.update(status_since=AS_OF, as_of=AS_OF, source=SOURCE_BOTH)
            create_record(
                db,
                "developer",
                values,
                actor=SEED_ACTOR,
                at=SEEDED_AT,
                note="Seeded from the June 2026 reports",
                record_id=dev["id"],
            )
            added["developers"] += 1
        for entity, records, counter in (
            ("model", MODELS, "models"),
            ("deadline", DEADLINES, "deadlines"),
        ):
            for record in records:
                key = record["seed_key"]
                # Seeded once means never again: an admin's removal must stick.
                if _was_removed(db, entity, key):
                    continue
                values = {k: v for k, v in record.items() if k != "seed_key"}
                values.update(as_of=AS_OF, source=SOURCE_BOTH)
                create_record(
                    db,
                    entity,
                    values,
                    actor=SEED_ACTOR,
                    at=SEEDED_AT,
                    note="Seeded from the June 2026 reports",
                    seed_key=key,
                )
                set_state(db, f"seed:{entity}:{key}", "done")
                added[counter] += 1
        for event in EVENTS:
            if get_state(db, event["key"]) == "done":
                continue
            record_event(
                db,
                entity=event["entity"],
                entity_id=event["entity_id"],
                subject=event["subject"],
                text=event["text"],
                actor=SEED_ACTOR,
                at=event["at"],
                source=SOURCE_BOTH,
            )
            set_state(db, event["key"], "done")
            added["events"] += 1
    return added
