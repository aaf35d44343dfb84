"""Imported first by app.py: keep optional heavy libraries out of the running app.

sqlite-utils imports numpy and pandas when they are installed, only to accept their
values, which this app never stores. Keeping them out saves about 13 MiB of resident
memory and a tenth of a second of start-up (bench/, README "Benchmarks").
"""

from __future__ import annotations

import sys

for _optional in ("numpy", "pandas"):
    if _optional not in sys.modules:
        sys.modules[_optional] = None  # type: ignore[assignment]  # `import` then raises ImportError
