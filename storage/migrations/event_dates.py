"""Events whose date no source gives (issue 26): `events.effective` may be NULL.

Neither SQLite nor portable SQL can drop a NOT NULL constraint in place, so the table is
rebuilt: its rows (and the developers each concerns) are copied aside, the tables are
recreated with `effective` optional, the rows copied back with their ids, and the indexes
and the tracker-generation triggers (m020) put back. Only portable statements: CREATE TABLE,
INSERT ... SELECT, DROP TABLE, ALTER TABLE ... RENAME TO.
"""

from __future__ import annotations

from sqlite_utils import Database

_COLUMNS = "id, kind, effective, summary, note, as_of, contested, seed_key, version, created_at, updated_at, updated_by"


def m022_undated_events(db: Database) -> None:
    db.executescript(
        f"""
        CREATE TABLE events_m022 (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN
                ('order', 'request', 'statement', 'agreement', 'restriction', 'release', 'other')),
            effective TEXT,                  -- when it happened, at the source's precision; NULL: no source says
            summary TEXT NOT NULL,
            note TEXT,
            as_of TEXT,
            contested INTEGER NOT NULL DEFAULT 0,
            seed_key TEXT UNIQUE,
            version INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            updated_by TEXT NOT NULL
        );
        INSERT INTO events_m022 ({_COLUMNS}) SELECT {_COLUMNS} FROM events;
        CREATE TABLE event_developers_m022 (event_id INTEGER NOT NULL, developer_id TEXT NOT NULL);
        INSERT INTO event_developers_m022 (event_id, developer_id)
            SELECT event_id, developer_id FROM event_developers;
        DROP TABLE event_developers;
        DROP TABLE events;
        ALTER TABLE events_m022 RENAME TO events;
        CREATE INDEX events_effective ON events (effective);
        CREATE TABLE event_developers (
            event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
            developer_id TEXT NOT NULL REFERENCES developers(id),
            PRIMARY KEY (event_id, developer_id)
        );
        INSERT INTO event_developers (event_id, developer_id)
            SELECT event_id, developer_id FROM event_developers_m022;
        DROP TABLE event_developers_m022;
        CREATE INDEX event_developers_developer ON event_developers (developer_id);
        CREATE TRIGGER generation_events_insert AFTER INSERT ON events BEGIN UPDATE tracker_generation SET n = n + 1; END;
        CREATE TRIGGER generation_events_update AFTER UPDATE ON events BEGIN UPDATE tracker_generation SET n = n + 1; END;
        CREATE TRIGGER generation_events_delete AFTER DELETE ON events BEGIN UPDATE tracker_generation SET n = n + 1; END;
        CREATE TRIGGER generation_event_developers_insert AFTER INSERT ON event_developers BEGIN UPDATE tracker_generation SET n = n + 1; END;
        CREATE TRIGGER generation_event_developers_update AFTER UPDATE ON event_developers BEGIN UPDATE tracker_generation SET n = n + 1; END;
        CREATE TRIGGER generation_event_developers_delete AFTER DELETE ON event_developers BEGIN UPDATE tracker_generation SET n = n + 1; END;
        UPDATE tracker_generation SET n = n + 1;
        """
    )
