"""A small thread-safe cache whose entries expire on the injected clock."""

from __future__ import annotations

import threading
from collections.abc import Hashable
from datetime import datetime, timedelta
from typing import Generic, TypeVar

V = TypeVar("V")


class ExpiringCache(Generic[V]):
    """Values with the time they were fetched; `fresh` answers only within `lifetime`,
    `last` answers whatever is known (the fallback when the source cannot be reached)."""

    def __init__(self, lifetime: timedelta) -> None:
        self.lifetime = lifetime
        self._lock = threading.Lock()
        self._entries: dict[Hashable, tuple[V, datetime]] = {}

    def fresh(self, key: Hashable, now: datetime) -> V | None:
        with self._lock:
            entry = self._entries.get(key)
        if entry is None or now - entry[1] >= self.lifetime:
            return None
        return entry[0]

    def last(self, key: Hashable) -> V | None:
        with self._lock:
            entry = self._entries.get(key)
        return entry[0] if entry else None

    def put(self, key: Hashable, value: V, now: datetime) -> None:
        with self._lock:
            self._entries[key] = (value, now)


class AnswerCache(Generic[V]):
    """Answers kept while what they are made of is unchanged.

    Each entry is stored under a stamp (the tracker's generation and the minute: answers
    count days and some show the time); a lookup under another stamp misses, and the first
    `put` under a new stamp drops every older entry, so nothing outdated is ever returned
    and the cache never holds more than one stamp's answers (at most `max_entries`)."""

    def __init__(self, max_entries: int = 256) -> None:
        self.max_entries = max_entries
        self._lock = threading.Lock()
        self._stamp: Hashable = None
        self._entries: dict[Hashable, V] = {}

    def get(self, key: Hashable, stamp: Hashable) -> V | None:
        with self._lock:
            return self._entries.get(key) if stamp == self._stamp else None

    def put(self, key: Hashable, stamp: Hashable, value: V) -> None:
        with self._lock:
            if stamp != self._stamp:
                self._stamp, self._entries = stamp, {}
            if len(self._entries) >= self.max_entries:
                self._entries.pop(next(iter(self._entries)))  # the oldest
            self._entries[key] = value
