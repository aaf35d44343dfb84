"""The admin forms as Teams dialogs (the status form is in `dialogs`): deadline, model and
event (new or edited), a new developer, removing a model or a deadline (a confirmation, the
record's version checked), marking a fact contested and resolving or reopening a contest.

Each form is a list of inputs named by the Slack form's block ids, prefilled from the record,
so a submission is read, validated, version-checked and saved by the Slack form's code
(bot.admin's `submit_form_values`). Dates are `Input.Date` (YYYY-MM-DD, what the Slack
date pickers give); "known to the day/month/year" is a choice beside a date, as in Slack.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot import ids
from bot.cardkit import Element
from bot.domain import DEVELOPER_STATUS_LABELS, REVIEW_STATUS_LABELS
from storage.facts import EVENT_KIND_LABELS, list_events
from storage.tracker import DEADLINE_KINDS, list_deadlines, list_developers

PRECISIONS = [("day", "to the day"), ("month", "to the month"), ("year", "to the year")]
OUTCOMES = [
    ("open", "Not recorded (open)"),
    ("met", "Met"),
    ("missed", "Missed"),
    ("extended", "Extended (to the due date above)"),
]
SOURCE_INPUTS = (
    (ids.BLOCK_SOURCE, "Source: a link or a citation", "text", None),
    (ids.BLOCK_SOURCE_TITLE, "Source title (optional)", "text", None),
    (ids.BLOCK_SOURCE_PUBLISHED, "Source published (optional)", "date", None),
)
REMOVE_INPUTS = (
    (ids.BLOCK_CONFIRM, "Yes, remove it (its history is kept)", "confirm", None),
    (ids.BLOCK_NOTE, "Note", "multiline", None),
)
# form -> (entity, title, the inputs: (block id, label, kind, the record's column))
FORMS: dict[str, tuple[str, str, tuple[tuple[str, str, str, str | None], ...]]] = {
    "deadline": (
        "deadline",
        "Deadline",
        (
            (ids.BLOCK_TITLE, "Title", "text", "title"),
            (ids.BLOCK_DUE_DATE, "Due date", "date", "due_date"),
            (ids.BLOCK_KIND, "Kind", "deadline_kind", "kind"),
            (ids.BLOCK_OUTCOME, "Outcome", "outcome", "outcome"),
            (ids.BLOCK_NOTE, "Note", "multiline", "note"),
            *SOURCE_INPUTS,
        ),
    ),
    "model": (
        "model",
        "Model",
        (
            (ids.BLOCK_NAME, "Model name", "text", "name"),
            (ids.BLOCK_PLANNED_RELEASE, "Planned release", "date", "planned_release"),
            (ids.BLOCK_SUBMITTED, "Submitted for review", "date", "submitted"),
            (ids.BLOCK_RELEASED, "Released", "date", "released"),
            (ids.BLOCK_RELEASED_PRECISION, "Released date known", "precision", None),
            (ids.BLOCK_REVIEW_STATUS, "Review status", "review_status", "review_status"),
            (ids.BLOCK_NOTE, "Note", "multiline", "note"),
            *SOURCE_INPUTS,
        ),
    ),
    "event": (
        "event",
        "Development",
        (
            (ids.BLOCK_EVENT_KIND, "Kind", "event_kind", None),
            (ids.BLOCK_EFFECTIVE_DATE, "When it happened", "date", None),
            (ids.BLOCK_EFFECTIVE_PRECISION, "Known", "precision", None),
            (ids.BLOCK_SUMMARY, "What happened", "multiline", None),
            (ids.BLOCK_EVENT_DEVELOPERS, "Developers it concerns", "developers", None),
            (ids.BLOCK_NOTE, "Note", "multiline", None),
            *SOURCE_INPUTS,
        ),
    ),
    "developer": (
        "developer",
        "Add a developer",
        (
            (ids.BLOCK_NAME, "Name", "text", None),
            (ids.BLOCK_STATUS, "Agreement status", "developer_status", None),
            (ids.BLOCK_EFFECTIVE_DATE, "Effective date (when this status took effect)", "date", None),
            (ids.BLOCK_EFFECTIVE_PRECISION, "Known", "precision", None),
            *SOURCE_INPUTS,
            (ids.BLOCK_NOTE, "Note", "multiline", None),
        ),
    ),
    "remove_model": ("model", "Remove model", REMOVE_INPUTS),
    "remove_deadline": ("deadline", "Remove deadline", REMOVE_INPUTS),
    "contest": (
        "contest",
        "Mark a fact contested",
        (
            (ids.BLOCK_DEVELOPER, "Developer (or an event or a deadline below)", "developer", None),
            (ids.BLOCK_SUBJECT, "Or an event or a deadline", "subject", None),
            (ids.BLOCK_FACT, "Which fact", "fact", None),
            (ids.BLOCK_REASON, "Why it is contested (one line)", "text", None),
            (ids.BLOCK_CLAIM_A, "Claim 1", "multiline", None),
            (ids.BLOCK_CLAIM_A_NEW_SOURCE, "Claim 1: its source (a link or a citation)", "text", None),
            (ids.BLOCK_CLAIM_B, "Claim 2", "multiline", None),
            (ids.BLOCK_CLAIM_B_NEW_SOURCE, "Claim 2: its source (a link or a citation)", "text", None),
        ),
    ),
    "settle": (
        "contest",
        "Resolve or reopen a contest",
        (
            (ids.BLOCK_SETTLE, "Contest and outcome", "settle", None),
            *SOURCE_INPUTS,
            (ids.BLOCK_NOTE, "Note", "multiline", None),
        ),
    ),
}
# The inputs a new model adds: whose it is (an edited model keeps its developer).
NEW_MODEL_INPUTS = ((ids.BLOCK_DEVELOPER, "Developer", "developer", None),)
# Forms that open without a record (model and deadline: without one, a new one).
NEW_FORMS = frozenset({"event", "developer", "model", "deadline", "contest", "settle"})
# Defaults for choices the record does not fill, as the Slack forms preselect them.
DEFAULTS = {
    "precision": "day",
    "deadline_kind": "deadline",
    "outcome": "open",
    "developer_status": "unknown",
    "fact": "*",
}
MULTI_INPUTS = frozenset({ids.BLOCK_EVENT_DEVELOPERS})


def _subjects(db: Any) -> list[tuple[str, str]]:
    """The deadlines and the newest events, as the contest form's "or an event or a deadline"."""
    deadlines = [(f"deadline:{d['id']}", f"Deadline: {d['title']}"[:75]) for d in list_deadlines(db)]
    events = [(f"event:{e['id']}", f"Event: {e['summary']}"[:75]) for e in list_events(db, limit=50)]
    return (deadlines + events)[:100]


def _choices(kind: str, db: Any, extra: Mapping[str, list[tuple[str, str]]]) -> list[tuple[str, str]] | None:
    if kind in extra:
        return extra[kind]
    if kind == "deadline_kind":
        return [(k, k.replace("_", " ").capitalize()) for k in DEADLINE_KINDS]
    if kind == "outcome":
        return OUTCOMES
    if kind == "review_status":
        return list(REVIEW_STATUS_LABELS.items())
    if kind == "developer_status":
        return list(DEVELOPER_STATUS_LABELS.items())
    if kind == "event_kind":
        return list(EVENT_KIND_LABELS.items())
    if kind == "precision":
        return PRECISIONS
    if kind in ("developers", "developer"):
        return [(str(d["id"]), str(d["name"])) for d in list_developers(db)]
    if kind == "subject":
        return _subjects(db)
    if kind == "fact":
        from bot.admin import fact_choices

        return fact_choices()
    return None


def inputs_of(form: str, record: Mapping[str, Any]) -> tuple[tuple[str, str, str, str | None], ...]:
    """The form's inputs: (block id, label, kind, the record's column)."""
    inputs = FORMS[form][2]
    return NEW_MODEL_INPUTS + inputs if form == "model" and not record else inputs


def _element(block: str, label: str, kind: str, choices: list[tuple[str, str]] | None) -> Element:
    if choices is not None:
        return {
            "type": "Input.ChoiceSet",
            "id": block,
            "label": label,
            "style": "compact" if block not in MULTI_INPUTS else "expanded",
            "isMultiSelect": block in MULTI_INPUTS,
            "choices": [{"title": title, "value": key} for key, title in choices],
        }
    if kind == "date":
        return {"type": "Input.Date", "id": block, "label": label}
    if kind == "confirm":
        return {"type": "Input.Toggle", "id": block, "title": label, "valueOn": "yes", "valueOff": ""}
    return {"type": "Input.Text", "id": block, "label": label, "isMultiline": kind == "multiline"}


def form_inputs(
    db: Any,
    form: str,
    record: Mapping[str, Any],
    values: Mapping[str, Any],
    extra: Mapping[str, list[tuple[str, str]]] | None = None,
) -> list[tuple[str, Element]]:
    """The inputs of `form`, each with its block id: the values entered, else the record's
    (`extra`: choices by input kind the caller computes, such as the contests to settle)."""
    inputs: list[tuple[str, Element]] = []
    for block, label, kind, column in inputs_of(form, record):
        given = values.get(block)
        value = given if given not in (None, "", []) else (record.get(column) if column else None)
        value = value or DEFAULTS.get(kind)
        element = _element(block, label, kind, _choices(kind, db, extra or {}))
        if kind == "date":
            value = value if isinstance(value, str) and len(value) == 10 else None
        if kind == "confirm":
            value = "yes" if value and "yes" in value else None
        if value not in (None, "", []):
            element["value"] = ",".join(value) if isinstance(value, list) else str(value)
        inputs.append((block, element))
    return inputs


def form_values(
    form: str, data: Mapping[str, Any], record: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """A submission's inputs as the Slack form's flattened values (a multi-select or the
    confirmation box: a list)."""
    values: dict[str, Any] = {}
    for block, _label, _kind, _column in inputs_of(form, record or {}):
        raw = data.get(block)
        text = str(raw).strip() if raw is not None else ""
        if block in MULTI_INPUTS or block == ids.BLOCK_CONFIRM:
            values[block] = [v for v in text.split(",") if v]
        else:
            values[block] = text or None
    return values
