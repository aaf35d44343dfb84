"""Imported first by app.py: keep optional heavy libraries out of the running app.

sqlite-utils imports numpy and pandas when they are installed, only to accept their
values, which this app never stores. Keeping them out saves about 13 MiB of resident
memory and a tenth of a second of start-up (bench/, README "Benchmarks").

It also caps glibc's malloc arenas at two (what MALLOC_ARENA_MAX=2 does), before any thread
starts: each Bolt, waitress and scheduler thread would otherwise get an arena of its own
that keeps freed memory resident (about 1 MiB after a burst of concurrent requests).
And `return_freed_memory`, which the running app calls whenever no thread holds a database
connection (storage/db.py `Store.on_quiet`, wired in app.py), hands glibc's free pages back.
"""

from __future__ import annotations

import ctypes
import functools
import sys
from collections.abc import Callable

_M_ARENA_MAX = -8  # glibc's mallopt parameter


def _cap_malloc_arenas(arenas: int = 2) -> None:
    try:
        ctypes.CDLL(None).mallopt(_M_ARENA_MAX, arenas)  # the process's own symbols: libc's
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to cap
        pass


_cap_malloc_arenas()


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        trim: Callable[[int], int] = ctypes.CDLL(None).malloc_trim
        return trim
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to return
        return None


def return_freed_memory() -> None:
    """Hand the heap's free pages back to the operating system.

    glibc keeps what is freed (a closed connection's page cache and schema, a dropped page
    cache, an answer's buffers) in its heaps, so the process stays at the size of its
    busiest moment: about 3 MiB more after a burst of concurrent questions (README
    "Benchmarks", Memory). `malloc_trim(0)` returns whole free pages in well under a
    millisecond; it runs after the work is done."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


_KEPT_OUT = ("numpy", "pandas")

for _optional in _KEPT_OUT:
    if _optional not in sys.modules:
        sys.modules[_optional] = None  # type: ignore[assignment]  # `import` then raises ImportError


def allow(name: str) -> None:
    """Let a feature that needs `name` import it after all (the timeline picture needs numpy
    through matplotlib); sqlite-utils looked for it once, at its own import, and keeps its answer."""
    if name in _KEPT_OUT and name in sys.modules and sys.modules[name] is None:
        del sys.modules[name]
