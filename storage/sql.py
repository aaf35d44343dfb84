"""Small helpers for writing SQL text: the one place a list of `?` placeholders is built."""

from __future__ import annotations

from collections.abc import Sized


def placeholders(values: Sized) -> str:
    """`?, ?, ?` with one mark per value, for `IN (...)` lists and `VALUES (...)` rows."""
    return ", ".join("?" * len(values))
