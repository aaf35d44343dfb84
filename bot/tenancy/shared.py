"""One tracker for many workspaces (REVIEWWATCH_SHARED_TRACKER_EDITOR, docs/workspaces.md).

Without the setting each workspace keeps its own tracker, seeded from the reports. With it,
one workspace (the editor) keeps the tracker as usual and every other workspace (a reader)
holds a copy of it, made whenever the editor's tracker has changed since the last copy and
the reader starts some work (a request from it, or one of its jobs): read from the editor's
database in one transaction and written into the reader's in one transaction, ids and
history included (storage/shared_tracker.py). Everything else stays per workspace: each
reader's own subscriptions, follows, mutes, ledger and news sources. So an alert about a
change in the shared tracker reaches each workspace's subscribed channels once, through
that workspace's own sweep and ledger, with its own token.

Only the editor's admins change the tracker: in a reader, every admin form and command that
would change it answers READER_TEXT instead (bot/admins.py `edit_refusal`).
"""

from __future__ import annotations

import logging
import threading

from bot.tenancy.routing import current_workspace
from bot.tenancy.workspaces import UnknownWorkspace, Workspaces
from storage.db import Store
from storage.generation import tracker_generation
from storage.shared_tracker import copied_generation, read_tracker, write_tracker

log = logging.getLogger(__name__)

READER_TEXT = (
    "This workspace reads the tracker that another workspace's Review Watch admins keep for "
    "everyone, so it is changed there and nothing was changed here. Your admins still choose "
    "this workspace's alerts (`/aireview subscribe`)."
)


class SharedTracker:
    """The editor's tracker, copied into every reader's database when it has changed."""

    def __init__(self, workspaces: Workspaces, editor: str) -> None:  # noqa: D107
        self.workspaces = workspaces
        self.editor = editor
        self._lock = threading.Lock()
        self._copied: dict[str, int] = {}  # reader -> the editor's generation it holds
        self.copies = 0  # how many copies were written (the tests and the benchmark read it)

    def attach(self) -> SharedTracker:
        """Make new workspaces' databases readers' copies, and refresh each before its work."""
        seed = self.workspaces.prepare
        self.workspaces.prepare = lambda store, key: self._prepare(store, key, seed)
        self.workspaces.on_use.append(self.refresh)
        return self

    def is_reader(self, key: str | None) -> bool:
        return key is not None and key != self.editor

    def refusal(self) -> str | None:
        """Deps.tracker_refusal: READER_TEXT in a reader, None in the editor."""
        return READER_TEXT if self.is_reader(current_workspace()) else None

    def readers_of(self, key: str) -> list[str]:
        """The workspaces reading `key`'s tracker (none unless `key` is the editor)."""
        return [k for k in self.workspaces.keys() if k != key] if key == self.editor else []

    def _prepare(self, store: Store, key: str, seed: object) -> None:
        assert callable(seed)
        seed(store, key)  # a reader starts from the reports until the editor is installed
        if self.is_reader(key):
            self._copy_into(store, key)

    def refresh(self, key: str) -> None:
        """Copy the editor's tracker into `key`'s database if it changed since the last copy."""
        if not self.is_reader(key) or not self.workspaces.is_active(self.editor):
            return
        try:
            reader = self.workspaces.store(key)
            current = tracker_generation(self.workspaces.store(self.editor))
        except UnknownWorkspace:
            return
        if self._copied.get(key) == current:
            return
        self._copy_into(reader, key)

    def _copy_into(self, reader: Store, key: str) -> None:
        if not self.workspaces.is_active(self.editor):
            return
        with self._lock:
            editor = self.workspaces.store(self.editor)
            generation = tracker_generation(editor)
            if copied_generation(reader.db) != generation:
                tables = read_tracker(editor.db)
                editor.release()
                write_tracker(reader.db, tables, generation)
                self.copies += 1
                log.info("copied the shared tracker (generation %d) into workspace %s", generation, key)
            reader.release()
            self._copied[key] = generation
