"""How the read answers state what backs a fact: its sources on one line, its open contests
("Contested: A says X; B says Y"), and the plain words around a count."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.deps import Deps
from storage.facts import contests_for, source_label


def plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def labels(sources: list[dict[str, Any]]) -> list[str]:
    return [source_label(s) for s in sources]


def sources_text(labels: list[str]) -> str | None:
    """The sources of one fact on one line (None: not recorded)."""
    return "; ".join(labels) if labels else None


def contest_lines(deps: Deps, entity: str, ids: list[str]) -> dict[str, list[str]]:
    """Each record's open contests, as 'Contested: A says X; B says Y' lines."""
    found = contests_for(deps.store.db, entity, ids)
    return {k: [c.line for c in v] for k, v in found.items()}


@dataclass(frozen=True)
class Fact:
    """One stated fact with what backs it: its sources, its as-of and any open contests."""

    label: str
    value: str
    sources: str | None
    as_of: str | None = None
    contests: tuple[str, ...] = ()
