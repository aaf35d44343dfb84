"""Submitting the forms about developers, models and deadlines: status, new developer,
model, deadline (an extended deadline becomes a new one, the old kept as extended),
removal, and the picker that leads to an edit or a removal. Each validates, applies the
rules the forms cannot (a duplicate name, an outcome before the due date) and saves
through `saving`."""

from __future__ import annotations

import re
from typing import Any

from bot import domain, ids
from bot.admin.modal import MAX_NOTE
from bot.admin.opening import event_view, record_view
from bot.admin.saving import (
    Outcome,
    Saved,
    cited_source_ids,
    conflict_text,
    form_version,
    match_problem,
    save_create,
    save_update,
    team_today,
    today_iso,
)
from bot.admin.validation import SourceChoice, read_deadline, read_model, read_new_developer, read_status
from bot.blockkit import fmt_date, safe
from bot.deps import Deps
from bot.directory import Directory
from bot.lookup import find_subject
from storage.facts import get_event
from storage.tracker import (
    NotFound,
    VersionConflict,
    create_record,
    get_record,
    list_developers,
    model_name_taken,
    remove_record,
    subject_label,
    update_record,
)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")[:60]


def submit_status(
    deps: Deps, directory: Directory | None, user_id: str, values: dict[str, Any], meta: dict[str, Any]
) -> Outcome:
    developer_id, changes, source, errors = read_status(values, team_today(deps))
    if errors:
        return Outcome(errors=errors)
    if developer_id != meta.get("id"):
        return Outcome(
            errors={
                ids.BLOCK_DEVELOPER: "The form shows another developer's values: "
                "choose the developer again to reload them."
            }
        )
    current = get_record(deps.store.db, "developer", developer_id or "") or {}
    # Signing: the agreement date is the day it took effect unless the admin gave another.
    if changes["status"] == "signed" and current.get("status") != "signed" and not changes["agreement_date"]:
        changes["agreement_date"] = changes["status_since"]
    moved = changes["status"] != current.get("status") or changes["status_since"] != current.get(
        "status_since"
    )
    effective = changes["status_since"] if moved else None
    return save_update(
        deps,
        directory,
        user_id,
        "developer",
        developer_id,
        changes,
        meta,
        ids.BLOCK_STATUS,
        source,
        effective,
    )


def submit_new_developer(deps: Deps, user_id: str, values: dict[str, Any], meta: dict[str, Any]) -> Outcome:
    changes, source, errors = read_new_developer(values, team_today(deps))
    if errors:
        return Outcome(errors=errors)
    name = changes["name"]
    slug = _slug(name)
    taken = [
        d
        for d in list_developers(deps.store.db)
        if d["id"] == slug or d["name"].casefold() == name.casefold()
    ]
    if not slug or taken:
        problem = (
            f"{taken[0]['name']} is already tracked; update its status instead."
            if taken
            else "The name needs at least one letter or digit."
        )
        return Outcome(errors={ids.BLOCK_NAME: problem})
    return save_create(
        deps,
        user_id,
        "developer",
        changes,
        meta,
        record_id=slug,
        source=source,
        effective=changes["status_since"],
    )


def submit_model(
    deps: Deps, directory: Directory | None, user_id: str, values: dict[str, Any], meta: dict[str, Any]
) -> Outcome:
    changes, source, errors = read_model(values, team_today(deps))
    if errors:
        return Outcome(errors=errors)
    if get_record(deps.store.db, "developer", changes["developer_id"]) is None:
        return Outcome(errors={ids.BLOCK_DEVELOPER: "Choose one of the tracked developers."})
    if model_name_taken(deps.store.db, changes["developer_id"], changes["name"], meta.get("id")):
        return Outcome(errors={ids.BLOCK_NAME: "This developer already has a model with this name."})
    current = get_record(deps.store.db, "model", meta["id"]) if meta.get("id") is not None else None
    effective = None
    for dated in ("released", "submitted"):  # when the change it records happened
        if changes[dated] and changes[dated] != (current or {}).get(dated):
            effective = changes[dated]
            break
    if meta.get("id") is None:
        return save_create(deps, user_id, "model", changes, meta, source=source, effective=effective)
    return save_update(
        deps, directory, user_id, "model", meta["id"], changes, meta, ids.BLOCK_NAME, source, effective
    )


def submit_deadline(
    deps: Deps, directory: Directory | None, user_id: str, values: dict[str, Any], meta: dict[str, Any]
) -> Outcome:
    changes, source, errors = read_deadline(values, team_today(deps))
    if errors:
        return Outcome(errors=errors)
    if meta.get("id") is None:
        if changes["outcome"] != "open":
            return Outcome(errors={ids.BLOCK_OUTCOME: "A new deadline has no outcome yet."})
        return save_create(deps, user_id, "deadline", changes, meta, source=source)
    current = get_record(deps.store.db, "deadline", meta["id"])
    if current is not None and changes["outcome"] == "extended" and current["outcome"] != "extended":
        return _extend_deadline(deps, directory, user_id, current, changes, meta, source)
    if (
        current is not None
        and changes["outcome"] in ("met", "missed")
        and changes["due_date"] > today_iso(deps)
    ):
        due = fmt_date(domain.parse_date(changes["due_date"]))
        return Outcome(
            errors={
                ids.BLOCK_OUTCOME: f"This deadline is due {due}: record whether it was met or missed "
                "once it has passed."
            }
        )
    return save_update(
        deps, directory, user_id, "deadline", meta["id"], changes, meta, ids.BLOCK_TITLE, source
    )


def _extend_deadline(
    deps: Deps,
    directory: Directory | None,
    user_id: str,
    current: dict[str, Any],
    changes: dict[str, Any],
    meta: dict[str, Any],
    source: SourceChoice,
) -> Outcome:
    """Extended: a new deadline on the new date, and the old one kept (its date in history)
    with outcome `extended` linking to it."""
    if changes["due_date"] == current["due_date"]:
        return Outcome(errors={ids.BLOCK_DUE_DATE: "Extended: set the new due date here."})
    db = deps.store.db
    if form_version(meta) != current["version"]:
        return Outcome(errors={ids.BLOCK_TITLE: conflict_text(deps, directory, "deadline", current)})
    with db.atomic():
        source_ids = cited_source_ids(deps, user_id, source)
        new_values = {k: changes[k] for k in ("title", "due_date", "kind", "note")}
        created = create_record(
            db,
            "deadline",
            {**new_values, "as_of": today_iso(deps)},
            actor=user_id,
            at=deps.clock.now(),
            note=f"Extended from {current['due_date']}"
            + (f": {changes['note']}" if changes.get("note") else ""),
            source_ids=source_ids,
        )
        update_record(
            db,
            "deadline",
            current["id"],
            {"outcome": "extended", "extended_to": created["id"], "as_of": today_iso(deps)},
            actor=user_id,
            at=deps.clock.now(),
            note=f"Extended to {created['due_date']}",
            source_ids=source_ids,
            expected_version=current["version"],
        )
    new_day = fmt_date(domain.parse_date(created["due_date"]))
    text = (
        f":white_check_mark: Extended *{safe(current['title'], 200)}* from "
        f"{fmt_date(domain.parse_date(current['due_date']))} to {new_day}: the new date is a deadline of its "
        "own (alerts follow it), and the old one is kept as extended."
    )
    return Outcome(saved=Saved(text=text, channel=meta.get("channel")))


def submit_remove(
    deps: Deps, directory: Directory | None, user_id: str, values: dict[str, Any], meta: dict[str, Any]
) -> Outcome:
    entity, record_id, version = meta.get("entity"), meta.get("id"), form_version(meta)
    if entity not in ("model", "deadline") or record_id is None or version is None:
        return Outcome(errors={ids.BLOCK_CONFIRM: "This form is missing its context; nothing was removed."})
    if "yes" not in (values.get(ids.BLOCK_CONFIRM) or []):
        return Outcome(errors={ids.BLOCK_CONFIRM: "Tick the box to confirm; nothing was removed."})
    note = values.get(ids.BLOCK_NOTE)
    if isinstance(note, str) and len(note) > MAX_NOTE:
        return Outcome(
            errors={ids.BLOCK_NOTE: f"Note is {len(note)} characters long; the limit is {MAX_NOTE}."}
        )
    db = deps.store.db
    try:
        removed = remove_record(
            db, entity, record_id, actor=user_id, at=deps.clock.now(), note=note, expected_version=version
        )
    except VersionConflict as exc:
        return Outcome(errors={ids.BLOCK_CONFIRM: conflict_text(deps, directory, entity, exc.row)})
    except NotFound:
        return Outcome(errors={ids.BLOCK_CONFIRM: f"This {entity} was already removed."})
    label = removed["title"] if entity == "deadline" else subject_label(db, entity, removed)
    text = (
        f":wastebasket: Removed {entity} *{safe(label, 200)}*. Its history is kept "
        f"(`/aireview history {entity}:{safe(removed.get('name') or removed.get('title'), 80)}`)."
    )
    return Outcome(saved=Saved(text=text, channel=meta.get("channel")))


def submit_pick(deps: Deps, values: dict[str, Any], meta: dict[str, Any]) -> Outcome:
    entity, purpose = meta.get("entity"), meta.get("purpose")
    if entity == "event" and purpose == "edit":
        chosen = values.get(ids.BLOCK_PICK)
        event = get_event(deps.store.db, int(chosen)) if chosen and str(chosen).isdigit() else None
        if event is None:
            return Outcome(errors={ids.BLOCK_PICK: "Choose one of the events."})
        return Outcome(view=event_view(deps, event, meta.get("channel")))
    if entity not in ("model", "deadline") or purpose not in ("edit", "remove"):
        return Outcome(errors={ids.BLOCK_PICK: "This form is missing its context; close it and try again."})
    chosen = values.get(ids.BLOCK_PICK)
    if not chosen:
        return Outcome(errors={ids.BLOCK_PICK: f"Choose a {entity}."})
    record = get_record(deps.store.db, entity, chosen) if str(chosen).isdigit() else None
    if record is None:  # typed in the text box (more records than a menu holds)
        match = find_subject(deps.store.db, f"{entity}:{chosen}")
        if not match.found or match.entity != entity:
            return Outcome(errors={ids.BLOCK_PICK: match_problem(entity, match)})
        record = match.record
    assert record is not None
    return Outcome(view=record_view(deps, entity, purpose, record, meta.get("channel")))
