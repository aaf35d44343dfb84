"""Numbered schema migrations, applied at every start; each runs once, in its own transaction.

Add a new function at the end (`mNNN_what_it_does`); never edit one that has shipped, and
write its values out literally: a migration must not read a live tuple (such as
storage.tracker.DEVELOPER_STATUSES), or changing that tuple would rewrite history.

The numbers have gaps: m005 and m006 were drafts that never shipped, and a number is
never reused, so a migration's name always means one change.
"""

from __future__ import annotations

import json

from sqlite_utils import Database, Migrations

migrations = Migrations("reviewwatch")


@migrations(name="m001_tracker")
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


@migrations(name="m002_alerts")
def m002_alerts(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE subscriptions (
            id INTEGER PRIMARY KEY,
            target_type TEXT NOT NULL CHECK (target_type IN ('slack', 'teams')),
            target TEXT NOT NULL,            -- Slack channel id, or Teams webhook name
            kinds TEXT NOT NULL,             -- JSON list of alert kinds
            lead_days TEXT NOT NULL,         -- JSON list of ints
            digest TEXT NOT NULL DEFAULT 'realtime'
                CHECK (digest IN ('realtime', 'daily', 'weekly')),
            developer_filter TEXT,           -- JSON list of developer ids, or NULL for all
            since_history_id INTEGER NOT NULL DEFAULT 0,  -- change alerts start after this
            created_by TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (target_type, target)
        );
        -- One row per alert that was due for a target; the key makes it exactly-once.
        CREATE TABLE alert_ledger (
            key TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            subject_type TEXT NOT NULL,
            subject_id TEXT NOT NULL,
            subject_date TEXT,
            lead_days INTEGER,
            target_type TEXT NOT NULL,
            target TEXT NOT NULL,
            subscription_id INTEGER,
            due_at TEXT NOT NULL,
            status TEXT NOT NULL,            -- claimed | sent | skipped | failed | permanent
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT,
            last_error TEXT,
            claimed_at TEXT,
            sent_at TEXT,
            message_channel TEXT,
            message_ts TEXT,
            acknowledged_by TEXT,
            acknowledged_at TEXT,
            payload TEXT,
            created_at TEXT NOT NULL
        );
        CREATE INDEX alert_ledger_status ON alert_ledger (status, next_attempt_at);
        CREATE INDEX alert_ledger_target ON alert_ledger (target_type, target, due_at);
        """
    )


@migrations(name="m003_feeds")
def m003_feeds(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE feeds (
            id INTEGER PRIMARY KEY,
            url TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL CHECK (kind IN ('rss', 'federal_register')),
            title TEXT,
            keywords TEXT NOT NULL DEFAULT '[]',   -- JSON list of keywords and phrases
            enabled INTEGER NOT NULL DEFAULT 1,
            is_default INTEGER NOT NULL DEFAULT 0,
            primed INTEGER NOT NULL DEFAULT 0,     -- first fetch done (its items marked seen)
            etag TEXT,
            last_modified TEXT,
            last_fetched_at TEXT,
            last_ok_at TEXT,
            last_error TEXT,
            consecutive_failures INTEGER NOT NULL DEFAULT 0,
            next_fetch_at TEXT,
            created_by TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE TABLE news_items (
            id INTEGER PRIMARY KEY,
            item_key TEXT NOT NULL UNIQUE,         -- normalised link, guid or document number
            feed_id INTEGER REFERENCES feeds(id) ON DELETE SET NULL,
            title TEXT,
            link TEXT,
            published TEXT,
            summary TEXT,
            matched TEXT NOT NULL DEFAULT '[]',    -- JSON list of matched terms
            alert INTEGER NOT NULL DEFAULT 0,      -- 1 when it should reach subscribers
            first_seen_at TEXT NOT NULL
        );
        """
    )


@migrations(name="m004_alerts_news_cursor")
def m004_alerts_news_cursor(db: Database) -> None:
    # News alerts start after the newest news item a subscription existed for (like
    # since_history_id for status changes); existing subscriptions start from now.
    db.executescript(
        """
        ALTER TABLE subscriptions ADD COLUMN since_news_id INTEGER NOT NULL DEFAULT 0;
        UPDATE subscriptions SET since_news_id = (SELECT COALESCE(MAX(id), 0) FROM news_items);
        CREATE INDEX alert_ledger_subject ON alert_ledger (subject_type, subject_id);
        """
    )


@migrations(name="m007_news_item_keys")
def m007_news_item_keys(db: Database) -> None:
    # An item is one story however many sources carry it: every key it is known by (link,
    # guid, Federal Register document number) points at it. `developers` lists the tracked
    # developers it mentions (the Update tracker button and developer filters use it);
    # `source` keeps the source's name for the message even after the feed is removed.
    db.executescript(
        """
        CREATE TABLE news_item_keys (
            key TEXT PRIMARY KEY,
            item_id INTEGER NOT NULL REFERENCES news_items(id) ON DELETE CASCADE
        );
        CREATE INDEX news_item_keys_item ON news_item_keys (item_id);
        INSERT OR IGNORE INTO news_item_keys (key, item_id) SELECT item_key, id FROM news_items;
        ALTER TABLE news_items ADD COLUMN developers TEXT NOT NULL DEFAULT '[]';
        ALTER TABLE news_items ADD COLUMN source TEXT;
        CREATE INDEX news_items_alert ON news_items (alert, id);
        """
    )


@migrations(name="m008_sweep_cursors")
def m008_sweep_cursors(db: Database) -> None:
    # Where each subscription's last complete sweep left it (bot/alerts/plan.py, "Cursors"): the
    # next sweep computes only what can have become due since. NULL swept_at: no cursor yet,
    # the first sweep computes everything since the subscription started.
    db.executescript(
        """
        ALTER TABLE subscriptions ADD COLUMN swept_at TEXT;
        ALTER TABLE subscriptions ADD COLUMN swept_history_id INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE subscriptions ADD COLUMN swept_news_id INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE subscriptions ADD COLUMN swept_settings TEXT;
        """
    )


@migrations(name="m009_alert_delivery_days")
def m009_alert_delivery_days(db: Database) -> None:
    # Delivery days (business days unless a subscription chose every day) and quiet hours
    # (HH:MM in the team timezone, both or neither) for real-time alerts.
    db.executescript(
        """
        ALTER TABLE subscriptions ADD COLUMN delivery_days TEXT NOT NULL DEFAULT 'business'
            CHECK (delivery_days IN ('business', 'every_day'));
        ALTER TABLE subscriptions ADD COLUMN quiet_start TEXT;
        ALTER TABLE subscriptions ADD COLUMN quiet_end TEXT;
        """
    )


@migrations(name="m010_claim_tokens")
def m010_claim_tokens(db: Database) -> None:
    # A claim names the sweep holding it (storage/alerts.py, "Ownership"). The index holds
    # only rows being delivered, so renewing a sweep's leases reads a handful of entries.
    db.executescript(
        """
        ALTER TABLE alert_ledger ADD COLUMN claim_token TEXT;
        CREATE INDEX alert_ledger_claims ON alert_ledger (claim_token) WHERE status = 'claimed';
        """
    )


@migrations(name="m011_alert_threads")
def m011_alert_threads(db: Database) -> None:
    # Later date alerts about a subject reply in the thread of the first one a channel got,
    # unless its subscription turned threads off. thread_ts: the parent's ts ('' when the
    # alert was itself posted at the top level; NULL while undecided).
    db.executescript(
        """
        ALTER TABLE subscriptions ADD COLUMN threads INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE alert_ledger ADD COLUMN thread_ts TEXT;
        ALTER TABLE alert_ledger ADD COLUMN broadcast INTEGER NOT NULL DEFAULT 0;
        """
    )


@migrations(name="m012_alert_updates")
def m012_alert_updates(db: Database) -> None:
    # One row per change to a sent alert's message (bot/alerts/updates.py): claimed, then
    # edited (chat.update done), then sent (the thread reply or Teams card posted).
    db.executescript(
        """
        CREATE TABLE alert_updates (
            key TEXT PRIMARY KEY,            -- update|<alert key>|history:<id>
            alert_key TEXT NOT NULL,
            history_id INTEGER NOT NULL,
            status TEXT NOT NULL,            -- claimed | edited | sent | failed | permanent
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            claimed_at TEXT,
            next_attempt_at TEXT,
            reply_ts TEXT,
            sent_at TEXT,
            created_at TEXT NOT NULL
        );
        CREATE INDEX alert_updates_status ON alert_updates (status, next_attempt_at);
        CREATE INDEX alert_ledger_sent_subject ON alert_ledger (subject_type, subject_id, status);
        """
    )


@migrations(name="m013_reminders_and_mutes")
def m013_reminders_and_mutes(db: Database) -> None:
    # "Remind me" on an alert: a DM to that person at remind_at, sent by the sweep under
    # `key` like any alert (payload: the alert it repeats). A mute stops a subject's alerts
    # to one target until a date (inclusive) or, with until NULL, for good.
    db.executescript(
        """
        CREATE TABLE reminders (
            id INTEGER PRIMARY KEY,
            key TEXT NOT NULL UNIQUE,
            alert_key TEXT NOT NULL,
            user_id TEXT NOT NULL,
            channel TEXT,
            remind_at TEXT NOT NULL,
            payload TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE INDEX reminders_due ON reminders (remind_at);
        CREATE TABLE mutes (
            id INTEGER PRIMARY KEY,
            target_type TEXT NOT NULL,
            target TEXT NOT NULL,
            subject_type TEXT NOT NULL,
            subject_id TEXT NOT NULL,
            title TEXT,
            until TEXT,
            created_by TEXT NOT NULL,
            created_at TEXT NOT NULL,
            UNIQUE (target_type, target, subject_type, subject_id)
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


@migrations(name="m015_facts")
def m015_facts(db: Database) -> None:
    """Sources as records, citations per fact, contested claims, events, deadline outcomes,
    and the effective date of a change (issue 15). Existing source texts become source
    records cited by the records that carried them; contested records get an open contest;
    history keeps every row (its effective date is unknown: NULL)."""
    db.executescript(
        """
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
    )
    now = next(iter(db.query("SELECT strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now') AS now")))["now"]
    legacy: dict[str, list[int]] = {}
    for key, title, publisher, citation, published in _M015_REPORTS:
        cursor = db.execute(
            "INSERT INTO sources (title, publisher, citation, published, seed_key, created_at, created_by)"
            " VALUES (?, ?, ?, ?, ?, ?, 'seed')",
            [title, publisher, citation, published, key, now],
        )
        legacy[key] = [int(cursor.lastrowid or 0)]
    wire, nyt = legacy["report:wire"][0], legacy["report:stocktwits"][0]
    known = {
        _M015_LEGACY_NYT: [nyt],
        _M015_LEGACY_WIRE: [wire],
        f"{_M015_LEGACY_NYT}; {_M015_LEGACY_WIRE}": [nyt, wire],
    }
    for entity, table in (("developer", "developers"), ("model", "models"), ("deadline", "deadlines")):
        rows = list(db.query(f"SELECT id, source, contested, updated_at, updated_by FROM {table}"))
        for row in rows:
            text = (row["source"] or "").strip()
            if text:
                if text not in known:
                    is_url = text.startswith(("http://", "https://")) and " " not in text
                    cursor = db.execute(
                        "INSERT INTO sources (url, citation, created_at, created_by) VALUES (?, ?, ?, ?)",
                        [text if is_url else None, None if is_url else text, now, "migration"],
                    )
                    known[text] = [int(cursor.lastrowid or 0)]
                for source_id in known[text]:
                    db.execute(
                        "INSERT OR IGNORE INTO citations (entity, entity_id, field, source_id)"
                        " VALUES (?, ?, '*', ?)",
                        [entity, str(row["id"]), source_id],
                    )
            if row["contested"]:
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


@migrations(name="m016_weekly_briefing")
def m016_weekly_briefing(db: Database) -> None:
    # A subscription may also take the weekly briefing (Mondays at the delivery time): when it
    # was turned on (the first briefing is the next Monday's), or NULL when it is off.
    db.executescript("ALTER TABLE subscriptions ADD COLUMN briefing_since TEXT;")


@migrations(name="m017_personal_follows")
def m017_personal_follows(db: Database) -> None:
    # What each person follows for themselves (a developer, a model or an alert kind); their
    # alerts come through a Slack subscription whose target is their user id (a DM).
    db.executescript(
        """
        CREATE TABLE follows (
            user_id TEXT NOT NULL,
            what TEXT NOT NULL CHECK (what IN ('developer', 'model', 'kind')),
            value TEXT NOT NULL,
            label TEXT NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (user_id, what, value)
        );
        """
    )


@migrations(name="m018_briefing_pages")
def m018_briefing_pages(db: Database) -> None:
    # The weekly briefing's timeline picture, drawn once per tracker version (`id`: what it was
    # drawn from) and shared by every target: `png` at full size, `preview` within Teams'
    # 1024 x 1024 for card images. A Teams briefing's page: its picture and full text behind
    # an unguessable token, served at /briefings/<token> until `expires_at`.
    db.executescript(
        """
        CREATE TABLE briefing_pictures (
            id TEXT PRIMARY KEY,
            png BLOB NOT NULL,
            preview BLOB NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE TABLE briefing_pages (
            token TEXT PRIMARY KEY,
            alert_key TEXT NOT NULL,
            picture_id TEXT REFERENCES briefing_pictures(id),
            text TEXT NOT NULL,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL
        );
        CREATE INDEX briefing_pages_expiry ON briefing_pages(expires_at);
        """
    )


@migrations(name="m019_model_follows")
def m019_model_follows(db: Database) -> None:
    # A subscription may name models (a person's model follows): their alerts come, and their
    # developers' status changes, but not the alerts about the developers' other models.
    # NULL: no model filter (channels, Teams, and people who follow no model).
    db.executescript("ALTER TABLE subscriptions ADD COLUMN model_filter TEXT;")
    # Model follows made before this brought the model's whole developer (its id was put in the
    # developer filter): give them the new meaning. Only the two filters change; the ledger,
    # the cursors (the new filters let through less than the old one did), the digest mode and
    # the briefing stay. JSON written as storage.alerts.save_subscription writes it.
    people = db.execute("SELECT DISTINCT user_id FROM follows WHERE what = 'model' ORDER BY user_id")
    for (user_id,) in people.fetchall():
        follows = db.execute(
            "SELECT what, value FROM follows WHERE user_id = ? AND what IN ('developer', 'model')",
            [user_id],
        ).fetchall()
        developers = sorted(value for what, value in follows if what == "developer")
        models = sorted(value for what, value in follows if what == "model")
        db.execute(
            "UPDATE subscriptions SET developer_filter = ?, model_filter = ?"
            " WHERE target_type = 'slack' AND target = ?",
            [json.dumps(developers) if developers else None, json.dumps(models), user_id],
        )


@migrations(name="m020_tracker_generation")
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


@migrations(name="m021_board_access")
def m021_board_access(db: Database) -> None:
    # The web board's personal sign-in links and the sessions they open (storage/board.py).
    # Only a SHA-256 of each token is kept: a copy of the database lets no one sign in.
    db.executescript(
        """
        CREATE TABLE board_links (token_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL, team_id TEXT NOT NULL, created_at TEXT NOT NULL, expires_at TEXT NOT NULL, used_at TEXT);
        CREATE TABLE board_sessions (token_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL, team_id TEXT NOT NULL, created_at TEXT NOT NULL, expires_at TEXT NOT NULL);
        CREATE INDEX board_links_expiry ON board_links (expires_at);
        CREATE INDEX board_sessions_expiry ON board_sessions (expires_at);
        """
    )


def apply_migrations(db: Database) -> None:
    migrations.apply(db)
