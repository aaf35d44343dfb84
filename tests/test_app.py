"""app.py's own wiring (the commands themselves are tested through `python app.py` in
tests/bot/ops and tests/handlers)."""

from __future__ import annotations

import subprocess
import sys

from app import build_deps
from bot.clock import FixedClock
from bot.ops.memory import return_freed_memory
from bot.settings import Settings
from tests.support.paths import PROJECT_ROOT


def test_the_running_apps_store_hands_freed_memory_back_when_quiet(
    settings: Settings, clock: FixedClock
) -> None:
    deps = build_deps(settings, clock)
    try:
        assert deps.store.on_quiet is return_freed_memory
        deps.store.release()  # the last connection back: runs it (a no-op outside glibc)
    finally:
        deps.store.close()


def test_memory_tricks_happen_at_start_up_not_on_import() -> None:
    # A fresh interpreter: importing the app changes nothing; main()'s first step keeps
    # numpy out of sqlite-utils (and `allow` lets the picture have it back).
    probe = (
        "import sys, app\n"
        "print('numpy' in sys.modules)\n"
        "app.prepare_process()\n"
        "import sqlite_utils\n"
        "print(sys.modules.get('numpy', 'absent'))\n"
        "from bot.ops.memory import allow\n"
        "allow('numpy')\n"
        "import numpy\n"
        "print(numpy.__name__)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["False", "None", "numpy"]
