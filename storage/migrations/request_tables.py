"""Tables about requests the app received (storage/slack_events.py)."""

from __future__ import annotations

from sqlite_utils import Database


def m023_slack_event_ids(db: Database) -> None:
    # The Events API deliveries already taken, by Slack's event_id: a retry or a replay of
    # one is acknowledged and not answered again, across restarts. Rows are kept a day.
    db.executescript(
        """
        CREATE TABLE slack_events_seen (event_id TEXT PRIMARY KEY, received_at TEXT NOT NULL);
        CREATE INDEX slack_events_seen_received ON slack_events_seen (received_at);
        """
    )
