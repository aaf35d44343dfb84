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
