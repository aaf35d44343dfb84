"""What every admin form is made of: the field limits and choices, the Block Kit inputs
(text, date and how much of it is known, the source part, the note), the modal itself, and
the two ends of a form's life in Slack: the context it carries in `private_metadata` (JSON:
the entity, the record id, the version it showed, the channel to confirm in) and the
submitted `view.state` flattened to `{block_id: value}`."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot import ids, menus
from bot.blockkit import MAX_PRIVATE_METADATA, Block, clip, escape, plain, section
from storage.dates import parse_partial

# Field lengths the forms allow (Slack enforces them in the inputs; validation again).
MAX_NAME = 80
MAX_TITLE = 150
MAX_NOTE = 2000
MAX_SOURCE = 500
MAX_SUMMARY = 1000
MAX_CLAIM = 500
MAX_REASON = 200
MIN_YEAR, MAX_YEAR = 2000, 2100

OUTCOME_LABELS = {
    "open": "Not recorded (open)",
    "met": "Met",
    "missed": "Missed",
    "extended": "Extended (to the due date above)",
}
DEADLINE_KIND_LABELS = {
    "deadline": "Deadline",
    "comment_period": "Comment period",
    "hearing": "Hearing",
    "effective_date": "Effective date",
    "other": "Other",
}
# The facts a contest may be about ('*': the record as a whole).
FACT_CHOICES = [
    ("*", "The record as a whole"),
    ("status", "Status (developers)"),
    ("status_since", "Since (developers)"),
    ("agreement_date", "Agreement date (developers)"),
    ("name", "Name"),
    ("summary", "What happened (events)"),
    ("effective", "When it happened (events)"),
    ("due_date", "Due date (deadlines)"),
]
PRECISION_CHOICES = [("day", "the day"), ("month", "the month only"), ("year", "the year only")]

Values = dict[str, Any]
Errors = dict[str, str]


def as_date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _element_value(element: dict[str, Any]) -> Any:
    kind = element.get("type")
    if kind in ("static_select", "external_select", "radio_buttons"):
        option = element.get("selected_option")
        return option.get("value") if option else None
    if kind in ("checkboxes", "multi_static_select", "multi_external_select"):
        return [o.get("value") for o in element.get("selected_options") or []]
    for key in (
        "selected_date",
        "selected_time",
        "selected_date_time",
        "selected_user",
        "selected_conversation",
        "selected_channel",
    ):
        if key in element:
            return element[key]
    value = element.get("value")
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def flatten_state(view_state: dict[str, Any] | None) -> Values:
    """`view.state` as `{block_id: value}` (our form blocks hold one element each).

    Selects give the selected option's value, checkboxes the list of ticked values,
    date pickers the date string, text inputs the stripped text (None when empty).
    """
    flat: Values = {}
    for block_id, elements in ((view_state or {}).get("values") or {}).items():
        for element in (elements or {}).values():
            flat[block_id] = _element_value(element or {})
    return flat


def dump_metadata(**fields: Any) -> str:
    text = json.dumps({k: v for k, v in fields.items() if v is not None}, separators=(",", ":"))
    if len(text) > MAX_PRIVATE_METADATA:  # only ids and a channel go in: never this long
        raise ValueError("private_metadata too long")
    return text


def load_metadata(text: str | None) -> dict[str, Any]:
    """The form's context; {} when missing or not ours (a forged view gets inline errors)."""
    try:
        data = json.loads(text or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def text_input(
    initial: str | None, *, max_length: int, multiline: bool = False, placeholder: str | None = None
) -> Block:
    element: Block = {
        "type": "plain_text_input",
        "action_id": ids.ACTION_FIELD,
        "max_length": max_length,
        "multiline": multiline,
    }
    if initial:
        element["initial_value"] = clip(str(initial), max_length)
    if placeholder:
        element["placeholder"] = plain(placeholder)
    return element


def datepicker(initial: str | None) -> Block:
    element: Block = {"type": "datepicker", "action_id": ids.ACTION_FIELD, "placeholder": plain("YYYY-MM-DD")}
    if initial:
        element["initial_date"] = str(initial)[:10]
    return element


def checkbox(label: str, value: str, checked: bool) -> Block:
    option = menus.option(value, label)
    element: Block = {"type": "checkboxes", "action_id": ids.ACTION_FIELD, "options": [option]}
    if checked:
        element["initial_options"] = [option]
    return element


def input_block(
    block_id: str,
    label: str,
    element: Block,
    *,
    optional: bool = False,
    hint: str | None = None,
    dispatch: bool = False,
) -> Block:
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "label": plain(label, 2000),
        "element": element,
        "optional": optional,
    }
    if hint:
        block["hint"] = plain(hint, 2000)
    if dispatch:
        block["dispatch_action"] = True
    return block


@dataclass
class SourceFields:
    """What the source part of a form shows: whether there are recorded sources to pick
    from (a type-ahead menu taking several), the ones picked (source rows), and a new
    source's prefilled fields (e.g. from a news item)."""

    recorded: bool = False
    picked: list[dict[str, Any]] = field(default_factory=list)  # the sources it cites now
    url: str | None = None
    title: str | None = None
    published: str | None = None  # at its precision: 2026-06-02, 2026-06 or 2026


def source_inputs(fields: SourceFields | None, *, optional: bool) -> list[Block]:
    """Pick recorded sources (one or several: the fact cites them all), and/or describe a new
    one (its link or citation, title, and published date at the precision it gives)."""
    fields = fields or SourceFields()
    blocks: list[Block] = []
    if fields.recorded:
        blocks.append(
            input_block(
                ids.BLOCK_SOURCE_PICK,
                "Sources (already recorded)",
                menus.multi_type_ahead_menu(menus.SOURCES, initial=fields.picked),
                optional=True,
                hint="Every report or page that states this (several if they agree). Or add a new one below.",
            )
        )
    new_hint = "A link (http or https) or a citation, e.g. 'Federal Register notice 2026-1234'."
    blocks += [
        input_block(
            ids.BLOCK_SOURCE,
            "New source: link or citation",
            text_input(fields.url, max_length=MAX_SOURCE, placeholder="https://... or a citation"),
            optional=optional or fields.recorded,
            hint=new_hint,
        ),
        input_block(
            ids.BLOCK_SOURCE_TITLE,
            "New source: title or publisher",
            text_input(fields.title, max_length=MAX_TITLE),
            optional=True,
        ),
        *dated_inputs(
            ids.BLOCK_SOURCE_PUBLISHED,
            ids.BLOCK_SOURCE_PUBLISHED_PRECISION,
            "New source: published",
            fields.published,
            optional=True,
            hint="When the source was published; choose the month or the year below if it gives no day.",
        ),
    ]
    return blocks


def dated_inputs(
    date_block: str,
    precision_block: str,
    label: str,
    initial: str | None,
    *,
    optional: bool,
    hint: str,
) -> list[Block]:
    """A date and how much of it is known (a month-precision date is stored as 2026-05)."""
    parsed = parse_partial(initial) if initial else None
    return [
        input_block(
            date_block,
            label,
            datepicker(parsed.first_day.isoformat() if parsed else None),
            optional=optional,
            hint=hint,
        ),
        input_block(
            precision_block,
            f"{label}: known to",
            menus.static_menu(PRECISION_CHOICES, parsed.precision if parsed else "day", "Known to"),
            optional=True,
            hint='If the source gives only the month ("in May"), choose the month: no day is made up.',
        ),
    ]


def note_input(initial: str | None) -> Block:
    return input_block(
        ids.BLOCK_NOTE,
        "Note",
        text_input(initial, max_length=MAX_NOTE, multiline=True),
        optional=True,
        hint="Why it changed, or context worth keeping in history.",
    )


def modal_view(
    callback_id: str, title: str, blocks: list[Block], metadata: str, submit: str | None = "Save"
) -> Block:
    view: Block = {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain(title, 24),
        "close": plain("Cancel"),
        "blocks": blocks,
        "private_metadata": metadata,
    }
    if submit:
        view["submit"] = plain(submit, 24)
    return view


def notice_view(title: str, text: str) -> Block:
    """A modal that only tells something (no submit button)."""
    view = modal_view(ids.VIEW_ADMIN_NOTICE, title, [section(escape(text))], "", submit=None)
    view["close"] = plain("OK")
    return view
