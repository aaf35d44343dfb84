"""The alert tables: subscriptions and the alert ledger (m002) and what later releases added
to them (cursors, delivery days, claims, threads, updates, reminders and mutes, the weekly
briefing, personal follows, briefing pages, model follows). Shipped migrations keep their
SQL exactly as it ran."""

from __future__ import annotations

import json

from sqlite_utils import Database


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


def m008_sweep_cursors(db: Database) -> None:
    # Where each subscription's last complete sweep left it (bot/alerts/cursors.py): the
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


def m010_claim_tokens(db: Database) -> None:
    # A claim names the sweep holding it (storage/alerts.py, "Ownership"). The index holds
    # only rows being delivered, so renewing a sweep's leases reads a handful of entries.
    # A query on the ledger writes a status the code fixes into its SQL rather than binding it:
    # `status = ?` makes SQLite compile it again at every run against this partial index
    # (storage/alerts.py RETRY_WHERE, tests/storage/test_ledger_plans.py).
    db.executescript(
        """
        ALTER TABLE alert_ledger ADD COLUMN claim_token TEXT;
        CREATE INDEX alert_ledger_claims ON alert_ledger (claim_token) WHERE status = 'claimed';
        """
    )


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


def m016_weekly_briefing(db: Database) -> None:
    # A subscription may also take the weekly briefing (Mondays at the delivery time): when it
    # was turned on (the first briefing is the next Monday's), or NULL when it is off.
    db.executescript("ALTER TABLE subscriptions ADD COLUMN briefing_since TEXT;")


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
