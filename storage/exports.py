"""Reads for exports: whole tables, in the order a spreadsheet reader expects."""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database


def all_history(db: Database) -> list[dict[str, Any]]:
    """Every history row, oldest first (a spreadsheet reads top to bottom)."""
    return list(db.query("SELECT * FROM history ORDER BY at, id"))
