"""The facts the app ships with, from the two June 2026 reports (shared/reports), each
citing exactly the report(s) that state it.

No date here that neither report gives: where a report gives only a month ("agreed in
May", "released ... in April", "earlier this month" of a June story) the date is stored
at month precision; where it gives none, none is stored. As-of is the reports' month.
Where the reports disagree, both claims are kept, each with its report, as a contest.

Seeding adds what is missing and never touches what exists: a developer an admin edited
keeps the admin's values, and a seeded model or deadline an admin removed stays removed.
Records the first release seeded with dates the reports do not give (every developer
"since 2026-06-03", Muse Spark "2026-04-01") are corrected, with history rows, as long as
no one has edited them since.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlite_utils import Database

from storage.facts import (
    add_source,
    cite,
    create_event,
    get_event,
    open_contest,
    put_framework_fact,
    seeded_event_ids,
    source_by_seed_key,
    update_event,
)
from storage.tracker import (
    NoChange,
    create_record,
    get_record,
    get_state,
    record_by_seed_key,
    set_state,
    update_record,
)

SEED_ACTOR = "seed"
AS_OF = "2026-06"  # both reports were published in June 2026; the day is not given
SEED_NOTE = "Seeded from the June 2026 reports"

WIRE = "report:wire"
STOCKTWITS = "report:stocktwits"
BOTH = (WIRE, STOCKTWITS)

# The two reports as source records (shared/reports/README.md). Neither has a URL or a
# byline date we were given, so none is stored.
SOURCES: dict[str, dict[str, Any]] = {
    WIRE: {
        "title": "US Government Urges Meta to Conduct Security Reviews on AI Models",
        "citation": "wire summary",
        "published": AS_OF,
    },
    STOCKTWITS: {
        "publisher": "Stocktwits",
        "citation": "citing The New York Times",
        "published": AS_OF,
    },
}

# Per developer: its values and, per fact, the report(s) stating it ("*": the others).
DEVELOPERS: list[dict[str, Any]] = [
    {
        "id": "openai",
        "name": "OpenAI",
        "status": "signed",
        "note": (
            "Already collaborating with federal agencies to test unreleased models (wire summary); "
            "has an agreement to submit its technology for review by CAISI (Stocktwits)."
        ),
        "cite": {"*": BOTH},
    },
    {
        "id": "anthropic",
        "name": "Anthropic",
        "status": "signed",
        "note": (
            "Already collaborating with federal agencies to test unreleased models (wire summary); "
            "has an agreement to submit its technology for review by CAISI (Stocktwits)."
        ),
        "cite": {"*": BOTH},
    },
    {
        "id": "google-deepmind",
        "name": "Google DeepMind",
        "status": "signed",
        "status_since": "2026-05",
        "agreement_date": "2026-05",
        "note": (
            "Agreed in May to provide early access to new systems for national-security "
            "evaluations (wire summary, as “Google DeepMind”); named “Google” among the developers "
            "with an agreement with CAISI (Stocktwits)."
        ),
        "cite": {"*": BOTH, "status_since": (WIRE,), "agreement_date": (WIRE,)},
    },
    {
        "id": "microsoft",
        "name": "Microsoft",
        "status": "signed",
        "status_since": "2026-05",
        "agreement_date": "2026-05",
        "note": (
            "Agreed in May to provide early access to new systems for national-security "
            "evaluations (wire summary); has an agreement with CAISI (Stocktwits)."
        ),
        "cite": {"*": BOTH, "status_since": (WIRE,), "agreement_date": (WIRE,)},
    },
    {
        "id": "xai",
        "name": "xAI",
        "status": "signed",
        "status_since": "2026-05",
        "agreement_date": "2026-05",
        "note": (
            "Agreed in May to provide early access to new systems for national-security "
            "evaluations (wire summary); has an agreement with CAISI (Stocktwits)."
        ),
        "cite": {"*": BOTH, "status_since": (WIRE,), "agreement_date": (WIRE,)},
    },
    {
        "id": "meta",
        "name": "Meta",
        "status": "negotiating",
        "note": (
            "The only major US developer without an agreement (both reports). Its spokesman "
            "Francis Brennan said Meta is working through the details and hopes to sign soon "
            "(Stocktwits); the wire summary says Meta anticipates signing in the near future."
        ),
        "cite": {"*": BOTH},
    },
]

MODELS: list[dict[str, Any]] = [
    {
        "seed_key": "meta-muse-spark",
        "developer_id": "meta",
        "name": "Muse Spark",
        "released": "2026-04",  # "released its Muse Spark AI model in April": the month only
        "review_status": "released",
        "note": "Released in April 2026, before the June 2 executive order (wire summary).",
        "cite": {"*": (WIRE,)},
    },
]

DEADLINES: list[dict[str, Any]] = [
    {
        "seed_key": "formal-review-process",
        "title": "Formal pre-release review process to be established",
        # "a deadline for the end of July" in a June 2026 story: the last day of July 2026.
        "due_date": "2026-07-31",
        "kind": "deadline",
        "note": (
            "The administration set a deadline for the end of July to establish its formal review process."
        ),
        "cite": {"*": (STOCKTWITS,)},
    },
]

FRAMEWORK: list[dict[str, Any]] = [
    {
        "id": "caisi",
        "label": "Who runs the reviews",
        "text": "The Center for AI Standards and Innovation (CAISI), a federal oversight group.",
        "cite": (STOCKTWITS,),
    },
    {
        "id": "aims",
        "label": "What the reviews look for",
        "text": (
            "Risks found before release: cyberattacks and military misuse (wire summary); "
            "the potential to exploit critical software or aid in cyberattacks (Stocktwits)."
        ),
        "cite": BOTH,
    },
]

EMAILS_NOTE = "When the emails were sent was not reported; both June 2026 reports mention them."

EVENTS: list[dict[str, Any]] = [
    {
        "seed_key": "executive-order-2026-06-02",
        "kind": "order",
        "effective": "2026-06-02",  # the wire summary's "June 2 executive order"
        "developers": (),
        "summary": (
            "President Trump signed an executive order on the federal review of frontier AI "
            "models: up to 30 days before public release."
        ),
        "cite": {"*": BOTH, "effective": (WIRE,)},
    },
    {
        "seed_key": "meta-emails",
        "kind": "request",
        "effective": None,  # neither report says when the emails were sent
        "developers": ("meta",),
        "summary": (
            "Federal officials asked Meta in confidential emails for access to its AI systems, "
            "to evaluate their capabilities and find technical vulnerabilities (The New York "
            "Times, citing four people familiar with the request)."
        ),
        "note": EMAILS_NOTE,
        "cite": {"*": BOTH},
    },
    {
        "seed_key": "meta-brennan-statement",
        "kind": "statement",
        "effective": AS_OF,
        "developers": ("meta",),
        "summary": (
            "“We share the administration’s goal of advancing U.S. leadership on robust and secure "
            "frontier A.I.,” Francis Brennan, a Meta spokesman, said in a statement on Tuesday. "
            "“While we are working through the details, we hope to sign the agreement soon.”"
        ),
        "note": "Said “on Tuesday” in the June 2026 story; the day was not given.",
        "cite": {"*": (STOCKTWITS,)},
    },
    {
        "seed_key": "google-microsoft-xai-agreements",
        "kind": "agreement",
        "effective": "2026-05",
        "developers": ("google-deepmind", "microsoft", "xai"),
        "summary": (
            "Google DeepMind, Microsoft and xAI agreed to provide early access to their new "
            "systems for national-security evaluations."
        ),
        "cite": {"*": (WIRE,)},
    },
    {
        "seed_key": "meta-muse-spark-release",
        "kind": "release",
        "effective": "2026-04",
        "developers": ("meta",),
        "summary": "Meta released its Muse Spark AI model.",
        "cite": {"*": (WIRE,)},
    },
    {
        "seed_key": "anthropic-restriction",
        "kind": "restriction",
        "effective": AS_OF,  # "earlier this month" in the June 2026 wire summary
        "developers": ("anthropic",),
        "summary": (
            "The government ordered Anthropic to restrict access to its models, citing national security."
        ),
        "cite": {"*": BOTH, "effective": (WIRE,)},
    },
]

# Where the reports disagree: (seed key, entity, record key, field, reason, claims).
# A record key is a developer id or a seed key; a claim is (text, report).
CONTESTS: list[dict[str, Any]] = [
    {
        "seed_key": "order-voluntary-or-mandatory",
        "entity": "event",
        "record": "executive-order-2026-06-02",
        "field": "summary",
        "reason": "The reports disagree on whether the order is voluntary or mandatory.",
        "claims": (
            (
                "a voluntary framework for developers to submit their covered frontier models for "
                "government examination up to 30 days before public release",
                WIRE,
            ),
            (
                "the order mandates tech companies to allow up to 30 days for federal officials to "
                "evaluate cutting-edge AI models before they are publicly distributed",
                STOCKTWITS,
            ),
        ),
    },
    {
        "seed_key": "meta-intent",
        "entity": "developer",
        "record": "meta",
        "field": "status",
        "reason": "The reports give two accounts of Meta's intent.",
        "claims": (
            ("Meta anticipates signing the agreement in the near future", WIRE),
            (
                "Meta has not yet indicated whether it will comply with the administration's "
                "request to join the voluntary evaluation framework",
                STOCKTWITS,
            ),
        ),
    },
    {
        "seed_key": "anthropic-restriction-wording",
        "entity": "event",
        "record": "anthropic-restriction",
        "field": "summary",
        "reason": "The reports differ on what Anthropic was ordered to do, and for whom.",
        "claims": (
            ("suspend access to its most advanced models for foreign nationals", WIRE),
            ("restrict access to its newest model", STOCKTWITS),
        ),
    },
    {
        "seed_key": "google-name",
        "entity": "developer",
        "record": "google-deepmind",
        "field": "name",
        "reason": "The reports name this developer differently.",
        "claims": (("Google DeepMind", WIRE), ("Google", STOCKTWITS)),
    },
]

# What the first release seeded that no report gives; corrected while still unedited.
_RELEASE_1_DAY = "2026-06-03"
_RELEASE_1_MUSE_SPARK = "2026-04-01"
# Events earlier releases dated by the reports' month though no report dates them (issue 26):
# seed key -> the date they were given.
_UNDATED_BEFORE = {"meta-emails": AS_OF}


def _correct_event_dates(db: Database, at: datetime) -> int:
    """Take the invented date off a seeded event no report dates, unless edited since."""
    fixed = 0
    events = seeded_event_ids(db)
    for key, given in _UNDATED_BEFORE.items():
        row = get_event(db, events[key]) if key in events else None
        if row is None or row["updated_by"] != SEED_ACTOR or row["effective"] != given:
            continue
        seeded = next(e for e in EVENTS if e["seed_key"] == key)
        update_event(
            db,
            row["id"],
            {"effective": seeded["effective"], "note": seeded.get("note")},
            developer_ids=None,
            source_ids=None,
            actor=SEED_ACTOR,
            at=at,
            note="Corrected against the two June 2026 reports: neither says when this happened",
        )
        fixed += 1
    return fixed


def _source_ids(db: Database, keys: tuple[str, ...]) -> list[int]:
    ids = []
    for key in keys:
        row = source_by_seed_key(db, key)
        assert row is not None, key
        ids.append(int(row["id"]))
    return ids


def _ensure_sources(db: Database, at: datetime) -> None:
    for key, values in SOURCES.items():
        if source_by_seed_key(db, key) is None:
            add_source(db, actor=SEED_ACTOR, at=at, seed_key=key, **values)


def _cite_all(db: Database, entity: str, record_id: str | int, by_field: dict[str, tuple[str, ...]]) -> None:
    for field, keys in by_field.items():
        cite(db, entity, record_id, [field], _source_ids(db, keys))


def _seeded_values(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in ("id", "seed_key", "cite")}


def _correct_release_1(db: Database, at: datetime) -> int:
    """Fix what the first release seeded with dates no report gives, unless edited since."""
    fixed = 0
    for dev in DEVELOPERS:
        row = get_record(db, "developer", dev["id"])
        if row is None or row["updated_by"] != SEED_ACTOR or row["status_since"] != _RELEASE_1_DAY:
            continue
        changes = {
            "status_since": dev.get("status_since"),
            "agreement_date": dev.get("agreement_date"),
            "as_of": AS_OF,
            "note": dev["note"],
        }
        update_record(
            db,
            "developer",
            dev["id"],
            changes,
            actor=SEED_ACTOR,
            at=at,
            note="Corrected against the two June 2026 reports",
            source_ids=_source_ids(db, BOTH),
            effective=dev.get("status_since"),
        )
        _cite_all(db, "developer", dev["id"], dev["cite"])
        fixed += 1
    for entity, records in (("model", MODELS), ("deadline", DEADLINES)):
        for record in records:
            row = record_by_seed_key(db, entity, record["seed_key"])
            if row is None or row["updated_by"] != SEED_ACTOR or row["as_of"] != _RELEASE_1_DAY:
                continue
            changes = {k: v for k, v in _seeded_values(record).items() if k in ("released", "note")}
            changes["as_of"] = AS_OF
            try:
                update_record(
                    db,
                    entity,
                    row["id"],
                    changes,
                    actor=SEED_ACTOR,
                    at=at,
                    note="Corrected against the two June 2026 reports",
                    source_ids=_source_ids(db, record["cite"]["*"]),
                )
            except NoChange:
                pass
            fixed += 1
    return fixed


def seed(db: Database, *, at: datetime) -> dict[str, int]:
    """Add the seed facts that are missing (`at`: when they are recorded). Returns how many
    of each were added or corrected."""
    with db.atomic():
        _ensure_sources(db, at)
        added = {"developers": _seed_developers(db, at)}
        added.update(_seed_models_and_deadlines(db, at))
        added["corrected"] = _correct_release_1(db, at)
        _seed_framework(db, at)
        events, added["events"] = _seed_events(db, at)
        added["contests"] = _seed_contests(db, at, events)
        added["corrected"] += _correct_event_dates(db, at)
    order = ("developers", "models", "deadlines", "events", "contests", "corrected")
    return {key: added[key] for key in order}


def _seed_developers(db: Database, at: datetime) -> int:
    """The reports' developers not yet tracked (an admin's edits to one are kept)."""
    added = 0
    for dev in DEVELOPERS:
        if get_record(db, "developer", dev["id"]) is not None:
            continue
        create_record(
            db,
            "developer",
            {**_seeded_values(dev), "as_of": AS_OF},
            actor=SEED_ACTOR,
            at=at,
            note=SEED_NOTE,
            record_id=dev["id"],
            source_ids=_source_ids(db, dev["cite"]["*"]),
            effective=dev.get("status_since"),
        )
        _cite_all(db, "developer", dev["id"], dev["cite"])
        added += 1
    return added


def _seed_models_and_deadlines(db: Database, at: datetime) -> dict[str, int]:
    """The models and deadlines never seeded before (seeded once means never again: an
    admin's removal must stick)."""
    added = {"models": 0, "deadlines": 0}
    for entity, records, counter in (
        ("model", MODELS, "models"),
        ("deadline", DEADLINES, "deadlines"),
    ):
        for record in records:
            key = record["seed_key"]
            if get_state(db, f"seed:{entity}:{key}") == "done":
                continue
            created = create_record(
                db,
                entity,
                {**_seeded_values(record), "as_of": AS_OF},
                actor=SEED_ACTOR,
                at=at,
                note=SEED_NOTE,
                seed_key=key,
                source_ids=_source_ids(db, record["cite"]["*"]),
            )
            _cite_all(db, entity, created["id"], record["cite"])
            set_state(db, f"seed:{entity}:{key}", "done")
            added[counter] += 1
    return added


def _seed_framework(db: Database, at: datetime) -> None:
    for fact in FRAMEWORK:
        if get_state(db, f"seed:framework:{fact['id']}") == "done":
            continue
        put_framework_fact(
            db,
            fact["id"],
            label=fact["label"],
            text=fact["text"],
            as_of=AS_OF,
            source_ids=_source_ids(db, fact["cite"]),
            actor=SEED_ACTOR,
            at=at,
        )
        set_state(db, f"seed:framework:{fact['id']}", "done")


def _seed_events(db: Database, at: datetime) -> tuple[dict[str, int], int]:
    """The events never seeded before, concerning the developers still tracked; every seeded
    event's id by its seed key (the contests name theirs), and how many were added."""
    events = seeded_event_ids(db)
    added = 0
    for event in EVENTS:
        key = event["seed_key"]
        if get_state(db, f"seed:event:{key}") == "done":
            continue
        present = [d for d in event["developers"] if get_record(db, "developer", d) is not None]
        created = create_event(
            db,
            kind=event["kind"],
            effective=event["effective"],
            summary=event["summary"],
            developer_ids=present,
            source_ids=_source_ids(db, event["cite"]["*"]),
            actor=SEED_ACTOR,
            at=at,
            as_of=AS_OF,
            note=event.get("note"),
            seed_key=key,
        )
        _cite_all(db, "event", created["id"], event["cite"])
        events[key] = created["id"]
        set_state(db, f"seed:event:{key}", "done")
        added += 1
    return events, added


def _seed_contests(db: Database, at: datetime, events: dict[str, int]) -> int:
    """The reports' disagreements never seeded before, on records still in the tracker."""
    added = 0
    for contest in CONTESTS:
        key = contest["seed_key"]
        if get_state(db, f"seed:contest:{key}") == "done":
            continue
        subject: str | int | None = contest["record"]
        if contest["entity"] == "event":
            subject = events.get(contest["record"])
        elif get_record(db, contest["entity"], contest["record"]) is None:
            subject = None
        if subject is None:
            continue
        open_contest(
            db,
            entity=contest["entity"],
            entity_id=subject,
            field=contest["field"],
            reason=contest["reason"],
            claims=[(text, _source_ids(db, (report,))[0]) for text, report in contest["claims"]],
            actor=SEED_ACTOR,
            at=at,
            seed_key=key,
        )
        set_state(db, f"seed:contest:{key}", "done")
        added += 1
    return added
