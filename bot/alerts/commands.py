"""`/aireview subscribe`, `unsubscribe` and `alerts`, the subscribe form's save, the
Acknowledge button, and the admins' delivery-problems section of the App Home.

Listeners in handlers/alerts.py parse Slack payloads and call these.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

from bot import ids
from bot.admins import denial_text, is_admin
from bot.alerts.alert import DIGEST_REALTIME, Alert
from bot.alerts.blocks import MUTE_CHOICE, acknowledged_blocks, mute_modal
from bot.alerts.digests import next_digest_time
from bot.alerts.overview import alerts_overview, delivery_problem_blocks
from bot.alerts.reference import upcoming_alerts
from bot.alerts.snooze import MUTE_SUBJECTS, mute_subject, mute_until_text, snooze
from bot.alerts.subscribe_form import parse_subscribe_state, subscribe_modal
from bot.alerts.sweep import last_sweep
from bot.alerts.sweep_plan import load_tracker
from bot.blockkit import Block, safe
from bot.deps import Deps
from bot.directory import Directory
from bot.domain import today_in
from bot.replies import SURFACE_SLACK, CommandRequest, Reply, Subcommand
from storage import alerts as store_alerts
from storage.snooze import active_mutes, delete_mute
from storage.tracker import get_record

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
    if not is_admin(deps, request.user_id, request.directory):
        return Reply(text=denial_text(deps).replace("change the tracker", "set up channel alerts"))
    assert request.channel_id is not None
    db = deps.store.db
    current = store_alerts.get_subscription(db, store_alerts.TARGET_SLACK, request.channel_id)
    chosen = (current or {}).get("developer_filter") or []
    filter_developers = [d for d in (get_record(db, "developer", c) for c in chosen) if d is not None]
    view = subscribe_modal(request.channel_id, current, filter_developers, deps.settings)
    return Reply(text="", modal=view)


def run_unsubscribe(deps: Deps, request: CommandRequest) -> Reply:
    problem = _need_channel(request)
    if problem:
        return problem
    if not is_admin(deps, request.user_id, request.directory):
        return Reply(text=denial_text(deps).replace("change the tracker", "change channel alerts"))
    assert request.channel_id is not None
    if store_alerts.delete_subscription(deps.store.db, store_alerts.TARGET_SLACK, request.channel_id):
        return Reply(text=f"Alerts for <#{request.channel_id}> are off. Nothing more will be posted here.")
    return Reply(text=f"<#{request.channel_id}> had no alert subscription; nothing changed.")


def run_alerts(deps: Deps, request: CommandRequest) -> Reply:
    """Anyone: what this channel receives and its next ten alerts; admins also see problems."""
    admin = is_admin(deps, request.user_id, request.directory)
    return _overview(deps, store_alerts.TARGET_SLACK, request.channel_id, request.channel_id, admin)


def teams_alerts_overview(
    deps: Deps, target: str, aad_object_id: str | None, title: str = "Alerts for this conversation"
) -> Reply:
    """`alerts` in a Teams conversation the bot is in (`target`: its `bot:` subscription
    target): the same overview as a Slack channel's, under `title`; admins (by Entra object
    id) also see delivery problems and the last sweep."""
    from bot.alerts.teams_bot_subscriptions import is_teams_admin

    admin = is_teams_admin(deps, aad_object_id)
    return _overview(deps, store_alerts.TARGET_TEAMS, target, None, admin, title)


def _overview(
    deps: Deps,
    target_type: str,
    target: str | None,
    channel_id: str | None,
    admin: bool,
    title: str = "Alerts for this channel",
) -> Reply:
    db = deps.store.db
    now = deps.clock.now()
    sub = store_alerts.get_subscription(db, target_type, target) if target else None
    upcoming: list[Alert] = []
    next_digest = None
    mutes = active_mutes(db, today_in(deps.settings.tz, now), target_type, target) if target else []
    if sub is not None:
        tracker = load_tracker(db, [sub])
        already = store_alerts.ledger_keys(db, sub["target_type"], sub["target"])
        muted = {(m["subject_type"], m["subject_id"]) for m in mutes}
        upcoming = [
            a
            for a in upcoming_alerts(tracker, sub, already, now, deps.settings, limit=10 + len(muted) * 6)
            if (a.subject_type, a.subject_id) not in muted
        ][:10]
        if sub["digest"] != DIGEST_REALTIME:
            next_digest = next_digest_time(sub, now, deps.settings)
    return alerts_overview(
        channel_id=channel_id,
        subscription=sub,
        upcoming=upcoming,
        next_digest=next_digest,
        problems=store_alerts.delivery_problems(db) if admin else None,
        last_sweep=last_sweep(db) if admin else None,
        settings=deps.settings,
        now=now,
        mutes=mutes,
        held=store_alerts.held_alerts(db, sub["target_type"], sub["target"]) if sub else None,
        title=title,
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
        surfaces=(SURFACE_SLACK,),  # about a channel: the console has none
    ),
)


def save_subscription_form(
    deps: Deps, user_id: str, channel_id: str, values: dict[str, Any], directory: Directory | None
) -> tuple[dict[str, str], dict[str, Any] | None]:
    """Validate and save the subscribe form. Returns (inline errors, saved subscription)."""
    if not is_admin(deps, user_id, directory):
        return {ids.BLOCK_SUBSCRIBE_KINDS: "Only Review Watch admins can set up channel alerts."}, None
    form, errors = parse_subscribe_state(values)
    unknown = [d for d in form["developer_filter"] or [] if get_record(deps.store.db, "developer", d) is None]
    if unknown:
        errors.setdefault(ids.BLOCK_SUBSCRIBE_DEVELOPERS, "Choose developers from the menu.")
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


def not_in_channel_text(channel_id: str, error: str) -> str:
    """Told to the admin by DM when the bot cannot post in the channel they subscribed."""
    return NOT_IN_CHANNEL_TEXT.format(channel=channel_id, error=error)


def acknowledge_alert(
    deps: Deps, *, key: str, user_id: str, message: dict[str, Any] | None
) -> list[Block] | None:
    """Record who acknowledged the alert; the message's blocks showing it (None: nothing to
    update)."""
    now = deps.clock.now()
    row = store_alerts.acknowledge(deps.store.db, key, user_id, now)
    if row is not None and row["acknowledged_by"]:
        user_id = row["acknowledged_by"]  # the first acknowledgement stands
        now = datetime.fromisoformat(row["acknowledged_at"])
    if not message or not message.get("ts"):
        return None
    return acknowledged_blocks(message.get("blocks") or [], user_id, now, deps.settings.tz)


def alert_menu_choice(
    deps: Deps, *, value: str, user_id: str, channel_id: str | None, directory: Directory | None
) -> Reply:
    """An alert's overflow menu: a "Remind me" (saved; the text says when) or, for admins,
    "Mute this subject here" (the reply carries the mute form to open)."""
    choice, _, key = value.partition("|")
    db, now = deps.store.db, deps.clock.now()
    if choice == MUTE_CHOICE:
        if not is_admin(deps, user_id, directory):
            return Reply(text=denial_text(deps).replace("change the tracker", "mute alerts"))
        row = store_alerts.get_ledger(db, key)
        if row is None or row["subject_type"] not in MUTE_SUBJECTS or not channel_id:
            return Reply(text="Only deadline and model alerts in a channel can be muted.")
        title = str(Alert.from_ledger(row).facts.get("item_title") or row["kind"])
        return Reply(text="", modal=mute_modal(key, channel_id, title))
    return Reply(
        text=snooze(db, deps.settings, key=key, choice=choice, user_id=user_id, channel=channel_id, now=now)
    )


def save_mute_form(
    deps: Deps, *, user_id: str, metadata: dict[str, Any], values: dict[str, Any], directory: Directory | None
) -> tuple[dict[str, str], str | None]:
    """Admins: save the mute form. Returns (inline errors, the confirmation to show)."""
    if not is_admin(deps, user_id, directory):
        return {ids.BLOCK_MUTE_UNTIL: "Only Review Watch admins can mute alerts."}, None
    picked = ((values.get(ids.BLOCK_MUTE_UNTIL) or {}).get(ids.ACTION_FIELD) or {}).get("selected_date")
    now = deps.clock.now()
    until = date.fromisoformat(picked) if picked else None
    if until is not None and until < today_in(deps.settings.tz, now):
        return {ids.BLOCK_MUTE_UNTIL: "Pick today or a later day, or leave it empty for good."}, None
    channel = str(metadata.get("channel") or "")
    mute = mute_subject(
        deps.store.db,
        key=str(metadata.get("key") or ""),
        channel=channel,
        until=until,
        user_id=user_id,
        now=now,
    )
    if mute is None:
        return {ids.BLOCK_MUTE_UNTIL: "That alert is gone; nothing was muted."}, None
    title = safe(mute["title"], 300)  # tracker text: escaped, so it cannot ping the channel
    return {}, (
        f"Alerts about {title} are muted in <#{channel}> {mute_until_text(mute['until'])}. "
        "`/aireview alerts` lists mutes, with Unmute."
    )


def unmute(
    deps: Deps, *, mute_id: str, user_id: str, channel_id: str | None, directory: Directory | None
) -> str:
    """Admins: lift a channel's mute (the Unmute button in /aireview alerts)."""
    if not is_admin(deps, user_id, directory):
        return denial_text(deps).replace("change the tracker", "unmute alerts")
    if not channel_id or not mute_id.isdigit():
        return "Run `/aireview alerts` in the channel to unmute."
    mute = delete_mute(deps.store.db, int(mute_id), store_alerts.TARGET_SLACK, channel_id)
    if mute is None:
        return "That subject is not muted here (any more)."
    return f"Alerts about {safe(mute['title'], 300)} come to <#{channel_id}> again."


def alert_problems_home_section(deps: Deps, user_id: str, admin: bool) -> list[Block]:
    """App Home, admins only: alerts that could not be delivered and why."""
    if not admin:
        return []
    return delivery_problem_blocks(store_alerts.delivery_problems(deps.store.db, limit=10), deps.settings.tz)
