"""The channel's alert subscription form (`/aireview subscribe`): the modal, one builder per
input block, and the submitted state read back as plain values with inline errors."""

from __future__ import annotations

import json
from typing import Any

from bot import ids, menus
from bot.alerts.alert import (
    DELIVERY_BUSINESS,
    DELIVERY_DAYS,
    DIGEST_MODES,
    DIGEST_REALTIME,
    KIND_LABELS,
    SUBSCRIBABLE_KINDS,
)
from bot.blockkit import Block, escape, plain, section
from bot.deps import Deps
from bot.settings import Settings
from storage.tracker import get_record

BRIEFING_OPTION = "briefing"
THREADS_OPTION = "threads"


def _option(text: str, value: str) -> Block:
    return menus.option(value, text)


def subscribe_modal(
    channel_id: str,
    current: dict[str, Any] | None,
    filter_developers: list[dict[str, Any]],
    settings: Settings,
) -> dict[str, Any]:
    """The channel's alert settings; `filter_developers` are the rows of the developers its
    filter names now (shown selected in the type-ahead developer menu)."""
    delivery = current.get("delivery_days") or DELIVERY_BUSINESS if current else DELIVERY_BUSINESS
    return {
        "type": "modal",
        "callback_id": ids.VIEW_SUBSCRIBE,
        "private_metadata": json.dumps({"channel_id": channel_id}),
        "title": plain("Channel alerts", 24),
        "submit": plain("Save", 24),
        "close": plain("Cancel", 24),
        "blocks": [
            _intro(channel_id, settings),
            _kinds_input(current["kinds"] if current else list(SUBSCRIBABLE_KINDS)),
            _lead_days_input(current["lead_days"] if current else list(settings.lead_days)),
            _mode_input(current["digest"] if current else DIGEST_REALTIME),
            _developers_input(filter_developers),
            _delivery_days_input(delivery),
            *_quiet_hours_inputs(current),
            _threads_input(bool(current.get("threads", 1)) if current else True),
            _briefing_input(bool(current.get("briefing_since")) if current else False, settings),
        ],
    }


def _intro(channel_id: str, settings: Settings) -> Block:
    return section(
        f"Alerts for <#{channel_id}>. Date alerts arrive at "
        f"{settings.alert_time.strftime('%H:%M')} {escape(settings.timezone_name)}."
    )


def _kinds_input(kinds: list[str]) -> Block:
    kind_options = {k: _option(KIND_LABELS[k], k) for k in SUBSCRIBABLE_KINDS}
    element: Block = {
        "type": "checkboxes",
        "action_id": ids.ACTION_FIELD,
        "options": list(kind_options.values()),
    }
    if kinds:
        element["initial_options"] = [kind_options[k] for k in kinds if k in kind_options]
    return {
        "type": "input",
        "block_id": ids.BLOCK_SUBSCRIBE_KINDS,
        "label": plain("Alert kinds"),
        "element": element,
    }


def _lead_days_input(leads: list[int]) -> Block:
    return {
        "type": "input",
        "block_id": ids.BLOCK_SUBSCRIBE_LEADS,
        "label": plain("Lead days"),
        "hint": plain("Days before each date to alert, comma-separated (0 = on the day)."),
        "element": {
            "type": "plain_text_input",
            "action_id": ids.ACTION_FIELD,
            "initial_value": ",".join(str(d) for d in leads),
        },
    }


def _mode_input(mode: str) -> Block:
    mode_options = {m: _option(label, m) for m, label in DIGEST_MODES.items()}
    return {
        "type": "input",
        "block_id": ids.BLOCK_SUBSCRIBE_MODE,
        "label": plain("Status changes and news"),
        "element": {
            "type": "radio_buttons",
            "action_id": ids.ACTION_FIELD,
            "options": list(mode_options.values()),
            "initial_option": mode_options[mode],
        },
    }


def _developers_input(filter_developers: list[dict[str, Any]]) -> Block:
    return {
        "type": "input",
        "block_id": ids.BLOCK_SUBSCRIBE_DEVELOPERS,
        "optional": True,
        "label": plain("Only these developers"),
        "hint": plain("Leave empty for all. Deadlines and news always come through."),
        "element": menus.multi_type_ahead_menu(
            menus.DEVELOPERS, initial=filter_developers, placeholder="All developers (type to choose)"
        ),
    }


def _delivery_days_input(delivery: str) -> Block:
    delivery_options = {d: _option(label, d) for d, label in DELIVERY_DAYS.items()}
    return {
        "type": "input",
        "block_id": ids.BLOCK_SUBSCRIBE_DELIVERY_DAYS,
        "label": plain("Date alerts arrive on"),
        "hint": plain(
            "On business days, an alert due on a weekend or holiday comes the business day before."
        ),
        "element": {
            "type": "radio_buttons",
            "action_id": ids.ACTION_FIELD,
            "options": list(delivery_options.values()),
            "initial_option": delivery_options.get(delivery, delivery_options[DELIVERY_BUSINESS]),
        },
    }


QUIET_HINT = (
    "Every post waits for quiet time to end: alerts, digests, edits, thread replies and "
    "reminders. On business days, Saturdays and Sundays are quiet too (until Monday's delivery "
    "time). Urgent alerts come anyway: deadlines, review windows and planned releases today or "
    "tomorrow. Leave both empty for no quiet hours."
)


def _quiet_hours_inputs(current: dict[str, Any] | None) -> list[Block]:
    return [
        _time_input(
            ids.BLOCK_SUBSCRIBE_QUIET_START,
            "Quiet hours start",
            current.get("quiet_start") if current else None,
            QUIET_HINT,
        ),
        _time_input(
            ids.BLOCK_SUBSCRIBE_QUIET_END,
            "Quiet hours end",
            current.get("quiet_end") if current else None,
        ),
    ]


def _briefing_input(on: bool, settings: Settings) -> Block:
    return _one_checkbox(
        ids.BLOCK_SUBSCRIBE_BRIEFING,
        "Weekly briefing",
        _option("Weekly briefing (Mondays)", BRIEFING_OPTION),
        on,
        f"Mondays at {settings.alert_time.strftime('%H:%M')}, from the next Monday on: the holdouts, "
        "the week's changes, the next 30 days, contested facts and the timeline.",
    )


def _one_checkbox(block_id: str, label: str, option: Block, on: bool, hint: str) -> Block:
    """An optional input of one checkbox, ticked when `on`."""
    element: Block = {"type": "checkboxes", "action_id": ids.ACTION_FIELD, "options": [option]}
    if on:
        element["initial_options"] = [option]
    return {
        "type": "input",
        "block_id": block_id,
        "optional": True,
        "label": plain(label),
        "hint": plain(hint),
        "element": element,
    }


def _threads_input(on: bool) -> Block:
    return _one_checkbox(
        ids.BLOCK_SUBSCRIBE_THREADS,
        "Threads",
        _option("Reply in the thread of the first alert about the same deadline or model", THREADS_OPTION),
        on,
        "The most urgent (1 day, the day itself, overdue) are also shown in the channel.",
    )


def _time_input(block_id: str, label: str, initial: str | None, hint: str | None = None) -> Block:
    element: Block = {"type": "timepicker", "action_id": ids.ACTION_FIELD, "placeholder": plain("HH:MM")}
    if initial:
        element["initial_time"] = initial
    block: Block = {"type": "input", "block_id": block_id, "optional": True, "label": plain(label)}
    if hint:
        block["hint"] = plain(hint)
    block["element"] = element
    return block


def parse_subscribe_state(values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The submitted form as plain values, plus inline errors by block id."""

    def element(block_id: str) -> dict[str, Any]:  # each block holds one element
        return next(iter((values.get(block_id) or {}).values()), None) or {}

    errors: dict[str, str] = {}
    kinds = [o["value"] for o in element(ids.BLOCK_SUBSCRIBE_KINDS).get("selected_options") or []]
    kinds = [k for k in kinds if k in SUBSCRIBABLE_KINDS]
    if not kinds:
        errors[ids.BLOCK_SUBSCRIBE_KINDS] = "Pick at least one kind of alert."
    raw_leads = element(ids.BLOCK_SUBSCRIBE_LEADS).get("value") or ""
    parts = [p.strip() for p in raw_leads.replace(" ", ",").split(",") if p.strip()]
    leads: list[int] = []
    if not parts or not all(p.isdigit() and int(p) <= 365 for p in parts):
        errors[ids.BLOCK_SUBSCRIBE_LEADS] = "Enter days from 0 to 365, comma-separated, e.g. 30,14,7,1,0."
    else:
        leads = sorted({int(p) for p in parts}, reverse=True)
    mode = (element(ids.BLOCK_SUBSCRIBE_MODE).get("selected_option") or {}).get("value", DIGEST_REALTIME)
    if mode not in DIGEST_MODES:
        errors[ids.BLOCK_SUBSCRIBE_MODE] = "Pick real-time, daily or weekly."
    developers = [o["value"] for o in element(ids.BLOCK_SUBSCRIBE_DEVELOPERS).get("selected_options") or []]
    delivery = (element(ids.BLOCK_SUBSCRIBE_DELIVERY_DAYS).get("selected_option") or {}).get(
        "value", DELIVERY_BUSINESS
    )
    if delivery not in DELIVERY_DAYS:
        errors[ids.BLOCK_SUBSCRIBE_DELIVERY_DAYS] = "Pick business days or every day."
    start = element(ids.BLOCK_SUBSCRIBE_QUIET_START).get("selected_time")
    end = element(ids.BLOCK_SUBSCRIBE_QUIET_END).get("selected_time")
    quiet: tuple[str, str] | None = None
    if bool(start) != bool(end):
        missing = ids.BLOCK_SUBSCRIBE_QUIET_END if start else ids.BLOCK_SUBSCRIBE_QUIET_START
        errors[missing] = "Give both ends of the quiet hours, or neither."
    elif start and end:
        if start == end:
            errors[ids.BLOCK_SUBSCRIBE_QUIET_END] = "Quiet hours must end at another time than they start."
        quiet = (start, end)
    return (
        {
            "kinds": kinds,
            "lead_days": leads,
            "digest": mode,
            "developer_filter": developers or None,
            "delivery_days": delivery,
            "quiet_hours": quiet,
            # Slack sends every input block; a form without this one keeps the default (on).
            "threads": ids.BLOCK_SUBSCRIBE_THREADS not in values
            or any(
                o.get("value") == THREADS_OPTION
                for o in element(ids.BLOCK_SUBSCRIBE_THREADS).get("selected_options") or []
            ),
            # None (a form opened before the box existed): the briefing stays as it is.
            "briefing": None
            if ids.BLOCK_SUBSCRIBE_BRIEFING not in values
            else any(
                o.get("value") == BRIEFING_OPTION
                for o in element(ids.BLOCK_SUBSCRIBE_BRIEFING).get("selected_options") or []
            ),
        },
        errors,
    )


def check_subscription_form(deps: Deps, values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The subscribe form's values (Slack's view state shape) read and checked: (the choices,
    inline errors by block id). Slack's modal and the Teams bot's dialog both use it."""
    form, errors = parse_subscribe_state(values)
    unknown = [d for d in form["developer_filter"] or [] if get_record(deps.store.db, "developer", d) is None]
    if unknown:
        errors.setdefault(ids.BLOCK_SUBSCRIBE_DEVELOPERS, "Choose developers from the menu.")
    return form, errors
