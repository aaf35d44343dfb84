"""Storage: connection setup, migrations, and the tracker's all-or-nothing changes with history."""

from __future__ import annotations

import json
import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database

from storage.db import BUSY_TIMEOUT_MS, CACHE_KIB, DatabaseUnavailable, Store, connect, open_store
from storage.facts import add_source, create_event, update_event
from storage.migrations import apply_migrations, migrations
from storage.tracker import (
    NoChange,
    NotFound,
    TrackerError,
    VersionConflict,
    create_record,
    get_record,
    get_state,
    latest_history_id,
    list_history,
    record_event,
    remove_record,
    set_state,
    update_record,
)

AT = datetime(2026, 7, 24, 14, 0, tzinfo=UTC)
ADMIN = "UADMIN0001"
OTHER = "UOTHER0002"


def count(db: Database, sql: str, params: list[Any] | None = None) -> int:
    return int(next(iter(db.query(sql, params or [])))["n"])


def history_count(db: Database) -> int:
    return count(db, "SELECT COUNT(*) AS n FROM history")


def add_developer(db: Database, dev_id: str = "acme", name: str = "Acme AI") -> dict[str, Any]:
    return create_record(
        db,
        "developer",
        {"name": name, "status": "negotiating", "source": "Acme press release"},
        actor=ADMIN,
        at=AT,
        record_id=dev_id,
    )


def add_deadline(
    db: Database, title: str = "Comment period closes", due: str = "2026-08-15"
) -> dict[str, Any]:
    return create_record(
        db,
        "deadline",
        {"title": title, "due_date": due, "source": "Federal Register notice"},
        actor=ADMIN,
        at=AT,
    )


# ---------------------------------------------------------------- connection and migrations


def test_connection_pragmas_are_really_set(db_path: Path) -> None:
    store = open_store(db_path)
    try:
        db = store.db
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert db.execute("PRAGMA busy_timeout").fetchone()[0] == BUSY_TIMEOUT_MS

        # Every thread's own connection gets the same set-up, not just the first one.
        seen: list[tuple[Any, ...]] = []

        def probe() -> None:
            other = store.db
            seen.append(
                (
                    other is db,
                    other.execute("PRAGMA journal_mode").fetchone()[0],
                    other.execute("PRAGMA foreign_keys").fetchone()[0],
                    other.execute("PRAGMA busy_timeout").fetchone()[0],
                )
            )

        thread = threading.Thread(target=probe)
        thread.start()
        thread.join()
        assert seen == [(False, "wal", 1, BUSY_TIMEOUT_MS)]
    finally:
        store.close()


def test_a_shorter_busy_timeout_reaches_every_connection(db_path: Path) -> None:
    """REVIEWWATCH_DB_BUSY_TIMEOUT's value, as app.py passes it, on each thread's connection."""
    store = open_store(db_path, busy_timeout_ms=1500)
    try:
        assert store.db.execute("PRAGMA busy_timeout").fetchone()[0] == 1500
        seen: list[int] = []
        thread = threading.Thread(
            target=lambda: seen.append(store.db.execute("PRAGMA busy_timeout").fetchone()[0])
        )
        thread.start()
        thread.join()
        assert seen == [1500]
    finally:
        store.close()


def test_foreign_keys_are_enforced(store: Store) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        create_record(store.db, "model", {"developer_id": "nobody", "name": "Ghost"}, actor=ADMIN, at=AT)
    assert history_count(store.db) == 0, "the failed create left no history row"


def test_migrations_applied_twice_change_nothing(db_path: Path) -> None:
    first = open_store(db_path)
    add_developer(first.db)
    schema = list(first.db.query("SELECT type, name, sql FROM sqlite_master ORDER BY name"))
    apply_migrations(first.db)  # again, on the same connection
    first.close()

    second = open_store(db_path)  # and again at the next start
    try:
        db = second.db
        assert list(db.query("SELECT type, name, sql FROM sqlite_master ORDER BY name")) == schema
        applied = [r["name"] for r in db.query("SELECT name FROM _sqlite_migrations ORDER BY id")]
        assert applied == [m.name for m in migrations.pending(Database(memory=True))]
        assert len(applied) == len(set(applied))
        assert applied[:3] == ["m001_tracker", "m002_alerts", "m003_feeds"]
        assert get_record(db, "developer", "acme") is not None, "data survives re-running migrations"
    finally:
        second.close()


def test_open_store_in_missing_folder_names_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder" / "reviewwatch.db"
    with pytest.raises(DatabaseUnavailable, match="no-such-folder"):
        open_store(missing)


def test_a_file_that_is_not_a_database_is_reported(tmp_path: Path) -> None:
    not_a_db = tmp_path / "notes.db"
    not_a_db.write_text("meeting notes, not SQLite\n" * 100, encoding="utf-8")
    with pytest.raises(DatabaseUnavailable, match="notes.db"):
        open_store(not_a_db)


def test_closed_store_refuses_new_connections(db_path: Path) -> None:
    store = open_store(db_path)
    store.close()
    with pytest.raises(DatabaseUnavailable, match="closed"):
        store.db  # noqa: B018


def test_app_state_round_trip(store: Store) -> None:
    assert get_state(store.db, "k") is None
    set_state(store.db, "k", "one")
    set_state(store.db, "k", "two")
    assert get_state(store.db, "k") == "two"


# ---------------------------------------------------------------- changes and history


def test_create_writes_the_record_and_its_created_history_row(store: Store) -> None:
    dev = add_developer(store.db)
    assert (dev["version"], dev["updated_by"]) == (1, ADMIN)
    assert dev["created_at"] == "2026-07-24T14:00:00+00:00"
    rows = list_history(store.db, "developer", "acme")
    assert [(r["field"], r["new"], r["actor"], r["source"]) for r in rows] == [
        ("(created)", "Acme AI", ADMIN, "Acme press release")
    ]


def test_every_changed_field_gets_its_own_history_row(store: Store) -> None:
    add_developer(store.db)
    before = latest_history_id(store.db)
    updated = update_record(
        store.db,
        "developer",
        "acme",
        {"status": "signed", "agreement_date": "2026-07-20", "name": "Acme AI"},  # name unchanged
        actor=OTHER,
        at=AT + timedelta(hours=1),
        note="Signed on Monday",
        source="Acme blog post",
    )
    assert updated["status"] == "signed" and updated["version"] == 2 and updated["updated_by"] == OTHER
    rows = list(store.db.query("SELECT * FROM history WHERE id > ? ORDER BY field", [before]))
    assert [(r["field"], r["old"], r["new"]) for r in rows] == [
        ("agreement_date", None, "2026-07-20"),
        ("status", "negotiating", "signed"),
    ]
    assert {(r["actor"], r["note"], r["source"], r["subject"]) for r in rows} == {
        (OTHER, "Signed on Monday", "Acme blog post", "Acme AI")
    }
    assert {r["at"] for r in rows} == {"2026-07-24T15:00:00+00:00"}


def test_model_history_is_labelled_with_its_developer(store: Store) -> None:
    add_developer(store.db)
    model = create_record(
        store.db,
        "model",
        {"developer_id": "acme", "name": "Roadrunner-2", "planned_release": "2026-09-01"},
        actor=ADMIN,
        at=AT,
    )
    update_record(store.db, "model", model["id"], {"review_status": "submitted"}, actor=ADMIN, at=AT)
    rows = list_history(store.db, "developer", "acme")  # a developer's history includes its models
    assert [(r["entity"], r["field"], r["subject"]) for r in rows][:2] == [
        ("model", "review_status", "Acme AI / Roadrunner-2"),
        ("model", "(created)", "Acme AI / Roadrunner-2"),
    ]


def test_no_change_writes_nothing(store: Store) -> None:
    add_developer(store.db)
    before = history_count(store.db)
    with pytest.raises(NoChange):
        update_record(store.db, "developer", "acme", {"status": "negotiating"}, actor=ADMIN, at=AT)
    assert history_count(store.db) == before
    assert get_record(store.db, "developer", "acme")["version"] == 1


def test_re_saving_a_boolean_is_not_a_change(store: Store) -> None:
    add_developer(store.db)
    update_record(store.db, "developer", "acme", {"contested": True}, actor=ADMIN, at=AT)
    row = list_history(store.db, "developer", "acme", limit=1)[0]
    assert (row["field"], row["old"], row["new"]) == ("contested", "0", "1")
    with pytest.raises(NoChange):
        update_record(store.db, "developer", "acme", {"contested": True}, actor=ADMIN, at=AT)
    assert get_record(store.db, "developer", "acme")["contested"] == 1


def test_stale_version_is_refused_and_names_who_changed_it(store: Store) -> None:
    add_developer(store.db)
    shown_version = 1
    update_record(
        store.db,
        "developer",
        "acme",
        {"note": "theirs"},
        actor=OTHER,
        at=AT + timedelta(minutes=5),
        expected_version=shown_version,
    )
    before = history_count(store.db)
    with pytest.raises(VersionConflict) as info:
        update_record(
            store.db,
            "developer",
            "acme",
            {"note": "mine"},
            actor=ADMIN,
            at=AT + timedelta(minutes=6),
            expected_version=shown_version,
        )
    assert OTHER in str(info.value) and "2026-07-24T14:05:00+00:00" in str(info.value)
    assert info.value.row["note"] == "theirs"
    assert get_record(store.db, "developer", "acme")["note"] == "theirs"
    assert history_count(store.db) == before
    with pytest.raises(VersionConflict):
        remove_record(
            store.db, "deadline", add_deadline(store.db)["id"], actor=ADMIN, at=AT, expected_version=7
        )


def test_unknown_record_and_unknown_field_are_refused(store: Store) -> None:
    with pytest.raises(NotFound):
        update_record(store.db, "developer", "nobody", {"note": "x"}, actor=ADMIN, at=AT)
    add_developer(store.db)
    with pytest.raises(ValueError, match="version"):
        update_record(store.db, "developer", "acme", {"version": 9}, actor=ADMIN, at=AT)
    with pytest.raises(ValueError, match="updated_by"):
        create_record(
            store.db,
            "deadline",
            {"title": "x", "due_date": "2026-08-01", "updated_by": "me"},
            actor=ADMIN,
            at=AT,
        )


def test_a_failure_mid_change_leaves_neither_change_nor_history(store: Store) -> None:
    add_developer(store.db)
    before = history_count(store.db)
    # Two fields: the valid one's history row is written before the CHECK fails on UPDATE.
    with pytest.raises(sqlite3.IntegrityError):
        update_record(
            store.db, "developer", "acme", {"note": "half-done", "status": "on_vacation"}, actor=ADMIN, at=AT
        )
    assert history_count(store.db) == before
    dev = get_record(store.db, "developer", "acme")
    assert (dev["note"], dev["status"], dev["version"]) == (None, "negotiating", 1)
    assert not store.db.conn.in_transaction


def test_a_failure_after_the_history_row_rolls_both_back(store: Store) -> None:
    deadline = add_deadline(store.db)
    before = history_count(store.db)
    # A real SQLite failure in the UPDATE that follows the history insert.
    store.db.execute(
        "CREATE TEMP TRIGGER refuse_update BEFORE UPDATE ON deadlines "
        "BEGIN SELECT RAISE(ABORT, 'disk said no'); END"
    )
    with pytest.raises(sqlite3.IntegrityError, match="disk said no"):
        update_record(store.db, "deadline", deadline["id"], {"due_date": "2026-09-01"}, actor=ADMIN, at=AT)
    store.db.execute("DROP TRIGGER refuse_update")
    assert history_count(store.db) == before
    assert get_record(store.db, "deadline", deadline["id"])["due_date"] == "2026-08-15"

    # And an error in a caller's larger transaction undoes the whole change with its history.
    with pytest.raises(RuntimeError), store.db.atomic():
        update_record(store.db, "deadline", deadline["id"], {"due_date": "2026-09-01"}, actor=ADMIN, at=AT)
        assert history_count(store.db) == before + 1
        raise RuntimeError("delivery failed")
    assert history_count(store.db) == before
    assert get_record(store.db, "deadline", deadline["id"])["due_date"] == "2026-08-15"


def test_remove_keeps_history_and_adds_a_removed_row(store: Store) -> None:
    deadline = add_deadline(store.db)
    update_record(store.db, "deadline", deadline["id"], {"due_date": "2026-08-20"}, actor=ADMIN, at=AT)
    removed = remove_record(
        store.db, "deadline", deadline["id"], actor=OTHER, at=AT + timedelta(days=1), note="Notice withdrawn"
    )
    assert removed["due_date"] == "2026-08-20"
    assert get_record(store.db, "deadline", deadline["id"]) is None
    rows = list_history(store.db, "deadline", deadline["id"])
    assert [r["field"] for r in rows] == ["(removed)", "due_date", "(created)"]
    last = rows[0]
    assert (last["actor"], last["note"], last["new"]) == (OTHER, "Notice withdrawn", None)
    assert json.loads(last["old"])["due_date"] == "2026-08-20"
    with pytest.raises(NotFound):
        remove_record(store.db, "deadline", deadline["id"], actor=OTHER, at=AT)


def test_developers_are_not_removed(store: Store) -> None:
    add_developer(store.db)
    with pytest.raises(TrackerError):
        remove_record(store.db, "developer", "acme", actor=ADMIN, at=AT)
    assert get_record(store.db, "developer", "acme") is not None


def test_record_event_adds_an_event_row(store: Store) -> None:
    history_id = record_event(
        store.db,
        entity="framework",
        entity_id="eo",
        subject="Executive order",
        text="Signed",
        actor=ADMIN,
        at=AT,
        source="Press report",
    )
    assert latest_history_id(store.db) == history_id
    row = list_history(store.db, "framework", "eo")[0]
    assert (row["field"], row["new"], row["source"]) == ("event", "Signed", "Press report")


# ---------------------------------------------------------------- several threads at once


def run_threads(count_: int, work: Any) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(count_)

    def runner(n: int) -> None:
        barrier.wait()
        try:
            work(n)
        except BaseException as exc:  # noqa: BLE001 - collected and asserted on below
            errors.append(exc)

    threads = [threading.Thread(target=runner, args=(n,)) for n in range(count_)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


THREADS = 8
UPDATES = 50


def test_threads_updating_one_record_lose_nothing(store: Store) -> None:
    add_developer(store.db)
    before = history_count(store.db)

    def work(n: int) -> None:
        for i in range(UPDATES):
            update_record(store.db, "developer", "acme", {"note": f"t{n}-{i}"}, actor=f"U{n}", at=AT)

    assert run_threads(THREADS, work) == []
    db = store.db
    assert get_record(db, "developer", "acme")["version"] == 1 + THREADS * UPDATES
    notes = [r["new"] for r in db.query("SELECT new FROM history WHERE id > ? AND field = 'note'", [before])]
    assert sorted(notes) == sorted(f"t{n}-{i}" for n in range(THREADS) for i in range(UPDATES))
    # Each row's old value is the previous row's new one: no update read a stale record.
    chain = list(db.query("SELECT old, new FROM history WHERE id > ? ORDER BY id", [before]))
    assert all(a["new"] == b["old"] for a, b in zip(chain, chain[1:], strict=False))


def test_threads_updating_different_records_lose_nothing(store: Store) -> None:
    ids = [add_deadline(store.db, title=f"Deadline {n}")["id"] for n in range(THREADS)]
    before = history_count(store.db)
    start = datetime(2026, 8, 1).date()

    def work(n: int) -> None:
        for i in range(UPDATES):
            due = (start + timedelta(days=i)).isoformat()
            update_record(store.db, "deadline", ids[n], {"due_date": due}, actor=f"U{n}", at=AT)

    assert run_threads(THREADS, work) == []
    db = store.db
    assert history_count(db) == before + THREADS * UPDATES
    for n, record_id in enumerate(ids):
        row = get_record(db, "deadline", record_id)
        assert row["version"] == 1 + UPDATES
        assert row["due_date"] == (start + timedelta(days=UPDATES - 1)).isoformat()
        mine = "SELECT COUNT(*) AS n FROM history WHERE entity_id = ? AND actor = ?"
        assert count(db, mine, [str(record_id), f"U{n}"]) == UPDATES


def test_two_stores_on_one_file_write_together(db_path: Path) -> None:
    # As two processes would (the bot and a `python app.py seed`), each with its own Store.
    first, second = open_store(db_path), open_store(db_path)
    try:
        add_developer(first.db)

        def work(n: int) -> None:
            target = first if n % 2 else second
            for i in range(25):
                update_record(target.db, "developer", "acme", {"note": f"{n}-{i}"}, actor=f"U{n}", at=AT)

        assert run_threads(4, work) == []
        assert get_record(first.db, "developer", "acme")["version"] == 1 + 4 * 25
    finally:
        first.close()
        second.close()


def test_connect_alone_configures_a_connection(tmp_path: Path) -> None:
    db = connect(tmp_path / "plain.db")
    try:
        assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        db.close()


def test_connections_keep_a_small_page_cache(tmp_path: Path) -> None:
    db = connect(tmp_path / "t.db")
    assert next(iter(db.query("PRAGMA cache_size")))["cache_size"] == -CACHE_KIB


@pytest.mark.parametrize(
    ("table", "column", "allowed"),
    [
        ("developers", "status", "DEVELOPER_STATUSES"),
        ("models", "review_status", "REVIEW_STATUSES"),
        ("deadlines", "kind", "DEADLINE_KINDS"),
    ],
)
def test_the_forms_offer_exactly_what_the_schema_allows(
    tmp_path: Path, table: str, column: str, allowed: str
) -> None:
    import re

    from storage import tracker

    store = open_store(tmp_path / "vocab.db")
    schema = store.db[table].schema
    store.close()
    match = re.search(rf"{column} IN \(([^)]*)\)", schema)
    assert match is not None, schema
    in_schema = tuple(v.strip().strip("'") for v in match.group(1).split(","))
    assert in_schema == getattr(tracker, allowed)


# ---------------------------------------------------------------- events take the same path


def test_an_event_edit_writes_history_and_its_version_as_a_record_edit_does(store: Store) -> None:
    db = store.db
    add_developer(db)
    add_developer(db, "beta", "Beta Labs")
    source = add_source(db, actor=ADMIN, at=AT, citation="Agency statement")
    event = create_event(
        db,
        kind="statement",
        effective="2026-06",
        summary="Acme said it is reviewing the terms.",
        developer_ids=["acme"],
        source_ids=[source["id"]],
        actor=ADMIN,
        at=AT,
    )
    later = AT + timedelta(hours=1)
    edited = update_event(
        db,
        event["id"],
        {"summary": "Acme said it will sign.", "effective": "2026-06-12"},
        developer_ids=["acme", "beta"],
        source_ids=None,
        actor=OTHER,
        at=later,
        note="Clarified",
        expected_version=1,
    )
    assert (edited["version"], edited["updated_by"], edited["developer_ids"]) == (2, OTHER, ["acme", "beta"])
    rows = list_history(db, "event", event["id"])[:3]
    assert [(r["field"], r["old"], r["new"], r["effective"], r["note"]) for r in reversed(rows)] == [
        (
            "summary",
            "Acme said it is reviewing the terms.",
            "Acme said it will sign.",
            "2026-06-12",
            "Clarified",
        ),
        ("effective", "2026-06", "2026-06-12", "2026-06-12", "Clarified"),
        ("developers", "acme", "acme, beta", None, "Clarified"),
    ]
    # Only the developers changed: no field row, and the version still moves on.
    update_event(db, event["id"], {}, developer_ids=["beta"], source_ids=None, actor=ADMIN, at=later)
    again = list_history(db, "event", event["id"])[0]
    assert (again["field"], again["old"], again["new"]) == ("developers", "acme, beta", "beta")
    with pytest.raises(VersionConflict):
        update_event(
            db,
            event["id"],
            {"summary": "x"},
            developer_ids=None,
            source_ids=None,
            actor=ADMIN,
            at=later,
            expected_version=2,
        )
