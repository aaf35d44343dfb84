"""`/aireview subscribe`, `unsubscribe` and `alerts`, the subscribe form's save, the
Acknowledge button, and the admins' delivery-problems section of the App Home.

Listeners in handlers/alerts.py parse Slack payloads and call these.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from slack_sdk.errors import SlackApiError

from bot import ids
from bot.admins import denial_text, is_admin
from bot.alerts.blocks import (
    acknowledged_blocks,
    alerts_overview,
    delivery_problem_blocks,
    parse_subscribe_state,
    subscribe_modal,
    subscribed_message,
)
from bot.alerts.plan import DIGEST_REALTIME, next_digest_time, upcoming_alerts
from bot.alerts.sweep import last_sweep, load_tracker
from bot.blockkit import Block
from bot.deps import Deps
from bot.replies import SURFACE_SLACK, CommandRequest, Reply, Subcommand
from storage import alerts as store_alerts
from storage.tracker import list_developers

log = logging.getLogger(__name__)

NOT_IN_CHANNEL_TEXT = (
    "Alerts for <#{channel}> are saved, but Review Watch could not post there ({error}). "
    "Invite the bot with `/invite @Review Watch` so alerts can arrive."
)


def _need_channel(request: CommandRequest) -> Reply | None:
    if request.surface != SURFACE_SLACK or not request.channel_id:
        return Reply(text="Run this in the Slack channel that should receive alerts.")
    return None


def run_subscribe(deps: Deps, request: CommandRequest) -> Reply | None:
    """Admins: open the subscribe form for this channel (pre-filled with its current settings)."""
    problem = _need_channel(request)
    if problem:
        return problem
    if not is_admin(deps, request.user_id, request.slack_client):
        return Reply(text=denial_text(deps).replace("change the tracker", "set up channel alerts"))
    assert request.channel_id is not None
    db = deps.store.db
    current = store_alerts.get_subscription(db, store_alerts.TARGET_SLACK, request.channel_id)
    view = subscribe_modal(request.channel_id, current, list_developers(db), deps.settings)
    request.slack_client.views_open(trigger_id=request.trigger_id, view=view)
    return None


def run_unsubscribe(deps: Deps, request: CommandRequest) -> Reply:
    problem = _need_channel(request)
    if problem:
        return problem
    if not is_admin(deps, request.user_id, request.slack_client):
        return Reply(text=denial_text(deps).replace("change the tracker", "change channel alerts"))
    assert request.channel_id is not None
    if store_alerts.delete_subscription(deps.store.db, store_alerts.TARGET_SLACK, request.channel_id):
        return Reply(text=f"Alerts for <#{request.channel_id}> are off. Nothing more will be posted here.")
    return Reply(text=f"<#{request.channel_id}> had no alert subscription; nothing changed.")


def run_alerts(deps: Deps, request: CommandRequest) -> Reply:
    """Anyone: what this channel receives and its next ten alerts; admins also see problems."""
    db = deps.store.db
    now = deps.clock.now()
    sub = None
    if request.channel_id:
        sub = store_alerts.get_subscription(db, store_alerts.TARGET_SLACK, request.channel_id)
    upcoming, next_digest = [], None
    if sub is not None:
        tracker = load_tracker(db, [sub])
        already = store_alerts.ledger_keys(db, sub["target_type"], sub["target"])
        upcoming = upcoming_alerts(tracker, sub, already, now, deps.settings)
        if sub["digest"] != DIGEST_REALTIME:
            next_digest = next_digest_time(sub, now, deps.settings)
    admin = is_admin(deps, request.user_id, request.slack_client)
    return alerts_overview(
        channel_id=request.channel_id,
        subscription=sub,
        upcoming=upcoming,
        next_digest=next_digest,
        problems=store_alerts.delivery_problems(db) if admin else None,
        last_sweep=last_sweep(db) if admin else None,
        settings=deps.settings,
        now=now,
    )


ALERT_SUBCOMMANDS = (
    Subcommand(
        name="subscribe",
        usage="subscribe",
        summary="(admins) choose the alerts this channel receives",
        example="/aireview subscribe",
        run=run_subscribe,
        admin_only=True,
        surfaces=(SURFACE_SLACK,),
    ),
    Subcommand(
        name="unsubscribe",
        usage="unsubscribe",
        summary="(admins) stop alerts in this channel",
        example="/aireview unsubscribe",
        run=run_unsubscribe,
        admin_only=True,
        surfaces=(SURFACE_SLACK,),
    ),
    Subcommand(
        name="alerts",
        usage="alerts",
        summary="what this channel receives and its next ten alerts",
        example="/aireview alerts",
        run=run_alerts,
    ),
)


def register_alert_commands(deps: Deps) -> None:
    """Add subscribe, unsubscribe and alerts to `/aireview` (once per deps)."""
    for sub in ALERT_SUBCOMMANDS:
        if deps.subcommands.get(sub.name) is None:
            deps.subcommands.add(sub)


def save_subscription_form(
    deps: Deps, user_id: str, channel_id: str, values: dict[str, Any], client: Any
) -> tuple[dict[str, str], dict[str, Any] | None]:
    """Validate and save the subscribe form. Returns (inline errors, saved subscription)."""
    if not is_admin(deps, user_id, client):
        return {ids.BLOCK_SUBSCRIBE_KINDS: "Only Review Watch admins can set up channel alerts."}, None
    form, errors = parse_subscribe_state(values)
    if errors:
        return errors, None
    saved = store_alerts.save_subscription(
        deps.store.db,
        target_type=store_alerts.TARGET_SLACK,
        target=channel_id,
        actor=user_id,
        now=deps.clock.now(),
        **form,
    )
    return {}, saved


def announce_subscription(
    deps: Deps, client: Any, channel_id: str, sub: dict[str, Any], user_id: str
) -> None:
    """Say in the channel that alerts are on; if the bot cannot post there, tell the admin why."""
    message = subscribed_message(channel_id, sub, user_id)
    try:
        client.chat_postMessage(channel=channel_id, text=message.text, blocks=message.blocks)
    except SlackApiError as exc:
        error = exc.response.get("error") or "error"
        log.warning("cannot post to %s after subscribing: %s", channel_id, error)
        try:
            client.chat_postMessage(
                channel=user_id, text=NOT_IN_CHANNEL_TEXT.format(channel=channel_id, error=error)
            )
        except SlackApiError:
            log.exception("cannot tell %s about %s", user_id, channel_id)


def acknowledge_alert(
    deps: Deps, client: Any, *, key: str, user_id: str, channel_id: str | None, message: dict[str, Any] | None
) -> None:
    """Record who acknowledged the alert and show it on the message."""
    now = deps.clock.now()
    row = store_alerts.acknowledge(deps.store.db, key, user_id, now)
    if row is not None and row["acknowledged_by"]:
        user_id = row["acknowledged_by"]  # the first acknowledgement stands
        now = datetime.fromisoformat(row["acknowledged_at"])
    if not channel_id or not message or not message.get("ts"):
        return
    blocks = acknowledged_blocks(message.get("blocks") or [], user_id, now, deps.settings.tz)
    client.chat_update(
        channel=channel_id, ts=message["ts"], text=message.get("text") or "Alert", blocks=blocks
    )


def alert_problems_home_section(deps: Deps, user_id: str, admin: bool) -> list[Block]:
    """App Home, admins only: alerts that could not be delivered and why."""
    if not admin:
        return []
    return delivery_problem_blocks(store_alerts.delivery_problems(deps.store.db, limit=10), deps.settings.tz)
