"""Subscriptions and the alert ledger.

The ledger has one row per alert that was due for a target, keyed by the alert key, so
an alert is claimed at most once: `claim_alerts` INSERTs that a second sweep loses.
Row status moves claimed -> sent | failed (retried later) | permanent, or is written as
skipped. A row left `claimed` past its lease belongs to a sweep that died mid-delivery.

Ownership: a claim carries the token of the sweep holding it (`claim_token`). Another sweep
may take a claim over only once its lease has run out (`retry_candidates`,
`reclaim_alerts`); the holder renews the lease while it delivers (`renew_claims`), and an
outcome is recorded only while its sweep still holds the claim (`record_outcomes`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from operator import itemgetter
from typing import Any, NamedTuple

from sqlite_utils import Database

from storage.db import one_transaction
from storage.pg_statements import is_postgresql, keys_present
from storage.sql import placeholders
from storage.timestamps import utc_iso
from storage.tracker import latest_history_id

STATUS_CLAIMED = "claimed"
STATUS_SENT = "sent"
STATUS_SKIPPED = "skipped"
STATUS_FAILED = "failed"  # transient: retried at next_attempt_at
STATUS_PERMANENT = "permanent"
STATUS_HELD = "held"  # quiet hours: sent like a retry at next_attempt_at

TARGET_SLACK = "slack"
TARGET_TEAMS = "teams"

CHUNK = 900  # bound parameters per IN (...) query, under SQLite's limit


# ---------------------------------------------------------------- subscriptions


def _subscription(row: dict[str, Any]) -> dict[str, Any]:
    sub = dict(row)
    sub["kinds"] = json.loads(sub["kinds"])
    sub["lead_days"] = json.loads(sub["lead_days"])
    sub["developer_filter"] = json.loads(sub["developer_filter"]) if sub["developer_filter"] else None
    sub["model_filter"] = json.loads(sub["model_filter"]) if sub.get("model_filter") else None
    return sub


def latest_news_id(db: Database) -> int:
    return int(next(iter(db.query("SELECT COALESCE(MAX(id), 0) AS n FROM news_items")))["n"])


def list_subscriptions(db: Database) -> list[dict[str, Any]]:
    return [_subscription(r) for r in db.query("SELECT * FROM subscriptions ORDER BY id")]


def get_subscription(db: Database, target_type: str, target: str) -> dict[str, Any] | None:
    rows = list(
        db.query("SELECT * FROM subscriptions WHERE target_type = ? AND target = ?", [target_type, target])
    )
    return _subscription(rows[0]) if rows else None


def save_subscription(
    db: Database,
    *,
    target_type: str,
    target: str,
    kinds: list[str],
    lead_days: list[int],
    digest: str,
    developer_filter: list[str] | None,
    actor: str,
    now: datetime,
    delivery_days: str = "business",
    quiet_hours: tuple[str, str] | None = None,
    threads: bool = True,
    model_filter: list[str] | None = None,
    briefing: bool | None = None,
) -> dict[str, Any]:
    """Create or change the one subscription of a target.

    A new subscription hears about changes and news from now on (its cursors start at
    the newest history row and news item); changing one keeps its cursors and start time,
    and clears its sweep cursor (the next sweep computes it in full, for the new choices).
    `model_filter`: the models a person follows (bot/alerts/rules.py, "Filters"); None for
    channels. `briefing`: turn the weekly briefing on (kept from when it was first turned on,
    as storage.briefing.set_briefing does) or off; None leaves it as it is.
    """
    stamp = utc_iso(now)
    values = [
        json.dumps(sorted(set(kinds))),
        json.dumps(sorted({int(d) for d in lead_days}, reverse=True)),
        digest,
        json.dumps(sorted(developer_filter)) if developer_filter else None,
        json.dumps(sorted(set(model_filter))) if model_filter else None,
        delivery_days,
        quiet_hours[0] if quiet_hours else None,
        quiet_hours[1] if quiet_hours else None,
        1 if threads else 0,
        stamp if briefing else None,
    ]
    keep = 1 if briefing is None else 0
    with db.atomic():
        db.execute(
            """INSERT INTO subscriptions (target_type, target, kinds, lead_days, digest,
                   developer_filter, model_filter, delivery_days, quiet_start, quiet_end, threads,
                   briefing_since, since_history_id, since_news_id, created_by, created_at,
                   updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (target_type, target) DO UPDATE SET
                   kinds = excluded.kinds, lead_days = excluded.lead_days,
                   digest = excluded.digest, developer_filter = excluded.developer_filter,
                   model_filter = excluded.model_filter,
                   delivery_days = excluded.delivery_days, quiet_start = excluded.quiet_start,
                   quiet_end = excluded.quiet_end, threads = excluded.threads,
                   briefing_since = CASE WHEN ? THEN briefing_since
                       WHEN excluded.briefing_since IS NULL THEN NULL
                       ELSE COALESCE(briefing_since, excluded.briefing_since) END,
                   updated_at = excluded.updated_at, swept_at = NULL, swept_history_id = 0,
                   swept_news_id = 0, swept_settings = NULL""",
            [
                target_type,
                target,
                *values,
                latest_history_id(db),
                latest_news_id(db),
                actor,
                stamp,
                stamp,
                keep,
            ],
        )
        saved = get_subscription(db, target_type, target)
    assert saved is not None
    return saved


def delete_subscription(db: Database, target_type: str, target: str) -> bool:
    cursor = db.execute(
        "DELETE FROM subscriptions WHERE target_type = ? AND target = ?", [target_type, target]
    )
    return cursor.rowcount > 0


def ensure_teams_subscriptions(
    db: Database, webhook_names: list[str], kinds: list[str], lead_days: list[int], now: datetime
) -> list[str]:
    """Give each configured Teams webhook a default subscription if it has none. Returns new names."""
    added = []
    for name in webhook_names:
        if get_subscription(db, TARGET_TEAMS, name) is None:
            save_subscription(
                db,
                target_type=TARGET_TEAMS,
                target=name,
                kinds=kinds,
                lead_days=lead_days,
                digest="realtime",
                developer_filter=None,
                actor="REVIEWWATCH_TEAMS_WEBHOOKS",
                now=now,
            )
            added.append(name)
    return added


# ---------------------------------------------------------------- ledger


def advance_cursors(
    db: Database,
    subscriptions: Iterable[dict[str, Any]],
    at: datetime,
    history_id: int,
    news_id: int,
    settings_key: str,
) -> None:
    """After a sweep at `at` claimed everything due for `subscriptions` (bot/alerts/cursors.py).

    A subscription changed since the sweep read it keeps its cleared cursor.
    """
    values = []
    for sub in subscriptions:
        follows = sub["developer_filter"]
        models = sub.get("model_filter")
        values.append(
            (
                utc_iso(at),
                history_id,
                news_id,
                settings_key,
                sub["id"],
                json.dumps(sub["kinds"]),
                json.dumps(sub["lead_days"]),
                sub["digest"],
                json.dumps(follows) if follows else None,
                json.dumps(models) if models else None,
                sub["created_at"],
                sub["since_history_id"],
                sub["since_news_id"],
                sub.get("delivery_days", "business"),
            )
        )
    if not values:
        return
    # One statement for all of them (on PostgreSQL pipelined: one round trip, not one each).
    with one_transaction(db):
        db.conn.executemany(
            """UPDATE subscriptions SET swept_at = ?, swept_history_id = ?, swept_news_id = ?,
                   swept_settings = ?
               WHERE id = ? AND kinds = ? AND lead_days = ? AND digest = ?
                 AND developer_filter IS ? AND model_filter IS ? AND created_at = ?
                 AND since_history_id = ? AND since_news_id = ? AND delivery_days = ?""",
            values,
        )


def chunks(values: Iterable[Any]) -> Iterable[list[Any]]:
    values = list(values)
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def known_keys(db: Database, keys: Iterable[str]) -> set[str]:
    """Which of `keys` the ledger has (looked up by primary key, not by reading the ledger)."""
    if is_postgresql(db):
        return keys_present(db, "alert_ledger", "key", keys)
    found: set[str] = set()
    # In key order: each chunk probes the next stretch of the key index, not the whole of it
    # (a sweep's 328,000 keys at 100,000 models: 0.18 s instead of 0.32 s; sorting, 0.04 s).
    for chunk in chunks(sorted(keys)):
        sql = f"SELECT key FROM alert_ledger WHERE key IN ({placeholders(chunk)})"
        found.update(row[0] for row in db.execute(sql, chunk).fetchall())
    return found


def ledger_keys(db: Database, target_type: str | None = None, target: str | None = None) -> set[str]:
    """Every key in the ledger, or (indexed) only one target's."""
    if target_type is None:
        return {r["key"] for r in db.query("SELECT key FROM alert_ledger")}
    return {
        r["key"]
        for r in db.query(
            "SELECT key FROM alert_ledger WHERE target_type = ? AND target = ?", [target_type, target]
        )
    }


def get_ledger(db: Database, key: str) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM alert_ledger WHERE key = ?", [key]))
    return rows[0] if rows else None


def ledger_rows(
    db: Database, target_type: str | None = None, target: str | None = None, status: str | None = None
) -> list[dict[str, Any]]:
    where, params = [], []
    for column, value in (("target_type", target_type), ("target", target), ("status", status)):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    sql = "SELECT * FROM alert_ledger" + (" WHERE " + " AND ".join(where) if where else "")
    return list(db.query(sql + " ORDER BY due_at, key", params))


# The columns of a new ledger row, in the order Alert.ledger_values_of gives them.
LEDGER_VALUES = (
    "key, kind, subject_type, subject_id, subject_date, lead_days, target_type, target, "
    "subscription_id, due_at, payload"
)


class LedgerOutcome(NamedTuple):
    """What became of one claimed alert, for `record_outcomes`."""

    key: str
    status: str  # sent | failed (retry at next_attempt_at) | permanent | released (untried)
    channel: str | None = None
    ts: str | None = None
    error: str | None = None
    next_attempt_at: datetime | None = None


RELEASED = "released"  # an outcome, not a row status: handed back untried, retried at once


class Claimed(NamedTuple):
    """The keys one `claim_alerts` call inserted, by kind, in the order given."""

    claimed: list[str]
    skipped: list[str]
    held: list[str]


def claim_alerts(
    db: Database,
    claim: Sequence[tuple[Any, ...]],
    skip: Sequence[tuple[tuple[Any, ...], str]],
    token: str,
    now: datetime,
    hold: Sequence[tuple[tuple[Any, ...], str, datetime]] = (),
    threads: Mapping[str, tuple[str, bool]] | None = None,
) -> Claimed:
    """Insert new alerts' ledger rows in one transaction: `claim` (LEDGER_VALUES tuples) as
    claimed by the sweep `token`, `skip` (values, reason) as skipped, `hold` (values, reason,
    until) as held until then (quiet hours: retry_candidates hands them to a sweep then, like
    retries). `threads`: where claimed Slack alerts go (key -> thread_ts, broadcast;
    bot/alerts/threads.py). A key another sweep inserted first is left out of what it returns."""
    stamp = utc_iso(now)
    columns = (
        f"{LEDGER_VALUES}, status, attempts, last_error, claimed_at, claim_token, next_attempt_at, "
        "thread_ts, broadcast, created_at"
    )
    sql = f"INSERT OR IGNORE INTO alert_ledger ({columns}) VALUES ({placeholders(range(20))})"
    threads = threads or {}
    unplaced = (None, False)
    groups = (
        [
            (*values, STATUS_CLAIMED, 0, None, stamp, token, None, *threads.get(values[0], unplaced), stamp)
            for values in claim
        ],
        [(*values, STATUS_SKIPPED, 0, reason, None, token, None, None, 0, stamp) for values, reason in skip],
        [
            (*values, STATUS_HELD, 0, why, None, token, utc_iso(until), None, 0, stamp)
            for values, why, until in hold
        ],
    )
    found = [[row[0] for row in rows] for rows in groups]
    every = [row for rows in groups for row in rows]
    with one_transaction(db):
        # All in one statement, in key order: the primary key's B-tree grows page by page
        # instead of at random places, in one pass rather than one per group (and
        # record_outcomes later finds the rows in the same order).
        inserted = db.conn.executemany(sql, sorted(every, key=itemgetter(0))).rowcount
        # Nearly always every row is new; otherwise ask which rows carry this sweep's token.
        if inserted < len(every):
            mine = _keys_with_token(db, (row[0] for row in every), token)
            found = [[key for key in keys if key in mine] for keys in found]
    return Claimed(*found)


def _keys_with_token(db: Database, keys: Iterable[str], token: str) -> set[str]:
    found: set[str] = set()
    for chunk in chunks(keys):
        sql = f"SELECT key FROM alert_ledger WHERE key IN ({placeholders(chunk)}) AND +claim_token = ?"
        found.update(row[0] for row in db.execute(sql, [*chunk, token]).fetchall())
    return found


# A ledger status the code fixes is written into the SQL, never bound: with a bound value,
# `status = ?` makes SQLite compile the statement again at every execution, to see whether
# the partial index alert_ledger_claims (WHERE status = 'claimed') applies to that value
# (the sweep's first question: 150 µs a run against 28 µs, every run of every workspace in
# OAuth mode, docs/benchmarks.md). tests/storage/test_ledger_plans.py.
# Ledger rows to deliver again (`retry_params`); storage/sweep_probe.py asks whether any exist.
RETRY_WHERE = f"""(status = '{STATUS_FAILED}' AND (next_attempt_at IS NULL OR next_attempt_at <= :now))
    OR (status = '{STATUS_CLAIMED}' AND claimed_at <= :stale)
    OR (status = '{STATUS_HELD}' AND next_attempt_at <= :now)"""


def retry_params(now: datetime, lease: timedelta) -> dict[str, str]:
    return {"now": utc_iso(now), "stale": utc_iso(now - lease)}


def retry_candidates(db: Database, now: datetime, lease: timedelta) -> list[dict[str, Any]]:
    """Rows to deliver again: failed ones whose time came, and claims abandoned past their lease."""
    sql = f"SELECT * FROM alert_ledger WHERE {RETRY_WHERE} ORDER BY due_at, key"
    return list(db.query(sql, retry_params(now, lease)))


_AS_READ = "key = ? AND status = ? AND claimed_at IS ? AND attempts = ?"  # unchanged since read


def _as_read(row: dict[str, Any]) -> list[Any]:
    return [row["key"], row["status"], row["claimed_at"], row["attempts"]]


def reclaim_alerts(
    db: Database, rows: Iterable[dict[str, Any]], token: str, now: datetime
) -> list[dict[str, Any]]:
    """Take over retry candidates for the sweep `token`; returns those no other sweep took first."""
    rows = list(rows)
    won: list[dict[str, Any]] = []
    if not rows:  # most sweeps: no write transaction for nothing (a workspace's fixed cost)
        return won
    with db.atomic():
        for row in rows:
            cursor = db.execute(
                f"UPDATE alert_ledger SET status = ?, claimed_at = ?, claim_token = ? WHERE {_AS_READ}",
                [
                    STATUS_CLAIMED,
                    utc_iso(now),
                    token,
                    row["key"],
                    row["status"],
                    row["claimed_at"],
                    row["attempts"],
                ],
            )
            if cursor.rowcount == 1:
                won.append(row)
    return won


def skip_retries(db: Database, rows: Iterable[tuple[dict[str, Any], str]]) -> list[str]:
    """Record retry candidates (row, reason) as skipped; returns the keys no other sweep took first."""
    rows = list(rows)
    done: list[str] = []
    if not rows:
        return done
    with db.atomic():
        for row, reason in rows:
            cursor = db.execute(
                f"UPDATE alert_ledger SET status = ?, last_error = ?, next_attempt_at = NULL "
                f"WHERE {_AS_READ}",
                [STATUS_SKIPPED, reason, *_as_read(row)],
            )
            if cursor.rowcount == 1:
                done.append(row["key"])
    return done


def renew_claims(db: Database, token: str, now: datetime) -> set[str]:
    """Extend the lease of every alert the sweep `token` still holds; returns their keys."""
    held = f"claim_token = ? AND status = '{STATUS_CLAIMED}'"
    with db.atomic():
        db.execute(f"UPDATE alert_ledger SET claimed_at = ? WHERE {held}", [utc_iso(now), token])
        return {row[0] for row in db.execute(f"SELECT key FROM alert_ledger WHERE {held}", [token])}


def record_outcomes(
    db: Database,
    token: str,
    now: datetime,
    outcomes: Sequence[LedgerOutcome],
    sent: Sequence[tuple[str, str | None, str | None]] = (),
) -> list[str]:
    """Record delivery outcomes in one transaction, only for claims the sweep `token` still
    holds: `outcomes`, and `sent` as (key, channel, ts) (as LedgerOutcome(key, STATUS_SENT,
    channel, ts), without making one: a big sweep's outcomes are nearly all posts). Returns the
    keys it no longer held (another sweep took them over), left as they are."""
    stamp = utc_iso(now)
    sent_rows = [(stamp, channel, ts, key, token) for key, channel, ts in sent]
    failed, released = [], []
    for o in outcomes:
        if o.status == STATUS_SENT:
            sent_rows.append((stamp, o.channel, o.ts, o.key, token))
        elif o.status == RELEASED:
            released.append((o.error, stamp, o.key, token))
        else:  # failed: retried at next_attempt_at; permanent: never
            status = STATUS_FAILED if o.next_attempt_at is not None else STATUS_PERMANENT
            retry_at = utc_iso(o.next_attempt_at) if o.next_attempt_at else None
            failed.append((status, (o.error or "failed")[:500], retry_at, stamp, o.key, token))
    held = f"key = ? AND +claim_token = ? AND +status = '{STATUS_CLAIMED}'"  # by key, still ours
    sent_rows.sort(key=itemgetter(3))  # in key order: each batch reads the key index page by page
    updates = (
        (
            f"""UPDATE alert_ledger SET status = 'sent', sent_at = ?, attempts = attempts + 1,
                   message_channel = ?, message_ts = ?, last_error = NULL, next_attempt_at = NULL
               WHERE {held}""",
            sent_rows,
        ),
        (
            f"""UPDATE alert_ledger SET status = ?, attempts = attempts + 1, last_error = ?,
                   next_attempt_at = ?, claimed_at = ?
               WHERE {held}""",
            failed,
        ),
        # Never attempted: due again at once, without spending an attempt.
        (
            f"UPDATE alert_ledger SET status = 'failed', last_error = ?, next_attempt_at = ? WHERE {held}",
            released,
        ),
    )
    lost: list[str] = []
    with one_transaction(db):  # the sweep's last batch: in the transaction of its summary
        # Only the kinds of outcome there are: a workspace's sweep mostly has posts alone.
        written = sum(db.conn.executemany(sql, rows).rowcount for sql, rows in updates if rows)
        if written < len(outcomes) + len(sent):  # rare: find the rows another sweep has (these
            # updates leave ours neither claimed nor skipped, and keep our token)
            for chunk in chunks([*(o.key for o in outcomes), *(key for key, _, _ in sent)]):
                sql = (
                    f"SELECT key FROM alert_ledger WHERE key IN ({placeholders(chunk)}) "
                    "AND (+claim_token IS NOT ? OR +status IN (?, ?))"
                )
                lost += [row[0] for row in db.execute(sql, [*chunk, token, STATUS_CLAIMED, STATUS_SKIPPED])]
    return lost


def held_alerts(db: Database, target_type: str, target: str) -> tuple[int, str] | None:
    """(how many, the earliest release time) of a target's alerts held for quiet hours."""
    count, until = db.execute(
        "SELECT COUNT(*), MIN(next_attempt_at) FROM alert_ledger "
        f"WHERE status = '{STATUS_HELD}' AND target_type = ? AND target = ?",  # not bound: see RETRY_WHERE
        [target_type, target],
    ).fetchone()
    return (int(count), str(until)) if count else None


def first_alert_ts_many(
    db: Database, wanted: Iterable[tuple[str, str, str]], kinds: Iterable[str]
) -> dict[tuple[str, str, str], str]:
    """For each (channel, subject type, subject id): the ts of the first top-level Slack alert
    of `kinds` about the subject in the channel, when there is one. Read by subject (indexed),
    a chunk of subjects at a time."""
    kinds = list(kinds)
    wanted = set(wanted)
    by_type: dict[str, set[str]] = {}
    for _, subject_type, subject_id in wanted:
        by_type.setdefault(subject_type, set()).add(subject_id)
    first: dict[tuple[str, str, str], tuple[str, str, str]] = {}  # -> (sent_at, key, ts)
    for subject_type, ids in by_type.items():
        for chunk in chunks(sorted(ids)):
            rows = db.execute(
                f"""SELECT target, subject_id, sent_at, key, message_ts FROM alert_ledger
                    WHERE subject_type = ? AND subject_id IN ({placeholders(chunk)}) AND +target_type = ?
                      AND +status = ? AND message_ts IS NOT NULL AND COALESCE(thread_ts, '') = ''
                      AND kind IN ({placeholders(kinds)})""",
                [subject_type, *chunk, TARGET_SLACK, STATUS_SENT, *kinds],
            ).fetchall()
            for target, subject_id, sent_at, key, ts in rows:
                where = (target, subject_type, subject_id)
                if where in wanted and (where not in first or (sent_at, key) < first[where][:2]):
                    first[where] = (sent_at, key, str(ts))
    return {where: found[2] for where, found in first.items()}


def set_threads(db: Database, choices: Iterable[tuple[str, str, bool]]) -> None:
    """Where alerts go, (key, thread_ts, broadcast): under thread_ts ('' = top level), also
    to the channel or not. One transaction (none for no choices)."""
    values = [(thread_ts, 1 if broadcast else 0, key) for key, thread_ts, broadcast in choices]
    if not values:
        return
    with db.atomic():
        db.conn.executemany("UPDATE alert_ledger SET thread_ts = ?, broadcast = ? WHERE key = ?", values)


def replace_message(db: Database, key: str, channel: str, ts: str) -> None:
    """A sent alert's message was deleted and posted anew at `ts`: the ledger points at the new
    one, at the top level, so later alerts about its subject start their thread under it."""
    db.execute(
        "UPDATE alert_ledger SET message_channel = ?, message_ts = ?, thread_ts = '' WHERE key = ?",
        [channel, ts, key],
    )


def acknowledge(db: Database, key: str, user_id: str, now: datetime) -> dict[str, Any] | None:
    """Record the first acknowledgement of an alert; returns the row (None if unknown)."""
    db.execute(
        """UPDATE alert_ledger SET acknowledged_by = ?, acknowledged_at = ?
           WHERE key = ? AND acknowledged_by IS NULL""",
        [user_id, utc_iso(now), key],
    )
    return get_ledger(db, key)


def delivery_problems(db: Database, limit: int = 20) -> list[dict[str, Any]]:
    """Permanent delivery failures not since cured, newest first, one line per target and error."""
    return list(
        db.query(
            f"""SELECT target_type, target, last_error, COUNT(*) AS alerts,
                      MAX(COALESCE(claimed_at, created_at)) AS last_at
               FROM alert_ledger AS failed WHERE status = '{STATUS_PERMANENT}'
                 -- a target that has received an alert since is fixed (e.g. bot invited)
                 AND NOT EXISTS (
                     SELECT 1 FROM alert_ledger AS ok
                     WHERE ok.target_type = failed.target_type AND ok.target = failed.target
                       AND ok.status = 'sent' AND ok.sent_at > COALESCE(failed.claimed_at, ''))
               GROUP BY target_type, target, last_error
               ORDER BY last_at DESC LIMIT ?""",
            [limit],
        )
    )
