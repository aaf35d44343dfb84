"""Submitting the forms about facts that are not a record's fields: an event (added or
edited, with the developers it concerns), a contest (two competing claims, each with its
source), and resolving or reopening a contest."""

from __future__ import annotations

from typing import Any

from bot import ids
from bot.admin.saving import (
    Outcome,
    Saved,
    cited_source_ids,
    conflict_text,
    form_version,
    new_source_id,
    replacing_cited,
    team_today,
    today_iso,
)
from bot.admin.validation import FormReader, read_contest, read_event
from bot.blockkit import escape, fmt_when, safe
from bot.deps import Deps
from bot.directory import Directory
from storage.facts import (
    EVENT_KIND_LABELS,
    create_event,
    get_event,
    open_contest,
    record_sources,
    reopen_contest,
    resolve_contest,
    update_event,
)
from storage.tracker import NotFound, TrackerError, VersionConflict, get_record


def submit_event(
    deps: Deps, directory: Directory | None, user_id: str, values: dict[str, Any], meta: dict[str, Any]
) -> Outcome:
    changes, developer_ids, source, errors = read_event(values, team_today(deps))
    if errors:
        return Outcome(errors=errors)
    db = deps.store.db
    unknown = [d for d in developer_ids if get_record(db, "developer", d) is None]
    if unknown:
        return Outcome(errors={ids.BLOCK_EVENT_DEVELOPERS: "Choose tracked developers only."})
    event_id = meta.get("id")
    try:
        with db.atomic():
            if event_id is not None:
                cited = {int(s["id"]) for s in record_sources(db, "event", int(event_id))}
                source = replacing_cited(source, cited) or source
            source_ids = cited_source_ids(deps, user_id, source) or []
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
                    as_of=today_iso(deps),
                )
            else:
                saved = update_event(
                    db,
                    int(event_id),
                    {**changes, "as_of": today_iso(deps)},
                    developer_ids=developer_ids,
                    source_ids=source_ids,
                    actor=user_id,
                    at=deps.clock.now(),
                    note=changes["note"],
                    expected_version=form_version(meta),
                )
    except VersionConflict as exc:
        return Outcome(errors={ids.BLOCK_SUMMARY: conflict_text(deps, directory, "event", exc.row)})
    except NotFound:
        return Outcome(
            errors={ids.BLOCK_SUMMARY: "This event is no longer in the tracker; nothing was saved."}
        )
    verb = "Added" if event_id is None else "Saved"
    kind = EVENT_KIND_LABELS.get(saved["kind"], saved["kind"])
    when = fmt_when(saved["effective"], "date not reported")
    text = f":white_check_mark: {verb} event *{escape(kind)}* ({escape(when)}): {safe(saved['summary'], 500)}"
    return Outcome(saved=Saved(text=text, channel=meta.get("channel")))


def submit_contest(deps: Deps, user_id: str, values: dict[str, Any], meta: dict[str, Any]) -> Outcome:
    found, errors = read_contest(values)
    if errors:
        return Outcome(errors=errors)
    db = deps.store.db
    entity, entity_id = found["entity"], found["entity_id"]
    exists = get_event(db, int(entity_id)) if entity == "event" and entity_id.isdigit() else None
    if entity in ("developer", "deadline"):
        exists = get_record(db, entity, entity_id)
    if exists is None:
        return Outcome(errors={ids.BLOCK_DEVELOPER: "That record is no longer in the tracker."})
    with db.atomic():  # a claim's new source is recorded with the contest, or not at all
        claims = [
            (text, source if isinstance(source, int) else new_source_id(deps, user_id, source))
            for text, source in found["claims"]
        ]
        contest = open_contest(
            db,
            entity=entity,
            entity_id=entity_id,
            field=found["fact"],
            reason=found["reason"],
            claims=claims,
            actor=user_id,
            at=deps.clock.now(),
        )
    text = f":warning: Marked contested: {safe(contest.line, 1500)}"
    return Outcome(saved=Saved(text=text, channel=meta.get("channel")))


def submit_settle(deps: Deps, user_id: str, values: dict[str, Any], meta: dict[str, Any]) -> Outcome:
    choice = str(values.get(ids.BLOCK_SETTLE) or "")
    parts = choice.split(":")
    note = values.get(ids.BLOCK_NOTE)
    note = note if isinstance(note, str) else None
    form = FormReader(values, today=team_today(deps))
    source = form.source(required=parts[0] == "resolve")
    if form.errors:
        return Outcome(errors=form.errors)
    try:
        with deps.store.db.atomic():
            if parts[0] == "resolve" and len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit():
                source_ids = cited_source_ids(deps, user_id, source) or []
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
