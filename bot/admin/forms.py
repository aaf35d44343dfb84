"""The admin modal forms: pure Block Kit builders, state flattening and validation.

Every form is prefilled with the record's current values and carries, in
`private_metadata` (JSON), the entity, the record id, the version it showed and the
channel to confirm in. Validation returns `{block_id: message}`, the shape Slack's
`response_action: "errors"` takes, so each problem shows under the field it is about.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlparse

from bot import ids, menus
from bot.blockkit import (
    MAX_PRIVATE_METADATA,
    Block,
    clip,
    context,
    escape,
    fmt_date,
    plain,
    safe,
    section,
)
from bot.domain import DEVELOPER_STATUS_LABELS, REVIEW_STATUS_LABELS
from storage.tracker import DEADLINE_KINDS, DEVELOPER_STATUSES, REVIEW_STATUSES

MAX_NAME = 80
MAX_TITLE = 150
MAX_NOTE = 2000
MAX_SOURCE = 500
MIN_YEAR, MAX_YEAR = 2000, 2100

DEADLINE_KIND_LABELS = {
    "deadline": "Deadline",
    "comment_period": "Comment period",
    "hearing": "Hearing",
    "effective_date": "Effective date",
    "other": "Other",
}
ENTITY_LABELS = {"developer": "developer", "model": "model", "deadline": "deadline"}

Values = dict[str, Any]
Errors = dict[str, str]


# ---------------------------------------------------------------- state and metadata


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


# ---------------------------------------------------------------- Block Kit pieces


def _text(
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


def _datepicker(initial: str | None) -> Block:
    element: Block = {"type": "datepicker", "action_id": ids.ACTION_FIELD, "placeholder": plain("YYYY-MM-DD")}
    if initial:
        element["initial_date"] = str(initial)[:10]
    return element


def _checkbox(label: str, value: str, checked: bool) -> Block:
    option = menus.option(value, label)
    element: Block = {"type": "checkboxes", "action_id": ids.ACTION_FIELD, "options": [option]}
    if checked:
        element["initial_options"] = [option]
    return element


def _input(
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


def _source_input(initial: str | None, *, optional: bool) -> Block:
    return _input(
        ids.BLOCK_SOURCE,
        "Source",
        _text(initial, max_length=MAX_SOURCE, placeholder="https://... or a citation"),
        optional=optional,
        hint="A link (http or https) or citation text, e.g. 'NYT, June 3, 2026'.",
    )


def _note_input(initial: str | None) -> Block:
    return _input(
        ids.BLOCK_NOTE,
        "Note",
        _text(initial, max_length=MAX_NOTE, multiline=True),
        optional=True,
        hint="Why it changed, or context worth keeping in history.",
    )


def _contested_input(checked: bool) -> Block:
    return _input(
        ids.BLOCK_CONTESTED,
        "Contested",
        _checkbox("This fact is disputed by another source", "contested", checked),
        optional=True,
    )


def _modal(
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


# ---------------------------------------------------------------- the forms


def status_form(
    developer: dict[str, Any],
    *,
    channel: str | None = None,
    source: str | None = None,
    note: str | None = None,
) -> Block:
    """Update developer status; choosing another developer reloads the form for it."""
    blocks = [
        _input(
            ids.BLOCK_DEVELOPER,
            "Developer",
            menus.type_ahead_menu(
                menus.DEVELOPERS, initial=developer, action_id=ids.ACTION_FORM_DEVELOPER_PICK
            ),
            dispatch=True,
        ),
        _input(
            ids.BLOCK_STATUS,
            "Agreement status",
            menus.static_menu(list(DEVELOPER_STATUS_LABELS.items()), developer["status"], "Status"),
        ),
        _input(
            ids.BLOCK_EFFECTIVE_DATE,
            "Effective date",
            _datepicker(developer.get("status_since")),
            hint="The day this status took effect.",
        ),
        _source_input(source if source is not None else developer.get("source"), optional=False),
        _note_input(note if note is not None else developer.get("note")),
        _contested_input(bool(developer.get("contested"))),
        context(
            f"Last changed by {escape(developer.get('updated_by') or 'unknown')} "
            f"({escape(developer.get('updated_at') or '')}); version {developer['version']}."
        ),
    ]
    metadata = dump_metadata(
        entity="developer", id=developer["id"], version=developer["version"], channel=channel
    )
    return _modal(ids.VIEW_DEVELOPER_STATUS, "Update status", blocks, metadata)


def developer_form(*, channel: str | None = None) -> Block:
    """Add a developer to the tracker."""
    blocks = [
        _input(ids.BLOCK_NAME, "Name", _text(None, max_length=MAX_NAME, placeholder="e.g. Mistral AI")),
        _input(
            ids.BLOCK_STATUS,
            "Agreement status",
            menus.static_menu(list(DEVELOPER_STATUS_LABELS.items()), "unknown", "Status"),
        ),
        _input(
            ids.BLOCK_EFFECTIVE_DATE,
            "Effective date",
            _datepicker(None),
            hint="The day this status took effect.",
        ),
        _source_input(None, optional=False),
        _note_input(None),
        _contested_input(False),
    ]
    return _modal(
        ids.VIEW_ADD_DEVELOPER, "Add developer", blocks, dump_metadata(entity="developer", channel=channel)
    )


def model_form(
    model: dict[str, Any] | None = None,
    *,
    developer: dict[str, Any] | None = None,
    channel: str | None = None,
) -> Block:
    """Add a model (model=None) or edit one; `developer` (a developer row) is preselected:
    the model's own when editing."""
    current = model or {}
    blocks = [
        _input(
            ids.BLOCK_DEVELOPER,
            "Developer",
            menus.type_ahead_menu(menus.DEVELOPERS, initial=developer),
        ),
        _input(ids.BLOCK_NAME, "Model name", _text(current.get("name"), max_length=MAX_NAME)),
        _input(
            ids.BLOCK_PLANNED_RELEASE,
            "Planned release",
            _datepicker(current.get("planned_release")),
            optional=True,
            hint="Its review window opens 30 days before (submission due).",
        ),
        _input(
            ids.BLOCK_SUBMITTED, "Submitted for review", _datepicker(current.get("submitted")), optional=True
        ),
        _input(ids.BLOCK_RELEASED, "Released", _datepicker(current.get("released")), optional=True),
        _input(
            ids.BLOCK_REVIEW_STATUS,
            "Review status",
            menus.static_menu(
                list(REVIEW_STATUS_LABELS.items()),
                current.get("review_status") or "not_submitted",
                "Review status",
            ),
        ),
        _source_input(current.get("source"), optional=True),
        _note_input(current.get("note")),
    ]
    if model is None:
        return _modal(ids.VIEW_MODEL, "Add model", blocks, dump_metadata(entity="model", channel=channel))
    metadata = dump_metadata(entity="model", id=model["id"], version=model["version"], channel=channel)
    return _modal(ids.VIEW_MODEL, "Edit model", blocks, metadata)


def deadline_form(deadline: dict[str, Any] | None = None, *, channel: str | None = None) -> Block:
    """Add a deadline (deadline=None) or edit one."""
    current = deadline or {}
    blocks = [
        _input(ids.BLOCK_TITLE, "Title", _text(current.get("title"), max_length=MAX_TITLE)),
        _input(ids.BLOCK_DUE_DATE, "Due date", _datepicker(current.get("due_date"))),
        _input(
            ids.BLOCK_KIND,
            "Kind",
            menus.static_menu(list(DEADLINE_KIND_LABELS.items()), current.get("kind") or "deadline", "Kind"),
        ),
        _source_input(current.get("source"), optional=False),
        _note_input(current.get("note")),
        _contested_input(bool(current.get("contested"))),
    ]
    if deadline is None:
        return _modal(
            ids.VIEW_DEADLINE, "Add deadline", blocks, dump_metadata(entity="deadline", channel=channel)
        )
    metadata = dump_metadata(
        entity="deadline", id=deadline["id"], version=deadline["version"], channel=channel
    )
    return _modal(ids.VIEW_DEADLINE, "Edit deadline", blocks, metadata)


def pick_form(entity: str, purpose: str, *, empty: bool = False, channel: str | None = None) -> Block:
    """Choose the model or deadline to edit or remove, in a type-ahead menu."""
    noun = ENTITY_LABELS[entity]
    if empty:
        return notice_view(f"No {noun}s", f"There are no {noun}s in the tracker yet.")
    hint = (
        "Type part of the developer or model name, e.g. 'Meta Muse Spark'."
        if entity == "model"
        else "Type part of the title."
    )
    element = menus.type_ahead_menu(menus.MENU_KINDS[entity])
    blocks = [_input(ids.BLOCK_PICK, f"Which {noun}?", element, hint=hint)]
    verb = "Edit" if purpose == "edit" else "Remove"
    return _modal(
        ids.VIEW_PICK_RECORD,
        f"{verb} {noun}",
        blocks,
        dump_metadata(entity=entity, purpose=purpose, channel=channel),
        submit="Next",
    )


def remove_form(entity: str, record: dict[str, Any], label: str, *, channel: str | None = None) -> Block:
    """Confirm a removal: the box must be ticked; the record's history is kept."""
    noun = ENTITY_LABELS[entity]
    lines = [f"*{safe(label, 200)}*"]
    if entity == "model":
        lines.append(f"Planned release: {fmt_date(_as_date(record.get('planned_release')))}")
    else:
        lines.append(f"Due: {fmt_date(_as_date(record.get('due_date')))}")
    blocks = [
        section("\n".join(lines)),
        _input(
            ids.BLOCK_CONFIRM,
            "Confirm",
            _checkbox(f"Yes, remove this {noun} (its history is kept)", "yes", False),
        ),
        _note_input(None),
    ]
    metadata = dump_metadata(entity=entity, id=record["id"], version=record["version"], channel=channel)
    return _modal(ids.VIEW_REMOVE_CONFIRM, f"Remove {noun}", blocks, metadata, submit="Remove")


def notice_view(title: str, text: str) -> Block:
    """A modal that only tells something (no submit button)."""
    view = _modal(ids.VIEW_ADMIN_NOTICE, title, [section(escape(text))], "", submit=None)
    view["close"] = plain("OK")
    return view


def admin_menu_blocks() -> list[Block]:
    """The `/aireview admin` menu: one button per admin form."""

    def button(text: str, action_id: str) -> Block:
        return {"type": "button", "text": plain(text), "action_id": action_id}

    return [
        section("*Review Watch admin*: what do you want to change?"),
        {
            "type": "actions",
            "block_id": "admin_menu_status",
            "elements": [
                button("Update developer status", ids.ACTION_ADMIN_UPDATE_STATUS),
                button("Add developer", ids.ACTION_ADMIN_ADD_DEVELOPER),
            ],
        },
        {
            "type": "actions",
            "block_id": "admin_menu_models",
            "elements": [
                button("Add model", ids.ACTION_ADMIN_ADD_MODEL),
                button("Edit model", ids.ACTION_ADMIN_EDIT_MODEL),
                button("Remove model", ids.ACTION_ADMIN_REMOVE_MODEL),
            ],
        },
        {
            "type": "actions",
            "block_id": "admin_menu_deadlines",
            "elements": [
                button("Add deadline", ids.ACTION_ADMIN_ADD_DEADLINE),
                button("Edit deadline", ids.ACTION_ADMIN_EDIT_DEADLINE),
                button("Remove deadline", ids.ACTION_ADMIN_REMOVE_DEADLINE),
            ],
        },
        context("Every change is kept in history with your name, its source and note."),
    ]


# ---------------------------------------------------------------- validation


def _as_date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


_URLISH = re.compile(r"^[a-z][a-z0-9+.-]*://|^www\.", re.IGNORECASE)


def source_problem(text: str) -> str | None:
    """Why a source cannot be used, or None. Citation text is fine; a URL must be http(s)."""
    if not _URLISH.match(text) and not text.lower().startswith(("http:", "https:")):
        return None
    parsed = urlparse(text)
    if parsed.scheme.lower() not in ("http", "https"):
        return "A source link must start with http:// or https:// (or write a citation instead)."
    if not parsed.hostname or " " in text:
        return "This link has no valid host: use a full address such as https://example.gov/page."
    return None


@dataclass
class FormReader:
    """Reads flattened form values into column values, collecting errors per block."""

    values: Values
    errors: Errors = field(default_factory=dict)

    def _fail(self, block: str, message: str) -> None:
        self.errors.setdefault(block, message)

    def text(self, block: str, label: str, *, limit: int, required: bool = False) -> str | None:
        value = self.values.get(block)
        if value is not None and not isinstance(value, str):
            self._fail(block, f"{label} must be text.")
            return None
        if not value:
            if required:
                self._fail(block, f"{label} is required.")
            return None
        if len(value) > limit:
            self._fail(block, f"{label} is {len(value)} characters long; the limit is {limit}.")
        return value

    def choice(self, block: str, label: str, allowed: tuple[str, ...]) -> str | None:
        value = self.values.get(block)
        if not value:
            self._fail(block, f"{label} is required.")
            return None
        if value not in allowed:
            self._fail(block, f"Choose one of the offered values for {label.lower()}.")
            return None
        return str(value)

    def day(self, block: str, label: str, *, required: bool = False) -> str | None:
        value = self.values.get(block)
        if not value:
            if required:
                self._fail(block, f"{label} is required.")
            return None
        parsed = _as_date(value) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(value)) else None
        if parsed is None:
            self._fail(block, f"{label} must be a date such as 2026-07-31.")
            return None
        if not MIN_YEAR <= parsed.year <= MAX_YEAR:
            self._fail(block, f"{label} must be between the years {MIN_YEAR} and {MAX_YEAR}.")
            return None
        return parsed.isoformat()

    def source(self, *, required: bool) -> str | None:
        value = self.text(ids.BLOCK_SOURCE, "Source", limit=MAX_SOURCE, required=required)
        if value:
            problem = source_problem(value)
            if problem:
                self._fail(ids.BLOCK_SOURCE, problem)
        return value

    def flag(self, block: str, value: str) -> bool:
        ticked = self.values.get(block) or []
        return isinstance(ticked, list) and value in ticked


def read_status(values: Values) -> tuple[str | None, dict[str, Any], Errors]:
    """(developer id, changes, errors) from the status form."""
    form = FormReader(values)
    developer_id = form.text(ids.BLOCK_DEVELOPER, "Developer", limit=MAX_NAME, required=True)
    changes = {
        "status": form.choice(ids.BLOCK_STATUS, "Agreement status", DEVELOPER_STATUSES),
        "status_since": form.day(ids.BLOCK_EFFECTIVE_DATE, "Effective date", required=True),
        "source": form.source(required=True),
        "note": form.text(ids.BLOCK_NOTE, "Note", limit=MAX_NOTE),
        "contested": int(form.flag(ids.BLOCK_CONTESTED, "contested")),
    }
    return developer_id, changes, form.errors


def read_new_developer(values: Values) -> tuple[dict[str, Any], Errors]:
    form = FormReader(values)
    changes = {
        "name": form.text(ids.BLOCK_NAME, "Name", limit=MAX_NAME, required=True),
        "status": form.choice(ids.BLOCK_STATUS, "Agreement status", DEVELOPER_STATUSES),
        "status_since": form.day(ids.BLOCK_EFFECTIVE_DATE, "Effective date", required=True),
        "source": form.source(required=True),
        "note": form.text(ids.BLOCK_NOTE, "Note", limit=MAX_NOTE),
        "contested": int(form.flag(ids.BLOCK_CONTESTED, "contested")),
    }
    return changes, form.errors


def read_model(values: Values) -> tuple[dict[str, Any], Errors]:
    form = FormReader(values)
    changes = {
        "developer_id": form.text(ids.BLOCK_DEVELOPER, "Developer", limit=MAX_NAME, required=True),
        "name": form.text(ids.BLOCK_NAME, "Model name", limit=MAX_NAME, required=True),
        "planned_release": form.day(ids.BLOCK_PLANNED_RELEASE, "Planned release"),
        "submitted": form.day(ids.BLOCK_SUBMITTED, "Submitted"),
        "released": form.day(ids.BLOCK_RELEASED, "Released"),
        "review_status": form.choice(ids.BLOCK_REVIEW_STATUS, "Review status", REVIEW_STATUSES),
        "source": form.source(required=False),
        "note": form.text(ids.BLOCK_NOTE, "Note", limit=MAX_NOTE),
    }
    if changes["submitted"] and changes["released"] and changes["submitted"] > changes["released"]:
        form.errors.setdefault(ids.BLOCK_SUBMITTED, "Submitted cannot be after the release date.")
    return changes, form.errors


def read_deadline(values: Values) -> tuple[dict[str, Any], Errors]:
    form = FormReader(values)
    changes = {
        "title": form.text(ids.BLOCK_TITLE, "Title", limit=MAX_TITLE, required=True),
        "due_date": form.day(ids.BLOCK_DUE_DATE, "Due date", required=True),
        "kind": form.choice(ids.BLOCK_KIND, "Kind", DEADLINE_KINDS),
        "source": form.source(required=True),
        "note": form.text(ids.BLOCK_NOTE, "Note", limit=MAX_NOTE),
        "contested": int(form.flag(ids.BLOCK_CONTESTED, "contested")),
    }
    return changes, form.errors


# ---------------------------------------------------------------- confirmation


FIELD_LABELS = {
    "name": "name",
    "title": "title",
    "status": "status",
    "status_since": "effective date",
    "developer_id": "developer",
    "planned_release": "planned release",
    "submitted": "submitted",
    "released": "released",
    "review_status": "review status",
    "due_date": "due date",
    "kind": "kind",
    "note": "note",
    "source": "source",
    "contested": "contested",
    "agreement_date": "agreement date",
    "as_of": "as of",
}


def _shown(field_name: str, value: Any) -> str:
    if value is None or value == "":
        return "(empty)"
    if field_name == "contested":
        return "yes" if value else "no"
    if field_name == "status":
        return DEVELOPER_STATUS_LABELS.get(value, str(value))
    if field_name == "review_status":
        return REVIEW_STATUS_LABELS.get(value, str(value))
    if field_name == "kind":
        return DEADLINE_KIND_LABELS.get(value, str(value))
    return str(value)


def change_lines(before: dict[str, Any], after: dict[str, Any], fields: tuple[str, ...]) -> list[str]:
    """'• status: Negotiating → Signed' for each field that differs (as_of left out)."""
    lines = []
    for name in fields:
        if name == "as_of" or str(before.get(name)) == str(after.get(name)):
            continue
        lines.append(
            f"• {FIELD_LABELS.get(name, name)}: {safe(_shown(name, before.get(name)), 200)}"
            f" → {safe(_shown(name, after.get(name)), 200)}"
        )
    return lines
