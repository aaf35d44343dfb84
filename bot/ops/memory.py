"""The process's memory tricks, each called once by app.py at start-up (nothing happens on
import), each with what it buys as measured by bench/ (docs/benchmarks.md, Memory):

- `keep_optional_libraries_out`: sqlite-utils imports numpy and pandas when they are
  installed, only to accept their values, which this app never stores. Keeping them out
  saves about 13 MiB resident and a tenth of a second of start-up. It must run before
  sqlite-utils is first imported; `allow` lets the timeline picture import numpy later.
- `cap_malloc_arenas`: glibc gives each thread (Bolt's, waitress's, the scheduler's) a malloc
  arena of its own that keeps freed memory resident; two arenas (what MALLOC_ARENA_MAX=2
  does) save about 1 MiB after a burst of concurrent requests. It must run before any
  thread starts.
- `return_freed_memory`: called whenever no thread holds a database connection
  (storage/db.py `Store.on_quiet`, wired in app.py); hands glibc's free pages back, about
  3 MiB after a burst of questions, in well under a millisecond.

On a C library other than glibc (musl, macOS) the last two do nothing.
"""

from __future__ import annotations

import ctypes
import functools
import sys
from collections.abc import Callable

_M_ARENA_MAX = -8  # glibc's mallopt parameter
_KEPT_OUT = ("numpy", "pandas")


def prepare_process() -> None:
    """Everything start-up does for memory, in the order it must happen: before sqlite-utils
    is imported and before any thread starts. Safe to call more than once."""
    keep_optional_libraries_out()
    cap_malloc_arenas()


def keep_optional_libraries_out() -> None:
    """Make `import numpy` / `import pandas` fail until `allow` says otherwise."""
    for name in _KEPT_OUT:
        if name not in sys.modules:
            sys.modules[name] = None  # type: ignore[assignment]  # `import` then raises ImportError


def allow(name: str) -> None:
    """Let a feature that needs `name` import it after all (the timeline picture needs numpy
    through matplotlib); sqlite-utils looked for it once, at its own import, and keeps its answer."""
    if name in _KEPT_OUT and name in sys.modules and sys.modules[name] is None:
        del sys.modules[name]


@functools.cache
def _libc() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL(None)  # the process's own symbols: libc's
    except OSError:
        return None


def cap_malloc_arenas(arenas: int = 2) -> None:
    """At most `arenas` glibc malloc arenas for the whole process."""
    mallopt = getattr(_libc(), "mallopt", None)
    if mallopt is not None:
        mallopt(_M_ARENA_MAX, arenas)


def return_freed_memory() -> None:
    """Hand the heap's free pages back to the operating system (glibc keeps what is freed, so
    the process would otherwise stay at the size of its busiest moment)."""
    trim: Callable[[int], int] | None = getattr(_libc(), "malloc_trim", None)
    if trim is not None:
        trim(0)
