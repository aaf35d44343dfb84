"""Quiet time is a calendar (issue 26, item 5): days and hours, applied to every kind of post.
A subscription on business days is quiet all weekend (until Monday's delivery time); quiet
hours hold date alerts, edits and thread replies too, not only real-time alerts; the urgent
alerts (today or tomorrow) break through. ("Remind me" in quiet time: tests/handlers/
test_snooze.py.) Real sweeps and updates on the emulator, a travelled clock."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta

from bot.alerts.sending import Sender
from bot.alerts.sweep import run_sweep
from bot.alerts.updates import send_updates
from bot.deps import Deps
from storage.tracker import list_deadlines, update_record
from tests.conftest import ADMIN_ID
from tests.support.alerts import CHANNEL, alert_keys, emulator_sender, subscribe
from tests.support.slack_emulator import SlackEmulator

JUNE_1 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def local(deps: Deps, day: date, hour: int = 9, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=deps.settings.tz)


def tick(deps: Deps, emulator: SlackEmulator, at: datetime) -> list[str]:
    senders: dict[str, Sender] = {"slack": emulator_sender(emulator, deps.settings)}
    sent = run_sweep(deps, now=at, senders=senders).sent
    send_updates(deps, now=at, senders=senders)
    return sent


def test_a_sunday_status_change_waits_for_monday_morning(deps: Deps, slack_emulator: SlackEmulator) -> None:
    subscribe(deps, JUNE_1, kinds=["status"])  # business days, no quiet hours
    sunday = local(deps, date(2026, 7, 26), 14)
    update_record(deps.store.db, "developer", "meta", {"status": "signed"}, actor=ADMIN_ID, at=sunday)
    assert tick(deps, slack_emulator, sunday + timedelta(minutes=5)) == []
    assert tick(deps, slack_emulator, local(deps, date(2026, 7, 27), 8, 55)) == []
    assert CHANNEL not in slack_emulator.messages
    [key] = tick(deps, slack_emulator, local(deps, date(2026, 7, 27), 9))
    assert alert_keys(slack_emulator) == [key] and key.startswith("status|")


def test_every_day_keeps_the_weekend(deps: Deps, slack_emulator: SlackEmulator) -> None:
    subscribe(deps, JUNE_1, kinds=["status"], delivery_days="every_day")
    sunday = local(deps, date(2026, 7, 26), 14)
    update_record(deps.store.db, "developer", "meta", {"status": "signed"}, actor=ADMIN_ID, at=sunday)
    assert len(tick(deps, slack_emulator, sunday + timedelta(minutes=5))) == 1


def test_quiet_hours_hold_date_alerts_but_today_and_tomorrow_break_through(
    deps: Deps, slack_emulator: SlackEmulator
) -> None:
    subscribe(deps, JUNE_1, kinds=["deadline"], lead_days=[7, 1], quiet_hours=("07:00", "10:00"))
    friday = date(2026, 7, 24)  # the 7-day alert of the July 31 deadline, due at 09:00
    assert tick(deps, slack_emulator, local(deps, friday, 9)) == []
    assert tick(deps, slack_emulator, local(deps, friday, 9, 55)) == []
    [seven] = tick(deps, slack_emulator, local(deps, friday, 10))
    assert "|7|" in seven and "Deadline in 7 days" in slack_emulator.messages[CHANNEL][0]["text"]
    [one] = tick(deps, slack_emulator, local(deps, date(2026, 7, 30), 9))  # urgent: at 09:00 anyway
    assert "|1|" in one


def test_quiet_hours_hold_edits_and_thread_replies(deps: Deps, slack_emulator: SlackEmulator) -> None:
    subscribe(deps, JUNE_1, kinds=["deadline"], lead_days=[7], quiet_hours=("18:00", "08:00"))
    tick(deps, slack_emulator, local(deps, date(2026, 7, 24), 9))  # the 7-day alert
    [message] = slack_emulator.messages[CHANNEL]
    evening = local(deps, date(2026, 7, 28), 20)  # Tuesday evening
    deadline = str(list_deadlines(deps.store.db)[0]["id"])
    update_record(deps.store.db, "deadline", deadline, {"due_date": "2026-08-03"}, actor=ADMIN_ID, at=evening)

    tick(deps, slack_emulator, evening + timedelta(minutes=5))
    tick(deps, slack_emulator, local(deps, date(2026, 7, 29), 7, 55))
    assert slack_emulator.calls_to("chat.update") == []
    assert len(slack_emulator.messages[CHANNEL]) == 1

    tick(deps, slack_emulator, local(deps, date(2026, 7, 29), 8))
    assert len(slack_emulator.calls_to("chat.update")) == 1 and "Aug 3" in json.dumps(message["blocks"])
    [reply] = [m for m in slack_emulator.messages[CHANNEL] if m.get("thread_ts") == message["ts"]]
    assert "due date moved" in reply["text"]
