"""The Slack Events API deliveries already taken, so that each event is answered once.

Slack sends an event again when it thinks the first delivery failed (`X-Slack-Retry-Num`)
and anyone holding a signed request may replay it within five minutes; both carry the same
`event_id`. Taking an event is one `INSERT ... ON CONFLICT DO NOTHING`: of two deliveries
racing, one inserts the row and is answered. Rows older than SEEN_RETENTION are dropped as
new ones arrive (Slack's retries come within the hour; a replay must be under five minutes old).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlite_utils import Database

from storage.timestamps import utc_iso

SEEN_RETENTION = timedelta(days=1)


def take_event(db: Database, event_id: str, at: datetime) -> bool:
    """Record `event_id` as taken at `at`; False when it was taken already."""
    with db.atomic():
        taken = db.execute(
            "INSERT INTO slack_events_seen (event_id, received_at) VALUES (?, ?)"
            " ON CONFLICT(event_id) DO NOTHING",
            [event_id, utc_iso(at)],
        ).rowcount
        db.execute("DELETE FROM slack_events_seen WHERE received_at < ?", [utc_iso(at - SEEN_RETENTION)])
    return taken == 1


def events_taken(db: Database) -> int:
    """How many event ids are remembered (for tests and the retention check)."""
    return int(next(iter(db.query("SELECT COUNT(*) AS n FROM slack_events_seen")))["n"])
