"""Who may change the tracker.

Single-workspace mode: an admin is a Slack user id listed in REVIEWWATCH_ADMINS, or a member
of the user group REVIEWWATCH_ADMIN_GROUP. OAuth mode (many workspaces, docs/admins.md):
each workspace keeps its own admins and admin group in its own database (storage/admins.py;
the installer is the first, `/aireview admins` changes them), and the environment's are not
read. Group members come from a `Directory` (handlers/ wraps Slack's
`usergroups.users.list`) and are cached for DIRECTORY_CACHE_LIFETIME on the injected
clock (per workspace in OAuth mode), so checking on every admin action and every form
submission costs one Web API call every few minutes at most.
"""

from __future__ import annotations

import logging

from bot.deps import Deps
from bot.directory import Directory, DirectoryUnavailable
from storage import admins as stored

log = logging.getLogger(__name__)

NOT_ADMIN_TEXT = (
    "Only Review Watch admins can change the tracker, and you are not one, so nothing was "
    "changed. Ask an admin to add your Slack user id to REVIEWWATCH_ADMINS (or you to the "
    "REVIEWWATCH_ADMIN_GROUP user group)."
)
NO_ADMIN_TEXT = (
    "No Review Watch admin is configured yet, so nobody can change the tracker from Slack. "
    "To name admins, set REVIEWWATCH_ADMINS to comma-separated Slack user ids (e.g. "
    "U012ABCDEF; in Slack: your profile -> ⋮ -> Copy member ID) and/or REVIEWWATCH_ADMIN_GROUP "
    "to a Slack user group id (e.g. S012ABCDEF), then restart the app. The README's "
    '"Admins" section has the details.'
)
WORKSPACE_NOT_ADMIN_TEXT = (
    "Only this workspace's Review Watch admins can change the tracker, and you are not one, so "
    "nothing was changed. Ask an admin of this workspace ({admins}) to add you with "
    "`/aireview admins add @you`."
)
WORKSPACE_NO_ADMIN_TEXT = (
    "This workspace has no Review Watch admin yet, so nobody can change the tracker from Slack. "
    "Whoever installs the app becomes its first admin: reinstall it from the Add to Slack page."
)


def workspace_admins(deps: Deps) -> tuple[frozenset[str], str | None]:
    """OAuth mode: the current workspace's admins and admin group, from its own database."""
    db = deps.store.db
    return stored.admin_ids(db), stored.admin_group(db)


def _group_members(deps: Deps, group: str | None, directory: Directory | None) -> frozenset[str]:
    """Members of the admin user group `group`, from the cache while it is fresh.

    When the lookup fails, the last known members are used (and retried next time); with
    none known, nobody is an admin through the group: failing closed is the safe side.
    """
    if not group:
        return frozenset()
    now = deps.clock.now()
    cached = deps.admin_groups.fresh(group, now)
    if cached is not None:
        return cached
    if directory is None:
        return deps.admin_groups.last(group) or frozenset()
    try:
        members = directory.group_members(group)
    except DirectoryUnavailable as exc:
        log.warning("could not list members of admin group %s: %s", group, exc)
        return deps.admin_groups.last(group) or frozenset()
    deps.admin_groups.put(group, members, now)
    return members


def is_admin(deps: Deps, user_id: str, directory: Directory | None = None) -> bool:
    """True when `user_id` may change the tracker: one of this workspace's admins or in its
    admin group (OAuth mode), else in REVIEWWATCH_ADMINS or REVIEWWATCH_ADMIN_GROUP."""
    if not user_id:
        return False
    if deps.settings.oauth_mode:
        admins, group = workspace_admins(deps)
    else:
        admins, group = frozenset(deps.settings.admins), deps.settings.admin_group
    if user_id in admins:
        return True
    return user_id in _group_members(deps, group, directory)


def admins_configured(deps: Deps) -> bool:
    """Whether anyone can be an admin here (this workspace's, or the environment's)."""
    if deps.settings.oauth_mode:
        admins, group = workspace_admins(deps)
        return bool(admins or group)
    return deps.settings.admins_configured


def denial_text(deps: Deps) -> str:
    """What a non-admin is told: whom to ask (OAuth mode: this workspace's admins, named), or
    how to configure admins when there are none."""
    if deps.settings.oauth_mode:
        admins, group = workspace_admins(deps)
        if not admins and not group:
            return WORKSPACE_NO_ADMIN_TEXT
        named = [f"<@{admin}>" for admin in sorted(admins)] + ([f"<!subteam^{group}>"] if group else [])
        return WORKSPACE_NOT_ADMIN_TEXT.format(admins=", ".join(named))
    return NOT_ADMIN_TEXT if deps.settings.admins_configured else NO_ADMIN_TEXT


def edit_refusal(deps: Deps, user_id: str, directory: Directory | None = None) -> str | None:
    """Why `user_id` may not change the tracker here, or None when they may: not an admin,
    or (many workspaces) this workspace reads a tracker another workspace edits."""
    if not is_admin(deps, user_id, directory):
        return denial_text(deps)
    return deps.tracker_refusal() if deps.tracker_refusal is not None else None
