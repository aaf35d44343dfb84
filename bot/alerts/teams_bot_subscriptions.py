"""Subscribing a Teams conversation the bot is in, as a Slack channel subscribes.

`subscribe` in a Teams channel or chat (admins only, named by Entra object id in
REVIEWWATCH_TEAMS_ADMINS, checked here on the server) gives the conversation the default
subscription a Workflows webhook gets: every kind, the team's default lead days, real time.
It is stored as any subscription (target type `teams`, target `bot:<conversation id>`), so
the sweep, the ledger and its exactly-once claims, catch-up, digests and updates in place
treat it as they treat a Slack channel. `unsubscribe` removes it. Its alert settings (kinds,
lead days, digest, developers, delivery days, quiet hours, threads, the weekly briefing) are
changed in a Teams dialog whose answers the subscribe form's own code reads and checks.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.alerts.alert import SUBSCRIBABLE_KINDS
from bot.deps import Deps
from storage import alerts as ledger

BOT_TARGET_PREFIX = "bot:"


def bot_target(conversation_id: str) -> str:
    """The subscription target of a conversation: a channel's, not one of its threads'."""
    return BOT_TARGET_PREFIX + conversation_id.split(";messageid=", 1)[0]


def is_bot_target(target: str) -> bool:
    return target.startswith(BOT_TARGET_PREFIX)


def is_teams_admin(deps: Deps, aad_object_id: str | None) -> bool:
    return bool(aad_object_id) and str(aad_object_id).lower() in deps.settings.teams_admins


def subscribe_conversation(deps: Deps, conversation_id: str, actor: str, now: datetime) -> bool:
    """Subscribe the conversation; False when it already was (its choices are kept)."""
    target = bot_target(conversation_id)
    db = deps.store.db
    if ledger.get_subscription(db, ledger.TARGET_TEAMS, target) is not None:
        return False
    ledger.save_subscription(
        db,
        target_type=ledger.TARGET_TEAMS,
        target=target,
        kinds=list(SUBSCRIBABLE_KINDS),
        lead_days=list(deps.settings.lead_days),
        digest="realtime",
        developer_filter=None,
        actor=f"teams:{actor}",
        now=now,
    )
    return True


def unsubscribe_conversation(deps: Deps, conversation_id: str) -> bool:
    return ledger.delete_subscription(deps.store.db, ledger.TARGET_TEAMS, bot_target(conversation_id))


def save_conversation_settings(
    deps: Deps, conversation_id: str, values: dict[str, Any], aad_object_id: str
) -> tuple[dict[str, str], dict[str, Any] | None]:
    """The alert settings dialog saved for a conversation (admins only, checked here), with the
    subscribe form's own reading and checks (bot/alerts/commands.py): (inline errors by field,
    the saved subscription)."""
    from bot.alerts.subscribe_form import check_subscription_form
    from bot.ids import BLOCK_SUBSCRIBE_KINDS

    if not is_teams_admin(deps, aad_object_id):
        return {BLOCK_SUBSCRIBE_KINDS: "Only admins can change this conversation's alerts."}, None
    form, errors = check_subscription_form(deps, values)
    if errors:
        return errors, None
    saved = ledger.save_subscription(
        deps.store.db,
        target_type=ledger.TARGET_TEAMS,
        target=bot_target(conversation_id),
        actor=f"teams:{aad_object_id}",
        now=deps.clock.now(),
        **form,
    )
    return {}, saved
