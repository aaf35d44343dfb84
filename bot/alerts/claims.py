"""A sweep's hold on its claims while it delivers, and the record of what became of them.

Before each post the sweep checks that it still holds the claim, renewing the lease of all
its claims once a third of it has passed (`ClaimLease`), so a long delivery is never taken
over by a second sweep. Outcomes are recorded in batches, and only for claims the sweep
still holds: Slack outcomes at least every FLUSH_EVERY seconds, all that came in by then, Teams
outcomes at once. A crash loses at most an unrecorded batch of Slack outcomes: those claims
are retried after the lease and found in the channel by their key, so nothing is posted
twice; Teams cannot be read back, so its outcomes are never held back. A transient failure
is retried with backoff (`retry_delay`), and recorded as permanent after MAX_ATTEMPTS.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlite_utils import Database

from bot.alerts.delivery import Job, deliver
from bot.alerts.sending import (
    OUTCOME_DEFERRED,
    OUTCOME_LOST,
    OUTCOME_PERMANENT,
    OUTCOME_SENT,
    Outcome,
    Sender,
)
from bot.alerts.sweep_result import SweepResult
from bot.deps import Deps
from storage import alerts as ledger
from storage.db import Store

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
# Outcome batches (module docstring, step 5): Slack outcomes wait at most this long to be
# written; a lost batch costs one channel lookup per alert, never a second post. A batch is
# every outcome that came in by then, however many: paced posts (one a second per channel)
# bring few in half a second; outcomes that come faster than they are written (failures
# answered at once, or the benchmark's instant sender) wait in memory either way, in the batch
# or in the queue behind it, so a bound on its size would not shrink what a crash can lose,
# but every batch costs a commit that rewrites ledger pages spread over the sweep's rows:
# batches of 5,000 made a 100,000-model sweep commit 50 times, over a quarter of its time;
# of 50,000, 5 times (docs/benchmarks.md).
FLUSH_EVERY = 0.5
READ_BACK = frozenset({ledger.TARGET_SLACK})  # targets where a retry finds an earlier post


def retry_delay(attempts: int) -> timedelta:
    """Backoff between sweeps for a transient failure: 5 min, 10, 20, ... at most 6 hours."""
    delay: timedelta = timedelta(minutes=5) * (2 ** max(attempts - 1, 0))
    return min(delay, timedelta(hours=6))


def claim_token() -> str:
    """Names one sweep of one process in the claims it makes."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


class ClaimLease:
    """One sweep's hold on its claims while it delivers (storage/alerts.py, "Ownership").

    A claim cannot be taken over before its `claimed_at` + lease, so the sweep holds a key
    for sure while its last renewal is younger than the lease. `holds` runs before each post
    and `renew_if_due` between outcomes: once a third of the lease has passed since the last
    renewal, every claim the sweep still holds is renewed in one statement (on a connection
    of its own, opened only then), and the sweep learns which those are. Time runs from the
    sweep's `now` at the pace of `monotonic`.
    """

    def __init__(
        self,
        store: Store,
        token: str,
        held: Iterable[str],
        start: datetime,
        lease: timedelta,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.token = token
        self._store = store.resolved()  # a workspace's own, when routed (bot/tenancy)
        self._held = set(held)
        self._start = start
        self._started = monotonic()
        self._monotonic = monotonic
        self._renewed = start.replace(microsecond=0)  # claimed_at is stored to the second
        self._lease = lease
        # When the next renewal is due, on the monotonic clock: checked before every post, so
        # the check is one float comparison (a datetime per post cost 6% of a sweep).
        self._renew_due = self._started + (lease / 3).total_seconds() - 1
        self._lock = threading.Lock()
        self._db: Any = None

    def now(self) -> datetime:
        return self._start + timedelta(seconds=self._monotonic() - self._started)

    def add(self, keys: Iterable[str]) -> None:
        with self._lock:
            self._held.update(keys)

    def holds(self, key: str) -> bool:
        """Whether the sweep still holds `key`'s claim (renewing first if due): asked before each post."""
        self.renew_if_due()
        return key in self._held  # replaced whole on renewal, never emptied in place

    def may_post(self, job: Job) -> bool:
        """`holds` for a job's alert, as delivery asks it before each post (one call, not three)."""
        if self._monotonic() >= self._renew_due:
            self.renew_if_due()
        return job.alert.key in self._held

    def renew_if_due(self) -> None:
        """Also called between outcomes, so that one slow post does not outlast the lease.

        Most calls find nothing due, by one float comparison and without the lock: the
        delivery threads (one per target) ask before every post and would otherwise queue
        on the lock. Until the renewal is due the lease has at least two thirds of its
        length to run, so the keys held are current."""
        if self._monotonic() < self._renew_due:
            return
        with self._lock:
            self._renew_if_due()

    def _renew_if_due(self) -> None:
        if self._monotonic() < self._renew_due:
            return  # another thread renewed while this one waited for the lock
        now = self.now()
        if now - self._renewed >= self._lease / 3:
            if self._db is None:
                self._db = self._store.own_connection()
            self._held = ledger.renew_claims(self._db, self.token, now)
            self._renewed = now.replace(microsecond=0)
            self._renew_due = self._monotonic() + (self._lease / 3).total_seconds() - 1

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None


def _ledger_outcome(
    job: Job, outcome: Outcome, attempts: int, now: datetime
) -> tuple[ledger.LedgerOutcome, Outcome]:
    """The ledger's record of an outcome: backoff for a retry, permanent after MAX_ATTEMPTS."""
    key = job.alert.key
    if outcome.status == OUTCOME_SENT:
        return ledger.LedgerOutcome(key, ledger.STATUS_SENT, outcome.channel, outcome.ts), outcome
    if outcome.status == OUTCOME_DEFERRED:
        return ledger.LedgerOutcome(key, ledger.RELEASED, error=outcome.error or "deferred"), outcome
    error = outcome.error or "failed"
    if outcome.status != OUTCOME_PERMANENT and attempts + 1 >= MAX_ATTEMPTS:
        error = f"gave up after {attempts + 1} attempts: {error}"
        outcome = Outcome(OUTCOME_PERMANENT, error)
    if outcome.status == OUTCOME_PERMANENT:
        return ledger.LedgerOutcome(key, ledger.STATUS_PERMANENT, error=error), outcome
    delay = retry_delay(attempts + 1)
    if outcome.retry_after:
        delay = max(delay, timedelta(seconds=outcome.retry_after))
    return ledger.LedgerOutcome(key, ledger.STATUS_FAILED, error=error, next_attempt_at=now + delay), outcome


def record_batch(
    db: Database,
    token: str,
    batch: list[tuple[Job, Outcome]],
    attempts: dict[str, int],
    now: datetime,
    result: SweepResult,
) -> None:
    """Write a batch of outcomes (only for claims still held) and note them in `result`; a
    claim delivery found lost (another sweep took it before the post) is only noted."""
    sent: list[tuple[str, str | None, str | None]] = []  # most: (key, channel, ts), no record made
    others: dict[str, tuple[ledger.LedgerOutcome, Outcome]] = {}
    found = False  # a retry found its earlier post
    for job, outcome in batch:
        status = outcome.status
        if status == OUTCOME_SENT:
            sent.append((job.alert.key, outcome.channel, outcome.ts))
            found = found or outcome.already_posted
        elif status == OUTCOME_LOST:
            result.handed_over.append(job.alert.key)
        else:
            key = job.alert.key
            others[key] = _ledger_outcome(job, outcome, attempts[key], now)
    if not sent and not others:
        return
    lost = set(ledger.record_outcomes(db, token, now, [record for record, _ in others.values()], sent=sent))
    if not lost and not found:  # nearly always: each list in batch order, as below
        result.sent += [key for key, _, _ in sent]
        for key, (_, outcome) in others.items():
            _note(result, key, outcome, lost=False)
        return
    for job, outcome in batch:
        if outcome.status != OUTCOME_LOST:
            key = job.alert.key
            _note(result, key, others[key][1] if key in others else outcome, lost=key in lost)


def _note(result: SweepResult, key: str, outcome: Outcome, *, lost: bool) -> None:
    if lost:
        log.warning("alert %s: another sweep took the claim over; its outcome is theirs", key)
        result.handed_over.append(key)
    elif outcome.status == OUTCOME_SENT:
        (result.already_posted if outcome.already_posted else result.sent).append(key)
    elif outcome.status == OUTCOME_DEFERRED:
        result.deferred.append(key)
    elif outcome.status == OUTCOME_PERMANENT:
        result.permanent.append((key, outcome.error or "failed"))
        log.warning("alert %s not deliverable: %s", key, outcome.error)
    else:
        result.failed.append((key, outcome.error or "failed"))


def deliver_and_record(
    deps: Deps,
    jobs: list[Job],
    senders: dict[str, Sender],
    claims: ClaimLease,
    attempts: dict[str, int],
    now: datetime,
    result: SweepResult,
    max_workers: int,
    then: Callable[[], None] = lambda: None,
) -> None:
    """Deliver `jobs` and record their outcomes in batches (module docstring); `then` runs
    in the last batch's transaction (the sweep's summary: one commit fewer per sweep)."""
    db = deps.store.db
    batch: list[tuple[Job, Outcome]] = []
    oldest = 0.0
    at_once = {job.alert.target_type for job in jobs} - READ_BACK  # target types written at once
    try:
        for ready in deliver(
            jobs,
            senders,
            now,
            max_workers=max_workers,
            stop=deps.stopping,
            may_post=claims.may_post,
            tick=FLUSH_EVERY,
        ):
            if ready:
                if not batch:
                    oldest = time.monotonic()
                batch += ready
                if at_once and any(job.alert.target_type in at_once for job, _ in ready):
                    record_batch(db, claims.token, batch, attempts, now, result)
                    batch = []
            if batch and time.monotonic() - oldest >= FLUSH_EVERY:
                record_batch(db, claims.token, batch, attempts, now, result)
                batch = []
            claims.renew_if_due()
    except BaseException:
        # Also when delivery failed: the outcomes in hand are facts worth keeping.
        if batch:
            try:
                record_batch(db, claims.token, batch, attempts, now, result)
            except Exception:
                log.exception("could not record %d alert outcome(s); their claims are retried", len(batch))
        raise
    with db.atomic():
        if batch:
            record_batch(db, claims.token, batch, attempts, now, result)
        then()
