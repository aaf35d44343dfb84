"""Saving a submitted admin form: the steps every submission shares. The version check (a
form carries the version it showed: if the record moved on, the inline error names who
changed it and when, and their change stands), recording a new source inside the save's
transaction, the write through storage.tracker (the change and its history rows in one
transaction), and what the admin is told: the fields that changed, old → new."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot import domain, ids
from bot.admin.modal import DEADLINE_KIND_LABELS, OUTCOME_LABELS
from bot.admin.validation import NewSource, SourceChoice
from bot.blockkit import Block, fmt_datetime, safe
from bot.deps import Deps
from bot.directory import Directory, DirectoryUnavailable
from bot.domain import DEVELOPER_STATUS_LABELS, REVIEW_STATUS_LABELS
from bot.lookup import Match
from storage.dates import parse_partial
from storage.facts import add_source, record_sources
from storage.tracker import (
    EDITABLE_FIELDS,
    NoChange,
    NotFound,
    VersionConflict,
    create_record,
    get_record,
    subject_label,
    update_record,
)


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


def today_iso(deps: Deps) -> str:
    return domain.today_in(deps.settings.tz, deps.clock.now()).isoformat()


def team_today(deps: Deps) -> date:
    return domain.today_in(deps.settings.tz, deps.clock.now())


def cited_source_ids(deps: Deps, user_id: str, choice: SourceChoice) -> list[int] | None:
    """The form's sources as record ids (the picked ones, then the new one): a new one is
    recorded now (inside the caller's transaction, so a refused save records nothing)."""
    if not choice.given:
        return None
    picked = list(choice.source_ids)
    if choice.new is None:
        return picked
    return [*picked, new_source_id(deps, user_id, choice.new)]


def replacing_cited(source: SourceChoice | None, cited: set[int]) -> SourceChoice | None:
    """A new source typed beside only the sources the record already cites (the form shows
    them picked) replaces them: the new source states the changed fact, the old ones may not.
    Picking another recorded source as well cites them all."""
    if source is None or source.new is None or not set(source.source_ids) <= cited:
        return source
    return SourceChoice((), source.new)


def new_source_id(deps: Deps, user_id: str, new: NewSource) -> int:
    """Record a source described in a form (a URL or a citation, title, published date)."""
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
    return int(row["id"])


def form_version(meta: dict[str, Any]) -> int | None:
    version = meta.get("version")
    return version if isinstance(version, int) and not isinstance(version, bool) else None


def save_update(
    deps: Deps,
    directory: Directory | None,
    user_id: str,
    entity: str,
    record_id: Any,
    changes: dict[str, Any],
    meta: dict[str, Any],
    main: str,
    source: SourceChoice | None = None,
    effective: str | None = None,
) -> Outcome:
    db = deps.store.db
    current = get_record(db, entity, record_id)
    version = form_version(meta)
    if current is None:
        return Outcome(errors={main: f"This {entity} is no longer in the tracker; nothing was saved."})
    if version is None:
        return Outcome(errors={main: "This form is missing its context; close it and open it again."})
    if current["version"] != version:
        return Outcome(errors={main: conflict_text(deps, directory, entity, current)})
    cited = {r["id"] for r in record_sources(db, entity, record_id)}
    source = replacing_cited(source, cited)
    same_source = (
        source is None or not source.given or (source.new is None and set(source.source_ids) == cited)
    )
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
                {**changes, "as_of": today_iso(deps)},
                actor=user_id,
                at=deps.clock.now(),
                note=changes.get("note"),
                source_ids=cited_source_ids(deps, user_id, source) if source else None,
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
    lines = change_lines(current, updated, EDITABLE_FIELDS[entity])
    text = f":white_check_mark: Saved *{safe(label, 200)}*:\n" + "\n".join(lines)
    return Outcome(saved=Saved(text=text, channel=meta.get("channel")))


def save_create(
    deps: Deps,
    user_id: str,
    entity: str,
    values: dict[str, Any],
    meta: dict[str, Any],
    record_id: str | None = None,
    source: SourceChoice | None = None,
    effective: str | None = None,
) -> Outcome:
    db = deps.store.db
    try:
        with db.atomic():
            created = create_record(
                db,
                entity,
                {**values, "as_of": today_iso(deps)},
                actor=user_id,
                at=deps.clock.now(),
                note=values.get("note"),
                source_ids=cited_source_ids(deps, user_id, source) if source else None,
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


def match_problem(entity: str, match: Match) -> str:
    if match.ambiguous:
        names = ", ".join(c.label for c in match.candidates[:5])
        return f"Several {entity}s match: {names}. Type more of the name."
    hint = f" Did you mean {match.suggestions[0].label}?" if match.suggestions else ""
    return f'No {entity} matches "{match.query}".{hint}'
