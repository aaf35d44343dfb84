"""What the delivery loop and the senders share: the `Outcome` a sender reports for one
alert, the `Sender` protocol, where a Slack reply goes (`Thread`), and the `Pacer` that
spaces posts to one target (Slack takes about one message per second per channel, Teams
webhooks about four requests per second).

An outcome is sent, failed (transient: the sweep retries later with backoff) or permanent
(recorded, shown to admins, never retried); deferred and lost mean not attempted.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import NamedTuple, Protocol

from bot.alerts.alert import Alert

OUTCOME_SENT = "sent"
OUTCOME_FAILED = "failed"
OUTCOME_PERMANENT = "permanent"
OUTCOME_DEFERRED = "deferred"  # not attempted: the app is shutting down
OUTCOME_LOST = "lost"  # not attempted: another sweep holds the claim now

Sleep = Callable[[float], None]


class Outcome(NamedTuple):  # a tuple: one per alert a sweep delivers, built on delivery threads
    status: str  # sent | failed | permanent | deferred | lost
    error: str | None = None
    channel: str | None = None
    ts: str | None = None
    already_posted: bool = False  # a retry found the earlier post instead of posting again
    retry_after: float | None = None


class Thread(NamedTuple):
    """Where a Slack alert goes when it follows an earlier one (bot/alerts/threads.py)."""

    ts: str  # the first alert's message
    broadcast: bool = False  # also shown in the channel (reply_broadcast)


class Sender(Protocol):
    target_type: str

    # `thread=` is passed only for a reply in a thread (Slack).
    def send(self, alert: Alert, now: datetime, *, check_existing: bool) -> Outcome: ...


class Pacer:
    """At most one request per `interval` seconds per key (a channel, a webhook)."""

    def __init__(self, interval: float, sleep: Sleep, monotonic: Callable[[], float]) -> None:
        self.interval = interval
        self._sleep = sleep
        self._monotonic = monotonic
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, key: str) -> None:
        if self.interval <= 0:
            return
        with self._lock:
            last = self._last.get(key)
            now = self._monotonic()
            start = now if last is None else max(now, last + self.interval)
            self._last[key] = start  # reserve the slot before sleeping
        if start > now:
            self._sleep(start - now)

    def done(self, key: str) -> None:
        """The request for `key` was answered: the next one waits a full interval from now.

        Spacing from the answer, not only from the start, keeps the gap the server sees at
        least `interval` even when a request travels slower than the one before it.
        """
        if self.interval <= 0:
            return
        with self._lock:
            self._last[key] = max(self._last.get(key, 0.0), self._monotonic())
