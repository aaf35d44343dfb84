"""Events whose date no source gives (issue 26, item 9): stored without one, never with a
made-up date. A database the previous release left (every event dated; the Meta emails
"June 2026", a date neither report gives) upgrades in place: migration 022 keeps every event
and the developers it concerns, and the seed takes the invented date off."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from storage.db import connect, open_store
from storage.facts import create_event, get_event, list_events, reported_date, source_by_seed_key
from storage.migrations import migrations
from storage.seed import seed
from storage.timeline import events_in_range

SEEDED = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
UPGRADED = datetime(2026, 7, 24, 14, 0, tzinfo=UTC)


def _emails(db: object) -> dict[str, object]:
    [row] = [e for e in list_events(db, "meta") if e["seed_key"] == "meta-emails"]  # type: ignore[arg-type]
    return row


def test_a_database_of_the_last_release_upgrades_and_the_emails_lose_their_invented_date(
    tmp_path: Path,
) -> None:
    path = tmp_path / "reviewwatch.db"
    old = connect(path)
    migrations.apply(old, stop_before="m022_undated_events")
    # What the last release wrote: its seed, the emails dated by the reports' month.
    old.execute(
        "INSERT INTO developers (id, name, status, created_at, updated_at, updated_by)"
        " VALUES ('meta', 'Meta', 'negotiating', ?, ?, 'seed')",
        [SEEDED.isoformat(), SEEDED.isoformat()],
    )
    old.execute(
        "INSERT INTO events (kind, effective, summary, note, as_of, seed_key, created_at, updated_at,"
        " updated_by) VALUES ('request', '2026-06', 'Federal officials asked Meta in confidential emails.',"
        " 'Dated by the June 2026 reports; when the emails were sent was not reported.', '2026-06',"
        " 'meta-emails', ?, ?, 'seed')",
        [SEEDED.isoformat(), SEEDED.isoformat()],
    )
    old.execute("INSERT INTO event_developers (event_id, developer_id) VALUES (1, 'meta')")
    old.execute("INSERT INTO app_state (key, value) VALUES ('seed:event:meta-emails', 'done')")
    old.conn.commit()
    old.conn.close()

    store = open_store(path)  # start-up: migrate, then seed
    try:
        db = store.db
        generation = "SELECT n FROM tracker_generation"
        before = next(iter(db.query(generation)))["n"]
        seed(db, at=UPGRADED)
        emails = _emails(db)
        assert emails["id"] == 1 and emails["developer_ids"] == ["meta"]  # kept, with its developer
        assert emails["effective"] is None  # no report says when the emails were sent
        assert "When the emails were sent was not reported" in str(emails["note"])
        [fix] = db.query("SELECT * FROM history WHERE entity = 'event' AND field = 'effective'")
        assert (fix["old"], fix["new"], fix["actor"]) == ("2026-06", None, "seed")
        assert (
            next(iter(db.query(generation)))["n"] > before
        )  # answers read the table again: the triggers are back
        # Seeding again changes nothing.
        assert sum(seed(db, at=UPGRADED).values()) == 0
    finally:
        store.close()


def test_an_undated_event_is_stored_and_listed_after_the_dated_ones(tmp_path: Path) -> None:
    store = open_store(tmp_path / "reviewwatch.db")
    try:
        db = store.db
        seed(db, at=UPGRADED)
        emails = _emails(db)
        assert emails["effective"] is None
        wire = source_by_seed_key(db, "report:wire")
        assert wire is not None
        added = create_event(
            db,
            kind="statement",
            effective=None,
            summary="An official said more letters went out.",
            developer_ids=["meta"],
            source_ids=[wire["id"]],
            actor="UADMIN0001",
            at=UPGRADED,
        )
        assert get_event(db, added["id"])["effective"] is None  # type: ignore[index]
        listed = list_events(db, "meta")
        dated = [e["effective"] for e in listed if e["effective"]]
        assert [e["effective"] for e in listed] == [*dated, None, None]  # undated last
        assert dated == sorted(dated, reverse=True)
        # Shown by the date of the report that mentions it; the timeline never draws it.
        assert reported_date([wire]) == "2026-06"
        drawn = {e["id"] for e in events_in_range(db, date(2026, 1, 1), date(2026, 12, 31))}
        assert emails["id"] not in drawn and added["id"] not in drawn and drawn
    finally:
        store.close()
