"""tests/conftest.py's LONGEST_FIRST names test files that exist (a renamed or split file
would otherwise fall back to collection order, handed out last)."""

from __future__ import annotations

from tests.conftest import LONGEST_FIRST
from tests.support.paths import PROJECT_ROOT


def test_every_file_started_first_exists_once() -> None:
    assert [path for path in LONGEST_FIRST if not (PROJECT_ROOT / path).is_file()] == []
    assert len(set(LONGEST_FIRST)) == len(LONGEST_FIRST)
