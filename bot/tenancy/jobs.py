"""The scheduler's jobs in OAuth mode: each one run for every active workspace, on that
workspace's database with that workspace's bot token (from `BotTokens`).

Workspaces run side by side on a small pool, each on a thread of its own, so a workspace
whose Slack is slow, rate-limited or refusing its token holds up one worker, never the
others' alerts; and their Slack clients do not sit out a Retry-After inside a run (the
sweep records a transient failure and retries after it: handlers/tenancy.py). What each
run found goes into the registry (last run, deliveries failed for good, the error), which
/healthz reports.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from bot.deps import Deps
from bot.tenancy.routing import in_workspace
from bot.tenancy.tokens import BotTokens
from bot.tenancy.workspaces import Workspaces
from storage import workspaces as registry

log = logging.getLogger(__name__)

WORKSPACE_WORKERS = 8
NO_TOKEN = "no bot token: the app was uninstalled from this workspace or its token revoked"


@dataclass(frozen=True)
class WorkspaceRun:
    """What one job did for one workspace: deliveries that failed for good, and what stopped it."""

    problems: int = 0
    error: str | None = None
    sent: int = 0


# (deps on the workspace's database, the workspace's senders) -> what it did
WorkspaceJob = Callable[[Deps, Mapping[str, Any]], WorkspaceRun]
# a bot token -> the senders that post with it (and `close`, when they have one)
MakeSenders = Callable[[str], Mapping[str, Any]]


def run_for_each_workspace(
    deps: Deps,
    workspaces: Workspaces,
    tokens: BotTokens,
    job: WorkspaceJob,
    make_senders: MakeSenders,
    *,
    record: bool = True,
    max_workers: int = WORKSPACE_WORKERS,
) -> dict[str, WorkspaceRun]:
    """Run `job` once for every active workspace, side by side; with `record`, note each
    outcome in the registry. A failure in one workspace is logged and never raised."""
    keys = workspaces.keys()
    if not keys:
        return {}
    ids = {row["key"]: row for row in registry.all_workspaces(workspaces.home.db)}
    workspaces.home.release()

    def one(key: str) -> tuple[str, WorkspaceRun]:
        row = ids.get(key) or {}
        with in_workspace(key):
            try:
                workspaces.use(key)
                run = _run_one(deps, job, make_senders, tokens, row)
            except Exception as exc:  # one workspace's failure must not stop the others
                log.exception("a job failed for workspace %s", key)
                run = WorkspaceRun(error=f"{type(exc).__name__}: {exc}")
            finally:
                deps.store.release()
        return key, run

    workers = min(max_workers, len(keys))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="workspace-job") as pool:
        runs = dict(pool.map(one, keys))
    if record:  # one write to the home database for them all, not one per workspace
        done = [(key, run.problems, run.error) for key, run in runs.items()]
        registry.record_sweeps(workspaces.home.db, done, deps.clock.now())
        workspaces.home.release()
    return runs


def _run_one(
    deps: Deps, job: WorkspaceJob, make_senders: MakeSenders, tokens: BotTokens, row: dict[str, Any]
) -> WorkspaceRun:
    org_wide = row.get("key") == row.get("enterprise_id")  # an org-wide install: no one team
    team_id = None if org_wide else row.get("team_id")
    token = tokens.bot_token(team_id=team_id, enterprise_id=row.get("enterprise_id"))
    if not token:
        return WorkspaceRun(error=NO_TOKEN)
    senders = make_senders(token)
    try:
        return job(deps, senders)
    finally:
        for sender in senders.values():
            close = getattr(sender, "close", None)
            if close is not None:
                close()
