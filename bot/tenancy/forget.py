"""What an uninstall deletes (seam 2 of issue 28; what is kept is in docs/data-retention.md).

bot/install's `app_uninstalled` and `tokens_revoked` listeners delete the workspace's
credentials (Bolt's built-in handlers) and then call `on_uninstall(team_id, enterprise_id)`:
`forgetter(workspaces)` is that callback. It deletes the workspace's whole database at once
(the SQLite file with its WAL, or the PostgreSQL schema): subscriptions, follows, mutes,
snoozes, reminders, the alert ledger and its delivery problems, briefings, board links,
news sources and items, and its own tracker with its history. The registry keeps one row:
the key, when it was installed and when it was forgotten (no name, no people).

With a shared tracker (bot/tenancy/shared.py), the readers keep their copy of the tracker
when its editor uninstalls, but every person's id in it (history's actor, each record's
updated_by, sources' and contests' authors) is replaced by FORMER_EDITOR.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot.tenancy.routing import in_workspace
from bot.tenancy.workspaces import Workspaces
from storage import workspaces as registry
from storage.shared_tracker import anonymise_authors

log = logging.getLogger(__name__)

FORMER_EDITOR = "a former editor workspace"
OnUninstall = Callable[[str | None, str | None], None]


def forget_workspace(
    workspaces: Workspaces,
    team_id: str | None,
    enterprise_id: str | None,
    *,
    readers_of: Callable[[str], list[str]] | None = None,
) -> str | None:
    """Delete the data of the workspace `team_id` (or, for an org-wide install,
    `enterprise_id`) names; the key forgotten, or None when neither was ever installed.
    `readers_of(key)`: the workspaces reading `key`'s shared tracker, whose copies lose
    every person's id (by default, the shared tracker's readers when `key` is its editor)."""
    shared = workspaces.shared
    readers_of = readers_of or (shared.readers_of if shared is not None else lambda key: [])
    for key in (team_id, enterprise_id):
        if not key or not _checked(key):
            continue
        if workspaces.forget(key):
            for reader in readers_of(key):
                with in_workspace(reader):
                    store = workspaces.store(reader)
                    anonymise_authors(store.db, FORMER_EDITOR)
                    store.release()
            log.info("workspace %s uninstalled: its data is deleted", key)
            return key
    return None


def _checked(key: str) -> bool:
    try:
        registry.checked_key(key)
    except registry.NotAWorkspaceKey:
        return False
    return True


def forgetter(workspaces: Workspaces, readers_of: Callable[[str], list[str]] | None = None) -> OnUninstall:
    """The `on_uninstall` callback bot/install calls after deleting the credentials."""

    def on_uninstall(team_id: str | None, enterprise_id: str | None) -> None:
        forget_workspace(workspaces, team_id, enterprise_id, readers_of=readers_of)

    return on_uninstall
