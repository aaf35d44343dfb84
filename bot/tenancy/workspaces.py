"""The workspaces of OAuth mode: the registry (home database) and each one's open database.

A workspace's database is made the first time a request of it arrives (or a job runs for
it): migrated, then seeded from the reports as the single-workspace tracker is (or, with a
shared tracker, given the editor's copy: bot/tenancy/shared.py). At most `max_open` SQLite
databases stay open (REVIEWWATCH_OPEN_WORKSPACES, 2,000 by default, so that 1,000 installed
workspaces never pay for reopening; each holds a few connections and file handles, and
`fit_open_files` raises the process's open-files limit to fit them); the least recently used
is closed and opened again when next needed. PostgreSQL schemas share the home pool.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from bot.clock import Clock
from bot.ops import raise_open_files_limit
from storage import workspaces as registry
from storage.db import IDLE_CONNECTIONS, PgStore, Store
from storage.errors import DatabaseUnavailable

MAX_OPEN = 2000  # the default of REVIEWWATCH_OPEN_WORKSPACES (bot/settings.py)
# An open SQLite WAL database holds 3 files per connection (database, -wal, -shm); an idle
# Store keeps IDLE_CONNECTIONS given-back connections plus its shared one-value reader.
FILES_PER_WORKSPACE = 3 * (IDLE_CONNECTIONS + 1)
OTHER_FILES = 1_100  # the HTTP server's connections and the rest (handlers/http/runtime.py)

log = logging.getLogger(__name__)


class UnknownWorkspace(DatabaseUnavailable):
    """Work for a workspace that is not installed (or was forgotten): it reaches no database."""


class Workspaces:
    """The registry and the open databases of every workspace (OAuth mode)."""

    def __init__(
        self,
        home: Store,
        clock: Clock,
        *,
        prepare: Callable[[Store, str], None] | None = None,
        max_open: int = MAX_OPEN,
    ) -> None:
        self.home = home
        self.clock = clock
        # What a new workspace's database gets after its migrations (the seed, by default).
        self.prepare = prepare or self.seed_from_reports
        self.max_open = max_open if not isinstance(home, PgStore) else 1_000_000
        self._lock = threading.RLock()
        self._open: OrderedDict[str, Store] = OrderedDict()
        self._migrated: set[str] = set()  # brought up to date by this process: reopened as is
        self._active = set(registry.active_keys(home.db))
        home.release()
        self.on_forget: list[Callable[[str], None]] = []  # per-workspace caches drop their part
        # Run before each piece of work of a workspace (a request, a job): the shared tracker's refresh.
        self.on_use: list[Callable[[str], None]] = []
        self.shared: Any = None  # the SharedTracker, when one workspace edits for all

    def seed_from_reports(self, store: Store, key: str) -> None:
        from storage.seed import seed

        seed(store.db, at=self.clock.now())
        store.release()

    def ensure(self, *, team_id: str | None, enterprise_id: str | None, org_wide: bool = False) -> str:
        """The key of the workspace a request comes from, registering (and preparing its
        database) the first time; raises storage.workspaces.NotAWorkspaceKey on a bad id."""
        key = registry.workspace_key(team_id, enterprise_id, org_wide=org_wide)
        if key in self._active:
            self.use(key)
            return key
        with self._lock:
            if key in self._active:
                return key
            registry.register_workspace(
                self.home.db, key, team_id=team_id, enterprise_id=enterprise_id, at=self.clock.now()
            )
            self.home.release()
            self.prepare(self._opened(key), key)
            self._active.add(key)
        self.use(key)
        return key

    def use(self, key: str) -> None:
        """About to work for `key`: run the `on_use` hooks."""
        for hook in self.on_use:
            hook(key)

    def is_active(self, key: str) -> bool:
        return key in self._active

    def keys(self) -> list[str]:
        """Every active workspace's key, in order."""
        with self._lock:
            return sorted(self._active)

    def store(self, key: str) -> Store:
        """`key`'s database; UnknownWorkspace when it is not an active workspace."""
        if key not in self._active:
            raise UnknownWorkspace(f"workspace {key} is not installed")
        return self._opened(key)

    def _opened(self, key: str) -> Store:
        with self._lock:
            store = self._open.get(key)
            if store is not None:
                self._open.move_to_end(key)
                return store
            store = registry.open_workspace_store(self.home, key, migrate=key not in self._migrated)
            self._migrated.add(key)
            self._open[key] = store
            while len(self._open) > self.max_open:
                _, oldest = self._open.popitem(last=False)
                oldest.close()  # a thread still holding one of its connections closes it on release
            return store

    def forget(self, key: str) -> bool:
        """Close and delete `key`'s database and mark its registry row; False when unknown."""
        with self._lock:
            known = registry.workspace_row(self.home.db, key) is not None
            self.home.release()
            self._active.discard(key)
            self._migrated.discard(key)
            store = self._open.pop(key, None)
        if store is not None:
            store.close()
        if not known:
            return False
        registry.purge_workspace_database(self.home, key)
        registry.mark_forgotten(self.home.db, key, self.clock.now())
        self.home.release()
        for drop in self.on_forget:
            drop(key)
        return True

    def close(self) -> None:
        with self._lock:
            stores, self._open = list(self._open.values()), OrderedDict()
        for store in stores:
            store.close()


def fit_open_files(workspaces: Workspaces) -> int:
    """Raise the process's open-files soft limit to fit `workspaces.max_open` databases (up to
    the hard limit); where it cannot, keep fewer open. Returns the number kept open."""
    if isinstance(workspaces.home, PgStore):
        return workspaces.max_open
    wanted = workspaces.max_open * FILES_PER_WORKSPACE + OTHER_FILES
    soft = raise_open_files_limit(wanted)
    if soft is not None and soft < wanted:
        fits = max(1, (soft - OTHER_FILES) // FILES_PER_WORKSPACE)
        log.warning(
            "open-files limit %s keeps %s workspace databases open, not %s", soft, fits, workspaces.max_open
        )
        workspaces.max_open = fits
    return workspaces.max_open
