"""The one question a sweep and a corrections run ask before their reads
(storage/sweep_probe.py), on both engines: whatever the ledger, reminders, mutes, history and
corrections hold, its answers agree with the reads it stands in for, so a read it skips would
have found nothing and a retry, reminder, mute or correction is never missed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from storage.alerts import claim_alerts, retry_candidates
from storage.db import Store
from storage.generation import generation_on
from storage.history import record_history
from storage.snooze import active_mutes, add_reminder, due_reminders, save_mute
from storage.sweep_probe import SweepProbe, UpdatesProbe, probe_sweep, probe_updates
from storage.sweep_reads import latest_ids
from storage.tracker import set_state
from storage.updates import CORRECTED_ENTITIES, changes_after, claim_updates, pending_updates

NOW = datetime(2026, 7, 24, 13, 0, tzinfo=UTC)
TODAY = date(2026, 7, 24)
LEASE = timedelta(minutes=10)
CURSOR = "corrections-cursor"


def _sweep_probe(store: Store, now: datetime = NOW, today: date = TODAY) -> SweepProbe:
    """The probe, checked against every read it stands in for."""
    db = store.db
    probe = probe_sweep(db, now, LEASE, today)
    assert probe.retries == bool(retry_candidates(db, now, LEASE))
    assert probe.reminders == bool(due_reminders(db, now))
    assert probe.mutes == bool(active_mutes(db, today))
    assert (probe.history_id, probe.news_id) == latest_ids(db)
    assert probe.generation == generation_on(db)
    return probe


def _updates_probe(store: Store, now: datetime = NOW) -> UpdatesProbe:
    db = store.db
    probe = probe_updates(db, CURSOR, CORRECTED_ENTITIES, now, LEASE)
    if probe.cursor is not None:
        assert probe.changed == bool(changes_after(db, int(probe.cursor), CORRECTED_ENTITIES))
    assert probe.pending == bool(pending_updates(db, now, now, LEASE))
    return probe


def _ledger_row(key: str) -> tuple[object, ...]:
    due = "2026-07-24T13:00:00+00:00"
    return (key, "deadline", "deadline", "1", "2026-07-31", 7, "slack", "C1", 1, due, "{}")


def _set_status(store: Store, key: str, status: str, next_attempt_at: datetime | None) -> None:
    store.db.execute(
        "UPDATE alert_ledger SET status = ?, next_attempt_at = ? WHERE key = ?",
        [status, next_attempt_at.isoformat() if next_attempt_at else None, key],
    )


def test_retries_are_found_exactly_when_one_is_due(seeded_store: Store) -> None:
    assert _sweep_probe(seeded_store).retries is False  # a ledger with nothing in it
    claim_alerts(seeded_store.db, [_ledger_row("a")], [], "sweep-1", NOW)
    assert _sweep_probe(seeded_store).retries is False  # claimed just now: its sweep delivers it
    assert _sweep_probe(seeded_store, NOW + LEASE + timedelta(seconds=1)).retries is True  # abandoned
    _set_status(seeded_store, "a", "failed", NOW + timedelta(minutes=5))
    assert _sweep_probe(seeded_store).retries is False
    assert _sweep_probe(seeded_store, NOW + timedelta(minutes=5)).retries is True
    _set_status(seeded_store, "a", "failed", None)  # no time given: at once
    assert _sweep_probe(seeded_store).retries is True
    _set_status(seeded_store, "a", "held", NOW + timedelta(hours=8))  # quiet hours
    assert _sweep_probe(seeded_store).retries is False
    assert _sweep_probe(seeded_store, NOW + timedelta(hours=8)).retries is True
    _set_status(seeded_store, "a", "sent", None)
    assert _sweep_probe(seeded_store, NOW + timedelta(days=1)).retries is False


def test_reminders_are_found_while_due_and_not_yet_sent(seeded_store: Store) -> None:
    db = seeded_store.db
    assert _sweep_probe(seeded_store).reminders is False
    add_reminder(db, key="r1", alert_key="a", user_id="U1", channel=None, remind_at=NOW, payload={}, now=NOW)
    assert _sweep_probe(seeded_store, NOW - timedelta(minutes=1)).reminders is False  # not yet
    assert _sweep_probe(seeded_store).reminders is True
    assert _sweep_probe(seeded_store, NOW + timedelta(days=8)).reminders is False  # over a week late
    claim_alerts(db, [_ledger_row("r1")], [], "sweep-1", NOW)
    assert _sweep_probe(seeded_store).reminders is True  # claimed: due until it is sent
    _set_status(seeded_store, "r1", "sent", None)
    assert _sweep_probe(seeded_store).reminders is False


def test_mutes_are_found_while_in_force(seeded_store: Store) -> None:
    db = seeded_store.db
    assert _sweep_probe(seeded_store).mutes is False
    mute = {"target_type": "slack", "target": "C1", "subject_type": "deadline", "title": "A deadline"}
    save_mute(db, **mute, subject_id="1", until=TODAY - timedelta(days=1), actor="U1", now=NOW)
    assert _sweep_probe(seeded_store).mutes is False  # ended yesterday
    save_mute(db, **mute, subject_id="2", until=TODAY, actor="U1", now=NOW)
    assert _sweep_probe(seeded_store).mutes is True  # until is inclusive
    assert _sweep_probe(seeded_store, today=TODAY + timedelta(days=1)).mutes is False
    save_mute(db, **mute, subject_id="3", until=None, actor="U1", now=NOW)
    assert _sweep_probe(seeded_store, today=TODAY + timedelta(days=400)).mutes is True  # for good


def test_the_newest_ids_and_generation_move_with_the_tracker(seeded_store: Store) -> None:
    before = _sweep_probe(seeded_store)
    change = {"subject": "A deadline", "field": "due_date", "old": "2026-07-31", "new": "2026-08-07"}
    new_id = record_history(
        seeded_store.db, entity="deadline", entity_id=1, **change, actor="U1", at=NOW, note=None, source=None
    )
    after = _sweep_probe(seeded_store)
    assert after.history_id == new_id > before.history_id


def test_the_corrections_find_changes_after_their_cursor_and_pending_updates(seeded_store: Store) -> None:
    db = seeded_store.db
    assert _updates_probe(seeded_store) == UpdatesProbe(None, False, False)  # before the first run
    newest = latest_ids(db)[0]
    set_state(db, CURSOR, str(newest))
    assert _updates_probe(seeded_store) == UpdatesProbe(str(newest), False, False)
    change = {"subject": "An event", "field": "date", "old": None, "new": "2026-07-30"}
    record_history(db, entity="event", entity_id=1, **change, actor="U1", at=NOW, note=None, source=None)
    assert _updates_probe(seeded_store).changed is False  # not an entity corrections look at
    change = {"subject": "A deadline", "field": "due_date", "old": "2026-07-31", "new": "2026-08-07"}
    record_history(db, entity="deadline", entity_id=1, **change, actor="U1", at=NOW, note=None, source=None)
    assert _updates_probe(seeded_store).changed is True
    set_state(db, CURSOR, str(latest_ids(db)[0]))
    assert _updates_probe(seeded_store).changed is False

    claim_updates(db, [("u1", "a", newest)], NOW)
    assert _updates_probe(seeded_store).pending is True  # claimed by this run
    assert _updates_probe(seeded_store, NOW + timedelta(minutes=1)).pending is False  # another run's
    assert _updates_probe(seeded_store, NOW + LEASE).pending is True  # that run died
    db.execute(
        "UPDATE alert_updates SET status = 'failed', next_attempt_at = ? WHERE key = 'u1'",
        [(NOW + timedelta(hours=1)).isoformat()],
    )
    assert _updates_probe(seeded_store, NOW + timedelta(minutes=30)).pending is False
    assert _updates_probe(seeded_store, NOW + timedelta(hours=1)).pending is True
