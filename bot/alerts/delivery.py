"""Delivering alerts: one post per alert, through the sender for its target (Slack,
bot/alerts/slack_sender.py; Teams, bot/alerts/teams_sender.py), each reporting an
`Outcome` (bot/alerts/sending.py).

`deliver` runs different targets in parallel threads, in order within a target; the
senders pace posts to one target. Senders never touch the database: outcomes come back to
the caller's thread, which writes the ledger. The sweep takes what it needs to deliver
from here.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import NamedTuple

from bot.alerts.alert import Alert
from bot.alerts.sending import (
    OUTCOME_DEFERRED,
    OUTCOME_FAILED,
    OUTCOME_LOST,
    Outcome,
    Sender,
    Thread,
)
from bot.alerts.slack_client import slack_delivery_client
from bot.alerts.slack_sender import SlackSender
from bot.alerts.teams_sender import TeamsSender
from bot.alerts.workers import SWEEP_SLOTS, ThreadCache
from bot.settings import Settings
from storage.db import Store

log = logging.getLogger(__name__)

# One thread per target, kept for the next sweep (bot/alerts/workers.py): in OAuth mode every
# workspace's sweep delivers, and a pool of its own per sweep was a fixed cost per workspace.
DELIVERY_THREADS = ThreadCache("alert-delivery")


# How long a sweep waits for an outcome before it gives up its slot for the wait
# (bot/alerts/workers.py): giving it up and taking it back costs more than a quick answer
# (about 8% of a small workspace's sweep when every answer is instant: docs/benchmarks.md),
# but a real Slack's answer takes ~100 ms, during which the slot sits idle this long.
QUICK_OUTCOME = 0.0005


class Job(NamedTuple):
    """One alert to deliver (a tuple: a sweep makes one per alert, and a frozen dataclass
    costs about twice as much to build)."""

    alert: Alert
    check_existing: bool = False  # a retry: look for an earlier post before posting
    thread: Thread | None = None  # a reply under an earlier alert (Slack)


def deliver(
    jobs: list[Job],
    senders: dict[str, Sender],
    now: datetime,
    *,
    max_workers: int = 8,
    stop: threading.Event | None = None,
    may_post: Callable[[Job], bool] | None = None,
    tick: float | None = None,
) -> Iterator[list[tuple[Job, Outcome]]]:
    """Deliver `jobs`, one thread per target (in order within a target), yielding outcomes
    on the caller's thread as they come: each time, all that came in since the last (at
    least one), in the order they came. Once `stop` is set, jobs not yet started come
    back deferred, untried, so shutdown waits for at most one delivery per target. A job
    `may_post` refuses comes back lost, untried. With `tick`, an empty list is yielded after
    each `tick` seconds without an outcome (the caller's chance to write what it holds)."""
    groups: dict[tuple[str, str], list[Job]] = {}
    for job in jobs:
        groups.setdefault((job.alert.target_type, job.alert.target), []).append(job)
    if not groups:
        return
    results: queue.SimpleQueue[tuple[Job, Outcome] | None] = queue.SimpleQueue()
    failures: list[BaseException] = []  # a runner's own failure; None in `results` says one came

    def run(group: list[Job]) -> None:
        try:
            for job in group:
                results.put((job, _outcome(job, senders, now, stop, may_post)))
        except BaseException as exc:  # noqa: B036 - handed to the caller's thread
            failures.append(exc)
            results.put(None)

    pending = len(jobs)
    runners, finished = _start(list(groups.values()), run, max_workers)
    try:
        while pending:
            try:
                try:  # a quick answer (a few posts to a fast Slack) keeps the sweep slot
                    first = results.get(timeout=QUICK_OUTCOME)
                except queue.Empty:  # nothing in yet: wait without holding a sweep slot
                    with SWEEP_SLOTS.released():
                        first = results.get(timeout=tick)
            except queue.Empty:
                yield []
                continue
            ready = _ready(results, first, pending)
            if failures:  # the outcomes that came before it, then the failure
                ready = [item for item in ready if item is not None]
            pending -= len(ready)
            if ready:
                yield ready  # type: ignore[misc]  # no None left in it: checked above
            if failures:
                raise failures[0]
    finally:  # as a pool's shutdown: every runner done before this returns or raises
        for _ in range(runners):
            finished.acquire()


def _outcome(
    job: Job,
    senders: dict[str, Sender],
    now: datetime,
    stop: threading.Event | None,
    may_post: Callable[[Job], bool] | None,
) -> Outcome:
    """Post one job (on its target's thread), or say why not."""
    sender = senders.get(job.alert.target_type)
    if stop is not None and stop.is_set():
        return Outcome(OUTCOME_DEFERRED, "deferred: the app was shutting down")
    if sender is None:
        return Outcome(OUTCOME_FAILED, f"no sender for {job.alert.target_type}")
    if may_post is not None and not may_post(job):
        return Outcome(OUTCOME_LOST, "another sweep holds the claim")
    try:
        if job.thread is None:
            return sender.send(job.alert, now, check_existing=job.check_existing)
        return sender.send(  # only Slack's sender takes a thread (sending.py)
            job.alert, now, check_existing=job.check_existing, thread=job.thread
        )  # type: ignore[call-arg]
    except Exception as exc:  # a bug must not stop other alerts
        log.exception("delivering %s failed", job.alert.key)
        return Outcome(OUTCOME_FAILED, f"{type(exc).__name__}: {exc}")


def _ready(
    results: queue.SimpleQueue[tuple[Job, Outcome] | None], first: tuple[Job, Outcome] | None, pending: int
) -> list[tuple[Job, Outcome] | None]:
    """`first` and everything already waiting behind it, without waiting for more (taken
    together, not one by one: a sweep of 250,000 alerts takes them in a few lists)."""
    ready = [first]
    while len(ready) < pending:
        try:
            ready.append(results.get_nowait())
        except queue.Empty:
            break
    return ready


def _start(
    groups: list[list[Job]], run: Callable[[list[Job]], None], max_workers: int
) -> tuple[int, threading.Semaphore]:
    """Start up to `max_workers` threads (bot/alerts/workers.py) that `run` the groups in turn;
    returns how many, and the semaphore each releases when done."""
    groups.reverse()  # taken from the end: in the order they came
    runners = min(max_workers, len(groups))
    finished = threading.Semaphore(0)

    def runner() -> None:
        try:
            while True:
                try:
                    group = groups.pop()
                except IndexError:
                    return
                run(group)
        finally:
            finished.release()

    for _ in range(runners):
        DELIVERY_THREADS.run(runner)
    return runners, finished


def build_senders(settings: Settings, store: Store | None = None) -> dict[str, Sender]:
    """The production senders: Slack when a bot token is set, Teams when webhooks are named,
    and the Teams bot's conversations (bot/alerts/teams_bot_sender.py) when the bot is on."""
    senders: dict[str, Sender] = {}
    if settings.slack_bot_token:
        senders["slack"] = SlackSender(slack_delivery_client(settings), settings)
    if settings.teams_webhooks:  # else no Teams sender, and no httpx loaded for one
        senders["teams"] = TeamsSender(settings.teams_webhooks, settings)
    if settings.teams_bot_enabled and store is not None:
        from bot.alerts.teams_bot_sender import teams_senders

        senders["teams"] = teams_senders(settings, store, senders.get("teams"))
    return senders


def close_senders(senders: dict[str, Sender]) -> None:
    for sender in senders.values():
        close = getattr(sender, "close", None)
        if close is not None:
            close()
