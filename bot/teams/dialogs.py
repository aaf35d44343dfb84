"""Admins edit from Teams: the developer status form as a Teams dialog (task module).

`update <developer>` (admins only, by Entra object id in REVIEWWATCH_TEAMS_ADMINS) answers
with a card whose button opens the dialog (`task/fetch`). The dialog is an Adaptive Card
form whose inputs are named by the Slack form's block ids, so its submission (`task/submit`)
is read, validated, version-checked and saved by the same code as the Slack modal
(bot.admin's `submit_status_values`), with the same history. Errors come back inline: the
dialog is shown again with the values entered and each error under its field. The record's
version travels in the form's data, as Slack's private_metadata: a form opened before
someone else's save is refused with who saved and when, nothing lost. Every step checks the
admin on the server.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot import ids
from bot.cardkit import (
    CARD_CONTENT_TYPE,
    Element,
    adaptive_card,
    rich_text,
    text_block,
    text_run,
)
from bot.deps import Deps
from bot.domain import DEVELOPER_STATUS_LABELS
from bot.lookup import find_subject
from bot.teams.dialog_forms import FORMS, NEW_FORMS, form_inputs, form_values, inputs_of
from bot.teams.event_edit import DIALOG_PICK_EVENT, FILTER, edit_event_button, edit_event_offer
from bot.teams.from_blocks import runs
from bot.teams.reply import notice_card
from storage.facts import get_event
from storage.tracker import get_record, subject_label

DIALOG_STATUS = "status"
# `update` (or `admin`) alone: the forms that need no record, by their titles (at most six
# buttons on a card).
ADMIN_MENU = {
    "event": "Record a development",
    "developer": "Add a developer",
    "model": "Add a model",
    "deadline": "Add a deadline",
    "contest": "Mark a fact contested",
    "settle": "Resolve or reopen a contest",
}
PRECISIONS = (("day", "to the day"), ("month", "to the month"), ("year", "to the year"))
FIELDS = (
    ids.BLOCK_STATUS,
    ids.BLOCK_EFFECTIVE_DATE,
    ids.BLOCK_EFFECTIVE_PRECISION,
    ids.BLOCK_AGREEMENT_DATE,
    ids.BLOCK_AGREEMENT_PRECISION,
    ids.BLOCK_NOTE,
    ids.BLOCK_SOURCE,
    ids.BLOCK_SOURCE_TITLE,
    ids.BLOCK_SOURCE_PUBLISHED,
)


def user_of(activity: Mapping[str, Any]) -> tuple[str, str]:
    """(Entra object id, display name) of who sent a verified activity."""
    sender = activity.get("from") or {}
    return str(sender.get("aadObjectId") or "").lower(), str(sender.get("name") or "someone in Teams")


def _denied() -> dict[str, Any]:
    return notice_card(
        "Only admins can change the tracker: their Entra object ids are in REVIEWWATCH_TEAMS_ADMINS."
    )


def _open_button(title: str, dialog: str, record_id: Any) -> dict[str, Any]:
    data = {"msteams": {"type": "task/fetch"}, "dialog": dialog, "id": record_id}
    return {"type": "Action.Submit", "title": title, "data": data}


def update_command_card(deps: Deps, args: str, is_admin: bool) -> dict[str, Any]:
    """The answer to `update <developer|model|deadline>`: a button opening its form as a dialog
    (a developer's: the agreement status); `update` alone offers a new development (event)."""
    if not is_admin:
        return _denied()
    if not args:
        offers = [_open_button(title, form, None) for form, title in ADMIN_MENU.items()]
        intro = text_block("Update <developer|model|deadline>, e.g. update meta; or:")
        return adaptive_card([intro, edit_event_offer()], offers)
    if args.strip().lower() in ("event", "events", "development"):
        return adaptive_card([text_block("Change a recorded development:")], [edit_event_button()])
    match = find_subject(deps.store.db, args)
    if match.record is None or match.entity not in ("developer", "model", "deadline"):
        return notice_card(
            "Nothing tracked has that name. Usage: update <developer|model|deadline>, e.g. update meta."
        )
    record = match.record
    name = str(record.get("name") or record.get("title") or record["id"])
    if match.entity == "developer":
        return adaptive_card(
            [text_block(f"Change {name}'s agreement status:")],
            [_open_button(f"Update {name}", DIALOG_STATUS, record["id"])],
        )
    return adaptive_card(
        [text_block(f"Change the {match.entity} {name}:")],
        [
            _open_button(f"Update {name}", match.entity, record["id"]),
            _open_button(f"Remove {name}", f"remove_{match.entity}", record["id"]),
        ],
    )


def _error(errors: Mapping[str, str], field: str) -> list[Element]:
    return [rich_text([text_run(f"⚠ {errors[field]}", color="Attention")])] if field in errors else []


def _choice_set(field: str, label: str, choices: list[tuple[str, str]], value: str | None) -> Element:
    element: Element = {
        "type": "Input.ChoiceSet",
        "id": field,
        "label": label,
        "style": "compact",
        "choices": [{"title": title, "value": key} for key, title in choices],
    }
    if value:
        element["value"] = value
    return element


def _text(field: str, label: str, value: str | None, *, multiline: bool = False) -> Element:
    element: Element = {"type": "Input.Text", "id": field, "label": label, "isMultiline": multiline}
    if value:
        element["value"] = value
    return element


def _date(field: str, label: str, value: str | None) -> Element:
    element: Element = {"type": "Input.Date", "id": field, "label": label}
    if value:
        element["value"] = value
    return element


def _inputs(record: Mapping[str, Any], values: Mapping[str, Any]) -> list[tuple[str, Element]]:
    """The form's inputs, each with its block id: the values entered, else the record's."""

    def current(field: str, default: Any = None) -> str | None:
        value = values.get(field, default)
        return str(value) if value not in (None, "") else None

    since = str(record.get("status_since") or "")
    agreed = str(record.get("agreement_date") or "")
    statuses = list(DEVELOPER_STATUS_LABELS.items())
    return [
        (
            ids.BLOCK_STATUS,
            _choice_set(
                ids.BLOCK_STATUS,
                "Agreement status",
                statuses,
                current(ids.BLOCK_STATUS, record.get("status")),
            ),
        ),
        (
            ids.BLOCK_EFFECTIVE_DATE,
            _date(
                ids.BLOCK_EFFECTIVE_DATE,
                "Effective date (when it happened)",
                current(ids.BLOCK_EFFECTIVE_DATE, since if len(since) == 10 else None),
            ),
        ),
        (
            ids.BLOCK_EFFECTIVE_PRECISION,
            _choice_set(
                ids.BLOCK_EFFECTIVE_PRECISION,
                "Known",
                list(PRECISIONS),
                current(ids.BLOCK_EFFECTIVE_PRECISION, "day"),
            ),
        ),
        (
            ids.BLOCK_AGREEMENT_DATE,
            _date(
                ids.BLOCK_AGREEMENT_DATE,
                "Agreement date (optional)",
                current(ids.BLOCK_AGREEMENT_DATE, agreed if len(agreed) == 10 else None),
            ),
        ),
        (
            ids.BLOCK_AGREEMENT_PRECISION,
            _choice_set(
                ids.BLOCK_AGREEMENT_PRECISION,
                "Known",
                list(PRECISIONS),
                current(ids.BLOCK_AGREEMENT_PRECISION, "day"),
            ),
        ),
        (
            ids.BLOCK_NOTE,
            _text(ids.BLOCK_NOTE, "Note", current(ids.BLOCK_NOTE, record.get("note")), multiline=True),
        ),
        (
            ids.BLOCK_SOURCE,
            _text(ids.BLOCK_SOURCE, "Source: a link or a citation", current(ids.BLOCK_SOURCE)),
        ),
        (
            ids.BLOCK_SOURCE_TITLE,
            _text(ids.BLOCK_SOURCE_TITLE, "Source title (optional)", current(ids.BLOCK_SOURCE_TITLE)),
        ),
        (
            ids.BLOCK_SOURCE_PUBLISHED,
            _date(
                ids.BLOCK_SOURCE_PUBLISHED, "Source published (optional)", current(ids.BLOCK_SOURCE_PUBLISHED)
            ),
        ),
    ]


def status_form(
    record: Mapping[str, Any], values: Mapping[str, Any], errors: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The dialog's card: the record's values (or those entered), errors under their fields."""
    errors = errors or {}
    body: list[Element] = [
        text_block(f"{record.get('name') or record['id']}: agreement status", weight="Bolder")
    ]
    body += _error(errors, ids.BLOCK_DEVELOPER)
    for field, element in _inputs(record, values):
        body.append(element)
        body += _error(errors, field)
    submit = {
        "type": "Action.Submit",
        "title": "Save",
        "data": {"dialog": DIALOG_STATUS, "id": record["id"], "version": record["version"]},
    }
    return adaptive_card(body, [submit])


def _continue(title: str, card: dict[str, Any]) -> dict[str, Any]:
    return {
        "task": {
            "type": "continue",
            "value": {
                "title": title,
                "width": "medium",
                "height": "large",
                "card": {"contentType": CARD_CONTENT_TYPE, "content": card},
            },
        }
    }


EMOJI = {":white_check_mark: ": "✅ ", ":wastebasket: ": "🗑 ", ":warning: ": "⚠ "}


def _message(text: str) -> dict[str, Any]:
    return {"task": {"type": "message", "value": text}}


def _title(form: str, record: Mapping[str, Any] | None) -> str:
    if record is None:
        return ADMIN_MENU.get(form, FORMS[form][1])
    if form == "event":
        return "Edit a development"
    verb = "Remove" if form.startswith("remove_") else "Update"
    return f"{verb} {record.get('name') or record.get('title') or record['id']}"


def _record(deps: Deps, form: str, record_id: Any) -> dict[str, Any] | None:
    entity = "developer" if form == DIALOG_STATUS else FORMS[form][0]
    if record_id in (None, "") or entity not in ("developer", "model", "deadline", "event"):
        return None
    if entity == "event":
        return get_event(deps.store.db, int(record_id)) if str(record_id).isdigit() else None
    return get_record(deps.store.db, entity, str(record_id))


def _removing(deps: Deps, form: str, record: Mapping[str, Any] | None) -> list[Element]:
    """A removal's dialog names what goes, as Slack's confirmation does."""
    if record is None or not form.startswith("remove_"):
        return []
    entity = FORMS[form][0]
    label = subject_label(deps.store.db, entity, dict(record))
    when = (
        f"Planned release: {record.get('planned_release') or 'not reported'}"
        if entity == "model"
        else f"Due: {record.get('due_date')}"
    )
    return [text_block(label, weight="Bolder"), text_block(when)]


def _extra_choices(deps: Deps, form: str) -> dict[str, list[tuple[str, str]]]:
    if form != "settle":
        return {}
    from bot.admin import settle_options

    return {"settle": settle_options(deps)}


def record_form(
    deps: Deps,
    form: str,
    record: Mapping[str, Any] | None,
    values: Mapping[str, Any],
    errors: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The deadline, model or event form (a new event: `record` None)."""
    errors = errors or {}
    body: list[Element] = [text_block(_title(form, record), weight="Bolder"), *_removing(deps, form, record)]
    extra = _extra_choices(deps, form)
    for field, element in form_inputs(deps.store.db, form, record or {}, values, extra):
        body.append(element)
        body += _error(errors, field)
    shown = {b for b, *_ in inputs_of(form, record or {})}
    body += [_error(errors, f)[0] for f in errors if f not in shown]
    data = {
        "dialog": form,
        "id": record["id"] if record else None,
        "version": record["version"] if record else None,
    }
    return adaptive_card(body, [{"type": "Action.Submit", "title": "Save", "data": data}])


def _form(
    deps: Deps,
    form: str,
    record: Mapping[str, Any] | None,
    values: Mapping[str, Any],
    errors: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    if form == DIALOG_STATUS:
        assert record is not None
        return status_form(record, values, errors)
    return record_form(deps, form, record, values, errors)


def open_dialog(deps: Deps, data: Mapping[str, Any], is_admin: bool) -> dict[str, Any]:
    """The `task/fetch` answer: the form for the record the button named."""
    if not is_admin:
        return _message("Only admins can change the tracker.")
    form = str(data.get("dialog") or "")
    if form == DIALOG_PICK_EVENT:
        return _pick_event(deps, data, opening=True)
    if form != DIALOG_STATUS and form not in FORMS:
        return _message("That form does not exist.")
    if data.get("news") is not None and form in (DIALOG_STATUS, "event"):
        return _news_form(deps, form, data["news"])
    record = _record(deps, form, data.get("id") or data.get("developer"))
    if record is None and (form not in NEW_FORMS or data.get("id") not in (None, "")):
        return _message("That record is no longer in the tracker.")
    if form == "settle" and not _extra_choices(deps, form)["settle"]:
        return _message("No fact is contested or was ever contested.")
    if form == "event" and record is not None:  # an event's own values, as the picker opens it
        from bot.teams.event_edit import event_values

        return _continue(_title(form, record), _form(deps, form, record, event_values(record)))
    return _continue(_title(form, record), _form(deps, form, record, {}))


def _news_form(deps: Deps, form: str, news: Any) -> dict[str, Any]:
    """A news alert's **Update tracker** (the status form) or **Add as event**: the form
    prefilled from the item as Slack's buttons prefill it."""
    from bot.admin import news_values

    values = news_values(deps, int(news), form) if str(news).isdigit() else None
    if values is None:
        return _message("That news item is no longer stored.")
    record = _record(deps, form, values.get(ids.BLOCK_DEVELOPER)) if form == DIALOG_STATUS else None
    if form == DIALOG_STATUS and record is None:
        return _message("No developer is tracked yet: add one first.")
    return _continue(_title(form, record), _form(deps, form, record, values))


def _submitted_values(form: str, data: Mapping[str, Any], record: Mapping[str, Any] | None) -> dict[str, Any]:
    if form == DIALOG_STATUS:
        values = {f: (str(data[f]).strip() or None) if data.get(f) is not None else None for f in FIELDS}
    else:
        values = form_values(form, data, record)
    if form == DIALOG_STATUS and record is not None:
        values[ids.BLOCK_DEVELOPER] = record["id"]
    if form == "model" and record is not None:
        values[ids.BLOCK_DEVELOPER] = record["developer_id"]
    return values


def _pick_event(deps: Deps, data: Mapping[str, Any], *, opening: bool) -> dict[str, Any]:
    """Edit a development: the picker (opened, or narrowed by what was typed), then, at
    **Next**, the event dialog prefilled with the chosen event's values."""
    from bot.teams.event_edit import event_values, pick_card, picked_event

    typed = "" if opening else str(data.get(FILTER) or "").strip()
    event = None if opening or data.get("step") == "filter" else picked_event(deps, data)
    if event is not None:
        return _continue(_title("event", event), _form(deps, "event", event, event_values(event)))
    error = None if opening or data.get("step") == "filter" else "Choose one of the events."
    card = pick_card(deps, typed, error)
    if card is None:
        return _message("There are no events in the tracker yet.")
    return _continue("Edit a development", card)


def submit_dialog(
    deps: Deps, data: Mapping[str, Any], actor: str, is_admin: bool
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The `task/submit` answer, and the confirmation card to post in the conversation (None
    when nothing was saved)."""
    from bot.admin import submit_form_values

    if not is_admin:
        return _message("Only admins can change the tracker; nothing was saved."), None
    form = str(data.get("dialog") or "")
    if form == DIALOG_PICK_EVENT:
        return _pick_event(deps, data, opening=False), None
    if form != DIALOG_STATUS and form not in FORMS:
        return _message("That form does not exist; nothing was saved."), None
    record = _record(deps, form, data.get("id"))
    if record is None and (form not in NEW_FORMS or data.get("id") not in (None, "")):
        return _message("That record is no longer in the tracker; nothing was saved."), None
    values = _submitted_values(form, data, record)
    if form == "event" and record is not None:  # an empty source keeps what it cites now
        from bot.teams.event_edit import cited_sources

        values[ids.BLOCK_SOURCE_PICK] = cited_sources(deps, record["id"])
    version = data.get("version")
    meta = {
        "entity": FORMS[form][0] if form in FORMS else "developer",
        "id": record["id"] if record else None,
        "version": version if isinstance(version, int) and not isinstance(version, bool) else None,
    }
    outcome = submit_form_values(deps, "remove" if form.startswith("remove_") else form, actor, values, meta)
    if outcome.errors:
        return _continue(_title(form, record), _form(deps, form, record, values, outcome.errors)), None
    saved = outcome.saved.text if outcome.saved else "Saved."
    for code, emoji in EMOJI.items():
        saved = saved.replace(code, emoji)
    lines = saved.split("\n")
    return _message("Saved."), adaptive_card([rich_text(runs(line)) for line in lines])
