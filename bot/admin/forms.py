"""The admin modal forms as pure Block Kit builders, one per form, each prefilled with the
record's current values; the pieces they share are in `modal`, what a submission may hold
in `validation`."""

from __future__ import annotations

from typing import Any

from bot import ids, menus
from bot.admin.modal import (
    DEADLINE_KIND_LABELS,
    FACT_CHOICES,
    MAX_CLAIM,
    MAX_NAME,
    MAX_REASON,
    MAX_SOURCE,
    MAX_SUMMARY,
    MAX_TITLE,
    OUTCOME_LABELS,
    SourceFields,
    as_date,
    checkbox,
    dated_inputs,
    datepicker,
    dump_metadata,
    input_block,
    modal_view,
    note_input,
    notice_view,
    source_inputs,
    text_input,
)
from bot.blockkit import Block, context, escape, fmt_date, plain, safe, section
from bot.domain import DEVELOPER_STATUS_LABELS, REVIEW_STATUS_LABELS
from storage.facts import EVENT_KIND_LABELS

ENTITY_LABELS = {"developer": "developer", "model": "model", "deadline": "deadline"}


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
        input_block(
            ids.BLOCK_DEVELOPER,
            "Developer",
            menus.type_ahead_menu(
                menus.DEVELOPERS, initial=developer, action_id=ids.ACTION_FORM_DEVELOPER_PICK
            ),
            dispatch=True,
        ),
        input_block(
            ids.BLOCK_STATUS,
            "Agreement status",
            menus.static_menu(list(DEVELOPER_STATUS_LABELS.items()), developer["status"], "Status"),
        ),
        *dated_inputs(
            ids.BLOCK_EFFECTIVE_DATE,
            ids.BLOCK_EFFECTIVE_PRECISION,
            "Effective date",
            effective if effective is not None else developer.get("status_since"),
            optional=False,
            hint="When this status took effect, as the source says (not today's date, unless it is).",
        ),
        *dated_inputs(
            ids.BLOCK_AGREEMENT_DATE,
            ids.BLOCK_AGREEMENT_PRECISION,
            "Agreement date",
            developer.get("agreement_date"),
            optional=True,
            hint="When the review agreement was reached. Left empty when the status becomes Signed: "
            "the effective date.",
        ),
        *source_inputs(sources, optional=False),
        note_input(note if note is not None else developer.get("note")),
        context(
            f"Last changed by {escape(developer.get('updated_by') or 'unknown')} "
            f"({escape(developer.get('updated_at') or '')}); version {developer['version']}."
        ),
    ]
    metadata = dump_metadata(
        entity="developer", id=developer["id"], version=developer["version"], channel=channel, news=news
    )
    return modal_view(ids.VIEW_DEVELOPER_STATUS, "Update status", blocks, metadata)


def developer_form(*, channel: str | None = None, sources: SourceFields | None = None) -> Block:
    """Add a developer to the tracker."""
    blocks = [
        input_block(
            ids.BLOCK_NAME, "Name", text_input(None, max_length=MAX_NAME, placeholder="e.g. Mistral AI")
        ),
        input_block(
            ids.BLOCK_STATUS,
            "Agreement status",
            menus.static_menu(list(DEVELOPER_STATUS_LABELS.items()), "unknown", "Status"),
        ),
        *dated_inputs(
            ids.BLOCK_EFFECTIVE_DATE,
            ids.BLOCK_EFFECTIVE_PRECISION,
            "Effective date",
            None,
            optional=False,
            hint="When this status took effect, as the source says.",
        ),
        *source_inputs(sources, optional=False),
        note_input(None),
    ]
    return modal_view(
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
        input_block(
            ids.BLOCK_DEVELOPER,
            "Developer",
            menus.type_ahead_menu(menus.DEVELOPERS, initial=developer),
        ),
        input_block(ids.BLOCK_NAME, "Model name", text_input(current.get("name"), max_length=MAX_NAME)),
        input_block(
            ids.BLOCK_PLANNED_RELEASE,
            "Planned release",
            datepicker(current.get("planned_release")),
            optional=True,
            hint="Its review window opens 30 days before (submission due).",
        ),
        input_block(
            ids.BLOCK_SUBMITTED, "Submitted for review", datepicker(current.get("submitted")), optional=True
        ),
        *dated_inputs(
            ids.BLOCK_RELEASED,
            ids.BLOCK_RELEASED_PRECISION,
            "Released",
            current.get("released"),
            optional=True,
            hint="A released date makes the review status Released; a Released model needs one.",
        ),
        input_block(
            ids.BLOCK_REVIEW_STATUS,
            "Review status",
            menus.static_menu(
                list(REVIEW_STATUS_LABELS.items()),
                current.get("review_status") or "not_submitted",
                "Review status",
            ),
        ),
        *source_inputs(sources, optional=True),
        note_input(current.get("note")),
    ]
    if model is None:
        return modal_view(ids.VIEW_MODEL, "Add model", blocks, dump_metadata(entity="model", channel=channel))
    metadata = dump_metadata(entity="model", id=model["id"], version=model["version"], channel=channel)
    return modal_view(ids.VIEW_MODEL, "Edit model", blocks, metadata)


def deadline_form(
    deadline: dict[str, Any] | None = None,
    *,
    channel: str | None = None,
    sources: SourceFields | None = None,
) -> Block:
    """Add a deadline (deadline=None) or edit one."""
    current = deadline or {}
    blocks = [
        input_block(ids.BLOCK_TITLE, "Title", text_input(current.get("title"), max_length=MAX_TITLE)),
        input_block(ids.BLOCK_DUE_DATE, "Due date", datepicker(current.get("due_date"))),
        input_block(
            ids.BLOCK_KIND,
            "Kind",
            menus.static_menu(list(DEADLINE_KIND_LABELS.items()), current.get("kind") or "deadline", "Kind"),
        ),
        input_block(
            ids.BLOCK_OUTCOME,
            "Outcome",
            menus.static_menu(list(OUTCOME_LABELS.items()), current.get("outcome") or "open", "Outcome"),
            optional=True,
            hint="Once the date has passed: met or missed. Extended: set the new due date above.",
        ),
        *source_inputs(sources, optional=False),
        note_input(current.get("note")),
    ]
    if deadline is None:
        return modal_view(
            ids.VIEW_DEADLINE, "Add deadline", blocks, dump_metadata(entity="deadline", channel=channel)
        )
    metadata = dump_metadata(
        entity="deadline", id=deadline["id"], version=deadline["version"], channel=channel
    )
    return modal_view(ids.VIEW_DEADLINE, "Edit deadline", blocks, metadata)


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
        input_block(
            ids.BLOCK_EVENT_KIND,
            "Kind",
            menus.static_menu(
                list(EVENT_KIND_LABELS.items()), kind or current.get("kind") or "other", "Kind"
            ),
        ),
        input_block(
            ids.BLOCK_EVENT_DEVELOPERS,
            "Developers it concerns",
            menus.multi_type_ahead_menu(menus.DEVELOPERS, initial=developers or []),
            optional=True,
            hint="None: it concerns the whole framework (like an executive order).",
        ),
        *dated_inputs(
            ids.BLOCK_EFFECTIVE_DATE,
            ids.BLOCK_EFFECTIVE_PRECISION,
            "When it happened",
            effective if effective is not None else current.get("effective"),
            optional=True,
            hint=(
                "As the source says; choose the month or the year below if it gives no day. Leave it "
                "empty if no source says when: it is shown by the date of the report that mentions it."
            ),
        ),
        input_block(
            ids.BLOCK_SUMMARY,
            "What happened",
            text_input(summary or current.get("summary"), max_length=MAX_SUMMARY, multiline=True),
            hint="One or two sentences, in the source's words where they matter.",
        ),
        *source_inputs(sources, optional=False),
        note_input(current.get("note")),
    ]
    if event is None:
        metadata = dump_metadata(entity="event", channel=channel, news=news)
        return modal_view(ids.VIEW_EVENT, "Add event", blocks, metadata)
    metadata = dump_metadata(entity="event", id=event["id"], version=event["version"], channel=channel)
    return modal_view(ids.VIEW_EVENT, "Edit event", blocks, metadata)


def contest_form(*, channel: str | None = None) -> Block:
    """Mark a fact contested: the developer (or an event or deadline), the fact, a one-line
    reason, and two competing claims, each with its recorded source."""
    blocks = [
        input_block(
            ids.BLOCK_DEVELOPER,
            "Developer",
            menus.type_ahead_menu(menus.DEVELOPERS),
            optional=True,
            hint="The developer whose fact is disputed; or choose an event or a deadline below.",
        ),
        input_block(
            ids.BLOCK_SUBJECT,
            "Or an event or a deadline",
            menus.type_ahead_menu(menus.SUBJECTS),
            optional=True,
        ),
        input_block(ids.BLOCK_FACT, "Which fact", menus.static_menu(FACT_CHOICES, "*", "Fact")),
        input_block(
            ids.BLOCK_REASON,
            "Why it is contested (one line)",
            text_input(
                None, max_length=MAX_REASON, placeholder="e.g. The reports disagree on what was ordered."
            ),
        ),
    ]
    for claim, source, new, n in (
        (ids.BLOCK_CLAIM_A, ids.BLOCK_CLAIM_A_SOURCE, ids.BLOCK_CLAIM_A_NEW_SOURCE, "1"),
        (ids.BLOCK_CLAIM_B, ids.BLOCK_CLAIM_B_SOURCE, ids.BLOCK_CLAIM_B_NEW_SOURCE, "2"),
    ):
        blocks += [
            input_block(claim, f"Claim {n}", text_input(None, max_length=MAX_CLAIM, multiline=True)),
            input_block(
                source, f"Claim {n}: its source", menus.type_ahead_menu(menus.SOURCES), optional=True
            ),
            input_block(
                new,
                f"Claim {n}: or a new source",
                text_input(None, max_length=MAX_SOURCE, placeholder="https://... or a citation"),
                optional=True,
                hint="A link (http or https) or a citation, if the source is not recorded yet.",
            ),
        ]
    blocks.append(context("Each claim needs its source: a recorded one, or a new one typed here."))
    return modal_view(
        ids.VIEW_CONTEST, "Contest a fact", blocks, dump_metadata(entity="contest", channel=channel)
    )


def settle_form(
    choices: list[tuple[str, str]], sources: SourceFields, *, channel: str | None = None
) -> Block:
    """Resolve an open contest (the claim that stands, with a source) or reopen a resolved one."""
    if not choices:
        return notice_view("No contests", "No fact is contested or was ever contested.")
    blocks = [
        input_block(
            ids.BLOCK_SETTLE,
            "Contest and outcome",
            menus.static_menu(choices, None, "Choose"),
            hint="Resolve: the claim that stands. Reopen: the contest shows again beside the fact.",
        ),
        *source_inputs(sources, optional=True),
        note_input(None),
    ]
    metadata = dump_metadata(entity="contest", channel=channel)
    return modal_view(ids.VIEW_SETTLE_CONTEST, "Resolve or reopen", blocks, metadata)


def event_pick_form(*, empty: bool = False, channel: str | None = None) -> Block:
    """Choose the event to edit, in a type-ahead menu (newest first)."""
    if empty:
        return notice_view("No events", "There are no events in the tracker yet.")
    element = menus.type_ahead_menu(menus.EVENTS)
    blocks = [input_block(ids.BLOCK_PICK, "Which event?", element)]
    metadata = dump_metadata(entity="event", purpose="edit", channel=channel)
    return modal_view(ids.VIEW_PICK_RECORD, "Edit event", blocks, metadata, submit="Next")


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
    blocks = [input_block(ids.BLOCK_PICK, f"Which {noun}?", element, hint=hint)]
    verb = "Edit" if purpose == "edit" else "Remove"
    return modal_view(
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
        lines.append(f"Planned release: {fmt_date(as_date(record.get('planned_release')))}")
    else:
        lines.append(f"Due: {fmt_date(as_date(record.get('due_date')))}")
    blocks = [
        section("\n".join(lines)),
        input_block(
            ids.BLOCK_CONFIRM,
            "Confirm",
            checkbox(f"Yes, remove this {noun} (its history is kept)", "yes", False),
        ),
        note_input(None),
    ]
    metadata = dump_metadata(entity=entity, id=record["id"], version=record["version"], channel=channel)
    return modal_view(ids.VIEW_REMOVE_CONFIRM, f"Remove {noun}", blocks, metadata, submit="Remove")


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
