"""Finding a developer, model or deadline from what a user typed.

Case-insensitive, by slug or display name, ignoring spaces and punctuation
("google deepmind" = "google-deepmind" = "Google DeepMind"); a unique partial name is
enough; a small typo is tolerated; otherwise the Match carries the candidates (ambiguous)
or the closest names (did you mean). `rank` applies the same rules to type-ahead menus:
every name that fits, most relevant first.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database

from bot.blockkit import fmt_when
from storage.facts import EVENT_KIND_LABELS
from storage.sources import source_label
from storage.tracker import (
    deadline_titles,
    developer_names,
    get_record,
    latest_history_id,
    model_names,
)

# A typo is tolerated (the name resolves) at this similarity or above...
TYPO_CUTOFF = 0.8
# ...and names at least this close are offered as "did you mean".
SUGGEST_CUTOFF = 0.5
# A type-ahead menu lists, after every name that fits, the names at least this close (a
# typo in a partly typed name: "develper 15" is 0.77 from "developer150labs").
RANK_CUTOFF = 0.6
MAX_CANDIDATES = 10
MAX_RANKED = 100  # Slack shows at most 100 options in a menu
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
    detail: str = ""  # shown under the label in a menu, e.g. a deadline's due date


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
Keyed = tuple[Candidate, tuple[str, ...]]


def developer_keys(developers: Iterable[dict[str, Any]]) -> list[Keyed]:
    return [developer_keyed(d["id"], d["name"]) for d in developers]


@functools.lru_cache(maxsize=4096)
def developer_keyed(developer_id: str, name: str) -> Keyed:
    """A developer's candidate and keys, remembered by its id and name (all they are made
    of), so the names are not normalised again on every question."""
    return (Candidate("developer", developer_id, name), (normalise(developer_id), normalise(name)))


def model_keys(models: Iterable[dict[str, Any]]) -> list[Keyed]:
    """Models answer to their name, and to it after their developer's name or slug."""
    return [model_keyed(m["id"], m["name"], m["developer_id"], m.get("developer_name")) for m in models]


# Candidates and keys are remembered by everything they are made of (the arguments), so
# finding a name does not normalise every name again on every question.
KEYED_MEMO = 16384


@functools.lru_cache(maxsize=KEYED_MEMO)
def model_keyed(model_id: int | str, name: str, developer_id: str, developer_name: str | None) -> Keyed:
    dev_name = developer_name or developer_id
    keys: tuple[str, ...] = (
        normalise(name),
        normalise(dev_name + name),
        normalise(developer_id + name),
    )
    return (Candidate("model", str(model_id), f"{dev_name} / {name}"), keys)


def deadline_keys(deadlines: Iterable[dict[str, Any]]) -> list[Keyed]:
    return [deadline_keyed(d["id"], d["title"], d["due_date"]) for d in deadlines]


@functools.lru_cache(maxsize=KEYED_MEMO)
def deadline_keyed(deadline_id: int | str, title: str, due_date: str | None) -> Keyed:
    return (Candidate("deadline", str(deadline_id), title, f"Due {due_date}"), (normalise(title),))


def event_label(event: dict[str, Any]) -> str:
    """'June 2026 · Statement: Meta says …'."""
    kind = EVENT_KIND_LABELS.get(event["kind"], event["kind"])
    return f"{fmt_when(event['effective'], 'date not reported')} · {kind}: {event['summary']}"


def event_keys(events: Iterable[dict[str, Any]]) -> list[Keyed]:
    """Events answer to their summary (and to it after their kind: 'statement meta')."""
    keyed: list[Keyed] = []
    for e in events:
        kind = EVENT_KIND_LABELS.get(e["kind"], e["kind"])
        keys = (normalise(e["summary"]), normalise(kind + e["summary"]))
        keyed.append((Candidate("event", str(e["id"]), event_label(e)), keys))
    return keyed


def subject_keys(rows: Iterable[dict[str, Any]]) -> list[Keyed]:
    """Events and deadlines in one list (rows carry `entity`), as 'event:3' and 'deadline:1'."""
    keyed: list[Keyed] = []
    for row in rows:
        if row["entity"] == "event":
            [(c, keys)] = event_keys([row])
            label, detail = c.label, "Event"
        else:
            [(c, keys)] = deadline_keys([row])
            label, detail = f"Deadline · {c.label}", c.detail
        keyed.append((Candidate("subject", f"{row['entity']}:{row['id']}", label, detail), keys))
    return keyed


def _url_key(url: str) -> str:
    """A link as people type it: without the scheme and "www."."""
    return normalise(re.sub(r"^[a-z][a-z0-9+.-]*://(www\.)?", "", url.strip(), flags=re.IGNORECASE))


def source_keys(sources: Iterable[dict[str, Any]]) -> list[Keyed]:
    """Sources answer to their title, publisher, citation and link."""
    keyed: list[Keyed] = []
    for s in sources:
        keys = [normalise(s[f]) for f in ("title", "publisher", "citation") if s.get(f)]
        if s.get("url"):
            keys.append(_url_key(s["url"]))
        label = source_label(s)
        detail = s.get("url") or ""
        keyed.append((Candidate("source", str(s["id"]), label, detail), tuple(k for k in keys if k)))
    return keyed


def _unique(candidates: Iterable[Candidate]) -> list[Candidate]:
    seen: dict[tuple[str, str], Candidate] = {}
    for c in candidates:
        seen.setdefault((c.entity, c.id), c)
    return list(seen.values())


def close_keys(word: str, keys: Sequence[str], limit: int | None, cutoff: float) -> list[tuple[str, float]]:
    """The keys within `cutoff` similarity of `word` (0..1, difflib's ratio: twice the
    common characters over both lengths), closest first."""
    from rapidfuzz import fuzz, process  # C speed: 15,000 model keys in about a millisecond

    found = process.extract(word, keys, scorer=fuzz.ratio, limit=limit, score_cutoff=cutoff * 100)
    return [(key, score / 100) for key, score, _ in found]


def _resolve(db: Database, query: str, groups: list[list[Keyed]]) -> Match:
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
        for key, ratio in close_keys(word, all_keys, 20, SUGGEST_CUTOFF):
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
    return _resolve(db, text, [[developer_keyed(i, n) for i, n in developer_names(db)]])


def find_subject(db: Database, text: str) -> Match:
    """A developer, model or deadline by name, for history; developers win ties.

    A prefix `developer:`, `model:` or `deadline:` restricts the search to that kind.
    """
    kind, sep, rest = text.partition(":")
    kinds = {"developer", "model", "deadline"}
    only = kind.strip().lower() if sep and kind.strip().lower() in kinds else None
    query = rest if only else text
    groups: list[list[Keyed]] = []
    if only in (None, "developer"):
        groups.append([developer_keyed(i, n) for i, n in developer_names(db)])
    if only in (None, "model"):
        groups.append([model_keyed(*m) for m in model_names(db)])
    if only in (None, "deadline"):
        groups.append([deadline_keyed(*d) for d in deadline_titles(db)])
    return _resolve(db, query, groups)


# ---------------------------------------------------------------- type-ahead menus


class NameIndex:
    """One kind's candidates and their keys, ready for `rank` and for finding one by id."""

    _SEP = "\x00"  # never in a normalised key (letters and digits only)

    def __init__(self, keyed: list[Keyed]) -> None:
        self.keyed = keyed
        self.by_id = {c.id: c for c, _ in keyed}
        self._by_key: dict[str, list[int]] = {}
        for n, (_, keys) in enumerate(keyed):
            for key in keys:
                self._by_key.setdefault(key, []).append(n)
        self._keys = list(self._by_key)
        # Each candidate's keys in one string, "\0key1\0key2": a key starting with `w` is
        # the substring "\0w", and a word inside any key is a substring, so each test
        # below is one C-level search (5,000 models in a few milliseconds).
        self._joined = [self._SEP + self._SEP.join(keys) for _, keys in keyed]

    def rank(self, query: str, limit: int = MAX_RANKED) -> list[Candidate]:
        """What `query` could name, most relevant first, at most `limit`: the matching rules
        of `find_developer`, applied to a partly typed name.

        A key equal to the query, then keys starting with it, then names holding every
        word typed; only when nothing fits, the names within a small typo, closest first.
        Within each step the candidates keep their listed (alphabetical) order; an empty
        query lists the first `limit`.
        """
        wanted = normalise(query)
        if not wanted:
            return [c for c, _ in self.keyed[:limit]]
        exact = self._by_key.get(wanted, [])
        taken = set(exact)
        start = self._SEP + wanted
        order = [*exact, *(n for n, j in enumerate(self._joined) if start in j and n not in taken)]
        if len(order) < limit:
            first, *others = _tokens(query)
            holding = [n for n, j in enumerate(self._joined) if first in j]
            for token in others:  # narrowed word by word: one search per name and word
                holding = [n for n in holding if token in self._joined[n]]
            taken.update(order)
            order += [n for n in holding if n not in taken]
        if not order:  # a typo; a candidate has a few keys, so 4 x limit keys fill the menu
            for key, _ in close_keys(wanted, self._keys, 4 * limit, RANK_CUTOFF):
                for n in self._by_key[key]:
                    if n not in taken:
                        taken.add(n)
                        order.append(n)
        return [self.keyed[n][0] for n in order[:limit]]


Stamp = Callable[[Database], object]


class NameIndexCache:
    """A NameIndex per kind, rebuilt only when its records changed.

    A kind's stamp tells whether its index is current: by default the newest history id
    (every tracker write adds a history row in the same transaction), one indexed read
    instead of re-reading 5,000 models at each keystroke. Safe from Bolt's worker threads.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[object, NameIndex]] = {}

    def get(
        self,
        db: Database,
        kind: str,
        build: Callable[[Database], list[Keyed]],
        stamp: Stamp = latest_history_id,
    ) -> NameIndex:
        current = stamp(db)
        with self._lock:
            entry = self._entries.get(kind)
        if entry is not None and entry[0] == current:
            return entry[1]
        index = NameIndex(build(db))
        with self._lock:
            self._entries[kind] = (current, index)
        return index
