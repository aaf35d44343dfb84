"""Opening the admin forms: the view an ACTION_ADMIN_* button opens (or the picker before
it), prefilled with the record's current values and the sources its fact cites now; the
status and event forms prefilled from a news item; the status form reloaded for another
developer. A non-admin is shown why they cannot edit instead of a form. Nothing here calls
Slack: the listeners in handlers/ open and update the views."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot import domain, ids, menus
from bot.admin.forms import (
    contest_form,
    deadline_form,
    developer_form,
    event_form,
    event_pick_form,
    model_form,
    pick_form,
    remove_form,
    settle_form,
    status_form,
)
from bot.admin.modal import SourceFields, load_metadata, notice_view
from bot.admins import edit_refusal, is_admin
from bot.blockkit import Block, clip
from bot.deps import Deps
from bot.directory import Directory
from storage.facts import citations_for, clean_url, contests_for, fact_sources, get_event, list_events
from storage.news import get_item
from storage.sources import sources_stamp
from storage.tracker import get_record, has_records, list_developers, subject_label


def _refused(deps: Deps, user_id: str, directory: Directory | None) -> Block | None:
    """What someone who may not change the tracker here sees instead of a form (None: the form)."""
    refusal = edit_refusal(deps, user_id, directory)
    if refusal is None:
        return None
    return notice_view("Admins only" if not is_admin(deps, user_id, directory) else "Shared tracker", refusal)


def _default_developer(developers: list[dict[str, Any]]) -> dict[str, Any]:
    """With no developer named, start on the first holdout (the likeliest to change)."""
    holdouts = domain.holdouts(developers)
    first = holdouts[0]["id"] if holdouts else developers[0]["id"]
    return next(d for d in developers if d["id"] == first)


def source_fields(
    deps: Deps, entity: str, record: dict[str, Any] | None, fact: str, new: SourceFields | None = None
) -> SourceFields:
    """The form's source part: recorded sources, preselecting the one the fact cites now."""
    fields = new or SourceFields()
    fields.recorded = sources_stamp(deps.store.db)[1] > 0
    if record is not None and fields.url is None and fields.title is None:
        cited = fact_sources(citations_for(deps.store.db, entity, [record["id"]]), record["id"], fact)
        fields.picked = list(cited)
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


def event_view(deps: Deps, event: dict[str, Any], channel: str | None) -> Block:
    developers = [d for d in (get_record(deps.store.db, "developer", i) for i in event["developer_ids"]) if d]
    sources = source_fields(deps, "event", event, "*")
    return event_form(event, developers=developers, channel=channel, sources=sources)


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
    refused = _refused(deps, user_id, directory)
    if refused is not None:
        return refused
    item = get_item(deps.store.db, item_id)
    if item is None:
        return notice_view("Not found", "That news item is no longer stored.")
    developers = [d for d in (get_record(deps.store.db, "developer", i) for i in item["developers"]) if d]
    return event_form(
        developers=developers,
        channel=channel,
        sources=source_fields(deps, "event", None, "*", news_source_fields(deps, item)),
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
        return notice_view("Not found", "That news item is no longer stored.")
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


def news_form_values(deps: Deps, item_id: int, form: str) -> dict[str, Any] | None:
    """A news item as the values the status or event form ("status", "event") is prefilled
    with elsewhere than Slack (a Teams dialog), keyed by block id, as the Slack forms above
    prefill them: the developers it names, its published day, its title (the event's summary,
    the status note), the item as a new source. None: the item is no longer stored."""
    item = get_item(deps.store.db, item_id)
    if item is None:
        return None
    tracked = [i for i in item["developers"] if get_record(deps.store.db, "developer", i)]
    source = news_source_fields(deps, item)
    values: dict[str, Any] = {
        ids.BLOCK_EFFECTIVE_DATE: _published_day(deps, item),
        ids.BLOCK_SOURCE: source.url,
        ids.BLOCK_SOURCE_TITLE: source.title,
        ids.BLOCK_SOURCE_PUBLISHED: source.published,
    }
    if form == "event":
        values[ids.BLOCK_SUMMARY] = item.get("title")
        values[ids.BLOCK_EVENT_DEVELOPERS] = tracked
    else:
        developers = list_developers(deps.store.db)
        default = _default_developer(developers)["id"] if developers else None
        values[ids.BLOCK_DEVELOPER] = tracked[0] if tracked else default
        values[ids.BLOCK_NOTE] = f"From the news: {item['title']}"[:2900] if item.get("title") else None
    return {k: v for k, v in values.items() if v not in (None, "", [])}


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
    return day.isoformat() if day <= domain.today_in(deps.settings.tz, deps.clock.now()) else None


def news_source_fields(deps: Deps, item: dict[str, Any]) -> SourceFields:
    """A news item as a new source: its link without utm_*/fbclid/gclid, its title and feed."""
    link = clean_url(item["link"]) if item.get("link") else None
    title = item.get("title")
    feed = item.get("source") or ""
    if feed and title and not feed.startswith(("http://", "https://")):
        title = f"{feed}: {title}"  # the feed's name as the publisher
    return SourceFields(
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
    new_source: SourceFields | None = None,
    effective: str | None = None,
    news: int | None = None,
) -> Block:
    """The "Update developer status" form, prefilled with the developer's current values.

    `new_source`, `effective` and `note` replace the prefilled ones (e.g. from a news item:
    its link as a new source, its published day). With `user_id`, a non-admin sees why
    they cannot edit instead of the form.
    """
    refused = _refused(deps, user_id, directory) if user_id is not None else None
    if refused is not None:
        return refused
    developers = list_developers(deps.store.db)
    if not developers:
        return notice_view("No developers", "Add a developer first.")
    developer = next((d for d in developers if d["id"] == developer_id), None)
    developer = developer or _default_developer(developers)
    sources = source_fields(deps, "developer", developer, "status", new_source)
    return status_form(developer, channel=channel, sources=sources, note=note, effective=effective, news=news)


def reloaded_status_form(
    deps: Deps, directory: Directory | None, user_id: str, view: dict[str, Any], developer_id: str
) -> Block | None:
    """The status form's developer changed: the form with that developer's current values
    (None: leave the form as it is)."""
    if edit_refusal(deps, user_id, directory) is not None:
        return None  # the submission check answers; a non-admin's form stays as it was
    developer = get_record(deps.store.db, "developer", developer_id)
    if developer is None:
        return None
    channel = load_metadata(view.get("private_metadata")).get("channel")
    sources = source_fields(deps, "developer", developer, "status")
    return status_form(developer, channel=channel, sources=sources)


def record_view(deps: Deps, entity: str, purpose: str, record: dict[str, Any], channel: str | None) -> Block:
    db = deps.store.db
    if purpose == "remove":
        return remove_form(entity, record, subject_label(db, entity, record), channel=channel)
    if entity == "model":
        developer = get_record(db, "developer", record["developer_id"])
        fact = "released" if record.get("released") else "review_status"
        sources = source_fields(deps, "model", record, fact)
        return model_form(record, developer=developer, channel=channel, sources=sources)
    return deadline_form(record, channel=channel, sources=source_fields(deps, "deadline", record, "due_date"))


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
    refused = _refused(deps, user_id, directory)
    if refused is not None:
        return refused
    db = deps.store.db
    if action == ids.ACTION_ADMIN_UPDATE_STATUS:
        return status_form_view(deps, directory, value or None, channel=channel)
    if action == ids.ACTION_ADMIN_ADD_DEVELOPER:
        return developer_form(channel=channel, sources=source_fields(deps, "developer", None, "*"))
    if action == ids.ACTION_ADMIN_ADD_MODEL:
        developer = get_record(db, "developer", value) if value else None
        sources = source_fields(deps, "model", None, "*")
        return model_form(developer=developer, channel=channel, sources=sources)
    if action == ids.ACTION_ADMIN_ADD_EVENT:
        return event_form(channel=channel, sources=source_fields(deps, "event", None, "*"))
    if action == ids.ACTION_ADMIN_EDIT_EVENT:
        event = get_event(db, int(value)) if value and value.isdigit() else None
        if event is not None:
            return event_view(deps, event, channel)
        return event_pick_form(empty=not list_events(db, limit=1), channel=channel)
    if action == ids.ACTION_ADMIN_CONTEST:
        return contest_form(channel=channel)
    if action == ids.ACTION_ADMIN_SETTLE_CONTEST:
        return settle_form(settle_choices(deps), source_fields(deps, "contest", None, "*"), channel=channel)
    if action == ids.ACTION_ADMIN_ADD_DEADLINE:
        return deadline_form(channel=channel, sources=source_fields(deps, "deadline", None, "*"))
    model_actions = (ids.ACTION_ADMIN_EDIT_MODEL, ids.ACTION_ADMIN_REMOVE_MODEL)
    remove_actions = (ids.ACTION_ADMIN_REMOVE_MODEL, ids.ACTION_ADMIN_REMOVE_DEADLINE)
    entity = "model" if action in model_actions else "deadline"
    purpose = "remove" if action in remove_actions else "edit"
    if value:
        record = get_record(db, entity, value)
        if record is None:
            return notice_view("Not found", f"That {entity} is no longer in the tracker.")
        return record_view(deps, entity, purpose, record, channel)
    return pick_form(entity, purpose, empty=not has_records(db, entity), channel=channel)
