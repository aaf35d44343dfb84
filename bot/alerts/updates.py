"""Updates in place: a sent alert whose fact changed is corrected where it was posted.

When a tracker change touches what a sent, still-relevant date alert states (a deadline
moved or given an outcome, a model's planned release moved or its review status changed, a
fact newly contested), the Slack message is edited
(`chat.update`) to state the current fact under an "Updated <when>: <what changed>" line,
and one reply in its thread says what changed, who recorded it and the source. An alert
that is itself a reply in a thread is edited only (its thread's first message gets the
reply). Teams Workflows posts cannot be edited: the webhook gets one follow-up card
titled as an update, for the latest alert it had about the subject.

A status changed again is not a correction: it is a new development, posted by the sweep as
a message of its own, and the alert about the earlier transition is never edited (it
happened). Relevant: date alerts whose date is at most RELEVANT_DAYS past.
Exactly once: each (alert, change) is a row in `alert_updates`
(storage/updates.py), claimed before anything is sent and moved claimed -> edited -> sent.
Editing again is harmless, and the thread reply carries the update's key in its metadata,
so a run that died between the edit, the reply and the record is finished by a later run
(after UPDATE_LEASE) without a second reply. Runs after each sweep (bot/alerts/scheduler.py).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlite_utils import Database

from bot.alerts.alert import DATE_KINDS, HELD_QUIET_HOURS, SKIP_MUTED, STATUS_FIELDS, Alert
from bot.alerts.blocks import acknowledged_blocks, update_reply, updated_message
from bot.alerts.cards import update_card
from bot.alerts.delivery import build_senders, close_senders
from bot.alerts.render import current_row
from bot.alerts.rules import quiet_until, restated_alert
from bot.alerts.sending import OUTCOME_PERMANENT, OUTCOME_SENT, Outcome, Sender
from bot.alerts.slack_sender import SlackSender
from bot.alerts.snooze import is_muted
from bot.alerts.teams_bot_sender import TeamsRouter
from bot.alerts.teams_bot_subscriptions import is_bot_target
from bot.alerts.teams_bot_updates import make_bot_update
from bot.alerts.teams_sender import TeamsSender
from bot.blockkit import fmt_date, fmt_datetime
from bot.deps import Deps
from bot.domain import DEVELOPER_STATUS_LABELS, REVIEW_STATUS_LABELS, parse_date, today_in
from bot.replies import Reply
from bot.settings import Settings
from storage import alerts as ledger
from storage import updates as store
from storage.sweep_probe import UpdatesProbe, probe_updates
from storage.tracker import latest_history_id, set_state

log = logging.getLogger(__name__)

STATE_CURSOR = "alert_updates_history_id"  # the newest history row looked at
RELEVANT_DAYS = 7
UPDATE_LEASE = timedelta(minutes=15)
MESSAGE_DELETED = "message_not_found"  # chat.update's answer for a message someone deleted
RETRY_AFTER = timedelta(minutes=5)
STATUS_SKIPPED = "skipped"  # not made: the subject is muted for the alert's target, or see below
NOT_EDITED = "a status change is a message of its own: the earlier one is not edited"
DATE_FIELDS = frozenset({"due_date", "planned_release", "submitted", "released"})
FIELD_NAMES = {
    "due_date": "due date",
    "planned_release": "planned release",
    "status": "agreement status",
    "review_status": "review status",
}


@dataclass
class UpdateResult:
    edited: list[str] = field(default_factory=list)  # update keys whose message was edited
    sent: list[str] = field(default_factory=list)  # update keys finished (reply or card posted)
    failed: list[tuple[str, str]] = field(default_factory=list)
    held: list[str] = field(default_factory=list)  # update keys waiting for the quiet time to end
    reposted: list[str] = field(default_factory=list)  # update keys whose message was deleted: posted anew


def _value(name: str, value: str | None) -> str:
    if value in (None, ""):
        return "none"
    if name in DATE_FIELDS:
        return fmt_date(parse_date(value))
    if name in STATUS_FIELDS:
        labels = DEVELOPER_STATUS_LABELS if name == "status" else REVIEW_STATUS_LABELS
        return labels.get(str(value), str(value))
    return str(value)


def change_text(change: dict[str, Any]) -> str:
    """What a history row changed, in words ("due date moved from Fri Jul 31, 2026 to ...")."""
    name = change["field"]
    if name == "(removed)":
        return "removed from the tracker"
    if name == "contested":
        return "now contested" if str(change["new"]) in ("1", "true", "True") else "no longer contested"
    label = FIELD_NAMES.get(name, name.replace("_", " "))
    verb = "moved" if name in DATE_FIELDS and change["old"] and change["new"] else "changed"
    return f"{label} {verb} from {_value(name, change['old'])} to {_value(name, change['new'])}"


def _update_key(alert_key: str, history_id: int) -> str:
    return f"update|{alert_key}|history:{history_id}"


def _touched(db: Database, change: dict[str, Any], today: date, now: datetime) -> list[tuple[str, str, int]]:
    """(update key, alert key, history id) for each sent alert `change` makes out of date."""
    rows: list[dict[str, Any]] = []
    entity, entity_id = change["entity"], str(change["entity_id"])
    if entity in ("deadline", "model") and change["field"] != "(created)":
        since = (today - timedelta(days=RELEVANT_DAYS)).isoformat()
        latest_teams: dict[str, dict[str, Any]] = {}
        for row in store.sent_alerts_about(db, entity, entity_id, DATE_KINDS, since):
            if row["target_type"] == ledger.TARGET_SLACK:
                if row["message_ts"]:
                    rows.append(row)
            else:
                latest_teams[row["target"]] = row  # in sending order: the latest stays
        rows += latest_teams.values()
    # A status changed again is a development of its own: the sweep posts it as a new message,
    # and the alert about the earlier transition stays as it was (it happened).
    return [(_update_key(r["key"], change["id"]), r["key"], change["id"]) for r in rows]


def claim_changes(deps: Deps, now: datetime, probe: UpdatesProbe) -> int:
    """Record an update for every sent alert the changes since the last run touch; returns
    how many changes were read. The first run only sets the cursor (no retroactive edits).
    `probe`: the run's question asked first (storage/sweep_probe.py), which holds the cursor
    and says whether any change came after it."""
    db = deps.store.db
    if probe.cursor is None:
        set_state(db, STATE_CURSOR, str(latest_history_id(db)))
        return 0
    if not probe.changed:
        return 0
    changes = store.changes_after(db, int(probe.cursor), store.CORRECTED_ENTITIES)
    if not changes:
        return 0
    today = today_in(deps.settings.tz, now)
    claims = [claim for change in changes for claim in _touched(db, change, today, now)]
    with db.atomic():
        store.claim_updates(db, claims, now)
        set_state(db, STATE_CURSOR, str(changes[-1]["id"]))
    return len(changes)


def _restated(db: Database, alert: Alert, now: datetime, settings: Settings) -> Alert:
    row = current_row(db, alert.subject_type, alert.subject_id)
    return restated_alert(alert, row, now, settings) or alert


def send_updates(
    deps: Deps,
    *,
    now: datetime | None = None,
    senders: dict[str, Sender] | None = None,
    lease: timedelta = UPDATE_LEASE,
) -> UpdateResult:
    """Claim the updates the latest changes call for, then make them (and unfinished ones)."""
    now = now or deps.clock.now()
    db = deps.store.db
    result = UpdateResult()
    probe = probe_updates(db, STATE_CURSOR, store.CORRECTED_ENTITIES, now, lease)
    # Updates pending before this run, or claimed by it (it read changes): most runs, neither.
    if not (claim_changes(deps, now, probe) or probe.pending):
        return result
    pending = store.pending_updates(db, now, now, lease)
    if not pending:
        return result
    own = senders is None
    senders = build_senders(deps.settings, deps.store) if senders is None else senders
    try:
        for row in pending:
            if store.take_update(db, row, now):
                _make_update(deps, row, senders, now, result)
    finally:
        if own:
            close_senders(senders)
    return result


def _failed(db: Database, key: str, outcome: Outcome, now: datetime, result: UpdateResult) -> None:
    error = outcome.error or "failed"
    permanent = outcome.status == OUTCOME_PERMANENT
    status = store.STATUS_PERMANENT if permanent else store.STATUS_FAILED
    store.record_update(db, key, status, now, error=error, retry_at=None if permanent else now + RETRY_AFTER)
    result.failed.append((key, error))
    log.warning("alert update %s failed: %s", key, error)


def _post_anew(
    db: Database,
    update_key: str,
    alert_key: str,
    channel: str,
    message: Reply,
    sender: SlackSender,
    now: datetime,
    result: UpdateResult,
) -> None:
    """The alert's message was deleted: the correction is posted anew in the channel (once: it
    carries the update's key), and the ledger points at it, so later alerts about the subject
    start a new thread under it instead of going into the deleted message's thread."""
    outcome = sender.reply_once(channel, None, update_key, message)
    if outcome.status != OUTCOME_SENT or not outcome.ts:
        _failed(db, update_key, outcome, now, result)
        return
    ledger.replace_message(db, alert_key, outcome.channel or channel, outcome.ts)
    store.record_update(db, update_key, store.STATUS_SENT, now, reply_ts=outcome.ts)
    result.reposted.append(update_key)
    result.sent.append(update_key)


def _make_update(
    deps: Deps, row: dict[str, Any], senders: dict[str, Sender], now: datetime, result: UpdateResult
) -> None:
    db, settings = deps.store.db, deps.settings
    sent = ledger.get_ledger(db, row["alert_key"])
    if sent is None:
        store.record_update(db, row["key"], store.STATUS_PERMANENT, now, error="the alert is gone")
        return
    change = store.history_change(db, row["history_id"])
    if is_muted(db, Alert.from_ledger(sent), today_in(settings.tz, now)):  # mute means silence
        store.record_update(db, row["key"], STATUS_SKIPPED, now, error=SKIP_MUTED)
        return
    subscription = ledger.get_subscription(db, sent["target_type"], sent["target"])
    until = quiet_until(subscription, now, settings) if subscription else None
    if until is not None:  # quiet time holds edits and replies too: made when it ends
        store.record_update(db, row["key"], store.STATUS_FAILED, now, error=HELD_QUIET_HOURS, retry_at=until)
        result.held.append(row["key"])
        return
    if sent["kind"] not in DATE_KINDS:  # claimed before status changes became messages of their own
        store.record_update(db, row["key"], STATUS_SKIPPED, now, error=NOT_EDITED)
        return
    alert = _restated(db, Alert.from_ledger(sent), now, settings)
    what = change_text(change)
    when = fmt_datetime(change["at"], settings.tz)
    sender = senders.get(alert.target_type)
    if isinstance(sender, TeamsRouter):  # the Teams bot's conversations, and the webhooks beside them
        if is_bot_target(alert.target):
            done, failure = make_bot_update(deps, row, sent, alert, change, (what, when), sender.bot, now)
            if failure is not None:
                _failed(db, row["key"], failure, now, result)
            else:
                (result.sent if done == "sent" else result.edited).append(row["key"])
            return
        sender = sender.webhooks
    if isinstance(sender, TeamsSender):
        card = update_card(alert, what, when, change["actor"], change["source"], now, settings)
        outcome = sender.post(alert.target, card)
        if outcome.status != OUTCOME_SENT:
            _failed(db, row["key"], outcome, now, result)
            return
        store.record_update(db, row["key"], store.STATUS_SENT, now)
        result.sent.append(row["key"])
        return
    if not isinstance(sender, SlackSender):
        _failed(db, row["key"], Outcome("failed", f"no sender for {alert.target_type}"), now, result)
        return
    channel, ts = sent["message_channel"] or alert.target, sent["message_ts"]
    if row["status"] != store.STATUS_EDITED:
        message = updated_message(alert, what, when, now, settings, sent["key"])
        if sent["acknowledged_by"]:  # the edit keeps who acknowledged it
            acknowledged = datetime.fromisoformat(sent["acknowledged_at"])
            message.blocks = acknowledged_blocks(
                message.blocks, sent["acknowledged_by"], acknowledged, settings.tz
            )
        outcome = sender.edit(channel, ts, message, sent["key"])
        if outcome.error == MESSAGE_DELETED:
            _post_anew(db, row["key"], sent["key"], channel, message, sender, now, result)
            return
        if outcome.status != OUTCOME_SENT:
            _failed(db, row["key"], outcome, now, result)
            return
        store.record_update(db, row["key"], store.STATUS_EDITED, now)
        result.edited.append(row["key"])
    if sent["thread_ts"]:  # a reply itself: its thread's first message says what changed
        store.record_update(db, row["key"], store.STATUS_SENT, now)
        result.sent.append(row["key"])
        return
    reply = update_reply(what, when, change["actor"], change["source"], change["note"])
    outcome = sender.reply_once(channel, ts, row["key"], reply)
    if outcome.status != OUTCOME_SENT:
        _failed(db, row["key"], outcome, now, result)
        return
    store.record_update(db, row["key"], store.STATUS_SENT, now, reply_ts=outcome.ts)
    result.sent.append(row["key"])
