"""What the news watch puts in the running app before anyone uses it: `/aireview feeds` in
the command table, the 30-minute fetch on the scheduler, and how an item's date reads in an
alert.

The parsing (`parse`), fetching (`feed_client`) and the work of the watch (`watch`) load
when an admin first uses `/aireview feeds`, or when a fetch has something to do: a source
due, or the default Federal Register search to add or pause (docs/benchmarks.md: imports
at start)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from bot.admins import denial_text, is_admin
from bot.blockkit import fallback, section
from bot.deps import Deps
from bot.replies import SURFACE_SLACK, CommandRequest, Reply, Subcommand
from storage import news as store_news

log = logging.getLogger(__name__)

FEEDS_USAGE = "feeds [list | add <url> [keywords] | remove <id> | test <url> [keywords]]"


def run_feeds(deps: Deps, request: CommandRequest) -> Reply:
    """`/aireview feeds ...`: admins only."""
    if not is_admin(deps, request.user_id, request.directory):
        return Reply(text=fallback(denial_text(deps)), blocks=[section(denial_text(deps))])
    return feeds_reply(deps, request.text, request.user_id)


def feeds_reply(deps: Deps, text: str, user_id: str) -> Reply:
    """`feeds list|add|remove|test ...` for an admin (the caller checks: Slack's admins, or in
    Teams REVIEWWATCH_TEAMS_ADMINS); `user_id` is recorded as who added a source."""
    action, _, rest = text.strip().partition(" ")
    action = action.lower() or "list"
    if action not in ("list", "add", "remove", "test"):
        text = f"Usage: `/aireview {FEEDS_USAGE}`"
        return Reply(text=text, blocks=[section(text)])
    from bot.news import watch

    if action == "list":
        return watch.feeds_list_reply(deps)
    if action == "add":
        return watch.feeds_add_reply(deps, rest, user_id)
    if action == "remove":
        return watch.feeds_remove_reply(deps, rest)
    return watch.feeds_test_reply(deps, rest)


def feeds_list_reply(deps: Deps) -> Reply:
    """The watched sources and their state (`/aireview feeds list`), for other surfaces; the
    caller checks that the asker is an admin."""
    from bot.news import watch

    return watch.feeds_list_reply(deps)


FEEDS_SUBCOMMAND = Subcommand(
    name="feeds",
    usage=FEEDS_USAGE,
    summary="News and Federal Register sources watched for alerts (admins): list, add, remove, test",
    example='/aireview feeds add https://example.com/feed.xml "frontier model", CAISI',
    run=run_feeds,
    admin_only=True,
    surfaces=(SURFACE_SLACK,),
    slow=("add", "test"),  # both fetch the feed
)


# -- the schedule ------------------------------------------------------------------------------

NEWS_JOB_ID = "news-fetch"
NEWS_STARTUP_JOB_ID = "news-fetch-startup"
NEWS_EXECUTOR = "news"
FETCH_INTERVAL_SECONDS = 30 * 60
NEWS_MISFIRE_GRACE_SECONDS = 20 * 60


def _fetch_has_work(deps: Deps, now: datetime) -> bool:
    """Whether `watch.fetch_due_feeds` would do anything: the default Federal Register search
    to add or keep in step with its setting, or a source due. Cheap reads, so that an app
    with no source to fetch never loads the watch."""
    if deps.settings.federal_register_default:
        return True
    db = deps.store.db
    return any(f["is_default"] and f["enabled"] for f in store_news.list_feeds(db)) or bool(
        store_news.due_feeds(db, now)
    )


def news_fetch_job(deps: Deps) -> None:
    """The scheduled job: fetch due sources; a failure is logged, never raised."""
    try:
        now = deps.clock.now()
        if _fetch_has_work(deps, now):
            from bot.news import watch

            watch.fetch_due_feeds(deps, now)
    except Exception:
        log.exception("news fetch failed")


def add_news_job(
    scheduler: Any, deps: Deps, *, run_at_start: bool = True, job: Callable[[Deps], None] | None = None
) -> None:
    """Add the fetch to an APScheduler scheduler: every 30 minutes, and once at start-up
    (`job`: what runs instead of `news_fetch_job`, e.g. it for each workspace: bot/tenancy).

    It runs on its own single worker thread: a slow source never delays an alert sweep, and
    two fetches never overlap. New items reach channels with the next sweep."""
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.triggers.interval import IntervalTrigger

    scheduler.add_executor(ThreadPoolExecutor(max_workers=1), alias=NEWS_EXECUTOR)
    common: dict[str, Any] = {
        "args": [deps],
        "executor": NEWS_EXECUTOR,
        "misfire_grace_time": NEWS_MISFIRE_GRACE_SECONDS,
        "coalesce": True,
        "max_instances": 1,
        "replace_existing": True,
    }
    fetch = deps.store.releasing(job or news_fetch_job)  # gives its connection back after each run
    scheduler.add_job(
        fetch,
        IntervalTrigger(seconds=FETCH_INTERVAL_SECONDS),
        id=NEWS_JOB_ID,
        name="news fetch",
        **common,
    )
    if run_at_start:
        scheduler.add_job(fetch, "date", id=NEWS_STARTUP_JOB_ID, name="news fetch at start-up", **common)


# -- an item's date in an alert ----------------------------------------------------------------


def published_text(value: str | None, tz: Any) -> str:
    """How an item's date reads: 'Jul 24, 2026' for a calendar date (the Federal Register's
    publication date), 'Jul 24, 2026 09:00 EDT' in the team timezone for a timestamp."""
    if not value:
        return "date not given"
    try:
        if len(value) == 10:
            return date.fromisoformat(value).strftime("%b %-d, %Y")
        when = datetime.fromisoformat(value)
    except ValueError:
        return value[:40]
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(tz).strftime("%b %-d, %Y %H:%M %Z")
