"""Event ids taken once, remembered a day (storage/slack_events.py, migration m023)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from storage.db import open_store
from storage.slack_events import SEEN_RETENTION, events_taken, take_event

AT = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def test_an_event_id_is_taken_once_and_forgotten_after_a_day(tmp_path: Path) -> None:
    store = open_store(tmp_path / "events.db")
    try:
        db = store.db
        assert take_event(db, "Ev1", AT) is True
        assert take_event(db, "Ev1", AT + timedelta(minutes=5)) is False
        assert take_event(db, "Ev2", AT + timedelta(hours=1)) is True
        assert events_taken(db) == 2

        later = AT + SEEN_RETENTION + timedelta(minutes=1)
        assert take_event(db, "Ev3", later) is True
        assert events_taken(db) == 2  # Ev1 is gone; Ev2 is within the day
        assert take_event(db, "Ev2", later) is False
    finally:
        store.close()
