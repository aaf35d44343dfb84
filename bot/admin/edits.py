"""Admin edits: opening the forms, applying a submitted form to the tracker, confirming.

Nothing here calls Slack: opening a form returns the view, a submission returns an
Outcome, and the listeners in handlers/ open, update and post. Authorization is checked
when a form opens and again on every submission (a forged or replayed submission from a
non-admin changes nothing). Every write goes through storage.tracker, so each change and
its history row land in one transaction; the alert pipeline reads status changes from
history. A form carries the version it showed: if the record moved on, the submission
gets an inline error naming who changed it and when, and their change stands.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot import domain, ids, menus
from bot.admin import forms
from bot.admins import denial_text, is_admin
from bot.blockkit import Block, clip, escape, fallback, fmt_date, fmt_datetime, fmt_when, safe, section
from bot.deps import Deps
from bot.directory import Directory, DirectoryUnavailable
from bot.lookup import Match, find_developer, find_subject
from bot.replies import SURFACE_SLACK, CommandRequest, Reply
from storage.facts import (
    EVENT_KIND_LABELS,
    add_source,
    citations_for,
    clean_url,
    contests_for,
    create_event,
    fact_sources,
    get_event,
    list_events,
    open_contest,
    record_sources,
    reopen_contest,
    resolve_contest,
    update_event,
)
from storage.news import get_item
from storage.sources import sources_stamp
from storage.tracker import (
    EDITABLE_FIELDS,
    NoChange,
    NotFound,
    TrackerError,
    VersionConflict,
    create_record,
    get_record,
    list_developers,
    remove_record,
    subject_label,
    update_record,
)

log = logging.getLogger(__name__)

UPDATE_USAGE = "Usage: `/aireview update <developer>`, e.g. `/aireview update meta`."


@dataclass
class Saved:
    """A change that was written: what to tell the admin, and where."""

    text: str
    channel: str | None = None


@dataclass
class Outcome:
    """The answer to a submission: inline errors, a next view, or a saved change."""

    errors: dict[str, str] | None = None
    view: Block | None = None  # response_action "update" (the picker's next step)
    saved: Saved | None = None


# ---------------------------------------------------------------- opening forms


def _default_developer(developers: list[dict[str, Any]]) -> dict[str, Any]:
    """With no developer named, start on the first holdout (the likeliest to change)."""
    holdouts = domain.holdouts(developers)
    first = holdouts[0]["id"] if holdouts else developers[0]["id"]
    return next(d for d in developers if d["id"] == first)


def _source_fields(
    deps: Deps, entity: str, record: dict[str, Any] | None, fact: str, new: forms.SourceFields | None = None
) -> forms.SourceFields:
    """The form's source part: recorded sources, preselecting the one the fact cites now."""
    fields = new or forms.SourceFields()
    fields.recorded = sources_stamp(deps.store.db)[1] > 0
    if record is not None and fields.url is None and fields.title is None:
        cited = fact_sources(citations_for(deps.store.db, entity, [record["id"]]), record["id"], fact)
        if cited:
            fields.picked = cited[-1]
    return fields


def settle_choices(deps: Deps) -> list[tuple[str, str]]:
    """One option per way to settle: each open contest's claims ('resolve:<contest>:<claim>')
    and each resolved contest ('reopen:<contest>'), newest contests first."""
    db = deps.store.db
    choices: list[tuple[str, str]] = []
    for state in ("open", "resolved"):
        for entity in ("developer", "model", "deadline", "event", "framework"):
            for found in contests_for(db, entity, open_only=False).values():
                for contest in found:
                    if contest.state != state:
                        continue
                    what = f"{contest.entity} {contest.entity_id}: {contest.reason}"
                    if state == "open":
                        choices += [
                            (f"resolve:{contest.id}:{c.id}", clip(f"Resolve {what} → “{c.text}” stands", 75))
                            for c in contest.claims
                        ]
                    else:
                        choices.append((f"reopen:{contest.id}", clip(f"Reopen {what}", 75)))
    return choices[: menus.MAX_STATIC_OPTIONS]


def _event_view(deps: Deps, event: dict[str, Any], channel: str | None) -> Block:
    developers = [d for d in (get_record(deps.store.db, "developer", i) for i in event["developer_ids"]) if d]
    sources = _source_fields(deps, "event", event, "*")
    return forms.event_form(event, developers=developers, channel=channel, sources=sources)


def news_event_form_view(
    deps: Deps,
    directory: Directory | None,
    item_id: int,
    *,
    user_id: str,
    channel: str | None = None,
) -> Block:
    """The event form prefilled from a news item ("add as an event"): the developers it
    mentions, its published day, its title as the summary, the item as a new source."""
    if not is_admin(deps, user_id, directory):
        return forms.notice_view("Admins only", denial_text(deps))
    item = get_item(deps.store.db, item_id)
    if item is None:
        return forms.notice_view("Not found", "That news item is no longer stored.")
    developers = [d for d in (get_record(deps.store.db, "developer", i) for i in item["developers"]) if d]
    return forms.event_form(
        developers=developers,
        channel=channel,
        sources=_source_fields(deps, "event", None, "*", news_source_fields(deps, item)),
        summary=item.get("title"),
        effective=_published_day(deps, item),
        news=item_id,
    )


def news_status_form_view(
    deps: Deps,
    directory: Directory | None,
    item_id: int,
    *,
    user_id: str,
    channel: str | None = None,
) -> Block:
    """The status form prefilled from a news item: the developer it mentions, its published
    day as the effective date, and the item as a new source (tracking parameters stripped)."""
    item = get_item(deps.store.db, item_id)
    if item is None:
        return forms.notice_view("Not found", "That news item is no longer stored.")
    developer_id = item["developers"][0] if item["developers"] else None
    note = f"From the news: {item['title']}"[:2900] if item.get("title") else None
    return status_form_view(
        deps,
        directory,
        developer_id,
        note,
        channel=channel,
        user_id=user_id,
        new_source=news_source_fields(deps, item),
        effective=_published_day(deps, item),
        news=item_id,
    )


def _published_day(deps: Deps, item: dict[str, Any]) -> str | None:
    """The item's published date as the team's calendar day (None if unknown or ahead)."""
    published = item.get("published")
    if not published:
        return None
    try:
        at = datetime.fromisoformat(str(published))
    except ValueError:
        return None
    day = at.astimezone(deps.settings.tz).date() if at.tzinfo else at.date()
    return day.isoformat() if day <= _team_today(deps) else None


def news_source_fields(deps: Deps, item: dict[str, Any]) -> forms.SourceFields:
    """A news item as a new source: its link without utm_*/fbclid/gclid, its title and feed."""
    link = clean_url(item["link"]) if item.get("link") else None
    title = item.get("title")
    feed = item.get("source") or ""
    if feed and title and not feed.startswith(("http://", "https://")):
        title = f"{feed}: {title}"  # the feed's name as the publisher
    return forms.SourceFields(
        url=link or title, title=title if link else None, published=_published_day(deps, item)
    )


def status_form_view(
    deps: Deps,
    directory: Directory | None,
    developer_id: str | None = None,
    note: str | None = None,
    *,
    channel: str | None = None,
    user_id: str | None = None,
    new_source: forms.SourceFields | None = None,
    effective: str | None = None,
    news: int | None = None,
) -> Block:
    """The "Update developer status" form, prefilled with the developer's current values.

    `new_source`, `effective` and `note` replace the prefilled ones (e.g. from a news item:
    its link as a new source, its published day). With `user_id`, a non-admin sees why
    they cannot edit instead of the form.
    """
    if user_id is not None and not is_admin(deps, user_id, directory):
        return forms.notice_view("Admins only", denial_text(deps))
    developers = list_developers(deps.store.db)
    if not developers:
        return forms.notice_view("No developers", "Add a developer first.")
    developer = next((d for d in developers if d["id"] == developer_id), None)
    developer = developer or _default_developer(developers)
    sources = _source_fields(deps, "developer", developer, "status", new_source)
    return forms.status_form(
        developer, channel=channel, sources=sources, note=note, effective=effective, news=news
    )


def reloaded_status_form(
    deps: Deps, directory: Directory | None, user_id: str, view: dict[str, Any], developer_id: str
) -> Block | None:
    """The status form's developer changed: the form with that developer's current values
    (None: leave the form as it is)."""
    if not is_admin(deps, user_id, directory):
        return None  # the submission check answers; a non-admin's form stays as it was
    developer = get_record(deps.store.db, "developer", developer_id)
    if developer is None:
        return None
    channel = forms.load_metadata(view.get("private_metadata")).get("channel")
    sources = _source_fields(deps, "developer", developer, "status")
    return forms.status_form(developer, channel=channel, sources=sources)


def _none_of(deps: Deps, entity: str) -> bool:
    table = "models" if entity == "model" else "deadlines"
    return not any(True for _ in deps.store.db.query(f"SELECT 1 FROM {table} LIMIT 1"))


def _record_view(deps: Deps, entity: str, purpose: str, record: dict[str, Any], channel: str | None) -> Block:
    db = deps.store.db
    if purpose == "remove":
        return forms.remove_form(entity, record, subject_label(db, entity, record), channel=channel)
    if entity == "model":
        developer = get_record(db, "developer", record["developer_id"])
        fact = "released" if record.get("released") else "review_status"
        sources = _source_fields(deps, "model", record, fact)
        return forms.model_form(record, developer=developer, channel=channel, sources=sources)
    return forms.deadline_form(
        record, channel=channel, sources=_source_fields(deps, "deadline", record, "due_date")
    )


def form_for_action(
    deps: Deps,
    directory: Directory | None,
    *,
    user_id: str,
    action: str,
    value: str | None = None,
    channel: str | None = None,
) -> Block:
    """An ACTION_ADMIN_* button was pressed: the form it opens (or the picker before it).

    `value` optionally names the record: a developer id for status and add-model, a
    model or deadline id for edit and remove.
    """
    if not is_admin(deps, user_id, directory):
        return forms.notice_view("Admins only", denial_text(deps))
    db = deps.store.db
    if action == ids.ACTION_ADMIN_UPDATE_STATUS:
        return status_form_view(deps, directory, value or None, channel=channel)
    if action == ids.ACTION_ADMIN_ADD_DEVELOPER:
        return forms.developer_form(channel=channel, sources=_source_fields(deps, "developer", None, "*"))
    if action == ids.ACTION_ADMIN_ADD_MODEL:
        developer = get_record(db, "developer", value) if value else None
        sources = _source_fields(deps, "model", None, "*")
        return forms.model_form(developer=developer, channel=channel, sources=sources)
    if action == ids.ACTION_ADMIN_ADD_EVENT:
        return forms.event_form(channel=channel, sources=_source_fields(deps, "event", None, "*"))
    if action == ids.ACTION_ADMIN_EDIT_EVENT:
        event = get_event(db, int(value)) if value and value.isdigit() else None
        if event is not None:
            return _event_view(deps, event, channel)
        return forms.event_pick_form(empty=not list_events(db, limit=1), channel=channel)
    if action == ids.ACTION_ADMIN_CONTEST:
        return forms.contest_form(channel=channel)
    if action == ids.ACTION_ADMIN_SETTLE_CONTEST:
        return forms.settle_form(
            settle_choices(deps), _source_fields(deps, "contest", None, "*"), channel=channel
        )
    if action == ids.ACTION_ADMIN_ADD_DEADLINE:
        return forms.deadline_form(channel=channel, sources=_source_fields(deps, "deadline", None, "*"))
    model_actions = (ids.ACTION_ADMIN_EDIT_MODEL, ids.ACTION_ADMIN_REMOVE_MODEL)
    remove_actions = (ids.ACTION_ADMIN_REMOVE_MODEL, ids.ACTION_ADMIN_REMOVE_DEADLINE)
    entity = "model" if action in model_actions else "deadline"
    purpose = "remove" if action in remove_actions else "edit"
    if value:
        record = get_record(db, entity, value)
        if record is None:
            return forms.notice_view("Not found", f"That {entity} is no longer in the tracker.")
        return _record_view(deps, entity, purpose, record, channel)
    return forms.pick_form(entity, purpose, empty=_none_of(deps, entity), channel=channel)


# ---------------------------------------------------------------- submissions


def _who(directory: Directory | None, actor: str) -> str:
    """A person's name for an inline error (plain text: no mentions there)."""
    if directory is None or not re.fullmatch(r"[UW][A-Z0-9]{2,}", actor or ""):
        return actor or "someone"
    try:
        name = directory.user_name(actor)
    except DirectoryUnavailable:
        return actor
    return f"{name} ({actor})" if name else actor


def conflict_text(deps: Deps, directory: Directory | None, entity: str, row: dict[str, Any]) -> str:
    when = fmt_datetime(row.get("updated_at"), deps.settings.tz)
    return (
        f"{_who(directory, row.get('updated_by') or '')} changed this {entity} at {when}, after you "
        "opened this form; their change stands and yours was not saved. Close the form and "
        "open it again to see their values."
    )


def _today(deps: Deps) -> str:
    return domain.today_in(deps.settings.tz, deps.clock.now()).isoformat()


def _team_today(deps: Deps) -> date:
    return domain.today_in(deps.settings.tz, deps.clock.now())


def _source_ids(deps: Deps, user_id: str, choice: forms.SourceChoice) -> list[int] | None:
    """The form's source as record ids: a new one is recorded now (inside the caller's
    transaction, so a refused save records nothing)."""
    if choice.source_id is not None:
        return [choice.source_id]
    if choice.new is None:
        return None
    new = choice.new
    is_url = new.text.startswith(("http://", "https://"))
    row = add_source(
        deps.store.db,
        actor=user_id,
        at=deps.clock.now(),
        url=new.text if is_url else None,
        citation=None if is_url else new.text,
        title=new.title if is_url or new.title != new.text else None,
        published=new.published,
        read_at=deps.clock.now(),
    )
    return [int(row["id"])]


def _version(meta: dict[str, Any]) -> int | None:
    version = meta.get("version")
    return version if isinstance(version, int) and not isinstance(version, bool) else None


def _duplicate_model(deps: Deps, developer_id: str, name: str, model_id: Any) -> bool:
    rows = deps.store.db.query(
        "SELECT id FROM models WHERE developer_id = ? AND name = ? COLLATE NOCASE AND id IS NOT ?",
        [developer_id, name, model_id],
    )
    return any(True for _ in rows)


def _save_update(
    deps: Deps,
    directory: Directory | None,
    user_id: str,
    entity: str,
    record_id: Any,
    changes: dict[str, Any],
    meta: dict[str, Any],
    main: str,
    source: forms.SourceChoice | None = None,
    effective: str | None = None,
) -> Outcome:
    db = deps.store.db
    current = get_record(db, entity, record_id)
    version = _version(meta)
    if current is None:
        return Outcome(errors={main: f"This {entity} is no longer in the tracker; nothing was saved."})
    if version is None:
        return Outcome(errors={main: "This form is missing its context; close it and open it again."})
    if current["version"] != version:
        return Outcome(errors={main: conflict_text(deps, directory, entity, current)})
    cited = {r["id"] for r in record_sources(db, entity, record_id)}
    same_source = source is None or source.source_id in cited or not source.given
    if all(str(current.get(k)) == str(v) for k, v in changes.items()) and same_source:
        return Outcome(
            errors={main: "Nothing changed: these are the current values. Change a field or close the form."}
        )
    try:
        with db.atomic():
            updated = update_record(
                db,
                entity,
                record_id,
                {**changes, "as_of": _today(deps)},
                actor=user_id,
                at=deps.clock.now(),
                note=changes.get("note"),
                source_ids=_source_ids(deps, user_id, source) if source else None,
                expected_version=version,
                effective=effective,
            )
    except VersionConflict as exc:  # saved by someone else between our read and write
        return Outcome(errors={main: conflict_text(deps, directory, entity, exc.row)})
    except NoChange as exc:
        return Outcome(errors={main: str(exc)})
    except NotFound:
        return Outcome(errors={main: f"This {entity} is no longer in the tracker; nothing was saved."})
    except sqlite3.IntegrityError:  # the unique (developer, name) index: a racing duplicate
        return Outcome(errors={ids.BLOCK_NAME: "This developer already has a model with this name."})
    label = subject_label(db, entity, updated)
    lines = forms.change_lines(current, updated, EDITABLE_FIELDS[entity])
    text = f":white_check_mark: Saved *{safe(label, 200)}*:\n" + "\n".join(lines)
    return Outcome(saved=Saved(text=text, channel=meta.get("channel")))


def _save_create(
    deps: Deps,
    user_id: str,
    entity: str,
    values: dict[str, Any],
    meta: dict[str, Any],
    record_id: str | None = None,
    source: forms.SourceChoice | None = None,
    effective: str | None = None,
) -> Outcome:
    db = deps.store.db
    try:
        with db.atomic():
            created = create_record(
                db,
                entity,
                {**values, "as_of": _today(deps)},
                actor=user_id,
                at=deps.clock.now(),
                note=values.get("note"),
                source_ids=_source_ids(deps, user_id, source) if source else None,
                record_id=record_id,
                effective=effective,
            )
    except sqlite3.IntegrityError:
        main = ids.BLOCK_NAME if entity != "deadline" else ids.BLOCK_TITLE
        return Outcome(errors={main: f"This {entity} is already in the tracker."})
    label = subject_label(db, entity, created)
    return Outcome(
        saved=Saved(
            text=f":white_check_mark: Added {entity} *{safe(label, 200)}*.", channel=meta.get("channel")
        )
    )


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")[:60]


def _submit_status(
    deps: Deps, directory: Directory | None, user_id: str, values: dict[str, Any], meta: dict[str, Any]
) -> Outcome:
    developer_id, changes, source, errors = forms.read_status(values, _team_today(deps))
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
    return _save_update(
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


def _submit_new_developer(deps: Deps, user_id: str, values: dict[str, Any], meta: dict[str, Any]) -> Outcome:
    changes, source, errors = forms.read_new_developer(values, _team_today(deps))
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
    return _save_create(
        deps,
        user_id,
        "developer",
        changes,
        meta,
        record_id=slug,
        source=source,
        effective=changes["status_since"],
    )


def _submit_model(
    deps: Deps, directory: Directory | None, user_id: str, values: dict[str, Any], meta: dict[str, Any]
) -> Outcome:
    changes, source, errors = forms.read_model(values, _team_today(deps))
    if errors:
        return Outcome(errors=errors)
    if get_record(deps.store.db, "developer", changes["developer_id"]) is None:
        return Outcome(errors={ids.BLOCK_DEVELOPER: "Choose one of the tracked developers."})
    if _duplicate_model(deps, changes["developer_id"], changes["name"], meta.get("id")):
        return Outcome(errors={ids.BLOCK_NAME: "This developer already has a model with this name."})
    current = get_record(deps.store.db, "model", meta["id"]) if meta.get("id") is not None else None
    effective = None
    for dated in ("released", "submitted"):  # when the change it records happened
        if changes[dated] and changes[dated] != (current or {}).get(dated):
            effective = changes[dated]
            break
    if meta.get("id") is None:
        return _save_create(deps, user_id, "model", changes, meta, source=source, effective=effective)
    return _save_update(
        deps, directory, user_id, "model", meta["id"], changes, meta, ids.BLOCK_NAME, source, effective
    )


def _submit_deadline(
    deps: Deps, directory: Directory | None, user_id: str, values: dict[str, Any], meta: dict[str, Any]
) -> Outcome:
    changes, source, errors = forms.read_deadline(values, _team_today(deps))
    if errors:
        return Outcome(errors=errors)
    if meta.get("id") is None:
        if changes["outcome"] != "open":
            return Outcome(errors={ids.BLOCK_OUTCOME: "A new deadline has no outcome yet."})
        return _save_create(deps, user_id, "deadline", changes, meta, source=source)
    current = get_record(deps.store.db, "deadline", meta["id"])
    if current is not None and changes["outcome"] == "extended" and current["outcome"] != "extended":
        return _extend_deadline(deps, directory, user_id, current, changes, meta, source)
    if current is not None and changes["outcome"] in ("met", "missed") and changes["due_date"] > _today(deps):
        due = fmt_date(domain.parse_date(changes["due_date"]))
        return Outcome(
            errors={
                ids.BLOCK_OUTCOME: f"This deadline is due {due}: record whether it was met or missed "
                "once it has passed."
            }
        )
    return _save_update(
        deps, directory, user_id, "deadline", meta["id"], changes, meta, ids.BLOCK_TITLE, source
    )


def _extend_deadline(
    deps: Deps,
    directory: Directory | None,
    user_id: str,
    current: dict[str, Any],
    changes: dict[str, Any],
    meta: dict[str, Any],
    source: forms.SourceChoice,
) -> Outcome:
    """Extended: a new deadline on the new date, and the old one kept (its date in history)
    with outcome `extended` linking to it."""
    if changes["due_date"] == current["due_date"]:
        return Outcome(errors={ids.BLOCK_DUE_DATE: "Extended: set the new due date here."})
    db = deps.store.db
    if _version(meta) != current["version"]:
        return Outcome(errors={ids.BLOCK_TITLE: conflict_text(deps, directory, "deadline", current)})
    with db.atomic():
        source_ids = _source_ids(deps, user_id, source)
        new_values = {k: changes[k] for k in ("title", "due_date", "kind", "note")}
        created = create_record(
            db,
            "deadline",
            {**new_values, "as_of": _today(deps)},
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
            {"outcome": "extended", "extended_to": created["id"], "as_of": _today(deps)},
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


def _submit_event(
    deps: Deps, directory: Directory | None, user_id: str, values: dict[str, Any], meta: dict[str, Any]
) -> Outcome:
    changes, developer_ids, source, errors = forms.read_event(values, _team_today(deps))
    if errors:
        return Outcome(errors=errors)
    db = deps.store.db
    unknown = [d for d in developer_ids if get_record(db, "developer", d) is None]
    if unknown:
        return Outcome(errors={ids.BLOCK_EVENT_DEVELOPERS: "Choose tracked developers only."})
    event_id = meta.get("id")
    try:
        with db.atomic():
            source_ids = _source_ids(deps, user_id, source) or []
            if event_id is None:
                saved = create_event(
                    db,
                    kind=changes["kind"],
                    effective=changes["effective"],
                    summary=changes["summary"],
                    note=changes["note"],
                    developer_ids=developer_ids,
                    source_ids=source_ids,
                    actor=user_id,
                    at=deps.clock.now(),
                    as_of=_today(deps),
                )
            else:
                saved = update_event(
                    db,
                    int(event_id),
                    {**changes, "as_of": _today(deps)},
                    developer_ids=developer_ids,
                    source_ids=source_ids,
                    actor=user_id,
                    at=deps.clock.now(),
                    note=changes["note"],
                    expected_version=_version(meta),
                )
    except VersionConflict as exc:
        return Outcome(errors={ids.BLOCK_SUMMARY: conflict_text(deps, directory, "event", exc.row)})
    except NotFound:
        return Outcome(
            errors={ids.BLOCK_SUMMARY: "This event is no longer in the tracker; nothing was saved."}
        )
    verb = "Added" if event_id is None else "Saved"
    kind = EVENT_KIND_LABELS.get(saved["kind"], saved["kind"])
    text = (
        f":white_check_mark: {verb} event *{escape(kind)}* ({escape(fmt_when(saved['effective']))}): "
        f"{safe(saved['summary'], 500)}"
    )
    return Outcome(saved=Saved(text=text, channel=meta.get("channel")))


def _submit_contest(deps: Deps, user_id: str, values: dict[str, Any], meta: dict[str, Any]) -> Outcome:
    found, errors = forms.read_contest(values)
    if errors:
        return Outcome(errors=errors)
    db = deps.store.db
    entity, entity_id = found["entity"], found["entity_id"]
    exists = get_event(db, int(entity_id)) if entity == "event" and entity_id.isdigit() else None
    if entity in ("developer", "deadline"):
        exists = get_record(db, entity, entity_id)
    if exists is None:
        return Outcome(errors={ids.BLOCK_DEVELOPER: "That record is no longer in the tracker."})
    contest = open_contest(
        db,
        entity=entity,
        entity_id=entity_id,
        field=found["fact"],
        reason=found["reason"],
        claims=found["claims"],
        actor=user_id,
        at=deps.clock.now(),
    )
    text = f":warning: Marked contested: {safe(contest.line, 1500)}"
    return Outcome(saved=Saved(text=text, channel=meta.get("channel")))


def _submit_settle(deps: Deps, user_id: str, values: dict[str, Any], meta: dict[str, Any]) -> Outcome:
    choice = str(values.get(ids.BLOCK_SETTLE) or "")
    parts = choice.split(":")
    note = values.get(ids.BLOCK_NOTE)
    note = note if isinstance(note, str) else None
    form = forms.FormReader(values, today=_team_today(deps))
    source = form.source(required=parts[0] == "resolve")
    if form.errors:
        return Outcome(errors=form.errors)
    try:
        with deps.store.db.atomic():
            if parts[0] == "resolve" and len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit():
                source_ids = _source_ids(deps, user_id, source) or []
                contest = resolve_contest(
                    deps.store.db,
                    int(parts[1]),
                    claim_id=int(parts[2]),
                    source_id=source_ids[0] if source_ids else None,
                    actor=user_id,
                    at=deps.clock.now(),
                    note=note,
                )
                claim = next(c for c in contest.claims if c.id == contest.resolved_claim_id)
                text = (
                    f":white_check_mark: Resolved: “{safe(claim.text, 500)}” stands "
                    f"({safe(contest.reason, 200)})."
                )
            elif parts[0] == "reopen" and len(parts) == 2 and parts[1].isdigit():
                contest = reopen_contest(
                    deps.store.db, int(parts[1]), actor=user_id, at=deps.clock.now(), note=note
                )
                text = f":warning: Reopened: {safe(contest.line, 1500)}"
            else:
                return Outcome(errors={ids.BLOCK_SETTLE: "Choose one of the offered contests."})
    except TrackerError as exc:
        return Outcome(errors={ids.BLOCK_SETTLE: str(exc)})
    return Outcome(saved=Saved(text=text, channel=meta.get("channel")))


def _submit_remove(
    deps: Deps, directory: Directory | None, user_id: str, values: dict[str, Any], meta: dict[str, Any]
) -> Outcome:
    entity, record_id, version = meta.get("entity"), meta.get("id"), _version(meta)
    if entity not in ("model", "deadline") or record_id is None or version is None:
        return Outcome(errors={ids.BLOCK_CONFIRM: "This form is missing its context; nothing was removed."})
    if "yes" not in (values.get(ids.BLOCK_CONFIRM) or []):
        return Outcome(errors={ids.BLOCK_CONFIRM: "Tick the box to confirm; nothing was removed."})
    note = values.get(ids.BLOCK_NOTE)
    if isinstance(note, str) and len(note) > forms.MAX_NOTE:
        return Outcome(
            errors={ids.BLOCK_NOTE: f"Note is {len(note)} characters long; the limit is {forms.MAX_NOTE}."}
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


def _match_problem(entity: str, match: Match) -> str:
    if match.ambiguous:
        names = ", ".join(c.label for c in match.candidates[:5])
        return f"Several {entity}s match: {names}. Type more of the name."
    hint = f" Did you mean {match.suggestions[0].label}?" if match.suggestions else ""
    return f'No {entity} matches "{match.query}".{hint}'


def _submit_pick(deps: Deps, values: dict[str, Any], meta: dict[str, Any]) -> Outcome:
    entity, purpose = meta.get("entity"), meta.get("purpose")
    if entity == "event" and purpose == "edit":
        chosen = values.get(ids.BLOCK_PICK)
        event = get_event(deps.store.db, int(chosen)) if chosen and str(chosen).isdigit() else None
        if event is None:
            return Outcome(errors={ids.BLOCK_PICK: "Choose one of the events."})
        return Outcome(view=_event_view(deps, event, meta.get("channel")))
    if entity not in ("model", "deadline") or purpose not in ("edit", "remove"):
        return Outcome(errors={ids.BLOCK_PICK: "This form is missing its context; close it and try again."})
    chosen = values.get(ids.BLOCK_PICK)
    if not chosen:
        return Outcome(errors={ids.BLOCK_PICK: f"Choose a {entity}."})
    record = get_record(deps.store.db, entity, chosen) if str(chosen).isdigit() else None
    if record is None:  # typed in the text box (more records than a menu holds)
        match = find_subject(deps.store.db, f"{entity}:{chosen}")
        if not match.found or match.entity != entity:
            return Outcome(errors={ids.BLOCK_PICK: _match_problem(entity, match)})
        record = match.record
    assert record is not None
    return Outcome(view=_record_view(deps, entity, purpose, record, meta.get("channel")))


def submit(
    deps: Deps, directory: Directory | None, callback_id: str, user_id: str, view: dict[str, Any]
) -> Outcome:
    """Check, validate and apply one submitted admin form."""
    main = ids.ADMIN_FORM_MAIN_BLOCK[callback_id]
    if not is_admin(deps, user_id, directory):
        return Outcome(errors={main: denial_text(deps)})
    values = forms.flatten_state(view.get("state"))
    meta = forms.load_metadata(view.get("private_metadata"))
    if callback_id == ids.VIEW_DEVELOPER_STATUS:
        return _submit_status(deps, directory, user_id, values, meta)
    if callback_id == ids.VIEW_ADD_DEVELOPER:
        return _submit_new_developer(deps, user_id, values, meta)
    if callback_id == ids.VIEW_MODEL:
        return _submit_model(deps, directory, user_id, values, meta)
    if callback_id == ids.VIEW_DEADLINE:
        return _submit_deadline(deps, directory, user_id, values, meta)
    if callback_id == ids.VIEW_REMOVE_CONFIRM:
        return _submit_remove(deps, directory, user_id, values, meta)
    if callback_id == ids.VIEW_EVENT:
        return _submit_event(deps, directory, user_id, values, meta)
    if callback_id == ids.VIEW_CONTEST:
        return _submit_contest(deps, user_id, values, meta)
    if callback_id == ids.VIEW_SETTLE_CONTEST:
        return _submit_settle(deps, user_id, values, meta)
    return _submit_pick(deps, values, meta)


def confirmation(saved: Saved) -> Reply:
    """What the admin is told after a save (the listener posts it where they started, else
    by DM, and refreshes their App Home)."""
    return Reply(text=fallback(saved.text), blocks=[section(saved.text)])


# ---------------------------------------------------------------- /aireview admin, update


def run_admin(deps: Deps, request: CommandRequest) -> Reply:
    if not is_admin(deps, request.user_id, request.directory):
        return Reply(text=denial_text(deps), blocks=[section(escape(denial_text(deps)))])
    return Reply(text="Review Watch admin: choose what to change.", blocks=forms.admin_menu_blocks())


def run_update(deps: Deps, request: CommandRequest) -> Reply | None:
    if not is_admin(deps, request.user_id, request.directory):
        return Reply(text=denial_text(deps), blocks=[section(escape(denial_text(deps)))])
    if not request.text.strip():
        return Reply(text=UPDATE_USAGE)
    match = find_developer(deps.store.db, request.text)
    if not match.found or match.record is None:
        return Reply(text=escape(_match_problem("developer", match)))
    if request.surface != SURFACE_SLACK:  # without a trigger_id (a message) the caller says so
        return Reply(text="The status form opens in Slack only.")
    view = status_form_view(deps, request.directory, match.record["id"], channel=request.channel_id)
    return Reply(text="", modal=view)
