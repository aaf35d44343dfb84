"""Who may change the tracker.

An admin is a Slack user id listed in REVIEWWATCH_ADMINS, or a member of the user group
REVIEWWATCH_ADMIN_GROUP. Group members come from a `Directory` (handlers/ wraps Slack's
`usergroups.users.list`) and are cached for DIRECTORY_CACHE_LIFETIME on the injected
clock, so checking on every admin action and every form submission costs one Web API
call every few minutes at most.
"""

from __future__ import annotations

import logging

from bot.deps import Deps
from bot.directory import Directory, DirectoryUnavailable

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


def _group_members(deps: Deps, directory: Directory | None) -> frozenset[str]:
    """Members of REVIEWWATCH_ADMIN_GROUP, from the cache while it is fresh.

    When the lookup fails, the last known members are used (and retried next time); with
    none known, nobody is an admin through the group: failing closed is the safe side.
    """
    group = deps.settings.admin_group
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
    """True when `user_id` may change the tracker (REVIEWWATCH_ADMINS or the admin group)."""
    if not user_id:
        return False
    if user_id in deps.settings.admins:
        return True
    return user_id in _group_members(deps, directory)


def denial_text(deps: Deps) -> str:
    """What a non-admin is told: how to configure admins when there are none."""
    return NOT_ADMIN_TEXT if deps.settings.admins_configured else NO_ADMIN_TEXT


def edit_refusal(deps: Deps, user_id: str, directory: Directory | None = None) -> str | None:
    """Why `user_id` may not change the tracker here, or None when they may: not an admin,
    or (many workspaces) this workspace reads a tracker another workspace edits."""
    if not is_admin(deps, user_id, directory):
        return denial_text(deps)
    return deps.tracker_refusal() if deps.tracker_refusal is not None else None
