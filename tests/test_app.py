"""app.py's own wiring (the commands themselves are tested through `python app.py` in
tests/bot/ops and tests/handlers)."""

from __future__ import annotations

import bot.lean_imports
from app import build_deps
from bot.clock import FixedClock
from bot.settings import Settings


def test_the_running_apps_store_hands_freed_memory_back_when_quiet(
    settings: Settings, clock: FixedClock
) -> None:
    deps = build_deps(settings, clock)
    try:
        assert deps.store.on_quiet is bot.lean_imports.return_freed_memory
        deps.store.release()  # the last connection back: runs it (a no-op outside glibc)
    finally:
        deps.store.close()
