"""OAuth mode's Slack side of bot/tenancy: the request routing (a Bolt global middleware that
makes the workspace a request comes from the current one, so its listener reads and writes
only that workspace's database; Bolt's listener threads carry it, handlers/__init__.py), and
the scheduler's jobs run for each workspace with its own token."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

from slack_bolt import BoltContext, BoltResponse
from slack_sdk import WebClient

from bot.alerts.sending import Sleep
from bot.alerts.slack_client import slack_retry_handlers
from bot.alerts.slack_sender import SlackSender
from bot.alerts.sweep import STATE_LAST_SWEEP, cyclic_collector_paused, run_sweep
from bot.alerts.updates import send_updates
from bot.alerts.workers import SWEEP_SLOTS
from bot.deps import Deps
from bot.settings import Settings
from bot.tenancy import BotTokens, Workspaces, enter_workspace
from bot.tenancy.jobs import MakeSenders, WorkspaceRun, run_for_each_workspace
from bot.tenancy.routing import RoutedDirectory
from handlers.directory import SlackDirectory
from storage.timestamps import utc_iso
from storage.tracker import set_state
from storage.workspaces import NotAWorkspaceKey, workspace_key

log = logging.getLogger(__name__)


# Events that end a workspace's installation: they must never make it a database again.
ENDING_EVENTS = frozenset({"app_uninstalled", "tokens_revoked"})


def workspace_router(workspaces: Workspaces) -> Callable[..., Any]:
    """The middleware: the request's team (or, for an org-wide install, enterprise) id
    names the workspace, whose database is made on its first request; a request with
    neither reaches no listener. An uninstall's events go to the workspace only while it
    is still known (then bot/install deletes its credentials and `forget_workspace` its data)."""

    def route_to_workspace(
        context: BoltContext, body: dict[str, Any], next: Callable[[], BoltResponse]
    ) -> BoltResponse | None:
        enter_workspace(None)
        ids = {"team_id": context.team_id, "enterprise_id": context.enterprise_id}
        org_wide = bool(context.is_enterprise_install)
        try:
            if (body.get("event") or {}).get("type") in ENDING_EVENTS:
                key = workspace_key(ids["team_id"], ids["enterprise_id"], org_wide=org_wide)
                enter_workspace(key if workspaces.is_active(key) else None)
                return next()
            key = workspaces.ensure(**ids, org_wide=org_wide)
        except NotAWorkspaceKey:
            log.warning(
                "a request named no workspace (team %(team_id)r, enterprise %(enterprise_id)r): refused", ids
            )
            return BoltResponse(status=200, body="")
        enter_workspace(key)  # for the listener Bolt runs after this returns (bot/tenancy/routing.py)
        return next()

    return route_to_workspace


# ---------------------------------------------------------------- the jobs, per workspace


class SlotFreeWebClient(WebClient):
    """A workspace's Slack client, which gives its sweep's slot up while it waits for Slack
    (bot/alerts/workers.py SWEEP_SLOTS: one sweep at a time does its own work, so a slow or
    rate-limited Slack must not hold the slot). Every Web API method goes through `api_call`."""

    def api_call(self, *args: Any, **kwargs: Any) -> Any:  # noqa: D102
        with SWEEP_SLOTS.released():
            return super().api_call(*args, **kwargs)


def slot_free(sleep: Sleep) -> Sleep:
    """`sleep`, with the sweep's slot given up meanwhile (a pause between posts, a backoff)."""

    def wait(seconds: float) -> None:
        with SWEEP_SLOTS.released():
            sleep(seconds)

    return wait


def workspace_senders(settings: Settings, *, sleep: Sleep = time.sleep) -> MakeSenders:
    """Alert senders posting with one workspace's token. Its client never sits out a
    Retry-After within a run (max_wait 0): the sweep records a transient failure and tries
    again after it, so a rate-limited workspace keeps its worker for moments, not minutes.
    Every wait of theirs, for Slack or between posts, is made without the sweep's slot."""
    wait = slot_free(sleep)

    def make(token: str) -> dict[str, Any]:
        client = SlotFreeWebClient(
            token=token,
            base_url=settings.slack_api_url,
            timeout=15,
            retry_handlers=slack_retry_handlers(sleep=wait, max_wait=0),
        )
        return {"slack": SlackSender(client, settings, sleep=wait)}

    return make


def sweep_workspace(deps: Deps, senders: Mapping[str, Any]) -> WorkspaceRun:
    """One workspace's sweep (alerts, reminders, briefings) and corrections in place, in one
    of the few slots for a sweep's own work (bot/alerts/workers.py SWEEP_SLOTS)."""
    with SWEEP_SLOTS.held():
        result = run_sweep(deps, senders=dict(senders), lease=timedelta(seconds=deps.settings.claim_lease))
        send_updates(deps, senders=dict(senders))
    errors = sorted({error for _, error in result.permanent})
    error = "; ".join(errors)[:300] or None
    return WorkspaceRun(problems=len(result.permanent), error=error, sent=len(result.sent))


def sweep_every_workspace(
    deps: Deps, workspaces: Workspaces, tokens: BotTokens, make: MakeSenders
) -> dict[str, WorkspaceRun]:
    """Every workspace's sweep, then the home database's summary of them all (what /healthz
    judges the scheduler by: it ran, whether or not any workspace is installed).

    The cyclic collector stays paused for the whole run, not only each workspace's sweep:
    resumed between workspaces, it ran at each one's end over every object a thousand open
    databases keep (about 0.4 ms a workspace, docs/workspaces.md)."""
    with cyclic_collector_paused():
        runs = run_for_each_workspace(deps, workspaces, tokens, sweep_workspace, make)
    summary = {
        "at": utc_iso(deps.clock.now()),
        "ok": True,
        "workspaces": len(runs),
        "sent": sum(run.sent for run in runs.values()),
        "permanent": sum(run.problems for run in runs.values()),
        "workspaces_with_errors": sum(1 for run in runs.values() if run.error),
    }
    set_state(workspaces.home.db, STATE_LAST_SWEEP, json.dumps(summary))
    workspaces.home.release()
    return runs


def workspace_directory(settings: Settings, tokens: BotTokens) -> RoutedDirectory:
    """People's names for alerts, asked of Slack with the current workspace's token."""

    def make(key: str) -> SlackDirectory | None:
        org = key.startswith("E")
        token = tokens.bot_token(team_id=None if org else key, enterprise_id=key if org else None)
        return (
            SlackDirectory(SlotFreeWebClient(token=token, base_url=settings.slack_api_url, timeout=10))
            if token
            else None
        )

    return RoutedDirectory(make)


def start_workspace_scheduler(
    deps: Deps, workspaces: Workspaces, tokens: BotTokens, *, sleep: Sleep = time.sleep
) -> Any:
    """OAuth mode's scheduler: the sweep and the news fetch, each run for every workspace."""
    from bot.alerts.scheduler import start_scheduler
    from bot.news import add_news_job
    from bot.news.commands import news_fetch_job

    make = workspace_senders(deps.settings, sleep=sleep)
    deps.directory = workspace_directory(deps.settings, tokens)

    def sweeps(deps: Deps, _senders: object) -> None:
        sweep_every_workspace(deps, workspaces, tokens, make)

    def fetch(deps: Deps, _senders: Mapping[str, Any]) -> WorkspaceRun:
        news_fetch_job(deps)
        return WorkspaceRun()

    def news(scheduler: Any, deps: Deps, *, run_at_start: bool = True) -> None:
        def each(deps: Deps) -> None:
            run_for_each_workspace(deps, workspaces, tokens, fetch, make, record=False)

        add_news_job(scheduler, deps, run_at_start=run_at_start, job=each)

    return start_scheduler(deps, senders={}, job=sweeps, more_jobs=[news])
