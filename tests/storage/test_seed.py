"""Seed data: the June 2026 facts, each with its source; re-seeding adds nothing and keeps edits."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlite_utils import Database

from bot.domain import holdouts
from storage.db import Store
from storage.seed import AS_OF, seed
from storage.tracker import (
    get_record,
    list_deadlines,
    list_developers,
    list_history,
    list_models,
    remove_record,
    update_record,
)

ADMIN = "UADMIN0001"
AT = datetime(2026, 7, 1, 15, 0, tzinfo=UTC)

TABLES = ("developers", "models", "deadlines", "history", "app_state")


def snapshot(db: Database) -> dict[str, list[dict[str, Any]]]:
    return {table: list(db.query(f"SELECT * FROM {table} ORDER BY rowid")) for table in TABLES}


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


def test_seed_history_has_the_order_and_the_anthropic_restriction(seeded_store: Store) -> None:
    db = seeded_store.db
    events = list(db.query("SELECT * FROM history WHERE field = 'event' ORDER BY at"))
    assert len(events) == 2
    order, restriction = events
    assert order["entity"] == "framework"
    assert "June 2, 2026" in order["new"] and "30 days before public release" in order["new"]
    assert "CAISI" in order["new"]
    assert (restriction["entity"], restriction["entity_id"]) == ("developer", "anthropic")
    assert "foreign nationals" in restriction["new"]
    # It is history, not a status: Anthropic stays signed, and its history shows the event.
    assert get_record(db, "developer", "anthropic")["status"] == "signed"
    assert "foreign nationals" in list_history(db, "developer", "anthropic")[0]["new"]
    # Every seeded record has its (created) row too.
    created = {
        (r["entity"], r["entity_id"]) for r in db.query("SELECT * FROM history WHERE field = '(created)'")
    }
    assert len(created) == 6 + 1 + 1


def test_every_seeded_fact_has_a_source_and_as_of_and_no_invented_url(seeded_store: Store) -> None:
    db = seeded_store.db
    records = [*list_developers(db), *list_models(db), *list_deadlines(db)]
    assert len(records) == 8
    for record in records:
        assert record["source"], record
        assert "New York Times" in record["source"]
        assert record["as_of"] == AS_OF
        assert record["updated_by"] == "seed"
    for row in db.query("SELECT * FROM history"):
        assert row["source"], row
    texts = [
        str(v)
        for table in ("developers", "models", "deadlines", "history")
        for row in db.query(f"SELECT * FROM {table}")
        for v in row.values()
        if v is not None
    ]
    assert not [t for t in texts if "http" in t.lower() or "www." in t.lower()]


def test_seeding_twice_adds_nothing(seeded_store: Store) -> None:
    db = seeded_store.db
    before = snapshot(db)
    assert seed(db) == {"developers": 0, "models": 0, "deadlines": 0, "events": 0}
    assert snapshot(db) == before


def test_first_seed_reports_what_it_added(store: Store) -> None:
    assert seed(store.db) == {"developers": 6, "models": 1, "deadlines": 1, "events": 2}


def test_admin_edits_survive_reseeding(seeded_store: Store) -> None:
    db = seeded_store.db
    update_record(
        db,
        "developer",
        "meta",
        {"status": "signed", "agreement_date": "2026-06-30", "source": "Meta blog"},
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

    assert sum(seed(db).values()) == 0
    assert snapshot(db) == before
    meta = get_record(db, "developer", "meta")
    assert (meta["status"], meta["source"], meta["updated_by"]) == ("signed", "Meta blog", ADMIN)
    assert get_record(db, "deadline", deadline["id"])["due_date"] == "2026-08-15"
    assert get_record(db, "model", model["id"])["note"] == "Admin note"


def test_removed_seed_records_are_not_re_added(seeded_store: Store) -> None:
    db = seeded_store.db
    [deadline] = list_deadlines(db)
    [model] = list_models(db)
    remove_record(db, "deadline", deadline["id"], actor=ADMIN, at=AT, note="Superseded")
    remove_record(db, "model", model["id"], actor=ADMIN, at=AT)

    assert seed(db) == {"developers": 0, "models": 0, "deadlines": 0, "events": 0}
    assert list_deadlines(db) == []
    assert list_models(db) == []
    removed = list(db.query("SELECT entity FROM history WHERE field = '(removed)' ORDER BY entity"))
    assert [r["entity"] for r in removed] == ["deadline", "model"]


def test_seed_survives_a_reopened_database(db_path: Any) -> None:
    from storage.db import open_store

    first = open_store(db_path)
    seed(first.db)
    before = snapshot(first.db)
    first.close()
    second = open_store(db_path)
    try:
        assert sum(seed(second.db).values()) == 0
        assert snapshot(second.db) == before
    finally:
        second.close()
