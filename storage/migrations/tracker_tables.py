"""The tracker's tables: developers, models, deadlines and history (m001), sources,
citations, contests, events and framework facts (m015), and the generation number cached
answers watch (m020). Shipped migrations keep their SQL exactly as it ran."""

# Shipped migrations keep their SQL exactly as it ran, values written out on one line.

from __future__ import annotations

from typing import Any

from sqlite_utils import Database


def m001_tracker(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE developers (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('signed', 'negotiating', 'holdout', 'declined', 'unknown')),
            status_since TEXT,
            agreement_date TEXT,
            note TEXT,
            source TEXT,
            as_of TEXT,
            contested INTEGER NOT NULL DEFAULT 0,
            version INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            updated_by TEXT NOT NULL
        );
        CREATE TABLE models (
            id INTEGER PRIMARY KEY,
            developer_id TEXT NOT NULL REFERENCES developers(id),
            name TEXT NOT NULL,
            planned_release TEXT,
            submitted TEXT,
            released TEXT,
            review_status TEXT NOT NULL DEFAULT 'not_submitted'
                CHECK (review_status IN ('not_submitted', 'submitted', 'in_review', 'cleared', 'released', 'withdrawn')),
            note TEXT,
            source TEXT,
            as_of TEXT,
            contested INTEGER NOT NULL DEFAULT 0,
            seed_key TEXT UNIQUE,
            version INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            updated_by TEXT NOT NULL
        );
        CREATE UNIQUE INDEX models_developer_name ON models (developer_id, name COLLATE NOCASE);
        CREATE INDEX models_planned_release ON models (planned_release);
        CREATE TABLE deadlines (
            id INTEGER PRIMARY KEY,
            title TEXT NOT NULL,
            due_date TEXT NOT NULL,
            kind TEXT NOT NULL DEFAULT 'deadline' CHECK (kind IN ('deadline', 'comment_period', 'hearing', 'effective_date', 'other')),
            note TEXT,
            source TEXT,
            as_of TEXT,
            contested INTEGER NOT NULL DEFAULT 0,
            seed_key TEXT UNIQUE,
            version INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            updated_by TEXT NOT NULL
        );
        CREATE INDEX deadlines_due_date ON deadlines (due_date);
        -- Every change to the tracker; rows are never updated or deleted.
        CREATE TABLE history (
            id INTEGER PRIMARY KEY,
            entity TEXT NOT NULL,          -- developer | model | deadline | framework
            entity_id TEXT NOT NULL,
            subject TEXT NOT NULL,         -- display label at the time of the change
            field TEXT NOT NULL,           -- a column name, or (created) / (removed) / event
            old TEXT,
            new TEXT,
            actor TEXT NOT NULL,
            at TEXT NOT NULL,
            note TEXT,
            source TEXT
        );
        CREATE INDEX history_entity ON history (entity, entity_id, id);
        CREATE INDEX history_field ON history (field, id);
        CREATE TABLE app_state (
            key TEXT PRIMARY KEY,
            value TEXT
        );
        """
    )


# The seed's source texts as release 1 wrote them (storage/seed.py then), frozen here: a
# record citing them cites the report records below after the upgrade.
_M015_LEGACY_NYT = "Stocktwits, citing The New York Times (June 2026)"
_M015_LEGACY_WIRE = "Wire report, June 2026, reporting the same facts"
_M015_REPORTS = (
    # seed_key, title, publisher, citation, published
    (
        "report:wire",
        "US Government Urges Meta to Conduct Security Reviews on AI Models",
        None,
        "wire summary",
        "2026-06",
    ),
    (
        "report:stocktwits",
        None,
        "Stocktwits",
        "citing The New York Times",
        "2026-06",
    ),
)


# The tables and columns m015 adds, as its script ran.
_M015_TABLES = """
        CREATE TABLE sources (
            id INTEGER PRIMARY KEY,
            title TEXT,
            publisher TEXT,
            url TEXT,
            citation TEXT,
            published TEXT,                  -- YYYY, YYYY-MM or YYYY-MM-DD (storage/dates.py)
            read_at TEXT,
            seed_key TEXT UNIQUE,
            created_at TEXT NOT NULL,
            created_by TEXT NOT NULL,
            CHECK (COALESCE(title, publisher, url, citation) IS NOT NULL)
        );
        CREATE INDEX sources_url ON sources (url);
        -- Which sources state which fact: field '*' is every fact of the record.
        CREATE TABLE citations (
            entity TEXT NOT NULL,            -- developer | model | deadline | event | framework
            entity_id TEXT NOT NULL,
            field TEXT NOT NULL,
            source_id INTEGER NOT NULL REFERENCES sources(id),
            PRIMARY KEY (entity, entity_id, field, source_id)
        );
        CREATE INDEX citations_source ON citations (source_id);
        CREATE TABLE contests (
            id INTEGER PRIMARY KEY,
            entity TEXT NOT NULL,
            entity_id TEXT NOT NULL,
            field TEXT NOT NULL,             -- the fact in dispute ('*': the record)
            reason TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'resolved')),
            resolved_claim_id INTEGER,
            resolution_source_id INTEGER REFERENCES sources(id),
            resolution_note TEXT,
            seed_key TEXT UNIQUE,
            opened_at TEXT NOT NULL,
            opened_by TEXT NOT NULL,
            resolved_at TEXT,
            resolved_by TEXT
        );
        CREATE INDEX contests_entity ON contests (entity, entity_id, state);
        CREATE TABLE claims (
            id INTEGER PRIMARY KEY,
            contest_id INTEGER NOT NULL REFERENCES contests(id),
            claim TEXT NOT NULL,
            source_id INTEGER REFERENCES sources(id)
        );
        CREATE INDEX claims_contest ON claims (contest_id, id);
        CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN
                ('order', 'request', 'statement', 'agreement', 'restriction', 'release', 'other')),
            effective TEXT NOT NULL,         -- when it happened, at the source's precision
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
        CREATE INDEX events_effective ON events (effective);
        CREATE TABLE event_developers (
            event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
            developer_id TEXT NOT NULL REFERENCES developers(id),
            PRIMARY KEY (event_id, developer_id)
        );
        CREATE INDEX event_developers_developer ON event_developers (developer_id);
        -- Facts about the framework itself (who runs the reviews, what they look for).
        CREATE TABLE framework_facts (
            id TEXT PRIMARY KEY,
            label TEXT NOT NULL,
            text TEXT NOT NULL,
            as_of TEXT,
            contested INTEGER NOT NULL DEFAULT 0,
            version INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            updated_by TEXT NOT NULL
        );
        -- When a change took effect as its source says (NULL: not known); `at` is when it
        -- was recorded.
        ALTER TABLE history ADD COLUMN effective TEXT;
        ALTER TABLE deadlines ADD COLUMN outcome TEXT NOT NULL DEFAULT 'open'
            CHECK (outcome IN ('open', 'met', 'missed', 'extended'));
        ALTER TABLE deadlines ADD COLUMN extended_to INTEGER;
        """


def m015_facts(db: Database) -> None:
    """Sources as records, citations per fact, contested claims, events, deadline outcomes,
    and the effective date of a change (issue 15). Existing source texts become source
    records cited by the records that carried them; contested records get an open contest;
    history keeps every row (its effective date is unknown: NULL)."""
    db.executescript(_M015_TABLES)
    now = next(iter(db.query("SELECT strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now') AS now")))["now"]
    known = _m015_report_sources(db, now)
    for entity, table in (("developer", "developers"), ("model", "models"), ("deadline", "deadlines")):
        rows = list(db.query(f"SELECT id, source, contested, updated_at, updated_by FROM {table}"))
        for row in rows:
            _m015_cite_source_text(db, entity, row, known, now)
            if row["contested"]:
                _m015_open_contest(db, entity, row)


def _m015_report_sources(db: Database, now: str) -> dict[str, list[int]]:
    """The two reports as source records; what each legacy source text cites."""
    legacy: dict[str, list[int]] = {}
    for key, title, publisher, citation, published in _M015_REPORTS:
        cursor = db.execute(
            "INSERT INTO sources (title, publisher, citation, published, seed_key, created_at, created_by)"
            " VALUES (?, ?, ?, ?, ?, ?, 'seed')",
            [title, publisher, citation, published, key, now],
        )
        legacy[key] = [int(cursor.lastrowid or 0)]
    wire, nyt = legacy["report:wire"][0], legacy["report:stocktwits"][0]
    return {
        _M015_LEGACY_NYT: [nyt],
        _M015_LEGACY_WIRE: [wire],
        f"{_M015_LEGACY_NYT}; {_M015_LEGACY_WIRE}": [nyt, wire],
    }


def _m015_cite_source_text(
    db: Database, entity: str, row: dict[str, Any], known: dict[str, list[int]], now: str
) -> None:
    """A record's source text as citations of source records (a new one for a text not seen
    yet, added to `known`)."""
    text = (row["source"] or "").strip()
    if not text:
        return
    if text not in known:
        is_url = text.startswith(("http://", "https://")) and " " not in text
        cursor = db.execute(
            "INSERT INTO sources (url, citation, created_at, created_by) VALUES (?, ?, ?, ?)",
            [text if is_url else None, None if is_url else text, now, "migration"],
        )
        known[text] = [int(cursor.lastrowid or 0)]
    for source_id in known[text]:
        db.execute(
            "INSERT OR IGNORE INTO citations (entity, entity_id, field, source_id) VALUES (?, ?, '*', ?)",
            [entity, str(row["id"]), source_id],
        )


def _m015_open_contest(db: Database, entity: str, row: dict[str, Any]) -> None:
    """A record flagged contested before claims were recorded: an open contest of its own."""
    db.execute(
        "INSERT INTO contests (entity, entity_id, field, reason, opened_at, opened_by)"
        " VALUES (?, ?, '*', ?, ?, ?)",
        [
            entity,
            str(row["id"]),
            "Marked contested before competing claims were recorded",
            row["updated_at"],
            row["updated_by"],
        ],
    )


def m020_tracker_generation(db: Database) -> None:
    # One number that moves whenever anything an answer reads is written (bot/deps.py
    # AnswerCache keeps answers until it does): a trigger per write on each table answers
    # read. The alert ledger, subscriptions, follows and the app's own state are left out:
    # sweeps write them all day and no cached answer reads them. storage/generation.py lists
    # both sets, and a test fails on a table in neither.
    db.executescript(
        """
        CREATE TABLE tracker_generation (n INTEGER NOT NULL);
        INSERT INTO tracker_generation (n) VALUES (0);
        CREATE TRIGGER generation_developers_insert AFTER INSERT ON developers BEGIN UPDATE tracker_generation SET n = n + 1; END;
        CREATE TRIGGER generation_developers_update AFTER UPDATE ON developers BEGIN UPDATE tracker_generation SET n = n + 1; END;
        CREATE TRIGGER generation_developers_delete AFTER DELETE ON developers BEGIN UPDATE tracker_generation SET n = n + 1; END;
        CREATE TRIGGER generation_models_insert AFTER INSERT ON models BEGIN UPDATE tracker_generation SET n = n + 1; END;
        CREATE TRIGGER generation_models_update AFTER UPDATE ON models BEGIN UPDATE tracker_generation SET n = n + 1; END;
        CREATE TRIGGER generation_models_delete AFTER DELETE ON models BEGIN UPDATE tracker_generation SET n = n + 1; END;
        CREATE TRIGGER generation_deadlines_insert AFTER INSERT ON deadlines BEGIN UPDATE tracker_generation SET n = n + 1; END;
        CREATE TRIGGER generation_deadlines_update AFTER UPDATE ON deadlines BEGIN UPDATE tracker_generation SET n = n + 1; END;
        CREATE TRIGGER generation_deadlines_delete AFTER DELETE ON deadlines BEGIN UPDATE tracker_generation SET n = n + 1; END;
        CREATE TRIGGER generation_history_insert AFTER INSERT ON history BEGIN UPDATE tracker_generation SET n = n + 1; END;
        CREATE TRIGGER generation_history_update AFTER UPDATE ON history BEGIN UPDATE tracker_generation SET n = n + 1; END;
        CREATE TRIGGER generation_history_delete AFTER DELETE ON history BEGIN UPDATE tracker_generation SET n = n + 1; END;
        CREATE TRIGGER generation_sources_insert AFTER INSERT ON sources BEGIN UPDATE tracker_generation SET n = n + 1; END;
        CREATE TRIGGER generation_sources_update AFTER UPDATE ON sources BEGIN UPDATE tracker_generation SET n = n + 1; END;
        CREATE TRIGGER generation_sources_delete AFTER DELETE ON sources BEGIN UPDATE tracker_generation SET n = n + 1; END;
        CREATE TRIGGER generation_citations_insert AFTER INSERT ON citations BEGIN UPDATE tracker_generation SET n = n + 1; END;
        CREATE TRIGGER generation_citations_update AFTER UPDATE ON citations BEGIN UPDATE tracker_generation SET n = n + 1; END;
        CREATE TRIGGER generation_citations_delete AFTER DELETE ON citations BEGIN UPDATE tracker_generation SET n = n + 1; END;
        CREATE TRIGGER generation_contests_insert AFTER INSERT ON contests BEGIN UPDATE tracker_generation SET n = n + 1; END;
        CREATE TRIGGER generation_contests_update AFTER UPDATE ON contests BEGIN UPDATE tracker_generation SET n = n + 1; END;
        CREATE TRIGGER generation_contests_delete AFTER DELETE ON contests BEGIN UPDATE tracker_generation SET n = n + 1; END;
        CREATE TRIGGER generation_claims_insert AFTER INSERT ON claims BEGIN UPDATE tracker_generation SET n = n + 1; END;
        CREATE TRIGGER generation_claims_update AFTER UPDATE ON claims BEGIN UPDATE tracker_generation SET n = n + 1; END;
        CREATE TRIGGER generation_claims_delete AFTER DELETE ON claims BEGIN UPDATE tracker_generation SET n = n + 1; END;
        CREATE TRIGGER generation_events_insert AFTER INSERT ON events BEGIN UPDATE tracker_generation SET n = n + 1; END;
        CREATE TRIGGER generation_events_update AFTER UPDATE ON events BEGIN UPDATE tracker_generation SET n = n + 1; END;
        CREATE TRIGGER generation_events_delete AFTER DELETE ON events BEGIN UPDATE tracker_generation SET n = n + 1; END;
        CREATE TRIGGER generation_event_developers_insert AFTER INSERT ON event_developers BEGIN UPDATE tracker_generation SET n = n + 1; END;
        CREATE TRIGGER generation_event_developers_update AFTER UPDATE ON event_developers BEGIN UPDATE tracker_generation SET n = n + 1; END;
        CREATE TRIGGER generation_event_developers_delete AFTER DELETE ON event_developers BEGIN UPDATE tracker_generation SET n = n + 1; END;
        CREATE TRIGGER generation_framework_facts_insert AFTER INSERT ON framework_facts BEGIN UPDATE tracker_generation SET n = n + 1; END;
        CREATE TRIGGER generation_framework_facts_update AFTER UPDATE ON framework_facts BEGIN UPDATE tracker_generation SET n = n + 1; END;
        CREATE TRIGGER generation_framework_facts_delete AFTER DELETE ON framework_facts BEGIN UPDATE tracker_generation SET n = n + 1; END;
        CREATE TRIGGER generation_feeds_insert AFTER INSERT ON feeds BEGIN UPDATE tracker_generation SET n = n + 1; END;
        CREATE TRIGGER generation_feeds_update AFTER UPDATE ON feeds BEGIN UPDATE tracker_generation SET n = n + 1; END;
        CREATE TRIGGER generation_feeds_delete AFTER DELETE ON feeds BEGIN UPDATE tracker_generation SET n = n + 1; END;
        CREATE TRIGGER generation_news_items_insert AFTER INSERT ON news_items BEGIN UPDATE tracker_generation SET n = n + 1; END;
        CREATE TRIGGER generation_news_items_update AFTER UPDATE ON news_items BEGIN UPDATE tracker_generation SET n = n + 1; END;
        CREATE TRIGGER generation_news_items_delete AFTER DELETE ON news_items BEGIN UPDATE tracker_generation SET n = n + 1; END;
        """
    )
