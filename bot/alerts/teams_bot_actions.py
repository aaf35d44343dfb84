"""The buttons on alert cards the Teams bot posts (Adaptive Card Universal Actions).

A card the bot posts carries `Action.Execute` "Acknowledge" (verb `acknowledge`, the alert's
key in its data) and the "Remind me" choices Slack offers (verb `remind`; the reminder is
Slack's, sent when due through the ledger to the presser's personal chat with the bot).
Teams sends the press to /api/messages as an authenticated `adaptiveCard/action` invoke.
`acknowledge_from_teams` applies Slack's rule (the ledger's first acknowledgement stands,
recorded once) and returns the card showing who acknowledged and when, which the bot
answers the press with (the presser's card is refreshed) and puts in place of the posted
card for everyone. A press is honoured only in the conversation the alert was sent to.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from bot.alerts.alert import KIND_NEWS, Alert
from bot.alerts.cards import alert_card
from bot.alerts.snooze import (
    MUTE_SUBJECTS,
    REMIND_LABELS,
    mute_subject,
    mute_until_text,
    remind_choices,
    snooze,
)
from bot.alerts.teams_bot_subscriptions import bot_target
from bot.blockkit import fmt_datetime
from bot.cardkit import text_block
from bot.deps import Deps
from bot.domain import today_in
from bot.settings import Settings
from storage import alerts as ledger

VERB_ACKNOWLEDGE = "acknowledge"
VERB_REMIND = "remind"
VERB_MUTE_FORM = "mute_form"  # an admin's "Mute here…": the card shows them the mute form
VERB_MUTE = "mute"
VERB_UNMUTE = "unmute"  # the Unmute buttons of the `alerts` card (admins)
INPUT_MUTE_UNTIL = "mute_until"


def bot_alert_card(
    alert: Alert, now: datetime, settings: Settings, acknowledged: tuple[str, datetime] | None = None
) -> dict[str, Any]:
    """The alert's card as the bot posts it: with its Acknowledge button, or who pressed it."""
    envelope = alert_card(alert, now, settings)
    card = envelope["attachments"][0]["content"]
    if acknowledged is not None:
        who, at = acknowledged
        card["body"].append(text_block(f"✅ Acknowledged by {who} on {fmt_datetime(at, settings.tz)}"))
    elif alert.key:
        button = {
            "type": "Action.Execute",
            "title": "Acknowledge",
            "verb": VERB_ACKNOWLEDGE,
            "data": {"key": alert.key},
        }
        reminders = [
            {
                "type": "Action.Execute",
                "title": REMIND_LABELS[c],
                "verb": VERB_REMIND,
                "data": {"key": alert.key, "choice": c},
            }
            for c in remind_choices(alert, now, settings)
        ]
        mute = (
            [
                {
                    "type": "Action.Execute",
                    "title": "Mute here…",
                    "verb": VERB_MUTE_FORM,
                    "data": {"key": alert.key},
                }
            ]
            if alert.subject_type in MUTE_SUBJECTS
            else []
        )
        card["actions"] = [button, *reminders, *mute, *card.get("actions", [])]
    if alert.kind == KIND_NEWS and alert.subject_id:
        card["body"].append(news_buttons(alert.subject_id))
    return envelope


def news_buttons(item_id: Any) -> dict[str, Any]:
    """A news alert's **Update tracker** and **Add as event**, as Slack's: each opens an admin
    form as a dialog (`task/fetch`), prefilled from the item; the dialog checks the admin."""
    return {
        "type": "ActionSet",
        "actions": [
            {
                "type": "Action.Submit",
                "title": title,
                "data": {"msteams": {"type": "task/fetch"}, "dialog": dialog, "news": item_id},
            }
            for title, dialog in (("Update tracker", "status"), ("Add as event", "event"))
        ],
    }


def acknowledge_from_teams(
    deps: Deps, *, key: str, conversation_id: str, user_name: str
) -> tuple[dict[str, Any], dict[str, Any]] | str:
    """Record the acknowledgement; (the card to show, the ledger row), or why not."""
    db, now = deps.store.db, deps.clock.now()
    row = ledger.get_ledger(db, key)
    if (
        row is None
        or row["target_type"] != ledger.TARGET_TEAMS
        or row["target"] != bot_target(conversation_id)
    ):
        return "That alert was not sent here."
    row = ledger.acknowledge(db, key, user_name, now)
    assert row is not None
    at = datetime.fromisoformat(row["acknowledged_at"])
    card = bot_alert_card(Alert.from_ledger(row), now, deps.settings, (str(row["acknowledged_by"]), at))
    return card, row


def remind_from_teams(
    deps: Deps, *, key: str, choice: str, conversation_id: str, user_aad: str
) -> str | None:
    """ "Remind me" on a bot card: Slack's rule and reminder, delivered to the presser's
    personal chat with the bot. None: the press is good but there is no personal chat yet
    (the caller creates one, then calls again)."""
    from storage.teams import personal_conversation

    db = deps.store.db
    row = ledger.get_ledger(db, key)
    if (
        row is None
        or row["target_type"] != ledger.TARGET_TEAMS
        or row["target"] != bot_target(conversation_id)
    ):
        return "That alert was not sent here."
    if choice not in REMIND_LABELS:
        return "That reminder is not offered."
    personal = personal_conversation(db, user_aad)
    if personal is None:
        return None
    return snooze(
        db,
        deps.settings,
        key=key,
        choice=choice,
        user_id=bot_target(personal),
        channel=None,
        now=deps.clock.now(),
    )


def _sent_here(deps: Deps, key: str, conversation_id: str) -> dict[str, Any] | None:
    row = ledger.get_ledger(deps.store.db, key)
    if (
        row is None
        or row["target_type"] != ledger.TARGET_TEAMS
        or row["target"] != bot_target(conversation_id)
    ):
        return None
    return row


def mute_from_teams(
    deps: Deps, *, verb: str, key: str, conversation_id: str, admin: bool, until: str | None, actor: str
) -> dict[str, Any] | str:
    """Admins' "Mute here…": the form (a card shown to the admin alone), then the mute, as in
    Slack (a deadline's or a model's alerts stop in this conversation, until a day or for good)."""
    if not admin:
        return "Only admins can mute alerts: their Entra object ids are in REVIEWWATCH_TEAMS_ADMINS."
    row = _sent_here(deps, key, conversation_id)
    if row is None or row["subject_type"] not in MUTE_SUBJECTS:
        return "Only deadline and model alerts sent here can be muted here."
    alert = Alert.from_ledger(row)
    title = str(alert.facts.get("item_title") or alert.title)
    now = deps.clock.now()
    if verb == VERB_MUTE_FORM:
        body = [
            text_block(f"Mute alerts about {title} here", weight="Bolder"),
            {"type": "Input.Date", "id": INPUT_MUTE_UNTIL, "label": "Until (inclusive; empty: for good)"},
        ]
        mute = {"type": "Action.Execute", "title": "Mute", "verb": VERB_MUTE, "data": {"key": key}}
        return {"type": "AdaptiveCard", "version": "1.5", "body": body, "actions": [mute]}
    day = None
    if until:
        try:
            day = date.fromisoformat(until)
        except ValueError:
            return "Pick a day such as 2026-08-31, or leave it empty for good."
        if day < today_in(deps.settings.tz, now):
            return "Pick today or a later day, or leave it empty for good."
    saved = mute_subject(
        deps.store.db,
        key=key,
        channel=row["target"],
        until=day,
        user_id=actor,
        now=now,
        target_type=ledger.TARGET_TEAMS,
    )
    if saved is None:
        return "That alert is gone; nothing was muted."
    return f"Alerts about {saved['title']} are muted here {mute_until_text(saved['until'])}."


def unmute_actions(deps: Deps, conversation_id: str) -> list[dict[str, Any]]:
    """The `alerts` card's Unmute buttons, one per subject muted in this conversation (shown
    to admins; the press is checked again)."""
    from storage.snooze import active_mutes

    today = today_in(deps.settings.tz, deps.clock.now())
    mutes = active_mutes(deps.store.db, today, ledger.TARGET_TEAMS, bot_target(conversation_id))
    return [
        {
            "type": "Action.Execute",
            "title": f"Unmute {str(m['title'] or m['subject_type'])[:40]}",
            "verb": VERB_UNMUTE,
            "data": {"mute_id": m["id"]},
        }
        for m in mutes
    ]


def unmute_from_teams(deps: Deps, *, mute_id: Any, conversation_id: str, admin: bool) -> tuple[bool, str]:
    """An Unmute press: Slack's rule (admins only; a mute of this conversation only). Returns
    (whether it was lifted, what the presser is told)."""
    from storage.snooze import delete_mute

    if not admin:
        return False, "Only admins can unmute alerts: their Entra object ids are in REVIEWWATCH_TEAMS_ADMINS."
    if isinstance(mute_id, bool) or not str(mute_id).isdigit():
        return False, "That is not an Unmute button of this conversation."
    mute = delete_mute(deps.store.db, int(mute_id), ledger.TARGET_TEAMS, bot_target(conversation_id))
    if mute is None:
        return False, "That subject is not muted here (any more)."
    return True, f"Alerts about {mute['title'] or mute['subject_type']} come here again."
