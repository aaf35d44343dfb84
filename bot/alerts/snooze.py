"""Snooze and mute: "Remind me" on an alert, and admins' "Mute this subject here".

Remind me (anyone): in 1 day, on the next business day (at the delivery time), or 1 day
before the alert's date (at the delivery time; date alerts whose date is at least two days
away). The reminder is a row of `reminders` under a key of its own; the sweep sends it as a
direct message when it is due, through the ledger like any alert, so exactly once.

Mute (admins): a deadline's or a model's alerts stop in one channel, until a date
(inclusive) or for good; the sweep records them as skipped. `/aireview alerts` lists the
channel's mutes with an Unmute button.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, timedelta
from typing import Any

from sqlite_utils import Database

from bot.alerts.alert import DATE_KINDS, KIND_REMINDER, Alert, Tracker, alert_key
from bot.alerts.rules import delivery_time, quiet_until
from bot.blockkit import fmt_date, fmt_datetime
from bot.business_days import next_business_day
from bot.domain import today_in
from bot.settings import Settings
from storage import alerts as ledger
from storage import snooze as store
from storage.sweep_probe import SweepProbe

REMIND_DAY = "day"
REMIND_BUSINESS_DAY = "business_day"
REMIND_DAY_BEFORE = "day_before"
REMIND_LABELS = {
    REMIND_DAY: "Remind me in 1 day",
    REMIND_BUSINESS_DAY: "Remind me on the next business day",
    REMIND_DAY_BEFORE: "Remind me 1 day before",
}
MUTE_SUBJECTS = frozenset({"deadline", "model"})


def remind_choices(alert: Alert, now: datetime, settings: Settings) -> list[str]:
    """The reminders an alert offers at `now` (1 day before: only while that day is ahead)."""
    choices = [REMIND_DAY, REMIND_BUSINESS_DAY]
    day = alert.day
    if alert.kind in DATE_KINDS and day is not None and day - timedelta(days=1) > today_in(settings.tz, now):
        choices.append(REMIND_DAY_BEFORE)
    return choices


def remind_at(choice: str, alert: Alert, now: datetime, settings: Settings) -> datetime | None:
    """When a reminder of `choice` for `alert` is due (None: not possible now)."""
    if choice not in remind_choices(alert, now, settings):
        return None
    if choice == REMIND_DAY:
        return now + timedelta(days=1)
    if choice == REMIND_BUSINESS_DAY:
        return delivery_time(next_business_day(today_in(settings.tz, now)), settings)
    assert alert.day is not None
    return delivery_time(alert.day - timedelta(days=1), settings)


def reminder_key(alert_key_text: str, user_id: str, at: datetime) -> str:
    digest = hashlib.sha256(f"{alert_key_text}|{user_id}|{at.isoformat()}".encode()).hexdigest()[:20]
    target_type = "teams" if user_id.startswith("bot:") else "slack"  # as rules.reminder_alert
    return alert_key(KIND_REMINDER, f"reminder:{digest}", None, None, f"{target_type}:{user_id}")


def snooze(
    db: Database,
    settings: Settings,
    *,
    key: str,
    choice: str,
    user_id: str,
    channel: str | None,
    now: datetime,
) -> str:
    """Save a "Remind me"; the sentence telling the person when it comes."""
    row = ledger.get_ledger(db, key)
    if row is None:
        return "That alert is no longer in the ledger, so it cannot be repeated."
    alert = Alert.from_ledger(row)
    at = remind_at(choice, alert, now, settings)
    if at is None:
        return "That reminder is not possible any more (the day before has come)."
    # The channel's quiet time (weekend days, quiet hours) holds a reminder asked for there.
    subscription = ledger.get_subscription(db, ledger.TARGET_SLACK, channel) if channel else None
    quiet_end = quiet_until(subscription, at, settings) if subscription else None
    at = quiet_end or at
    payload = json.loads(row["payload"] or "{}")
    payload.update(
        {key_: row[key_] for key_ in ("kind", "subject_type", "subject_id", "subject_date", "lead_days")}
    )
    store.add_reminder(
        db,
        key=reminder_key(key, user_id, at),
        alert_key=key,
        user_id=user_id,
        channel=channel,
        remind_at=at,
        payload=payload,
        now=now,
    )
    after = " (when the channel's quiet time ends)" if quiet_end else ""
    return f"I'll remind you by direct message on {fmt_datetime(at, settings.tz)}{after}."


def original_alert(reminder: Alert) -> Alert:
    """The alert a reminder repeats (its facts carry it)."""
    original = reminder.facts.get("original") or {}
    return Alert(
        kind=original.get("kind", ""),
        subject_type=original.get("subject_type", ""),
        subject_id=original.get("subject_id", ""),
        subject_date=original.get("subject_date"),
        lead_days=original.get("lead_days"),
        target_type=reminder.target_type,
        target=reminder.target,
        subscription_id=0,
        due_at=reminder.due_at,
        title=original.get("title", reminder.title),
        facts=original.get("facts", {}),
    )


def add_to_tracker(
    db: Database, tracker: Tracker, now: datetime, settings: Settings, probe: SweepProbe
) -> Tracker:
    """The due reminders and the mutes in force, for the plan (not read when `probe`, the
    sweep's question asked first, storage/sweep_probe.py, says there are none)."""
    tracker.reminders = store.due_reminders(db, now) if probe.reminders else []
    tracker.mutes = store.active_mutes(db, today_in(settings.tz, now)) if probe.mutes else []
    return tracker


def mute_until_text(until: str | None) -> str:
    return f"until {fmt_date(date.fromisoformat(until))}" if until else "for good"


def mute_subject(
    db: Database,
    *,
    key: str,
    channel: str,
    until: date | None,
    user_id: str,
    now: datetime,
    target_type: str = ledger.TARGET_SLACK,  # or a Teams bot conversation's (`bot:<id>`)
) -> dict[str, Any] | None:
    """Mute the subject of the alert `key` in `channel` (None: not a deadline or model alert)."""
    row = ledger.get_ledger(db, key)
    if row is None or row["subject_type"] not in MUTE_SUBJECTS:
        return None
    alert = Alert.from_ledger(row)
    title = alert.facts.get("item_title") or alert.title
    return store.save_mute(
        db,
        target_type=target_type,
        target=channel,
        subject_type=row["subject_type"],
        subject_id=row["subject_id"],
        title=str(title),
        until=until,
        actor=user_id,
        now=now,
    )


def muted_subject(alert: Alert) -> tuple[str, str]:
    """What a mute must name to silence `alert`: its deadline or model, also for a status
    change of a model (a history alert about it)."""
    if alert.subject_type == "history" and alert.facts.get("entity") in MUTE_SUBJECTS:
        return str(alert.facts["entity"]), str(alert.facts.get("entity_id"))
    return alert.subject_type, alert.subject_id


def is_muted(db: Database, alert: Alert, today: date) -> bool:
    """Whether `alert`'s subject is muted for its target today (edits and replies included)."""
    subject = muted_subject(alert)
    if subject[0] not in MUTE_SUBJECTS:
        return False
    mutes = store.active_mutes(db, today, alert.target_type, alert.target)
    return any((m["subject_type"], m["subject_id"]) == subject for m in mutes)
