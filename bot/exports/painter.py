"""Drawing pictures away from the server: one worker process that draws the timeline and
exits when it has had nothing to do for a while.

matplotlib and numpy hold about 57 MiB once imported, and a process keeps that for good.
Drawn in a worker started with the "spawn" method (a fresh interpreter, nothing inherited
from the server's heap), the server never imports them: it sends the picture's plain rows
(`Timeline`) and gets the PNG bytes back. The first picture after the worker left pays
for a new one (about a second); a burst of pictures (a tracker edit, the App Home, a
weekly briefing) shares one.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from bot.deps import Painter
from bot.exports.timeline_rows import Timeline

log = logging.getLogger(__name__)

# Seconds without a picture to draw before the worker exits (and its memory with it), when
# no caller says otherwise; the running app passes REVIEWWATCH_PICTURE_WORKER_IDLE (the same
# 30 by default; Settings.picture_worker_idle).
IDLE_SECONDS = 30.0
# Longest wait for one picture: the worker's start plus a drawing of the largest tracker.
DRAW_TIMEOUT_SECONDS = 120.0


def _render(timeline: Timeline, fit: int | None) -> tuple[bytes, bytes | None]:
    """Runs in the worker."""
    from bot.exports.timeline_draw import render_pngs

    return render_pngs(timeline, fit)


class PictureWorker:
    """A one-process pool, started on the first picture and shut down `idle_seconds` after
    the last one finished. Safe to use from several threads; pictures queue in the worker."""

    def __init__(self, idle_seconds: float = IDLE_SECONDS) -> None:
        self.idle_seconds = idle_seconds
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None
        self._busy = 0
        self._last_done = 0.0
        self._timer: threading.Timer | None = None

    def draw(
        self, timeline: Timeline, fit: int | None = None, *, idle_seconds: float | None = None
    ) -> tuple[bytes, bytes | None]:
        """The PNG (and, with `fit`, a copy at most `fit` pixels on either side). With
        `idle_seconds`, the worker exits that long after its last picture from now on."""
        for attempt in (1, 2):
            pool = self._enter(idle_seconds)
            try:
                return pool.submit(_render, timeline, fit).result(DRAW_TIMEOUT_SECONDS)
            except BrokenProcessPool:  # the worker died (killed, out of memory): one new try
                log.warning("the drawing worker stopped unexpectedly (attempt %d)", attempt)
                self._discard(pool)
                if attempt == 2:
                    raise
            finally:
                self._leave()
        raise AssertionError("unreachable")

    @property
    def running(self) -> bool:
        with self._lock:
            return self._pool is not None

    def close(self) -> None:
        """Stop the worker now (it starts again with the next picture)."""
        with self._lock:
            pool, self._pool = self._pool, None
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)

    def _enter(self, idle_seconds: float | None) -> ProcessPoolExecutor:
        with self._lock:
            if idle_seconds is not None:
                self.idle_seconds = idle_seconds
            self._busy += 1
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    max_workers=1, mp_context=multiprocessing.get_context("spawn")
                )
            return self._pool

    def _leave(self) -> None:
        with self._lock:
            self._busy -= 1
            self._last_done = time.monotonic()
            if self._busy == 0 and self._timer is None and self._pool is not None:
                self._arm(self.idle_seconds)

    def _arm(self, delay: float) -> None:
        self._timer = threading.Timer(delay, self._close_if_idle)
        self._timer.daemon = True
        self._timer.name = "picture-worker-idle"
        self._timer.start()

    def _close_if_idle(self) -> None:
        with self._lock:
            self._timer = None
            if self._pool is None or self._busy:
                return
            left = self.idle_seconds - (time.monotonic() - self._last_done)
            if left > 0:  # a picture was drawn since the timer was set: wait the rest
                self._arm(left)
                return
            pool, self._pool = self._pool, None
        pool.shutdown(wait=True)

    def _discard(self, pool: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._pool is pool:
                self._pool = None
        pool.shutdown(wait=False, cancel_futures=True)


WORKER = PictureWorker()


def draw_pngs(
    timeline: Timeline,
    fit: int | None = None,
    *,
    idle_seconds: float = IDLE_SECONDS,
    painter: Painter | None = None,
) -> tuple[bytes, bytes | None]:
    """The timeline as PNG bytes, drawn by `painter` (by default the process's shared worker,
    which exits `idle_seconds` after its last picture)."""
    return (painter or WORKER).draw(timeline, fit, idle_seconds=idle_seconds)
