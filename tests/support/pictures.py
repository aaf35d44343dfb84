"""A painter for tests' Deps that remembers the pictures it drew (tests/conftest.py `deps`).

Hundreds of tests open an App Home or ask for the timeline on the same seeded tracker at the
same fixed clock: the same picture each time, drawn by the real worker process (about half
a second of CPU each, longer under load). This painter hands each picture, by the data it
shows, to the real drawing worker (bot/exports/painter.py) the first time and gives the
same bytes back after that, which is what drawing again gives (the drawing is deterministic:
tests/bot/exports/test_timeline.py draws one picture in two workers and compares them).
Tests of the worker itself use `PictureWorker` directly.

The worker is kept for the whole run (KEEP_WORKER_S) instead of leaving after the app's idle
time (30 s): pictures come at intervals through a run, and each new worker costs one to two
CPU-seconds to start (an interpreter, matplotlib). `idle_seconds` reaching the worker as the
app passes it is tested on `PictureWorker` itself (tests/bot/exports/test_timeline.py).
"""

from __future__ import annotations

import pickle
import threading
from collections import OrderedDict
from typing import Any

KEEP_WORKER_S = 3600.0  # seconds without a picture before the tests' drawing worker leaves


class RememberingPainter:
    """The process's drawing worker, with the last `keep` pictures remembered by their data."""

    def __init__(self, keep: int = 64) -> None:
        self.keep = keep
        self.drawn = 0  # pictures the worker drew (not remembered ones)
        self._lock = threading.Lock()
        self._pictures: OrderedDict[bytes, tuple[bytes, bytes | None]] = OrderedDict()

    def draw(
        self, timeline: Any, fit: int | None = None, *, idle_seconds: float | None = None
    ) -> tuple[bytes, bytes | None]:
        key = pickle.dumps((timeline, fit))
        with self._lock:
            picture = self._pictures.get(key)
            if picture is not None:
                self._pictures.move_to_end(key)
                return picture
        from bot.exports.painter import WORKER  # the picture code loads when first used

        picture = WORKER.draw(timeline, fit, idle_seconds=KEEP_WORKER_S)
        with self._lock:
            self.drawn += 1
            self._pictures[key] = picture
            while len(self._pictures) > self.keep:
                self._pictures.popitem(last=False)
        return picture


REMEMBERING_PAINTER = RememberingPainter()
