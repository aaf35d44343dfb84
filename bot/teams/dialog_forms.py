"""The deadline, model and event forms as Teams dialogs (the status form is in `dialogs`).

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
from bot.domain import REVIEW_STATUS_LABELS
from storage.facts import EVENT_KIND_LABELS
from storage.tracker import DEADLINE_KINDS, list_developers

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
}
MULTI_INPUTS = frozenset({ids.BLOCK_EVENT_DEVELOPERS})


def _choices(kind: str, db: Any) -> list[tuple[str, str]] | None:
    if kind == "deadline_kind":
        return [(k, k.replace("_", " ").capitalize()) for k in DEADLINE_KINDS]
    if kind == "outcome":
        return OUTCOMES
    if kind == "review_status":
        return list(REVIEW_STATUS_LABELS.items())
    if kind == "event_kind":
        return list(EVENT_KIND_LABELS.items())
    if kind == "precision":
        return PRECISIONS
    if kind == "developers":
        return [(str(d["id"]), str(d["name"])) for d in list_developers(db)]
    return None


def form_inputs(
    db: Any, form: str, record: Mapping[str, Any], values: Mapping[str, Any]
) -> list[tuple[str, Element]]:
    """The inputs of `form`, each with its block id: the values entered, else the record's."""
    inputs: list[tuple[str, Element]] = []
    for block, label, kind, column in FORMS[form][2]:
        given = values.get(block)
        value = given if given not in (None, "", []) else (record.get(column) if column else None)
        if kind == "precision" and not value:
            value = "day"
        choices = _choices(kind, db)
        element: Element
        if choices is not None:
            element = {
                "type": "Input.ChoiceSet",
                "id": block,
                "label": label,
                "style": "compact" if block not in MULTI_INPUTS else "expanded",
                "isMultiSelect": block in MULTI_INPUTS,
                "choices": [{"title": title, "value": key} for key, title in choices],
            }
        elif kind == "date":
            element = {"type": "Input.Date", "id": block, "label": label}
            value = value if isinstance(value, str) and len(value) == 10 else None
        else:
            element = {"type": "Input.Text", "id": block, "label": label, "isMultiline": kind == "multiline"}
        if value not in (None, "", []):
            element["value"] = ",".join(value) if isinstance(value, list) else str(value)
        inputs.append((block, element))
    return inputs


def form_values(form: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """A submission's inputs as the Slack form's flattened values (a multi-select: a list)."""
    values: dict[str, Any] = {}
    for block, _label, _kind, _column in FORMS[form][2]:
        raw = data.get(block)
        text = str(raw).strip() if raw is not None else ""
        if block in MULTI_INPUTS:
            values[block] = [v for v in text.split(",") if v]
        else:
            values[block] = text or None
    return values
