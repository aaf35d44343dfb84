"""A conversation's alert settings as a Teams dialog: Slack's subscribe form, for admins.

`subscribe` (and an admin's `alerts` card) carries an **Alert settings** button that opens the
dialog (`task/fetch`, data `{"dialog": "alert_settings"}`): the alert kinds, lead days,
real time or digest, developers, delivery days, quiet hours, threads and the weekly briefing,
filled with the conversation's subscription. Its inputs are named by the Slack form's block
ids; a submission (`task/submit`) is put in the shape of Slack's view state and read and
checked by the subscribe form's own code (bot/alerts `save_conversation_settings`), so the
rules and the error texts are Slack's. Errors come back inline, the values entered kept. The
conversation is the verified activity's, never one named in the form's data; the admin
(Entra object id) is checked on the server at the button, the opening and the save.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot import ids
from bot.alerts.alert import DELIVERY_BUSINESS, DELIVERY_DAYS, DIGEST_MODES, DIGEST_REALTIME, KIND_LABELS
from bot.alerts.subscribe_form import BRIEFING_OPTION, QUIET_HINT, THREADS_OPTION
from bot.cardkit import (
    CARD_CONTENT_TYPE,
    Element,
    adaptive_card,
    rich_text,
    text_block,
    text_run,
)
from bot.deps import Deps
from storage.alerts import TARGET_TEAMS, get_subscription
from storage.tracker import list_developers

DIALOG_ALERT_SETTINGS = "alert_settings"
TITLE = "Alert settings"
NOT_ADMIN = "Only admins can change this conversation's alerts."


def settings_button() -> dict[str, Any]:
    data = {"msteams": {"type": "task/fetch"}, "dialog": DIALOG_ALERT_SETTINGS}
    return {"type": "Action.Submit", "title": "Alert settings…", "data": data}


def _choices(options: Mapping[str, str]) -> list[dict[str, str]]:
    return [{"title": label, "value": value} for value, label in options.items()]


def _choice_set(
    field: str, label: str, options: Mapping[str, str], value: str, *, multi: bool = False
) -> Element:
    element: Element = {
        "type": "Input.ChoiceSet",
        "id": field,
        "label": label,
        "choices": _choices(options),
        "style": "compact" if multi and len(options) > 8 else "expanded",
        "isMultiSelect": multi,
    }
    if value:
        element["value"] = value
    return element


def _toggle(field: str, title: str, on: bool) -> Element:
    return {"type": "Input.Toggle", "id": field, "title": title, "value": "true" if on else "false"}


def _time(field: str, label: str, value: str | None) -> Element:
    element: Element = {"type": "Input.Time", "id": field, "label": label}
    if value:
        element["value"] = value
    return element


def _current(sub: Mapping[str, Any] | None, deps: Deps) -> dict[str, str]:
    """The subscription's values as the dialog's inputs hold them."""
    if sub is None:
        return {}
    return {
        ids.BLOCK_SUBSCRIBE_KINDS: ",".join(sub["kinds"]),
        ids.BLOCK_SUBSCRIBE_LEADS: ",".join(str(d) for d in sub["lead_days"]),
        ids.BLOCK_SUBSCRIBE_MODE: sub["digest"],
        ids.BLOCK_SUBSCRIBE_DEVELOPERS: ",".join(sub["developer_filter"] or []),
        ids.BLOCK_SUBSCRIBE_DELIVERY_DAYS: sub.get("delivery_days") or DELIVERY_BUSINESS,
        ids.BLOCK_SUBSCRIBE_QUIET_START: sub.get("quiet_start") or "",
        ids.BLOCK_SUBSCRIBE_QUIET_END: sub.get("quiet_end") or "",
        ids.BLOCK_SUBSCRIBE_THREADS: "true" if sub.get("threads", 1) else "false",
        ids.BLOCK_SUBSCRIBE_BRIEFING: "true" if sub.get("briefing_since") else "false",
    }


def _inputs(deps: Deps, values: Mapping[str, str]) -> list[Element]:
    """The dialog's inputs (each `id` a Slack block id), holding `values`."""
    developers = {str(d["id"]): str(d["name"]) for d in list_developers(deps.store.db)}
    at = f"{deps.settings.alert_time:%H:%M} {deps.settings.timezone_name}"

    def value(field: str, default: str = "") -> str:
        return str(values.get(field, default) or "")

    leads: Element = {
        "type": "Input.Text",
        "id": ids.BLOCK_SUBSCRIBE_LEADS,
        "label": "Lead days: days before each date to alert, comma-separated (0 = on the day)",
        "value": value(ids.BLOCK_SUBSCRIBE_LEADS),
    }
    return [
        _choice_set(
            ids.BLOCK_SUBSCRIBE_KINDS,
            "Alert kinds",
            KIND_LABELS,
            value(ids.BLOCK_SUBSCRIBE_KINDS),
            multi=True,
        ),
        leads,
        _choice_set(
            ids.BLOCK_SUBSCRIBE_MODE,
            "Status changes and news",
            DIGEST_MODES,
            value(ids.BLOCK_SUBSCRIBE_MODE, DIGEST_REALTIME),
        ),
        _choice_set(
            ids.BLOCK_SUBSCRIBE_DEVELOPERS,
            "Only these developers (none chosen: all; deadlines and news always come through)",
            developers,
            value(ids.BLOCK_SUBSCRIBE_DEVELOPERS),
            multi=True,
        ),
        _choice_set(
            ids.BLOCK_SUBSCRIBE_DELIVERY_DAYS,
            f"Date alerts arrive at {at} on",
            DELIVERY_DAYS,
            value(ids.BLOCK_SUBSCRIBE_DELIVERY_DAYS, DELIVERY_BUSINESS),
        ),
        _time(ids.BLOCK_SUBSCRIBE_QUIET_START, "Quiet hours start", value(ids.BLOCK_SUBSCRIBE_QUIET_START)),
        _time(ids.BLOCK_SUBSCRIBE_QUIET_END, "Quiet hours end", value(ids.BLOCK_SUBSCRIBE_QUIET_END)),
        _toggle(
            ids.BLOCK_SUBSCRIBE_THREADS,
            "In a channel, reply in the chain of the first alert about the same deadline or model",
            value(ids.BLOCK_SUBSCRIBE_THREADS, "true") == "true",
        ),
        _toggle(
            ids.BLOCK_SUBSCRIBE_BRIEFING,
            "Weekly briefing (Mondays)",
            value(ids.BLOCK_SUBSCRIBE_BRIEFING) == "true",
        ),
    ]


def settings_form(
    deps: Deps, values: Mapping[str, str], errors: Mapping[str, str] | None = None
) -> dict[str, Any]:
    errors = errors or {}
    body: list[Element] = [text_block("This conversation's alerts", weight="Bolder")]
    for element in _inputs(deps, values):
        field = str(element["id"])
        body.append(element)
        if field == ids.BLOCK_SUBSCRIBE_QUIET_START:
            body.append(text_block(QUIET_HINT, subtle=True, size="Small"))
        if field in errors:
            body.append(rich_text([text_run(f"⚠ {errors[field]}", color="Attention")]))
    submit = {"type": "Action.Submit", "title": "Save", "data": {"dialog": DIALOG_ALERT_SETTINGS}}
    return adaptive_card(body, [submit])


def _continue(card: dict[str, Any]) -> dict[str, Any]:
    value = {
        "title": TITLE,
        "width": "medium",
        "height": "large",
        "card": {"contentType": CARD_CONTENT_TYPE, "content": card},
    }
    return {"task": {"type": "continue", "value": value}}


def _message(text: str) -> dict[str, Any]:
    return {"task": {"type": "message", "value": text}}


def open_settings(deps: Deps, target: str, admin: bool) -> dict[str, Any]:
    """The `task/fetch` answer: the dialog filled with the conversation's subscription."""
    if not admin:
        return _message(NOT_ADMIN)
    sub = get_subscription(deps.store.db, TARGET_TEAMS, target)
    if sub is None:
        return _message("This conversation has no alert subscription yet: “subscribe” first.")
    return _continue(settings_form(deps, _current(sub, deps)))


def _as_slack_state(data: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The dialog's answers in the shape of Slack's view state (what the form's reader takes),
    and as the dialog holds them (to show them again with errors)."""
    entered = {f: str(data.get(f) or "").strip() for f in _FIELDS}

    def picked(field: str) -> list[dict[str, str]]:
        return [{"value": v} for v in entered[field].split(",") if v]

    def ticked(field: str, option: str) -> list[dict[str, str]]:
        return [{"value": option}] if entered[field] == "true" else []

    state: dict[str, dict[str, Any]] = {
        ids.BLOCK_SUBSCRIBE_KINDS: {"selected_options": picked(ids.BLOCK_SUBSCRIBE_KINDS)},
        ids.BLOCK_SUBSCRIBE_LEADS: {"value": entered[ids.BLOCK_SUBSCRIBE_LEADS]},
        ids.BLOCK_SUBSCRIBE_MODE: {
            "selected_option": {"value": entered[ids.BLOCK_SUBSCRIBE_MODE] or DIGEST_REALTIME}
        },
        ids.BLOCK_SUBSCRIBE_DEVELOPERS: {"selected_options": picked(ids.BLOCK_SUBSCRIBE_DEVELOPERS)},
        ids.BLOCK_SUBSCRIBE_DELIVERY_DAYS: {
            "selected_option": {"value": entered[ids.BLOCK_SUBSCRIBE_DELIVERY_DAYS] or DELIVERY_BUSINESS}
        },
        ids.BLOCK_SUBSCRIBE_QUIET_START: {"selected_time": entered[ids.BLOCK_SUBSCRIBE_QUIET_START] or None},
        ids.BLOCK_SUBSCRIBE_QUIET_END: {"selected_time": entered[ids.BLOCK_SUBSCRIBE_QUIET_END] or None},
        ids.BLOCK_SUBSCRIBE_THREADS: {
            "selected_options": ticked(ids.BLOCK_SUBSCRIBE_THREADS, THREADS_OPTION)
        },
        ids.BLOCK_SUBSCRIBE_BRIEFING: {
            "selected_options": ticked(ids.BLOCK_SUBSCRIBE_BRIEFING, BRIEFING_OPTION)
        },
    }
    return {block: {ids.ACTION_FIELD: element} for block, element in state.items()}, entered


_FIELDS = (
    ids.BLOCK_SUBSCRIBE_KINDS,
    ids.BLOCK_SUBSCRIBE_LEADS,
    ids.BLOCK_SUBSCRIBE_MODE,
    ids.BLOCK_SUBSCRIBE_DEVELOPERS,
    ids.BLOCK_SUBSCRIBE_DELIVERY_DAYS,
    ids.BLOCK_SUBSCRIBE_QUIET_START,
    ids.BLOCK_SUBSCRIBE_QUIET_END,
    ids.BLOCK_SUBSCRIBE_THREADS,
    ids.BLOCK_SUBSCRIBE_BRIEFING,
)


def _line(mrkdwn: str) -> Element:
    """One line of the settings in words: "*Label:* value" as a bold run and a plain one,
    shown literally (TextRuns are never read as Markdown)."""
    label, bold, rest = mrkdwn.partition(":*")
    if not bold or not label.startswith("*"):
        return rich_text([text_run(mrkdwn.replace("*", ""))])
    return rich_text([text_run(label.removeprefix("*") + ":", bold=True), text_run(rest)])


def submit_settings(
    deps: Deps, conversation_id: str, data: Mapping[str, Any], aad_object_id: str
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The `task/submit` answer, and the confirmation card to post in the conversation (None
    when nothing was saved)."""
    from bot.alerts.overview import describe_subscription
    from bot.alerts.teams_bot_subscriptions import save_conversation_settings

    values, entered = _as_slack_state(data)
    errors, saved = save_conversation_settings(deps, conversation_id, values, aad_object_id)
    if saved is None:
        if set(errors) == {ids.BLOCK_SUBSCRIBE_KINDS} and errors[ids.BLOCK_SUBSCRIBE_KINDS] == NOT_ADMIN:
            return _message(NOT_ADMIN + " Nothing was saved."), None
        return _continue(settings_form(deps, entered, errors)), None
    text = describe_subscription(saved).replace("`/aireview ", "`")
    lines = ["✅ *This conversation's alert settings are saved:*", *text.split("\n")]
    return _message("Saved."), adaptive_card([_line(line) for line in lines])
