"""Turning a Deps into OAuth mode's: its store and caches follow the current workspace."""

from __future__ import annotations

from collections.abc import Callable

from bot.deps import Deps
from bot.tenancy.figures import workspace_figures
from bot.tenancy.routing import RoutedAnswerCache, RoutedExpiringCache, RoutedNameIndexCache, RoutedStore
from bot.tenancy.shared import SharedTracker
from bot.tenancy.workspaces import Workspaces, fit_open_files
from storage import admins as stored_admins
from storage.db import Store
from storage.installations import installation_by_key


def enable_workspaces(deps: Deps) -> Workspaces:
    """OAuth mode: a database per workspace, `deps` following the current one (the running
    app calls this before building the Bolt app, which then routes each request)."""
    workspaces = Workspaces(deps.store, deps.clock, max_open=deps.settings.open_workspaces)
    fit_open_files(workspaces)
    routed_deps(deps, workspaces)
    deps.runtime.workspaces = workspaces
    return workspaces


def home_store(store: Store) -> Store:
    """The home database behind `store` (itself, unless it is routed per workspace): what
    holds the installations and the registry."""
    return store.home if isinstance(store, RoutedStore) else store


def routed_deps(deps: Deps, workspaces: Workspaces) -> Deps:
    """`deps` with the current workspace's database and caches (nothing else changes); with
    REVIEWWATCH_SHARED_TRACKER_EDITOR, the editor's tracker copied into every other workspace
    and changed only in the editor (bot/tenancy/shared.py)."""
    editor = deps.settings.shared_tracker_editor
    if editor:
        shared = SharedTracker(workspaces, editor).attach()
        deps.tracker_refusal = shared.refusal
        workspaces.shared = shared
    installer_becomes_admin(workspaces)
    answers: RoutedAnswerCache[object] = RoutedAnswerCache(deps.answers.max_entries)
    names = RoutedNameIndexCache()
    user_names = RoutedExpiringCache(deps.user_names)
    admin_groups = RoutedExpiringCache(deps.admin_groups)
    deps.store = RoutedStore(deps.store, workspaces)
    stale = deps.settings.sweep_stale_limit
    deps.runtime.workspace_figures = lambda now: workspace_figures(workspaces.home, now, stale)
    deps.answers = answers  # type: ignore[assignment]
    deps.names = names
    deps.user_names = user_names
    deps.admin_groups = admin_groups
    workspaces.on_forget.extend(cache.each.drop for cache in (answers, names, user_names, admin_groups))
    return deps


def installer_becomes_admin(workspaces: Workspaces) -> None:
    """A workspace's database, once prepared, gets the person who installed the app as its
    first admin (docs/admins.md); one with admins already (a reinstall) keeps them."""
    prepare = workspaces.prepare

    def prepare_with_admin(store: Store, key: str) -> None:
        prepare(store, key)
        row = installation_by_key(workspaces.home.db, key)
        workspaces.home.release()
        if row and row.get("user_id"):
            stored_admins.add_first_admin(store.db, row["user_id"], workspaces.clock.now())
            store.release()

    workspaces.prepare = prepare_with_admin


def installer_admitter(workspaces: Workspaces) -> Callable[[str, str | None], None]:
    """Called when an install is saved: a workspace already in use that has no admin (one
    from before admins were kept per workspace) gets the installer; a new one gets them
    when its database is made (`installer_becomes_admin`)."""

    def admit(key: str, user_id: str | None) -> None:
        if not user_id or not workspaces.is_active(key):
            return
        store = workspaces.store(key)
        stored_admins.add_first_admin(store.db, user_id, workspaces.clock.now())
        store.release()

    return admit
