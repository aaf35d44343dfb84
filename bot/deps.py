"""What listeners and jobs need, passed in explicitly (no module-level singletons), and the
two thread-safe caches a Deps holds: `ExpiringCache` (entries that expire on the injected
clock) and `AnswerCache` (answers kept while what they are made of is unchanged).

`bot.catalog.make_deps` builds one with every feature's commands and App Home sections;
nothing registers into a Deps later.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from bot.clock import Clock
from bot.directory import Directory
from bot.lookup import NameIndexCache
from bot.replies import Reply, Subcommand, SubcommandRegistry
from bot.settings import Settings
from storage.db import Store

if TYPE_CHECKING:
    import httpx

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


# Admin group membership and people's names are looked up in Slack at most this often.
DIRECTORY_CACHE_LIFETIME = timedelta(minutes=5)

# (deps, viewer user id, viewer is admin) -> blocks for that viewer's App Home.
HomeSection = Callable[["Deps", str, bool], list[dict[str, Any]]]


class Painter(Protocol):
    """Draws the timeline picture (bot/exports/painter.py's `PictureWorker`): the PNG and,
    with `fit`, a copy at most `fit` pixels on either side."""

    def draw(
        self, timeline: Any, fit: int | None = None, *, idle_seconds: float | None = None
    ) -> tuple[bytes, bytes | None]: ...


@dataclass
class Runtime:
    """Filled in by the running app as it starts (read by /healthz and shutdown)."""

    mode: str | None = None  # "http" or "socket"
    scheduler: Any = None  # the running APScheduler BackgroundScheduler
    scheduler_lease: Any = None  # storage.leader.SchedulerLease: whether this instance runs the jobs
    senders: dict[str, Any] | None = None  # alert senders the scheduler made and must close
    started_at: datetime | None = None  # when the app started serving
    bot_tokens: Any = None  # OAuth mode: each workspace's bot token (bot/install/tokens.py InstalledTokens)
    # OAuth mode: the workspaces and their databases (bot/tenancy/workspaces.py `Workspaces`).
    workspaces: Any = None
    # The last message, request or pong from Slack (Socket Mode also counts the connection's
    # pongs, read through `contact_probe`); /healthz reports its age.
    last_contact: datetime | None = None
    contact_probe: Callable[[], datetime | None] | None = None
    reconnects: int = 0  # Socket Mode connections the watchdog reopened
    # OAuth mode: the per-workspace figures /healthz adds (bot/tenancy/figures.py), given `now`.
    workspace_figures: Callable[[datetime], dict[str, Any]] | None = None

    def contact(self) -> datetime | None:
        """The latest contact from Slack known, or None."""
        seen = [self.last_contact, self.contact_probe() if self.contact_probe else None]
        return max((at for at in seen if at is not None), default=None)


@dataclass
class Deps:
    settings: Settings
    store: Store
    clock: Clock
    slash_commands: tuple[Subcommand, ...] = ()  # /holdouts, /deadlines, /aireview
    subcommands: SubcommandRegistry = field(default_factory=SubcommandRegistry)  # /aireview <name>
    home_sections: tuple[HomeSection, ...] = ()
    # Set at shutdown: a running sweep finishes the delivery in hand and defers the rest.
    stopping: threading.Event = field(default_factory=threading.Event)
    admin_groups: ExpiringCache[frozenset[str]] = field(
        default_factory=lambda: ExpiringCache(DIRECTORY_CACHE_LIFETIME)
    )
    # The workspace directory built from the bot token by whatever runs with Slack (the app,
    # `python app.py sweep`); None without Slack (the console, exports from a shell).
    directory: Directory | None = None
    user_names: ExpiringCache[str] = field(  # user id -> name ("" when Slack has none)
        default_factory=lambda: ExpiringCache(DIRECTORY_CACHE_LIFETIME)
    )
    # Names for type-ahead menus (bot/menus.py), rebuilt when the tracker changes.
    names: NameIndexCache = field(default_factory=NameIndexCache)
    # Read answers kept until the tracker or the minute changes (bot/read/commands.py).
    answers: AnswerCache[Reply] = field(default_factory=AnswerCache)
    feed_client: httpx.Client | None = None  # the news watch's shared client, made on first use
    # What draws the timeline picture; None: the process's one drawing worker (painter.WORKER).
    painter: Painter | None = None
    runtime: Runtime = field(default_factory=Runtime)
    # OAuth mode with a shared tracker (bot/tenancy/shared.py): why the tracker may not be
    # changed in the current workspace (None: it may); unset, it may be changed everywhere.
    tracker_refusal: Callable[[], str | None] | None = None

    def is_slow(self, name: str, args: str) -> bool:
        """Whether `name args` (`feeds add ...`, `aireview export ics`) can take more than a
        second to answer (Subcommand.slow in the one command table): the listener shows
        "Working on it..." first."""
        if name == "aireview":
            name, _, args = args.strip().partition(" ")
        command = next((c for c in self.slash_commands if c.name == name), None)
        command = command or self.subcommands.get(name)
        return command is not None and command.is_slow(args)
