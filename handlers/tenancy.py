"""OAuth mode's request routing: a Bolt global middleware that makes the workspace a request
comes from the current one (bot/tenancy), so its listener reads and writes only that
workspace's database. Bolt's listener threads carry it (handlers/__init__.py)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltContext, BoltResponse

from bot.tenancy import Workspaces, enter_workspace
from storage.workspaces import NotAWorkspaceKey

log = logging.getLogger(__name__)


def workspace_router(workspaces: Workspaces) -> Callable[..., Any]:
    """The middleware: the request's team (or, for an org-wide install, enterprise) id
    names the workspace; a request with neither reaches no listener."""

    def route_to_workspace(context: BoltContext, next: Callable[[], BoltResponse]) -> BoltResponse | None:
        enter_workspace(None)
        try:
            key = workspaces.ensure(
                team_id=context.team_id,
                enterprise_id=context.enterprise_id,
                org_wide=bool(context.is_enterprise_install),
            )
        except NotAWorkspaceKey:
            team, enterprise = context.team_id, context.enterprise_id
            log.warning("a request named no workspace (team %r, enterprise %r): refused", team, enterprise)
            return BoltResponse(status=200, body="")
        enter_workspace(key)  # for the listener Bolt runs after this returns (bot/tenancy/routing.py)
        return next()

    return route_to_workspace
