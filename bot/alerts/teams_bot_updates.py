"""Updates in place for alerts the Teams bot posted (bot/alerts/updates.py calls this).

As in Slack: the card is replaced where it was posted (the Bot Connector's update) by the
current fact under an "Updated <when>: <what changed>" line, and one follow-up card says what
changed, who recorded it and the source: in a channel, in the alert's reply chain; in a chat,
which has no reply chains, after it. The same `alert_updates` row moves claimed -> edited ->
sent, so a run that died after the edit does not edit again; Teams cannot be read back, so
one that died between the follow-up and its record posts the follow-up again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.alerts.alert import Alert
from bot.alerts.cards import alert_card, update_card
from bot.alerts.sending import OUTCOME_SENT
from bot.alerts.teams_bot_sender import TeamsBotSender
from bot.alerts.teams_bot_subscriptions import BOT_TARGET_PREFIX
from bot.cardkit import text_block
from bot.deps import Deps
from storage import updates as store


def updated_card(alert: Alert, what: str, when: str, now: datetime, deps: Deps) -> dict[str, Any]:
    envelope = alert_card(alert, now, deps.settings)
    card = envelope["attachments"][0]["content"]
    card["body"].insert(1, text_block(f"Updated {when}: {what}", weight="Bolder", size="Small"))
    return envelope


def make_bot_update(
    deps: Deps,
    row: dict[str, Any],
    sent: dict[str, Any],
    alert: Alert,
    change: dict[str, Any],
    texts: tuple[str, str],
    bot: TeamsBotSender,
    now: datetime,
) -> tuple[str, Any]:
    """Edit the card, then follow up; ("edited"/"sent", None) or ("failed", outcome)."""
    db = deps.store.db
    what, when = texts
    conversation = alert.target.removeprefix(BOT_TARGET_PREFIX)
    root = sent["thread_ts"] or ""
    posted_in = f"{conversation};messageid={root}" if root else conversation
    if row["status"] != store.STATUS_EDITED:
        outcome = bot.edit(posted_in, sent["message_ts"], updated_card(alert, what, when, now, deps))
        if outcome.status != OUTCOME_SENT:
            return "failed", outcome
        store.record_update(db, row["key"], store.STATUS_EDITED, now)
    if root:  # a reply itself: its chain's first card gets the follow-up
        store.record_update(db, row["key"], store.STATUS_SENT, now)
        return "edited", None
    card = update_card(alert, what, when, change["actor"], change["source"], now, deps.settings)
    outcome = bot.post(conversation, card, in_chain=bot.reply_chain(conversation, sent["message_ts"]))
    if outcome.status != OUTCOME_SENT:
        return "failed", outcome
    store.record_update(db, row["key"], store.STATUS_SENT, now, reply_ts=outcome.ts)
    return "sent", None
