"""Seed data: the June 2026 facts, each with its source; re-seeding adds nothing and keeps edits."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlite_utils import Database

from bot.domain import holdouts
from storage.db import Store
from storage.facts import citations_for, contests_for, fact_sources, list_events, source_label
from storage.seed import AS_OF, seed
from storage.tracker import (
    get_record,
    list_deadlines,
    list_developers,
    list_models,
    remove_record,
    update_record,
)
from tests.support.paths import FIXTURES

ADMIN = "UADMIN0001"
AT = datetime(2026, 7, 1, 15, 0, tzinfo=UTC)

TABLES = (
    "developers",
    "models",
    "deadlines",
    "history",
    "app_state",
    "sources",
    "citations",
    "events",
    "contests",
    "claims",
)


def snapshot(db: Database) -> dict[str, list[dict[str, Any]]]:
    # ORDER BY the first columns: PostgreSQL has no rowid on a table with an integer key
    return {table: list(db.query(f"SELECT * FROM {table} ORDER BY 1, 2")) for table in TABLES}


def test_seed_ships_the_reported_developers(seeded_store: Store) -> None:
    developers = {d["id"]: d for d in list_developers(seeded_store.db)}
    assert {d: row["status"] for d, row in developers.items()} == {
        "openai": "signed",
        "anthropic": "signed",
        "google-deepmind": "signed",
        "microsoft": "signed",
        "xai": "signed",
        "meta": "negotiating",
    }
    assert [d["name"] for d in holdouts(developers.values())] == ["Meta"]
    assert "working through the details" in developers["meta"]["note"]


def test_seed_ships_the_deadline_and_muse_spark(seeded_store: Store) -> None:
    db = seeded_store.db
    [deadline] = list_deadlines(db)
    assert deadline["due_date"] == "2026-07-31" and deadline["kind"] == "deadline"
    [model] = list_models(db)
    assert (model["developer_id"], model["name"]) == ("meta", "Muse Spark")
    assert model["review_status"] == "released"
    assert model["released"].startswith("2026-04")


WIRE = "US Government Urges Meta to Conduct Security Reviews on AI Models (wire summary), June 2026"
STOCKTWITS = "Stocktwits (citing The New York Times), June 2026"
REPORTS = FIXTURES / "reports"


def cited(db: Database, entity: str, record_id: Any, field: str = "*") -> set[str]:
    return {source_label(s) for s in fact_sources(citations_for(db, entity, [record_id]), record_id, field)}


def event(db: Database, key: str) -> dict[str, Any]:
    return next(iter(db.query("SELECT * FROM events WHERE seed_key = ?", [key])))


def test_each_seeded_fact_cites_exactly_the_reports_that_state_it(seeded_store: Store) -> None:
    db = seeded_store.db
    # Agreements in May: only the wire summary dates them; both reports say they agreed.
    for dev in ("google-deepmind", "microsoft", "xai"):
        row = get_record(db, "developer", dev)
        assert (row["status"], row["status_since"], row["agreement_date"]) == ("signed", "2026-05", "2026-05")
        assert cited(db, "developer", dev, "status") == {WIRE, STOCKTWITS}
        assert cited(db, "developer", dev, "agreement_date") == {WIRE}
    for dev in ("openai", "anthropic", "meta"):
        row = get_record(db, "developer", dev)
        assert (row["status_since"], row["agreement_date"]) == (None, None)  # no report dates them
    # Muse Spark: April 2026, month precision, wire summary only.
    [model] = list_models(db)
    assert (model["released"], model["review_status"]) == ("2026-04", "released")
    assert cited(db, "model", model["id"], "released") == {WIRE}
    # The end-of-July deadline: Stocktwits only.
    [deadline] = list_deadlines(db)
    assert deadline["due_date"] == "2026-07-31" and cited(db, "deadline", deadline["id"]) == {STOCKTWITS}
    # CAISI runs the reviews: Stocktwits only; the aims: both.
    assert cited(db, "framework", "caisi") == {STOCKTWITS}
    assert cited(db, "framework", "aims") == {WIRE, STOCKTWITS}
    # The June 2 order: the date from the wire summary, the order in both.
    order = event(db, "executive-order-2026-06-02")
    assert order["effective"] == "2026-06-02"
    assert cited(db, "event", order["id"], "effective") == {WIRE}
    assert cited(db, "event", order["id"]) == {WIRE, STOCKTWITS}
    # Brennan's statement in full, Stocktwits only.
    brennan = event(db, "meta-brennan-statement")
    assert "Francis Brennan" in brennan["summary"] and "hope to sign the agreement soon" in brennan["summary"]
    assert "We share the administration’s goal" in brennan["summary"]
    assert cited(db, "event", brennan["id"]) == {STOCKTWITS}
    # The officials' emails to Meta: both.
    emails = event(db, "meta-emails")
    assert "emails" in emails["summary"] and cited(db, "event", emails["id"]) == {WIRE, STOCKTWITS}
    # The Anthropic restriction is on Anthropic's record (an event, not a status).
    restriction = event(db, "anthropic-restriction")
    assert [e["id"] for e in list_events(db, "anthropic")] == [restriction["id"]]
    assert get_record(db, "developer", "anthropic")["status"] == "signed"


def test_every_quoted_claim_is_in_its_report(seeded_store: Store) -> None:
    """A claim's text is what its report says (modulo curly quotes and case)."""
    db = seeded_store.db
    texts = {
        WIRE: (REPORTS / "000_c0dba84bb492d2f7.txt").read_text(),
        STOCKTWITS: (REPORTS / "003_8526b97240bd60c7.txt").read_text(),
    }

    def norm(text: str) -> str:
        return " ".join(text.replace("’", "'").lower().split())

    claims = 0
    for contests in (contests_for(db, e) for e in ("developer", "event")):
        for found in contests.values():
            for contest in found:
                for claim in contest.claims:
                    report = texts[source_label(claim.source or {})]
                    words = norm(claim.text).removeprefix("meta ").removeprefix("the order ")
                    assert words in norm(report) or words.replace("anticipates", "anticipate") in norm(report)
                    claims += 1
    assert claims == 8  # four contests, two claims each


def test_contested_facts_carry_both_claims_and_both_reports(seeded_store: Store) -> None:
    db = seeded_store.db
    meta = contests_for(db, "developer", ["meta"])["meta"]
    [intent] = meta
    assert [c.source_label for c in intent.claims] == [WIRE, STOCKTWITS]
    assert (
        "anticipates signing" in intent.line and "has not yet indicated whether it will comply" in intent.line
    )
    order = event(db, "executive-order-2026-06-02")
    [voluntary] = contests_for(db, "event", [order["id"]])[str(order["id"])]
    assert "voluntary framework" in voluntary.line and "mandates tech companies" in voluntary.line
    assert order["contested"] == 1 and get_record(db, "developer", "meta")["contested"] == 1
    restriction = event(db, "anthropic-restriction")
    [wording] = contests_for(db, "event", [restriction["id"]])[str(restriction["id"])]
    assert "foreign nationals" in wording.line and "restrict access to its newest model" in wording.line
    # "Google" in one report, "Google DeepMind" in the other: both names are findable.
    [name] = contests_for(db, "developer", ["google-deepmind"])["google-deepmind"]
    assert [c.text for c in name.claims] == ["Google DeepMind", "Google"]


def test_no_seeded_value_carries_a_date_neither_report_gives(seeded_store: Store) -> None:
    db = seeded_store.db
    tables = (
        "developers",
        "models",
        "deadlines",
        "events",
        "sources",
        "framework_facts",
        "claims",
        "contests",
    )
    values = [str(v) for t in tables for row in db.query(f"SELECT * FROM {t}") for k, v in row.items() if v]
    dated = [v for v in values if any(d in v for d in ("2026-06-03", "Jun 3", "2026-04-01", "June 3"))]
    assert dated == []
    # The only day-precision dates are the June 2 order and the end-of-July deadline.
    days = {
        v
        for t in ("developers", "models", "deadlines", "events")
        for row in db.query(f"SELECT * FROM {t}")
        for k, v in row.items()
        if isinstance(v, str) and len(v) == 10 and v[4] == "-" and not k.endswith("_at")
    }
    assert days == {"2026-06-02", "2026-07-31"}


def test_every_seeded_fact_has_a_source_and_as_of_and_no_invented_url(seeded_store: Store) -> None:
    db = seeded_store.db
    records = [*list_developers(db), *list_models(db), *list_deadlines(db)]
    assert len(records) == 8
    for record in records:
        assert record["source"], record
        assert record["as_of"] == AS_OF == "2026-06"
        assert record["updated_by"] == "seed"
    for row in db.query("SELECT * FROM history"):
        assert row["source"], row
    texts = [
        str(v)
        for table in ("developers", "models", "deadlines", "history", "sources", "events")
        for row in db.query(f"SELECT * FROM {table}")
        for v in row.values()
        if v is not None
    ]
    assert not [t for t in texts if "http" in t.lower() or "www." in t.lower()]


def test_seeding_twice_adds_nothing(seeded_store: Store) -> None:
    db = seeded_store.db
    before = snapshot(db)
    assert sum(seed(db, at=AT).values()) == 0
    assert snapshot(db) == before


def test_first_seed_reports_what_it_added(store: Store) -> None:
    assert seed(store.db, at=AT) == {
        "developers": 6,
        "models": 1,
        "deadlines": 1,
        "events": 6,
        "contests": 4,
        "corrected": 0,
    }


def test_admin_edits_survive_reseeding(seeded_store: Store) -> None:
    db = seeded_store.db
    update_record(
        db,
        "developer",
        "meta",
        {"status": "signed", "agreement_date": "2026-06", "source": "Meta blog"},
        actor=ADMIN,
        at=AT,
    )
    [deadline] = list_deadlines(db)
    update_record(
        db, "deadline", deadline["id"], {"due_date": "2026-08-15", "contested": True}, actor=ADMIN, at=AT
    )
    [model] = list_models(db)
    update_record(db, "model", model["id"], {"note": "Admin note"}, actor=ADMIN, at=AT)
    before = snapshot(db)

    assert sum(seed(db, at=AT).values()) == 0
    assert snapshot(db) == before
    meta = get_record(db, "developer", "meta")
    assert (meta["status"], meta["updated_by"]) == ("signed", ADMIN)
    assert "Meta blog" in meta["source"]
    assert get_record(db, "deadline", deadline["id"])["due_date"] == "2026-08-15"
    assert get_record(db, "model", model["id"])["note"] == "Admin note"


def test_removed_seed_records_are_not_re_added(seeded_store: Store) -> None:
    db = seeded_store.db
    [deadline] = list_deadlines(db)
    [model] = list_models(db)
    remove_record(db, "deadline", deadline["id"], actor=ADMIN, at=AT, note="Superseded")
    remove_record(db, "model", model["id"], actor=ADMIN, at=AT)

    assert sum(seed(db, at=AT).values()) == 0
    assert list_deadlines(db) == []
    assert list_models(db) == []
    removed = list(db.query("SELECT entity FROM history WHERE field = '(removed)' ORDER BY entity"))
    assert [r["entity"] for r in removed] == ["deadline", "model"]


def test_seed_survives_a_reopened_database(db_path: Any) -> None:
    from storage.db import open_store

    first = open_store(db_path)
    seed(first.db, at=AT)
    before = snapshot(first.db)
    first.close()
    second = open_store(db_path)
    try:
        assert sum(seed(second.db, at=AT).values()) == 0
        assert snapshot(second.db) == before
    finally:
        second.close()
