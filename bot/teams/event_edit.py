"""Editing an existing event (a development) from Teams, as Slack's "Edit event": `admin` (or
`update event`) offers **Edit a development**, whose dialog lists the events newest first (at
most 100, as Slack's menu) with a box to narrow them by what is typed (Slack's type-ahead
ranking, the same name index); **Next** opens the event dialog prefilled with the event's
kind, date and precision, summary, developers and note. Saving goes through the event form's
own code (`dialogs.submit_dialog`, the Slack `submit_event`): validation, the version check
(a form opened before someone else's save is refused, nothing changed), the history naming
the Teams person. Left empty, the source keeps the sources the event cites now, as Slack
shows them preselected; a typed one replaces them. Admins only, checked at every step."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot import ids, menus
from bot.cardkit import Element, adaptive_card, rich_text, text_block, text_run
from bot.deps import Deps
from bot.lookup import MAX_RANKED
from storage.facts import get_event, record_sources

DIALOG_PICK_EVENT = "pick_event"
EDIT_EVENT_TITLE = "Edit a development"
FILTER = "event_filter"


def edit_event_button() -> dict[str, Any]:
    data = {"msteams": {"type": "task/fetch"}, "dialog": DIALOG_PICK_EVENT, "id": None}
    return {"type": "Action.Submit", "title": EDIT_EVENT_TITLE, "data": data}


def edit_event_offer() -> Element:
    """The `admin` card's seventh form, in the body: Teams shows at most six card actions."""
    return {"type": "ActionSet", "actions": [edit_event_button()]}


def _events(deps: Deps, typed: str) -> list[tuple[str, str]]:
    """(event id, label) newest first, or narrowed by `typed` as Slack's menu narrows them."""
    index = deps.names.get(deps.store.db, menus.EVENTS.name, menus.EVENTS.index_rows, menus.EVENTS.stamp)
    return [(c.id, c.label[: menus.MAX_OPTION_TEXT]) for c in index.rank(typed, MAX_RANKED)]


def pick_card(deps: Deps, typed: str = "", error: str | None = None) -> dict[str, Any] | None:
    """The picker's card (None: no event is recorded yet)."""
    events = _events(deps, typed)
    if not events and not typed:
        return None
    body: list[Element] = [
        text_block(EDIT_EVENT_TITLE, weight="Bolder"),
        {"type": "Input.Text", "id": FILTER, "label": "Narrow by what happened", "value": typed},
    ]
    if events:
        choices = [{"title": label, "value": key} for key, label in events]
        body.append(
            {
                "type": "Input.ChoiceSet",
                "id": ids.BLOCK_PICK,
                "label": "Which event? (newest first)",
                "style": "compact",
                "choices": choices,
                "value": events[0][0],
            }
        )
    else:
        body.append(text_block(f"No event matches “{typed}”."))
    if error:
        body.append(rich_text([text_run(f"⚠ {error}", color="Attention")]))
    actions = [
        {"type": "Action.Submit", "title": "Narrow", "data": {"dialog": DIALOG_PICK_EVENT, "step": "filter"}},
        {"type": "Action.Submit", "title": "Next", "data": {"dialog": DIALOG_PICK_EVENT, "step": "next"}},
    ]
    return adaptive_card(body, actions)


def event_values(event: Mapping[str, Any]) -> dict[str, Any]:
    """The event as the event form's values, keyed by block id (a month or a year: its first
    day, known to the month or the year)."""
    effective = str(event.get("effective") or "")
    precision = {10: "day", 7: "month", 4: "year"}.get(len(effective))
    day = {7: f"{effective}-01", 4: f"{effective}-01-01"}.get(len(effective), effective)
    values = {
        ids.BLOCK_EVENT_KIND: event.get("kind"),
        ids.BLOCK_EFFECTIVE_DATE: day if precision else None,
        ids.BLOCK_EFFECTIVE_PRECISION: precision,
        ids.BLOCK_SUMMARY: event.get("summary"),
        ids.BLOCK_EVENT_DEVELOPERS: list(event.get("developer_ids") or []),
        ids.BLOCK_NOTE: event.get("note"),
    }
    return {k: v for k, v in values.items() if v not in (None, "", [])}


def picked_event(deps: Deps, data: Mapping[str, Any]) -> dict[str, Any] | None:
    chosen = str(data.get(ids.BLOCK_PICK) or "")
    return get_event(deps.store.db, int(chosen)) if chosen.isdigit() else None


def cited_sources(deps: Deps, event_id: Any) -> list[int]:
    """The sources the event cites now: what an empty source keeps (Slack preselects them)."""
    return [int(s["id"]) for s in record_sources(deps.store.db, "event", int(event_id))]
