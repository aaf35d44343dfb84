"""How the read answers state what backs a fact: its sources on one line, its open contests
("Contested: A says X; B says Y"), and the plain words around a count."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.deps import Deps
from storage.facts import contests_for, open_contests, source_label


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


@dataclass(frozen=True)
class ContestedFact:
    """One open contest: what it is about, why, and each competing claim with its source."""

    label: str  # 'Meta', or an event's kind, developers and summary
    entity: str  # developer | model | deadline | event | framework
    reason: str
    claims: tuple[tuple[str, str], ...]  # (claim, its source's label)

    @property
    def lines(self) -> list[str]:
        """'Meta (developer): reason', then '– <source> says “claim”' per claim."""
        return [f"{self.label} ({self.entity}): {self.reason}"] + [
            f"– {source} says “{text}”" for text, source in self.claims
        ]


def contested_facts(deps: Deps, limit: int) -> tuple[list[ContestedFact], int]:
    """(the first `limit`, how many in all) open contests on every kind of record, events included."""
    found, total = open_contests(deps.store.db, limit)
    return [
        ContestedFact(label, c.entity, c.reason, tuple((k.text, k.source_label) for k in c.claims))
        for label, c in found
    ], total
