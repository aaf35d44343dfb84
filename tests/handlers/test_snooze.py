"""Remind me and Mute on alerts, through a real Bolt app with signed requests and the
emulator: a reminder is one DM at the chosen time, sent by the sweep; a mute stops a subject's
alerts in one channel only, is listed in `/aireview alerts` and can be lifted there."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from slack_bolt import App
from slack_sdk import WebClient

from bot import ids
from bot.alerts.alert import SKIP_MUTED
from bot.alerts.updates import send_updates
from bot.clock import FixedClock
from bot.deps import Deps
from handlers import build_app
from storage.tracker import list_deadlines, remove_record, update_record
from tests.conftest import ADMIN_ID, BOT_TOKEN
from tests.support.alerts import CHANNEL, OTHER_CHANNEL, alert_keys, emulator_sender, ledger, subscribe, sweep
from tests.support.blockkit import message_errors
from tests.support.slack_emulator import SlackEmulator
from tests.support.slack_requests import (
    block_actions_payload,
    command_answer,
    dispatch_command,
    dispatch_payload,
    view_submission_payload,
)

READER = "U0READER1"
JUNE_1 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def app(deps: Deps, slack_emulator: SlackEmulator) -> App:
    client = WebClient(token=BOT_TOKEN, base_url=slack_emulator.api_url)
    return build_app(deps, client=client, process_before_response=True)


def local(deps: Deps, day: date, hour: int = 9, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=deps.settings.tz)


def menu(message: dict[str, Any]) -> dict[str, Any]:
    actions = next(b for b in message["blocks"] if b.get("block_id") == ids.BLOCK_ALERT_ACTIONS)
    return next(e for e in actions["elements"] if e.get("action_id") == ids.ACTION_ALERT_MORE)


def choose(app: App, message: dict[str, Any], label: str, user_id: str, channel: str = CHANNEL) -> None:
    option = next(o for o in menu(message)["options"] if o["text"]["text"] == label)
    payload = block_actions_payload(
        ids.ACTION_ALERT_MORE,
        user_id=user_id,
        channel_id=channel,
        block_id=ids.BLOCK_ALERT_ACTIONS,
        message=message,
    )
    payload["actions"][0] = {
        "type": "overflow",
        "action_id": ids.ACTION_ALERT_MORE,
        "block_id": ids.BLOCK_ALERT_ACTIONS,
        "selected_option": option,
        "action_ts": "1548426417.840180",
    }
    assert dispatch_payload(app, payload).status == 200


def first_alert(deps: Deps, emulator: SlackEmulator, channel: str = CHANNEL) -> dict[str, Any]:
    return next(m for m in emulator.messages[channel] if m.get("metadata"))


def dms(emulator: SlackEmulator, user_id: str) -> list[dict[str, Any]]:
    return [m for m in emulator.messages.get(user_id, []) if m.get("metadata")]


def test_remind_me_on_the_next_business_day_sends_one_dm_then(
    deps: Deps, app: App, slack_emulator: SlackEmulator
) -> None:
    subscribe(deps, JUNE_1, kinds=["deadline"], lead_days=[7])
    sweep(deps, slack_emulator, local(deps, date(2026, 7, 24)))  # Fri: "Deadline in 7 days"
    message = first_alert(deps, slack_emulator)
    assert message_errors(message) == []
    labels = [o["text"]["text"] for o in menu(message)["options"]]
    assert labels == [
        "Remind me in 1 day",
        "Remind me on the next business day",
        "Remind me 1 day before",
        "Mute this subject here…",
    ]

    choose(app, message, "Remind me on the next business day", READER)  # the clock: Fri 10:00
    told = slack_emulator.last("chat.postEphemeral").args
    assert told["user"] == READER and "Jul 27, 2026 09:00 EDT" in told["text"]  # Monday

    assert sweep(deps, slack_emulator, local(deps, date(2026, 7, 27), 8, 55)).sent == []
    assert dms(slack_emulator, READER) == []
    result = sweep(deps, slack_emulator, local(deps, date(2026, 7, 27)))
    assert len(result.sent) == 1
    [dm] = dms(slack_emulator, READER)
    assert dm["text"].startswith("Reminder: Deadline in 4 days")  # worded when it is sent
    assert f"in <#{CHANNEL}>" in json.dumps(dm["blocks"])
    assert sweep(deps, slack_emulator, local(deps, date(2026, 7, 27), 9, 5)).sent == []
    assert sweep(deps, slack_emulator, local(deps, date(2026, 7, 28), 9, 0)).sent == []
    assert len(dms(slack_emulator, READER)) == 1

    # Choosing the same again changes nothing: still one reminder, one DM.
    choose(app, message, "Remind me on the next business day", READER)
    assert sweep(deps, slack_emulator, local(deps, date(2026, 7, 28), 9, 10)).sent == []


def test_remind_me_one_day_before_the_date(deps: Deps, app: App, slack_emulator: SlackEmulator) -> None:
    subscribe(deps, JUNE_1, kinds=["deadline"], lead_days=[7])
    sweep(deps, slack_emulator, local(deps, date(2026, 7, 24)))
    choose(app, first_alert(deps, slack_emulator), "Remind me 1 day before", READER)
    assert "Jul 30, 2026 09:00 EDT" in slack_emulator.last("chat.postEphemeral").args["text"]
    sweep(
        deps,
        slack_emulator,
        local(
            deps,
            date(
                2026,
                7,
                29,
            ),
            9,
        ),
    )
    assert dms(slack_emulator, READER) == []
    sweep(deps, slack_emulator, local(deps, date(2026, 7, 30), 9))
    [dm] = dms(slack_emulator, READER)
    assert dm["text"].startswith("Reminder: Deadline tomorrow")


def test_a_reminder_is_worded_from_the_tracker_when_it_goes_out(
    deps: Deps, app: App, slack_emulator: SlackEmulator
) -> None:
    """Issue 26, item 1: the deadline moved after "Remind me 1 day before" was chosen; the DM
    states the new date and says it moved, never the old one as if it still stood."""
    subscribe(deps, JUNE_1, kinds=["deadline"], lead_days=[7])
    senders = {"slack": emulator_sender(slack_emulator, deps.settings)}
    sweep(deps, slack_emulator, local(deps, date(2026, 7, 24)))
    send_updates(deps, now=local(deps, date(2026, 7, 24)), senders=senders)  # as after each sweep
    message = first_alert(deps, slack_emulator)
    choose(app, message, "Remind me 1 day before", READER)  # Thu Jul 30, the day before Jul 31
    deadline = str(list_deadlines(deps.store.db)[0]["id"])
    moved = local(deps, date(2026, 7, 27), 10)  # Monday (the weekend is quiet)
    update_record(deps.store.db, "deadline", deadline, {"due_date": "2026-08-14"}, actor=ADMIN_ID, at=moved)
    send_updates(deps, now=moved, senders=senders)
    assert "Fri Aug 14, 2026" in json.dumps(message["blocks"])  # the channel's message is edited

    sweep(deps, slack_emulator, local(deps, date(2026, 7, 30)))

    [dm] = dms(slack_emulator, READER)
    words = json.dumps(dm["blocks"])
    assert dm["text"].startswith("Reminder: Deadline in 15 days"), dm["text"]
    assert "Due Fri Aug 14, 2026" in words and "tomorrow" not in words
    assert (
        "Since you asked for this reminder, the due date moved from Fri Jul 31, 2026 to Fri Aug 14, 2026"
        in words
    )


def test_a_reminder_about_a_removed_deadline_says_it_no_longer_applies(
    deps: Deps, app: App, slack_emulator: SlackEmulator, clock: FixedClock
) -> None:
    subscribe(deps, JUNE_1, kinds=["deadline"], lead_days=[7])
    sweep(deps, slack_emulator, local(deps, date(2026, 7, 24)))
    clock.set(local(deps, date(2026, 7, 24), 10))
    choose(app, first_alert(deps, slack_emulator), "Remind me in 1 day", READER)
    # Saturday 10:00 falls in the channel's quiet weekend (business days): Monday, then.
    told = slack_emulator.last("chat.postEphemeral").args["text"]
    assert "Jul 27, 2026 09:00 EDT (when the channel's quiet time ends)" in told
    deadline = str(list_deadlines(deps.store.db)[0]["id"])
    remove_record(deps.store.db, "deadline", deadline, actor=ADMIN_ID, at=local(deps, date(2026, 7, 24), 12))

    assert sweep(deps, slack_emulator, local(deps, date(2026, 7, 25), 10)).sent == []
    sweep(deps, slack_emulator, local(deps, date(2026, 7, 27), 9))

    [dm] = dms(slack_emulator, READER)
    assert dm["text"].startswith("Reminder: no longer applies: Formal pre-release review process")
    words = json.dumps(dm["blocks"])
    assert "Since you asked for this reminder, it was removed from the tracker." in words
    assert "Deadline in" not in words


def aireview(app: App, emu: SlackEmulator, text: str, user_id: str, channel: str = CHANNEL) -> dict[str, Any]:
    name = f"r{len(emu.responses)}"
    response = dispatch_command(
        app, "/aireview", text, user_id=user_id, channel_id=channel, response_url=emu.response_url(name)
    )
    assert response.status == 200
    return command_answer(response, emu, name)


def test_a_mute_stops_a_subjects_alerts_in_that_channel_only_until_unmuted(
    deps: Deps, app: App, slack_emulator: SlackEmulator
) -> None:
    for channel in (CHANNEL, OTHER_CHANNEL):
        subscribe(deps, JUNE_1, channel=channel, kinds=["deadline"], lead_days=[7, 3, 1])
    sweep(deps, slack_emulator, local(deps, date(2026, 7, 24)))
    message = first_alert(deps, slack_emulator)

    choose(app, message, "Mute this subject here…", READER)  # not an admin: told so
    assert "Only Review Watch admins" in slack_emulator.last("chat.postEphemeral").args["text"]
    assert slack_emulator.calls_to("views.open") == []

    choose(app, message, "Mute this subject here…", ADMIN_ID)
    view = slack_emulator.last("views.open").args["view"]
    assert view["callback_id"] == ids.VIEW_MUTE
    payload = view_submission_payload(
        ids.VIEW_MUTE,
        {ids.BLOCK_MUTE_UNTIL: {ids.ACTION_FIELD: {"type": "datepicker", "selected_date": None}}},
        user_id=ADMIN_ID,
        private_metadata=view["private_metadata"],
    )
    assert dispatch_payload(app, payload).status == 200
    assert "muted in" in slack_emulator.messages[ADMIN_ID][-1]["text"]
    assert "for good" in slack_emulator.messages[ADMIN_ID][-1]["text"]

    result = sweep(deps, slack_emulator, local(deps, date(2026, 7, 28)))  # the 3-day alerts
    assert [k.split("|")[-1] for k in result.sent] == [f"slack:{OTHER_CHANNEL}"]
    muted = [r for r in ledger(deps).values() if r["target"] == CHANNEL and r["lead_days"] == 3]
    assert [(r["status"], r["last_error"]) for r in muted] == [("skipped", SKIP_MUTED)]

    overview = aireview(app, slack_emulator, "alerts", ADMIN_ID)
    text = json.dumps(overview["blocks"])
    assert "Muted here" in text and "Formal pre-release review process" in text and "for good" in text
    unmute = next(
        b["accessory"]
        for b in overview["blocks"]
        if (b.get("accessory") or {}).get("action_id") == ids.ACTION_ALERT_UNMUTE
    )
    assert "Muted here" in json.dumps(aireview(app, slack_emulator, "alerts", READER)["blocks"])
    assert ids.ACTION_ALERT_UNMUTE not in json.dumps(
        aireview(app, slack_emulator, "alerts", READER)["blocks"]
    )

    payload = block_actions_payload(
        ids.ACTION_ALERT_UNMUTE, unmute["value"], user_id=ADMIN_ID, channel_id=CHANNEL
    )
    assert dispatch_payload(app, payload).status == 200
    assert "come to" in slack_emulator.last("chat.postEphemeral").args["text"]
    result = sweep(deps, slack_emulator, local(deps, date(2026, 7, 30)))  # the 1-day alerts
    assert sorted(k.split("|")[-1] for k in result.sent) == [f"slack:{CHANNEL}", f"slack:{OTHER_CHANNEL}"]
    assert len(alert_keys(slack_emulator, CHANNEL)) == 2


def test_a_failed_alert_about_a_subject_muted_since_is_not_retried(
    deps: Deps, app: App, slack_emulator: SlackEmulator
) -> None:
    from bot.alerts.snooze import mute_subject

    subscribe(deps, JUNE_1, kinds=["deadline"], lead_days=[7])
    slack_emulator.fail("chat.postMessage", status=500, times=20)
    at = local(deps, date(2026, 7, 24))
    [(key, _)] = sweep(deps, slack_emulator, at).failed
    slack_emulator.clear_failures()
    assert mute_subject(deps.store.db, key=key, channel=CHANNEL, until=None, user_id=ADMIN_ID, now=at)

    result = sweep(deps, slack_emulator, at + timedelta(hours=1))
    assert result.sent == [] and [k for k, _ in result.skipped] == [key]
    assert alert_keys(slack_emulator) == []
    assert ledger(deps)[key]["status"] == "skipped"


def mute_for_good(app: App, emulator: SlackEmulator, message: dict[str, Any]) -> None:
    choose(app, message, "Mute this subject here…", ADMIN_ID)
    view = emulator.last("views.open").args["view"]
    payload = view_submission_payload(
        ids.VIEW_MUTE,
        {ids.BLOCK_MUTE_UNTIL: {ids.ACTION_FIELD: {"type": "datepicker", "selected_date": None}}},
        user_id=ADMIN_ID,
        private_metadata=view["private_metadata"],
    )
    assert dispatch_payload(app, payload).status == 200


def test_a_muted_subject_gets_no_edits_and_no_thread_replies_in_that_channel(
    deps: Deps, app: App, slack_emulator: SlackEmulator
) -> None:
    """Issue 26, item 6: mute means silence about the subject in that channel, edits and
    replies included; another channel still gets its correction."""
    for channel in (CHANNEL, OTHER_CHANNEL):
        subscribe(deps, JUNE_1, channel=channel, kinds=["deadline"], lead_days=[7, 3])
    senders = {"slack": emulator_sender(slack_emulator, deps.settings)}
    at = local(deps, date(2026, 7, 24))
    sweep(deps, slack_emulator, at)
    send_updates(deps, now=at, senders=senders)
    muted, other = first_alert(deps, slack_emulator), first_alert(deps, slack_emulator, OTHER_CHANNEL)
    mute_for_good(app, slack_emulator, muted)
    moved = local(deps, date(2026, 7, 27), 10)  # Monday (the weekend is quiet)
    deadline = str(list_deadlines(deps.store.db)[0]["id"])
    update_record(deps.store.db, "deadline", deadline, {"due_date": "2026-08-14"}, actor=ADMIN_ID, at=moved)

    for minutes in (5, 30):
        send_updates(deps, now=moved + timedelta(minutes=minutes), senders=senders)

    edits = [c.args["channel"] for c in slack_emulator.calls_to("chat.update")]
    assert edits == [OTHER_CHANNEL]
    assert "Fri Jul 31, 2026" in json.dumps(muted["blocks"]) and "Aug 14" not in json.dumps(muted["blocks"])
    assert [m for m in slack_emulator.messages[CHANNEL] if m.get("thread_ts")] == []
    assert [m for m in slack_emulator.messages[OTHER_CHANNEL] if m.get("thread_ts") == other["ts"]] != []
    sweep(deps, slack_emulator, local(deps, date(2026, 8, 11)))  # the 3-day alerts for Aug 14
    assert len(slack_emulator.messages[CHANNEL]) == 1
