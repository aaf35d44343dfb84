"""Threads kept for the next delivery: one process-wide cache, not a new pool per sweep.

A sweep delivers on one thread per target (bot/alerts/delivery.py). Starting those threads
afresh for every sweep is a fixed cost that OAuth mode pays once per workspace and run
(docs/workspaces.md, "Many workspaces"): 1,000 workspaces with 3 channels each started
about 2,000 threads a run. `ThreadCache` hands a task to an idle thread when there is one
and starts a new thread otherwise, so it never queues a task behind another: a workspace
whose Slack is slow holds its own threads, never another's. A thread idle for `idle_seconds`
ends: long enough for a run's workspaces, one after another, to reuse them; kept longer (a
minute), the idle threads of a big run held about 200 MB more between runs in the benchmark.

`CpuSlots` (SWEEP_SLOTS) lets one workspace's sweep at a time do its own work (planning,
claiming, writing: Python, which runs one thread at a time anyway); the others wait for the
slot. A sweep gives it up whenever it waits on something else: its deliveries, and every
Slack call made on its thread (handlers/tenancy.py `SlotFreeWebClient`: names, corrections).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import Any

IDLE_SECONDS = 2.0  # a run reuses them workspace after workspace; between runs they end

Task = Callable[[], Any]


class _Worker:
    __slots__ = ("task", "wake")

    def __init__(self) -> None:
        self.task: Task | None = None
        self.wake = threading.Event()


class ThreadCache:
    """Runs each task at once on a thread of its own, reusing idle threads (module docstring)."""

    def __init__(self, name: str, idle_seconds: float = IDLE_SECONDS) -> None:  # noqa: D107
        self.name = name
        self.idle_seconds = idle_seconds
        self._lock = threading.Lock()
        self._idle: list[_Worker] = []
        self._started = 0

    def run(self, task: Task) -> None:
        """Start `task` now, on an idle thread or a new one. Its exceptions are the task's to
        handle: one that escapes is dropped, and the thread goes on serving."""
        with self._lock:
            worker = self._idle.pop() if self._idle else None
            if worker is None:
                self._started += 1
                number = self._started
        if worker is not None:
            worker.task = task
            worker.wake.set()
            return
        worker = _Worker()
        worker.task = task
        thread = threading.Thread(
            target=self._serve, args=(worker,), name=f"{self.name}-{number}", daemon=True
        )
        thread.start()

    def idle(self) -> int:
        """How many threads wait for a task now."""
        with self._lock:
            return len(self._idle)

    def _serve(self, worker: _Worker) -> None:
        while True:
            task, worker.task = worker.task, None
            if task is not None:
                try:
                    task()
                except BaseException:  # noqa: BLE001, S110 - the task reports its own failures
                    pass
                task = None  # drop what it holds before waiting
            worker.wake.clear()
            with self._lock:
                self._idle.append(worker)
            if worker.wake.wait(self.idle_seconds):
                continue
            with self._lock:
                if worker in self._idle:  # not handed a task meanwhile: end
                    self._idle.remove(worker)
                    return
            worker.wake.wait()  # handed one just as the wait ran out: serve it


class CpuSlots:
    """At most `size` threads at a time doing a sweep's own work (planning, claiming, writing)
    in OAuth mode, where up to eight workspaces sweep side by side: each SQLite call hands the
    interpreter's lock to another sweep and back, and two sweeps at once spent about half as
    much CPU again on those hand-overs as one at a time (docs/benchmarks.md, issue 28).

    A sweep gives its slot up while it waits (`released`: for its deliveries, for Slack). A
    thread waits at most `wait` seconds for a slot and then goes on without one: a wait not
    foreseen here, made while holding the slot, delays another workspace by that much at most.
    The wait must be longer than the slot is held, or the waiters all time out and run side by
    side anyway: with 20 ms and eight workspaces' threads, most sweeps ran without a slot."""

    def __init__(self, size: int, wait: float) -> None:  # noqa: D107
        self._slots = threading.Semaphore(size)
        self._local = threading.local()
        self.wait = wait

    def holds(self) -> bool:
        return bool(getattr(self._local, "held", False))

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        """Run the block in a slot (or without one, after `wait`)."""
        self._local.held = self._slots.acquire(timeout=self.wait)
        try:
            yield
        finally:
            if self.holds():
                self._slots.release()
            self._local.held = False

    @contextlib.contextmanager
    def released(self) -> Iterator[None]:
        """Give the slot up for the block (a wait for other threads), then take one again."""
        if not self.holds():
            yield
            return
        self._slots.release()
        self._local.held = False
        try:
            yield
        finally:
            self._local.held = self._slots.acquire(timeout=self.wait)


# A sweep's own work runs in one workspace's thread at a time (OAuth mode).
SWEEP_SLOTS = CpuSlots(1, wait=1.0)
