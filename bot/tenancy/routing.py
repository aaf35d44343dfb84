"""Which workspace the work in hand belongs to, and the store and caches that follow it.

A request from Slack sets the current workspace (handlers/tenancy.py, a Bolt global
middleware) and Bolt's listener threads carry it (handlers/__init__.py copies the context
into each); a job sets it for each workspace it runs for (bot/tenancy/jobs.py). `RoutedStore`
then hands out the current workspace's database, and the routed caches keep one cache per
workspace, so nothing one workspace reads or writes is another's. Work with no workspace set
(single-workspace mode, the HTTP pages) uses the home database, which in OAuth mode holds
no workspace's data.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Hashable, Iterator
from contextvars import ContextVar
from datetime import datetime
from typing import Generic, Protocol, TypeVar

from sqlite_utils import Database

from bot.deps import AnswerCache, ExpiringCache
from bot.directory import Directory
from bot.lookup import Keyed, NameIndex, NameIndexCache, Stamp
from storage.db import Store
from storage.tracker import latest_history_id

C = TypeVar("C")
V = TypeVar("V")

_CURRENT: ContextVar[str | None] = ContextVar("reviewwatch_workspace", default=None)


def current_workspace() -> str | None:
    """The key of the workspace the work in hand belongs to (None: the home database)."""
    return _CURRENT.get()


@contextlib.contextmanager
def in_workspace(key: str | None) -> Iterator[None]:
    """Run the block as work of workspace `key`."""
    token = _CURRENT.set(key)
    try:
        yield
    finally:
        _CURRENT.reset(token)


def enter_workspace(key: str | None) -> None:
    """Make `key` the current workspace from here on in this context (no block to leave).

    Bolt runs a request's listener only after its global middleware has returned, in the same
    thread (handing it to the listener pool, which copies this context), so the middleware
    cannot wrap the listener in `in_workspace`: it enters the workspace for the rest of the
    request instead. Every request passes the middleware, which enters its own (or none)."""
    _CURRENT.set(key)


class StoreSource(Protocol):
    def store(self, key: str) -> Store: ...

    def close(self) -> None: ...


class RoutedStore(Store):
    """The current workspace's database (the home one when none is set).

    A thread remembers every store it took a connection from, so `release` at the end of a
    listener or a job gives each back, even one a job moved on from."""

    def __init__(self, home: Store, workspaces: StoreSource) -> None:  # noqa: D107
        super().__init__(home.path, home.on_quiet)
        self.engine = home.engine
        self.home = home
        self._workspaces = workspaces

    def resolved(self) -> Store:
        key = _CURRENT.get()
        return self.home if key is None else self._workspaces.store(key)

    @property
    def db(self) -> Database:
        store = self.resolved()
        touched: set[Store] | None = getattr(self._local, "touched", None)
        if touched is None:
            touched = self._local.touched = set()
        touched.add(store)
        return store.db

    def release(self) -> None:
        touched: set[Store] = getattr(self._local, "touched", None) or set()
        self._local.touched = set()
        for store in touched:
            store.release()

    def own_connection(self) -> Database:
        return self.resolved().own_connection()

    def peek(self, sql: str) -> object:
        return self.resolved().peek(sql)

    def close(self) -> None:
        self.release()
        self._workspaces.close()
        self.home.close()


class PerWorkspace(Generic[C]):
    """One `C` per workspace (and one for the home database), made on first use."""

    def __init__(self, make: Callable[[], C]) -> None:
        self._make = make
        self._lock = threading.Lock()
        self._each: dict[str | None, C] = {}

    def current(self) -> C:
        key = _CURRENT.get()
        with self._lock:
            found = self._each.get(key)
            if found is None:
                found = self._each[key] = self._make()
            return found

    def drop(self, key: str) -> None:
        with self._lock:
            self._each.pop(key, None)


class RoutedAnswerCache(AnswerCache[V]):
    """An AnswerCache per workspace: one workspace's answers are never another's."""

    def __init__(self, max_entries: int = 256) -> None:  # noqa: D107
        super().__init__(max_entries)
        self.each: PerWorkspace[AnswerCache[V]] = PerWorkspace(lambda: AnswerCache(max_entries))

    def get(self, key: Hashable, stamp: Hashable) -> V | None:
        return self.each.current().get(key, stamp)

    def put(self, key: Hashable, stamp: Hashable, value: V) -> None:
        self.each.current().put(key, stamp, value)


class RoutedExpiringCache(ExpiringCache[V]):
    """An ExpiringCache per workspace (people's names, admin group members)."""

    def __init__(self, template: ExpiringCache[V]) -> None:  # noqa: D107
        super().__init__(template.lifetime)
        self.each: PerWorkspace[ExpiringCache[V]] = PerWorkspace(lambda: ExpiringCache(template.lifetime))

    def fresh(self, key: Hashable, now: datetime) -> V | None:
        return self.each.current().fresh(key, now)

    def last(self, key: Hashable) -> V | None:
        return self.each.current().last(key)

    def put(self, key: Hashable, value: V, now: datetime) -> None:
        self.each.current().put(key, value, now)


class RoutedNameIndexCache(NameIndexCache):
    """The type-ahead menus' names per workspace."""

    def __init__(self) -> None:  # noqa: D107
        super().__init__()
        self.each: PerWorkspace[NameIndexCache] = PerWorkspace(NameIndexCache)

    def get(
        self,
        db: Database,
        kind: str,
        build: Callable[[Database], list[Keyed]],
        stamp: Stamp = latest_history_id,
    ) -> NameIndex:
        return self.each.current().get(db, kind, build, stamp)


class RoutedDirectory:
    """The current workspace's directory (people's names in alerts), made from its token
    each time it is asked (a rotated token is never held)."""

    def __init__(self, make: Callable[[str], Directory | None]) -> None:  # noqa: D107
        self._make = make

    def _current(self) -> Directory | None:
        key = _CURRENT.get()
        return None if key is None else self._make(key)

    def group_members(self, group_id: str) -> frozenset[str]:
        directory = self._current()
        return directory.group_members(group_id) if directory is not None else frozenset()

    def user_name(self, user_id: str) -> str | None:
        directory = self._current()
        return directory.user_name(user_id) if directory is not None else None
