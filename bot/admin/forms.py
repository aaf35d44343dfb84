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
from storage.dates import PartialDate, parse_partial
from storage.facts import EVENT_KIND_LABELS, EVENT_KINDS
from storage.tracker import DEADLINE_KINDS, DEVELOPER_STATUSES, REVIEW_STATUSES

MAX_NAME = 80
MAX_TITLE = 150
MAX_NOTE = 2000
MAX_SOURCE = 500
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


@dataclass
class SourceFields:
    """What the source part of a form shows: whether there are recorded sources to pick
    from (a type-ahead menu), the one picked (a source row), and a new source's prefilled
    fields (e.g. from a news item)."""

    recorded: bool = False
    picked: dict[str, Any] | None = None
    url: str | None = None
    title: str | None = None
    published: str | None = None  # YYYY-MM-DD


def _source_inputs(fields: SourceFields | None, *, optional: bool) -> list[Block]:
    """Pick a recorded source, or describe a new one (its link or citation, title, date)."""
    fields = fields or SourceFields()
    blocks: list[Block] = []
    if fields.recorded:
        blocks.append(
            _input(
                ids.BLOCK_SOURCE_PICK,
                "Source (already recorded)",
                menus.type_ahead_menu(menus.SOURCES, initial=fields.picked),
                optional=True,
                hint="The report or page that states this. Or add a new source below.",
            )
        )
    new_hint = "A link (http or https) or a citation, e.g. 'Federal Register notice 2026-1234'."
    blocks += [
        _input(
            ids.BLOCK_SOURCE,
            "New source: link or citation",
            _text(fields.url, max_length=MAX_SOURCE, placeholder="https://... or a citation"),
            optional=optional or fields.recorded,
            hint=new_hint,
        ),
        _input(
            ids.BLOCK_SOURCE_TITLE,
            "New source: title or publisher",
            _text(fields.title, max_length=MAX_TITLE),
            optional=True,
        ),
        _input(
            ids.BLOCK_SOURCE_PUBLISHED,
            "New source: published",
            _datepicker(fields.published),
            optional=True,
        ),
    ]
    return blocks


PRECISION_CHOICES = [("day", "the day"), ("month", "the month only"), ("year", "the year only")]


def _dated_inputs(
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
        _input(
            date_block,
            label,
            _datepicker(parsed.first_day.isoformat() if parsed else None),
            optional=optional,
            hint=hint,
        ),
        _input(
            precision_block,
            f"{label}: known to",
            menus.static_menu(PRECISION_CHOICES, parsed.precision if parsed else "day", "Known to"),
            optional=True,
            hint='If the source gives only the month ("in May"), choose the month: no day is made up.',
        ),
    ]


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
    sources: SourceFields | None = None,
    note: str | None = None,
    effective: str | None = None,
    news: int | None = None,
) -> Block:
    """Update developer status; choosing another developer reloads the form for it.

    `effective` prefills the effective date (e.g. a news item's published day) instead of
    the current one; `news` (a news item id) keeps where the form came from."""
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
        *_dated_inputs(
            ids.BLOCK_EFFECTIVE_DATE,
            ids.BLOCK_EFFECTIVE_PRECISION,
            "Effective date",
            effective if effective is not None else developer.get("status_since"),
            optional=False,
            hint="When this status took effect, as the source says (not today's date, unless it is).",
        ),
        *_dated_inputs(
            ids.BLOCK_AGREEMENT_DATE,
            ids.BLOCK_AGREEMENT_PRECISION,
            "Agreement date",
            developer.get("agreement_date"),
            optional=True,
            hint="When the review agreement was reached. Left empty when the status becomes Signed: "
            "the effective date.",
        ),
        *_source_inputs(sources, optional=False),
        _note_input(note if note is not None else developer.get("note")),
        context(
            f"Last changed by {escape(developer.get('updated_by') or 'unknown')} "
            f"({escape(developer.get('updated_at') or '')}); version {developer['version']}."
        ),
    ]
    metadata = dump_metadata(
        entity="developer", id=developer["id"], version=developer["version"], channel=channel, news=news
    )
    return _modal(ids.VIEW_DEVELOPER_STATUS, "Update status", blocks, metadata)


def developer_form(*, channel: str | None = None, sources: SourceFields | None = None) -> Block:
    """Add a developer to the tracker."""
    blocks = [
        _input(ids.BLOCK_NAME, "Name", _text(None, max_length=MAX_NAME, placeholder="e.g. Mistral AI")),
        _input(
            ids.BLOCK_STATUS,
            "Agreement status",
            menus.static_menu(list(DEVELOPER_STATUS_LABELS.items()), "unknown", "Status"),
        ),
        *_dated_inputs(
            ids.BLOCK_EFFECTIVE_DATE,
            ids.BLOCK_EFFECTIVE_PRECISION,
            "Effective date",
            None,
            optional=False,
            hint="When this status took effect, as the source says.",
        ),
        *_source_inputs(sources, optional=False),
        _note_input(None),
    ]
    return _modal(
        ids.VIEW_ADD_DEVELOPER, "Add developer", blocks, dump_metadata(entity="developer", channel=channel)
    )


def model_form(
    model: dict[str, Any] | None = None,
    *,
    developer: dict[str, Any] | None = None,
    channel: str | None = None,
    sources: SourceFields | None = None,
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
        *_dated_inputs(
            ids.BLOCK_RELEASED,
            ids.BLOCK_RELEASED_PRECISION,
            "Released",
            current.get("released"),
            optional=True,
            hint="A released date makes the review status Released; a Released model needs one.",
        ),
        _input(
            ids.BLOCK_REVIEW_STATUS,
            "Review status",
            menus.static_menu(
                list(REVIEW_STATUS_LABELS.items()),
                current.get("review_status") or "not_submitted",
                "Review status",
            ),
        ),
        *_source_inputs(sources, optional=True),
        _note_input(current.get("note")),
    ]
    if model is None:
        return _modal(ids.VIEW_MODEL, "Add model", blocks, dump_metadata(entity="model", channel=channel))
    metadata = dump_metadata(entity="model", id=model["id"], version=model["version"], channel=channel)
    return _modal(ids.VIEW_MODEL, "Edit model", blocks, metadata)


def deadline_form(
    deadline: dict[str, Any] | None = None,
    *,
    channel: str | None = None,
    sources: SourceFields | None = None,
) -> Block:
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
        _input(
            ids.BLOCK_OUTCOME,
            "Outcome",
            menus.static_menu(list(OUTCOME_LABELS.items()), current.get("outcome") or "open", "Outcome"),
            optional=True,
            hint="Once the date has passed: met or missed. Extended: set the new due date above.",
        ),
        *_source_inputs(sources, optional=False),
        _note_input(current.get("note")),
    ]
    if deadline is None:
        return _modal(
            ids.VIEW_DEADLINE, "Add deadline", blocks, dump_metadata(entity="deadline", channel=channel)
        )
    metadata = dump_metadata(
        entity="deadline", id=deadline["id"], version=deadline["version"], channel=channel
    )
    return _modal(ids.VIEW_DEADLINE, "Edit deadline", blocks, metadata)


MAX_SUMMARY = 1000


def event_form(
    event: dict[str, Any] | None = None,
    *,
    developers: list[dict[str, Any]] | None = None,
    channel: str | None = None,
    sources: SourceFields | None = None,
    summary: str | None = None,
    effective: str | None = None,
    kind: str | None = None,
    news: int | None = None,
) -> Block:
    """Add an event (a dated development that is not a status) or edit one. `developers`
    (rows) are preselected; `summary`, `effective` and `kind` prefill (e.g. from a news item)."""
    current = event or {}
    blocks = [
        _input(
            ids.BLOCK_EVENT_KIND,
            "Kind",
            menus.static_menu(
                list(EVENT_KIND_LABELS.items()), kind or current.get("kind") or "other", "Kind"
            ),
        ),
        _input(
            ids.BLOCK_EVENT_DEVELOPERS,
            "Developers it concerns",
            menus.multi_type_ahead_menu(menus.DEVELOPERS, initial=developers or []),
            optional=True,
            hint="None: it concerns the whole framework (like an executive order).",
        ),
        *_dated_inputs(
            ids.BLOCK_EFFECTIVE_DATE,
            ids.BLOCK_EFFECTIVE_PRECISION,
            "When it happened",
            effective if effective is not None else current.get("effective"),
            optional=False,
            hint="As the source says; choose the month or the year below if it gives no day.",
        ),
        _input(
            ids.BLOCK_SUMMARY,
            "What happened",
            _text(summary or current.get("summary"), max_length=MAX_SUMMARY, multiline=True),
            hint="One or two sentences, in the source's words where they matter.",
        ),
        *_source_inputs(sources, optional=False),
        _note_input(current.get("note")),
    ]
    if event is None:
        metadata = dump_metadata(entity="event", channel=channel, news=news)
        return _modal(ids.VIEW_EVENT, "Add event", blocks, metadata)
    metadata = dump_metadata(entity="event", id=event["id"], version=event["version"], channel=channel)
    return _modal(ids.VIEW_EVENT, "Edit event", blocks, metadata)


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
MAX_CLAIM = 500
MAX_REASON = 200


def contest_form(*, channel: str | None = None) -> Block:
    """Mark a fact contested: the developer (or an event or deadline), the fact, a one-line
    reason, and two competing claims, each with its recorded source."""
    blocks = [
        _input(
            ids.BLOCK_DEVELOPER,
            "Developer",
            menus.type_ahead_menu(menus.DEVELOPERS),
            optional=True,
            hint="The developer whose fact is disputed; or choose an event or a deadline below.",
        ),
        _input(
            ids.BLOCK_SUBJECT,
            "Or an event or a deadline",
            menus.type_ahead_menu(menus.SUBJECTS),
            optional=True,
        ),
        _input(ids.BLOCK_FACT, "Which fact", menus.static_menu(FACT_CHOICES, "*", "Fact")),
        _input(
            ids.BLOCK_REASON,
            "Why it is contested (one line)",
            _text(None, max_length=MAX_REASON, placeholder="e.g. The reports disagree on what was ordered."),
        ),
    ]
    for claim, source, n in (
        (ids.BLOCK_CLAIM_A, ids.BLOCK_CLAIM_A_SOURCE, "1"),
        (ids.BLOCK_CLAIM_B, ids.BLOCK_CLAIM_B_SOURCE, "2"),
    ):
        blocks += [
            _input(claim, f"Claim {n}", _text(None, max_length=MAX_CLAIM, multiline=True)),
            _input(source, f"Claim {n}: its source", menus.type_ahead_menu(menus.SOURCES)),
        ]
    blocks.append(context("Add a source first (any form's New source) if it is not recorded yet."))
    return _modal(
        ids.VIEW_CONTEST, "Contest a fact", blocks, dump_metadata(entity="contest", channel=channel)
    )


def settle_form(
    choices: list[tuple[str, str]], sources: SourceFields, *, channel: str | None = None
) -> Block:
    """Resolve an open contest (the claim that stands, with a source) or reopen a resolved one."""
    if not choices:
        return notice_view("No contests", "No fact is contested or was ever contested.")
    blocks = [
        _input(
            ids.BLOCK_SETTLE,
            "Contest and outcome",
            menus.static_menu(choices, None, "Choose"),
            hint="Resolve: the claim that stands. Reopen: the contest shows again beside the fact.",
        ),
        *_source_inputs(sources, optional=True),
        _note_input(None),
    ]
    metadata = dump_metadata(entity="contest", channel=channel)
    return _modal(ids.VIEW_SETTLE_CONTEST, "Resolve or reopen", blocks, metadata)


def read_contest(values: Values) -> tuple[dict[str, Any], Errors]:
    form = FormReader(values)
    developer = values.get(ids.BLOCK_DEVELOPER)
    subject = values.get(ids.BLOCK_SUBJECT)
    found: dict[str, Any] = {
        "fact": form.choice(ids.BLOCK_FACT, "Fact", tuple(v for v, _ in FACT_CHOICES)),
        "reason": form.text(ids.BLOCK_REASON, "Reason", limit=MAX_REASON, required=True),
        "claims": [],
    }
    if bool(developer) == bool(subject):
        form.errors[ids.BLOCK_DEVELOPER] = "Choose a developer, or an event or a deadline (one of them)."
    elif developer:
        found["entity"], found["entity_id"] = "developer", str(developer)
    else:
        entity, _, record = str(subject).partition(":")
        found["entity"], found["entity_id"] = entity, record
    for claim, source in (
        (ids.BLOCK_CLAIM_A, ids.BLOCK_CLAIM_A_SOURCE),
        (ids.BLOCK_CLAIM_B, ids.BLOCK_CLAIM_B_SOURCE),
    ):
        text = form.text(claim, "Claim", limit=MAX_CLAIM, required=True)
        picked = values.get(source)
        if not picked or not str(picked).isdigit():
            form.errors.setdefault(source, "Choose the source that makes this claim.")
            continue
        found["claims"].append((text, int(picked)))
    return found, form.errors


def event_pick_form(*, empty: bool = False, channel: str | None = None) -> Block:
    """Choose the event to edit, in a type-ahead menu (newest first)."""
    if empty:
        return notice_view("No events", "There are no events in the tracker yet.")
    element = menus.type_ahead_menu(menus.EVENTS)
    blocks = [_input(ids.BLOCK_PICK, "Which event?", element)]
    metadata = dump_metadata(entity="event", purpose="edit", channel=channel)
    return _modal(ids.VIEW_PICK_RECORD, "Edit event", blocks, metadata, submit="Next")


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
        {
            "type": "actions",
            "block_id": "admin_menu_events",
            "elements": [
                button("Add event", ids.ACTION_ADMIN_ADD_EVENT),
                button("Edit event", ids.ACTION_ADMIN_EDIT_EVENT),
                button("Contest a fact", ids.ACTION_ADMIN_CONTEST),
                button("Resolve or reopen a contest", ids.ACTION_ADMIN_SETTLE_CONTEST),
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
class NewSource:
    """A source the admin described in the form (recorded when the change is saved)."""

    text: str  # a URL or a citation
    title: str | None = None
    published: str | None = None


@dataclass
class SourceChoice:
    """The source a form names: a recorded one, a new one, or none (optional fields)."""

    source_id: int | None = None
    new: NewSource | None = None

    @property
    def given(self) -> bool:
        return self.source_id is not None or self.new is not None


@dataclass
class FormReader:
    """Reads flattened form values into column values, collecting errors per block.

    `today` is the team's date: an effective date after it is refused (the tracker records
    what happened, when it happened)."""

    values: Values
    errors: Errors = field(default_factory=dict)
    today: date | None = None

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

    def day(
        self,
        block: str,
        label: str,
        *,
        required: bool = False,
        past: bool = False,
        precision_block: str | None = None,
    ) -> str | None:
        """A YYYY-MM-DD date; with `past`, one later than today (at the precision chosen in
        `precision_block`) is refused with what to enter instead."""
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
        if past and self.today is not None:
            precision = self.values.get(precision_block) if precision_block else None
            first = parsed
            if precision == "month":
                first = parsed.replace(day=1)
            elif precision == "year":
                first = parsed.replace(month=1, day=1)
            if first > self.today:
                self._fail(
                    block,
                    f"{label} {fmt_date(parsed)} is later than today ({fmt_date(self.today)}): "
                    "enter when it actually happened, as the source says. A change that has not "
                    "happened yet is recorded once it does (note the plan in the Note meanwhile).",
                )
                return None
        return parsed.isoformat()

    def source(self, *, required: bool) -> SourceChoice:
        """A picked recorded source, or a new one (link or citation, title, published)."""
        picked = self.values.get(ids.BLOCK_SOURCE_PICK)
        value = self.text(ids.BLOCK_SOURCE, "Source", limit=MAX_SOURCE)
        title = self.text(ids.BLOCK_SOURCE_TITLE, "Title", limit=MAX_TITLE)
        published = self.day(ids.BLOCK_SOURCE_PUBLISHED, "Published", past=True)
        if value:
            problem = source_problem(value)
            if problem:
                self._fail(ids.BLOCK_SOURCE, problem)
            return SourceChoice(new=NewSource(value, title, published))
        if picked and str(picked).isdigit():
            return SourceChoice(source_id=int(picked))
        if title:
            return SourceChoice(new=NewSource(title, None, published))
        if required:
            self._fail(ids.BLOCK_SOURCE, "Source is required: choose a recorded source or add a new one.")
        return SourceChoice()

    def partial(
        self, date_block: str, precision_block: str, label: str, *, required: bool = False
    ) -> str | None:
        """A date at the precision the form says it is known to: 2026-05-14, 2026-05 or 2026."""
        day = self.day(date_block, label, required=required, past=True, precision_block=precision_block)
        if day is None:
            return None
        precision = self.values.get(precision_block) or "day"
        whole = PartialDate.of(date.fromisoformat(day))
        if precision == "month":
            return PartialDate(whole.year, whole.month).iso()
        if precision == "year":
            return PartialDate(whole.year).iso()
        return day

    def flag(self, block: str, value: str) -> bool:
        ticked = self.values.get(block) or []
        return isinstance(ticked, list) and value in ticked


def read_status(
    values: Values, today: date | None = None
) -> tuple[str | None, dict[str, Any], SourceChoice, Errors]:
    """(developer id, changes, source, errors) from the status form."""
    form = FormReader(values, today=today)
    developer_id = form.text(ids.BLOCK_DEVELOPER, "Developer", limit=MAX_NAME, required=True)
    changes = {
        "status": form.choice(ids.BLOCK_STATUS, "Agreement status", DEVELOPER_STATUSES),
        "status_since": form.partial(
            ids.BLOCK_EFFECTIVE_DATE, ids.BLOCK_EFFECTIVE_PRECISION, "Effective date", required=True
        ),
        "agreement_date": form.partial(
            ids.BLOCK_AGREEMENT_DATE, ids.BLOCK_AGREEMENT_PRECISION, "Agreement date"
        ),
        "note": form.text(ids.BLOCK_NOTE, "Note", limit=MAX_NOTE),
    }
    source = form.source(required=True)
    return developer_id, changes, source, form.errors


def read_new_developer(
    values: Values, today: date | None = None
) -> tuple[dict[str, Any], SourceChoice, Errors]:
    form = FormReader(values, today=today)
    changes = {
        "name": form.text(ids.BLOCK_NAME, "Name", limit=MAX_NAME, required=True),
        "status": form.choice(ids.BLOCK_STATUS, "Agreement status", DEVELOPER_STATUSES),
        "status_since": form.partial(
            ids.BLOCK_EFFECTIVE_DATE, ids.BLOCK_EFFECTIVE_PRECISION, "Effective date", required=True
        ),
        "note": form.text(ids.BLOCK_NOTE, "Note", limit=MAX_NOTE),
    }
    if changes["status"] == "signed":
        changes["agreement_date"] = changes["status_since"]
    source = form.source(required=True)
    return changes, source, form.errors


RELEASED_IMPLIED_FROM = ("not_submitted", "submitted", "in_review", "cleared")


def read_model(values: Values, today: date | None = None) -> tuple[dict[str, Any], SourceChoice, Errors]:
    form = FormReader(values, today=today)
    changes = {
        "developer_id": form.text(ids.BLOCK_DEVELOPER, "Developer", limit=MAX_NAME, required=True),
        "name": form.text(ids.BLOCK_NAME, "Model name", limit=MAX_NAME, required=True),
        "planned_release": form.day(ids.BLOCK_PLANNED_RELEASE, "Planned release"),
        "submitted": form.day(ids.BLOCK_SUBMITTED, "Submitted", past=True),
        "released": form.partial(ids.BLOCK_RELEASED, ids.BLOCK_RELEASED_PRECISION, "Released"),
        "review_status": form.choice(ids.BLOCK_REVIEW_STATUS, "Review status", REVIEW_STATUSES),
        "note": form.text(ids.BLOCK_NOTE, "Note", limit=MAX_NOTE),
    }
    source = form.source(required=False)
    released = parse_partial(changes["released"]) if changes["released"] else None
    submitted = _as_date(changes["submitted"])
    if submitted and released and submitted > released.last_day:
        form.errors.setdefault(ids.BLOCK_SUBMITTED, "Submitted cannot be after the release date.")
    # A released date means the model is out; a Released model must say when.
    if released and changes["review_status"] in RELEASED_IMPLIED_FROM:
        changes["review_status"] = "released"
    if changes["review_status"] == "released" and not released and ids.BLOCK_RELEASED not in form.errors:
        form.errors[ids.BLOCK_RELEASED] = (
            'A Released model needs its released date (choose "the month only" or "the year only" '
            "below if the source gives no day); or choose another review status."
        )
    return changes, source, form.errors


def read_event(
    values: Values, today: date | None = None
) -> tuple[dict[str, Any], list[str], SourceChoice, Errors]:
    """(changes, developer ids, source, errors) from the event form."""
    form = FormReader(values, today=today)
    changes = {
        "kind": form.choice(ids.BLOCK_EVENT_KIND, "Kind", EVENT_KINDS),
        "effective": form.partial(
            ids.BLOCK_EFFECTIVE_DATE, ids.BLOCK_EFFECTIVE_PRECISION, "When it happened", required=True
        ),
        "summary": form.text(ids.BLOCK_SUMMARY, "What happened", limit=MAX_SUMMARY, required=True),
        "note": form.text(ids.BLOCK_NOTE, "Note", limit=MAX_NOTE),
    }
    chosen = values.get(ids.BLOCK_EVENT_DEVELOPERS) or []
    developer_ids = [str(d) for d in chosen] if isinstance(chosen, list) else []
    source = form.source(required=True)
    return changes, developer_ids, source, form.errors


def read_deadline(values: Values, today: date | None = None) -> tuple[dict[str, Any], SourceChoice, Errors]:
    form = FormReader(values, today=today)
    changes = {
        "title": form.text(ids.BLOCK_TITLE, "Title", limit=MAX_TITLE, required=True),
        "due_date": form.day(ids.BLOCK_DUE_DATE, "Due date", required=True),
        "kind": form.choice(ids.BLOCK_KIND, "Kind", DEADLINE_KINDS),
        "note": form.text(ids.BLOCK_NOTE, "Note", limit=MAX_NOTE),
        "outcome": values.get(ids.BLOCK_OUTCOME) or "open",
    }
    if changes["outcome"] not in OUTCOME_LABELS:
        form.errors[ids.BLOCK_OUTCOME] = "Choose one of the offered outcomes."
    source = form.source(required=True)
    return changes, source, form.errors


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
    "outcome": "outcome",
    "extended_to": "extended to",
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
    if field_name == "outcome":
        return OUTCOME_LABELS.get(value, str(value))
    if field_name in ("status_since", "agreement_date", "released", "submitted"):
        parsed = parse_partial(str(value))
        return parsed.label() if parsed else str(value)
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
