"""Imported first by app.py: keep optional heavy libraries out of the running app.

sqlite-utils imports numpy and pandas when they are installed, only to accept their
values, which this app never stores. Keeping them out saves about 13 MiB of resident
memory and a tenth of a second of start-up (bench/, README "Benchmarks").

It also caps glibc's malloc arenas at two (what MALLOC_ARENA_MAX=2 does), before any thread
starts: each Bolt, waitress and scheduler thread would otherwise get an arena of its own
that keeps freed memory resident (about 1 MiB after a burst of concurrent requests).
"""

from __future__ import annotations

import ctypes
import sys

_M_ARENA_MAX = -8  # glibc's mallopt parameter


def _cap_malloc_arenas(arenas: int = 2) -> None:
    try:
        ctypes.CDLL(None).mallopt(_M_ARENA_MAX, arenas)  # the process's own symbols: libc's
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to cap
        pass


_cap_malloc_arenas()

_KEPT_OUT = ("numpy", "pandas")

for _optional in _KEPT_OUT:
    if _optional not in sys.modules:
        sys.modules[_optional] = None  # type: ignore[assignment]  # `import` then raises ImportError


def allow(name: str) -> None:
    """Let a feature that needs `name` import it after all (the timeline picture needs numpy
    through matplotlib); sqlite-utils looked for it once, at its own import, and keeps its answer."""
    if name in _KEPT_OUT and name in sys.modules and sys.modules[name] is None:
        del sys.modules[name]
