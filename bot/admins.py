"""Who may change the tracker.

An admin is a Slack user id listed in REVIEWWATCH_ADMINS, or a member of the user group
REVIEWWATCH_ADMIN_GROUP. Group members are looked up with `usergroups.users.list` and
cached for ADMIN_GROUP_CACHE_SECONDS (time from deps.clock), so checking on every admin
action and every form submission costs one Web API call every few minutes at most.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from slack_sdk.errors import SlackApiError, SlackClientError

from bot.deps import Deps

log = logging.getLogger(__name__)

ADMIN_GROUP_CACHE_SECONDS = 300
_CACHE_KEY = "admin_group_members"
_cache_lock = threading.Lock()

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


@dataclass
class _GroupCache:
    group: str
    members: frozenset[str]
    fetched_at: datetime


def _group_members(deps: Deps, client: Any) -> frozenset[str]:
    """Members of REVIEWWATCH_ADMIN_GROUP, from the cache while it is fresh.

    When the lookup fails, the last known members are used (and retried next time); with
    none known, nobody is an admin through the group: failing closed is the safe side.
    """
    group = deps.settings.admin_group
    if not group:
        return frozenset()
    now = deps.clock.now()
    with _cache_lock:
        cached: _GroupCache | None = deps.extras.get(_CACHE_KEY)
        if (
            cached
            and cached.group == group
            and now - cached.fetched_at < timedelta(seconds=ADMIN_GROUP_CACHE_SECONDS)
        ):
            return cached.members
    if client is None:
        return cached.members if cached and cached.group == group else frozenset()
    try:
        response = client.usergroups_users_list(usergroup=group)
        members = frozenset(response.get("users") or [])
    except (SlackApiError, SlackClientError) as exc:
        log.warning("could not list members of admin group %s: %s", group, exc)
        return cached.members if cached and cached.group == group else frozenset()
    with _cache_lock:
        deps.extras[_CACHE_KEY] = _GroupCache(group=group, members=members, fetched_at=now)
    return members


def is_admin(deps: Deps, user_id: str, client: Any = None) -> bool:
    """True when `user_id` may change the tracker (REVIEWWATCH_ADMINS or the admin group)."""
    if not user_id:
        return False
    if user_id in deps.settings.admins:
        return True
    return user_id in _group_members(deps, client)


def denial_text(deps: Deps) -> str:
    """What a non-admin is told: how to configure admins when there are none."""
    return NOT_ADMIN_TEXT if deps.settings.admins_configured else NO_ADMIN_TEXT
