"""Finding a developer, model or deadline from what a user typed.

Case-insensitive, by slug or display name, ignoring spaces and punctuation
("google deepmind" = "google-deepmind" = "Google DeepMind"); a unique partial name is
enough; a small typo is tolerated; otherwise the Match carries the candidates (ambiguous)
or the closest names (did you mean).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database

from storage.tracker import get_record, list_deadlines, list_developers, list_models

# A typo is tolerated (the name resolves) at this similarity or above...
TYPO_CUTOFF = 0.8
# ...and names at least this close are offered as "did you mean".
SUGGEST_CUTOFF = 0.5
MAX_CANDIDATES = 10
_NON_ALNUM = re.compile(r"[\W_]+")


def normalise(text: str) -> str:
    return _NON_ALNUM.sub("", text.casefold())


def _tokens(text: str) -> list[str]:
    return [t for t in (normalise(w) for w in text.split()) if t]


@dataclass(frozen=True)
class Candidate:
    entity: str  # developer | model | deadline
    id: str
    label: str  # "Meta", "Meta / Muse Spark", a deadline title


@dataclass
class Match:
    query: str
    entity: str | None = None
    record: dict[str, Any] | None = None
    corrected: bool = False  # resolved from a near miss (a typo)
    candidates: list[Candidate] = field(default_factory=list)  # several fit: say which
    suggestions: list[Candidate] = field(default_factory=list)  # none fit: did you mean
    total_candidates: int = 0

    @property
    def found(self) -> bool:
        return self.record is not None

    @property
    def ambiguous(self) -> bool:
        return self.record is None and bool(self.candidates)


# (candidate, the normalised keys it answers to)
_Keyed = tuple[Candidate, tuple[str, ...]]


def _developer_keys(developers: Iterable[dict[str, Any]]) -> list[_Keyed]:
    return [
        (Candidate("developer", d["id"], d["name"]), (normalise(d["id"]), normalise(d["name"])))
        for d in developers
    ]


def _model_keys(models: Iterable[dict[str, Any]]) -> list[_Keyed]:
    keyed: list[_Keyed] = []
    for m in models:
        dev_name = m.get("developer_name") or m["developer_id"]
        keys: tuple[str, ...] = (
            normalise(m["name"]),
            normalise(dev_name + m["name"]),
            normalise(m["developer_id"] + m["name"]),
        )
        keyed.append((Candidate("model", str(m["id"]), f"{dev_name} / {m['name']}"), keys))
    return keyed


def _deadline_keys(deadlines: Iterable[dict[str, Any]]) -> list[_Keyed]:
    return [(Candidate("deadline", str(d["id"]), d["title"]), (normalise(d["title"]),)) for d in deadlines]


def _unique(candidates: Iterable[Candidate]) -> list[Candidate]:
    seen: dict[tuple[str, str], Candidate] = {}
    for c in candidates:
        seen.setdefault((c.entity, c.id), c)
    return list(seen.values())


def _resolve(db: Database, query: str, groups: list[list[_Keyed]]) -> Match:
    """Exact, then partial, then fuzzy; earlier groups win ties at each step."""
    match = Match(query=query)
    wanted = normalise(query)
    if not wanted:
        return match

    def found(candidate: Candidate, corrected: bool = False) -> Match:
        match.entity = candidate.entity
        match.record = get_record(db, candidate.entity, candidate.id)
        match.corrected = corrected
        return match

    def several(candidates: list[Candidate]) -> Match:
        match.total_candidates = len(candidates)
        match.candidates = sorted(candidates, key=lambda c: c.label.casefold())[:MAX_CANDIDATES]
        return match

    for group in groups:  # exact
        exact = _unique(c for c, keys in group if wanted in keys)
        if len(exact) == 1:
            return found(exact[0])
        if exact:
            return several(exact)

    tokens = _tokens(query)
    for group in groups:  # every word appears in the name (a unique partial name is enough)
        partial = _unique(c for c, keys in group if all(any(t in k for k in keys) for t in tokens))
        if len(partial) == 1:
            return found(partial[0])
        if partial:
            return several(partial)

    scored: dict[tuple[str, str], tuple[float, Candidate]] = {}
    by_key: dict[str, list[Candidate]] = {}
    for group in groups:
        for candidate, keys in group:
            for key in keys:
                by_key.setdefault(key, []).append(candidate)
    all_keys = list(by_key)

    def score(word: str) -> list[tuple[float, Candidate]]:
        for key in difflib.get_close_matches(word, all_keys, n=20, cutoff=SUGGEST_CUTOFF):
            ratio = difflib.SequenceMatcher(None, word, key).ratio()
            for candidate in by_key[key]:
                ident = (candidate.entity, candidate.id)
                if ident not in scored or scored[ident][0] < ratio:
                    scored[ident] = (ratio, candidate)
        return sorted(scored.values(), key=lambda rc: (-rc[0], rc[1].label.casefold()))

    # The whole name, nearly right: a typo, resolved.
    ranked = score(wanted)
    if ranked and ranked[0][0] >= TYPO_CUTOFF:
        best = ranked[0][0]
        tied = [c for r, c in ranked if r >= best - 0.02]
        if len(tied) == 1:
            return found(tied[0], corrected=True)
        return several(tied)
    # Otherwise offer what is close to the whole name or to any one word of it.
    for token in tokens:
        if len(tokens) > 1 and len(token) >= 3:
            ranked = score(token)
    match.suggestions = [c for _, c in ranked[:3]]
    return match


def find_developer(db: Database, text: str) -> Match:
    """The tracked developer `text` names (slug or display name, any case, small typos)."""
    return _resolve(db, text, [_developer_keys(list_developers(db))])


def find_subject(db: Database, text: str) -> Match:
    """A developer, model or deadline by name, for history; developers win ties.

    A prefix `developer:`, `model:` or `deadline:` restricts the search to that kind.
    """
    kind, sep, rest = text.partition(":")
    kinds = {"developer", "model", "deadline"}
    only = kind.strip().lower() if sep and kind.strip().lower() in kinds else None
    query = rest if only else text
    groups: list[list[_Keyed]] = []
    if only in (None, "developer"):
        groups.append(_developer_keys(list_developers(db)))
    if only in (None, "model"):
        groups.append(_model_keys(list_models(db)))
    if only in (None, "deadline"):
        groups.append(_deadline_keys(list_deadlines(db)))
    return _resolve(db, query, groups)
