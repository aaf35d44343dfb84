"""Imported first by app.py: keep optional heavy libraries out of the running app.

sqlite-utils imports numpy and pandas when they are installed, only to accept their
values, which this app never stores. Keeping them out saves about 13 MiB of resident
memory and a tenth of a second of start-up (bench/, README "Benchmarks").
"""

from __future__ import annotations

import sys

_KEPT_OUT = ("numpy", "pandas")

for _optional in _KEPT_OUT:
    if _optional not in sys.modules:
        sys.modules[_optional] = None  # type: ignore[assignment]  # `import` then raises ImportError


def allow(name: str) -> None:
    """Let a feature that needs `name` import it after all (the timeline picture needs numpy
    through matplotlib); sqlite-utils looked for it once, at its own import, and keeps its answer."""
    if name in _KEPT_OUT and name in sys.modules and sys.modules[name] is None:
        del sys.modules[name]
