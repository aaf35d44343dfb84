"""Name matching for developers, models and deadlines: exact, partial, typos, ambiguity."""

from __future__ import annotations

from bot.deps import Deps
from bot.lookup import find_developer, find_subject
from storage.tracker import create_record


def test_developer_by_slug_name_case_and_spacing(deps: Deps) -> None:
    db = deps.store.db
    for typed in ("google-deepmind", "Google DeepMind", "GOOGLE deepmind", " googledeepmind "):
        assert find_developer(db, typed).record["id"] == "google-deepmind"  # type: ignore[index]


def test_small_typo_resolves_and_says_so(deps: Deps) -> None:
    match = find_developer(deps.store.db, "Microsfot")
    assert match.record is not None and match.record["id"] == "microsoft" and match.corrected


def test_unknown_gets_suggestions_ambiguous_gets_candidates(deps: Deps) -> None:
    db = deps.store.db
    create_record(
        db,
        "developer",
        {"name": "OpenAI Foundation", "status": "unknown"},
        actor="U1",
        at=deps.clock.now(),
        record_id="openai-foundation",
    )
    unknown = find_developer(db, "Mistral")
    assert unknown.record is None and not unknown.ambiguous
    assert find_developer(db, "Opan").suggestions[0].label in ("OpenAI", "OpenAI Foundation")
    ambiguous = find_developer(db, "open")
    assert ambiguous.ambiguous
    assert [c.label for c in ambiguous.candidates] == ["OpenAI", "OpenAI Foundation"]
    assert find_developer(db, "openai").record["id"] == "openai"  # type: ignore[index]  # exact wins
    assert find_developer(db, "").record is None


def test_subject_prefers_developers_then_models_then_deadlines(deps: Deps) -> None:
    db = deps.store.db
    assert find_subject(db, "meta").entity == "developer"
    assert find_subject(db, "muse spark").entity == "model"
    assert find_subject(db, "Meta Muse Spark").entity == "model"
    assert find_subject(db, "formal review process").entity == "deadline"
    assert find_subject(db, "deadline: formal").entity == "deadline"
    create_record(
        db, "model", {"developer_id": "openai", "name": "Muse Spark"}, actor="U1", at=deps.clock.now()
    )
    both = find_subject(db, "muse spark")
    assert both.ambiguous
    assert {c.label for c in both.candidates} == {"Meta / Muse Spark", "OpenAI / Muse Spark"}
    assert find_subject(db, "openai muse spark").record["developer_id"] == "openai"  # type: ignore[index]
