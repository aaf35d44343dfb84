"""Updates in place: a sent alert whose fact changed is edited (chat.update) with an "Updated"
line and gets one thread reply; Teams gets one follow-up card; exactly once across a crash.
Injected clock, real SQLite, the emulator (and a mocked Teams webhook over httpx)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import httpx
import pytest

from bot.alerts.sending import Outcome
from bot.alerts.slack_sender import SlackSender
from bot.alerts.teams_sender import TeamsSender
from bot.alerts.updates import send_updates
from bot.deps import Deps
from bot.replies import Reply
from bot.settings import Settings
from storage.alerts import acknowledge
from storage.tracker import list_deadlines, update_record
from storage.updates import STATUS_CLAIMED, STATUS_EDITED, STATUS_SENT, update_rows
from tests.conftest import ADMIN_ID
from tests.support.alerts import CHANNEL, SleepRecorder, emulator_sender, subscribe, sweep
from tests.support.slack_emulator import SlackEmulator

JUNE_1 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
HOOK_URL = "https://example.webhook.office.com/workflows/policy"
SOURCE = "https://example.gov/review-process-extended"


def local(deps: Deps, day: date, hour: int = 9, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=deps.settings.tz)


def deadline_id(deps: Deps) -> str:
    return str(list_deadlines(deps.store.db)[0]["id"])  # the seeded July 31 deadline


def first_alert(deps: Deps, emulator: SlackEmulator) -> dict[str, Any]:
    """The July 31 deadline's 7-day alert, posted on Fri Jul 24; updates start watching."""
    subscribe(deps, JUNE_1, kinds=["deadline"], lead_days=[7], delivery_days="every_day")
    at = local(deps, date(2026, 7, 24))
    assert len(sweep(deps, emulator, at).sent) == 1
    updates(deps, emulator, at)  # as the scheduler does after each sweep
    [message] = emulator.messages[CHANNEL]
    return message


def move_deadline(deps: Deps, at: datetime, to: str = "2026-08-14") -> None:
    update_record(
        deps.store.db,
        "deadline",
        deadline_id(deps),
        {"due_date": to},
        actor=ADMIN_ID,
        at=at,
        source=SOURCE,
        note="The administration extended the deadline.",
    )


def updates(deps: Deps, emulator: SlackEmulator, at: datetime, **senders: Any) -> Any:
    return send_updates(deps, now=at, senders=senders or {"slack": emulator_sender(emulator, deps.settings)})


def replies(emulator: SlackEmulator, parent: dict[str, Any]) -> list[dict[str, Any]]:
    return [m for m in emulator.messages[CHANNEL] if m.get("thread_ts") == parent["ts"]]


def test_a_moved_deadline_edits_the_sent_alert_and_adds_one_thread_reply(
    deps: Deps, slack_emulator: SlackEmulator
) -> None:
    message = first_alert(deps, slack_emulator)
    assert "Deadline in 7 days" in message["text"]
    key = message["metadata"]["event_payload"]["key"]
    acknowledge(deps.store.db, key, "U0READER1", local(deps, date(2026, 7, 24), 11))
    changed = local(deps, date(2026, 7, 25), 10)
    move_deadline(deps, changed)

    result = updates(deps, slack_emulator, changed + timedelta(minutes=5))

    assert len(result.sent) == 1 and result.failed == []
    edit = slack_emulator.last("chat.update").args
    assert (edit["channel"], edit["ts"]) == (CHANNEL, message["ts"])
    edited = json.dumps(message["blocks"])  # the emulator keeps the edited message in place
    assert "Deadline in 20 days" in edited and "Fri Aug 14, 2026" in edited
    assert (
        "Updated Jul 25, 2026 10:00 EDT:* due date moved from Fri Jul 31, 2026 to Fri Aug 14, 2026" in edited
    )
    assert message["metadata"]["event_payload"]["key"] == key  # a retry can still find it
    assert "Acknowledged by <@U0READER1>" in edited  # the edit keeps the acknowledgement
    [reply] = replies(slack_emulator, message)
    text = json.dumps(reply["blocks"])
    assert "due date moved from Fri Jul 31, 2026 to Fri Aug 14, 2026" in text
    assert f"Recorded by <@{ADMIN_ID}>" in text and SOURCE in text
    assert "The administration extended the deadline." in text

    again = updates(deps, slack_emulator, changed + timedelta(minutes=10))
    assert again.sent == [] and len(replies(slack_emulator, message)) == 1
    assert len(slack_emulator.calls_to("chat.update")) == 1


class SimulatedCrash(BaseException):
    """The process dies: nothing after this point runs."""


class CrashAfterEdit(SlackSender):
    def edit(self, channel: str, ts: str, message: Reply, key: str) -> Outcome:
        super().edit(channel, ts, message, key)
        raise SimulatedCrash  # Slack shows the edit; the ledger never heard of it


class CrashAfterReply(SlackSender):
    def reply_once(self, channel: str, thread_ts: str, key: str, message: Reply) -> Outcome:
        super().reply_once(channel, thread_ts, key, message)
        raise SimulatedCrash


@pytest.mark.parametrize("crashing", [CrashAfterEdit, CrashAfterReply])
def test_a_crash_during_an_update_never_posts_the_reply_twice(
    deps: Deps, slack_emulator: SlackEmulator, crashing: type[SlackSender]
) -> None:
    message = first_alert(deps, slack_emulator)
    changed = local(deps, date(2026, 7, 25), 10)
    move_deadline(deps, changed)
    client = emulator_sender(slack_emulator, deps.settings).client
    with pytest.raises(SimulatedCrash):
        send_updates(deps, now=changed, senders={"slack": crashing(client, deps.settings, min_interval=0)})
    [row] = update_rows(deps.store.db)
    assert row["status"] == (STATUS_CLAIMED if crashing is CrashAfterEdit else STATUS_EDITED)

    # Restarted: within the lease nothing is touched; after it, the update is finished once.
    assert updates(deps, slack_emulator, changed + timedelta(minutes=5)).sent == []
    result = updates(deps, slack_emulator, changed + timedelta(minutes=20))
    assert result.sent == [row["key"]]
    [reply] = replies(slack_emulator, message)
    assert "due date moved" in reply["text"]
    assert update_rows(deps.store.db)[0]["status"] == STATUS_SENT
    assert updates(deps, slack_emulator, changed + timedelta(minutes=40)).sent == []
    assert len(replies(slack_emulator, message)) == 1


def test_alerts_about_a_date_past_more_than_a_week_are_left_alone(
    deps: Deps, slack_emulator: SlackEmulator
) -> None:
    message = first_alert(deps, slack_emulator)
    later = local(deps, date(2026, 8, 8), 10)  # the deadline (Jul 31) passed 8 days ago
    update_record(
        deps.store.db, "deadline", deadline_id(deps), {"note": "Met."}, actor=ADMIN_ID, at=later, source="x"
    )
    assert updates(deps, slack_emulator, later).sent == []
    assert slack_emulator.calls_to("chat.update") == [] and replies(slack_emulator, message) == []


def test_a_status_changed_again_is_a_new_message_and_the_earlier_one_stays(
    deps: Deps, slack_emulator: SlackEmulator
) -> None:
    """Issue 26, item 3: Negotiating -> Holdout, then Holdout -> Signed: two messages, each
    saying its own transition; the first is never edited into the second."""
    subscribe(deps, JUNE_1, kinds=["status"])
    at = local(deps, date(2026, 7, 24), 10)
    updates(deps, slack_emulator, at)
    update_record(
        deps.store.db, "developer", "meta", {"status": "holdout"}, actor=ADMIN_ID, at=at, source="x"
    )
    sweep(deps, slack_emulator, at + timedelta(minutes=1))
    updates(deps, slack_emulator, at + timedelta(minutes=1))
    later = at + timedelta(days=3)  # Monday: the weekend is quiet
    update_record(
        deps.store.db, "developer", "meta", {"status": "signed"}, actor=ADMIN_ID, at=later, source=SOURCE
    )
    sweep(deps, slack_emulator, later + timedelta(minutes=1))  # the new change's own alert
    result = updates(deps, slack_emulator, later + timedelta(minutes=1))

    first, second = slack_emulator.messages[CHANNEL]
    assert "from Negotiating to Holdout" in first["text"] and "from Holdout to Signed" in second["text"]
    assert "from Negotiating to Holdout" in json.dumps(first["blocks"])
    assert "Updated" not in json.dumps(first["blocks"]) and "Signed" not in json.dumps(first["blocks"])
    assert slack_emulator.calls_to("chat.update") == [] and result.sent == []
    assert not first.get("thread_ts") and not second.get("thread_ts")  # both in the channel


class Webhook:
    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.bodies.append(json.loads(request.content))
        return httpx.Response(202)


def test_teams_gets_one_follow_up_card_titled_as_an_update(
    deps: Deps, slack_emulator: SlackEmulator, settings: Settings
) -> None:
    deps.settings = Settings(**{**settings.__dict__, "teams_webhooks": {"policy": HOOK_URL}})
    hook = Webhook()
    client = httpx.Client(transport=httpx.MockTransport(hook))
    teams = TeamsSender(deps.settings.teams_webhooks, deps.settings, client=client, min_interval=0)
    senders = {"teams": teams, "slack": emulator_sender(slack_emulator, deps.settings, SleepRecorder())}
    sweep(deps, slack_emulator, local(deps, date(2026, 7, 2)), senders=senders)  # the default subscription
    for day in (date(2026, 7, 17), date(2026, 7, 24)):  # the 14- and 7-day alerts
        sweep(deps, slack_emulator, local(deps, day), senders=senders)
        send_updates(deps, now=local(deps, day), senders=senders)
    assert len(hook.bodies) == 2
    changed = local(deps, date(2026, 7, 27), 10)  # Monday: Teams' default delivers on business days
    move_deadline(deps, changed)

    result = send_updates(deps, now=changed, senders=senders)

    assert len(result.sent) == 1 and len(hook.bodies) == 3  # one card, not one per earlier alert
    card = json.dumps(hook.bodies[-1])
    assert "Updated: Deadline in 18 days" in card
    assert "due date moved from Fri Jul 31, 2026 to Fri Aug 14, 2026" in card and SOURCE in card
    assert send_updates(deps, now=changed + timedelta(minutes=5), senders=senders).sent == []


def test_a_deleted_alert_gets_its_correction_posted_anew_and_later_alerts_a_new_thread(
    deps: Deps, slack_emulator: SlackEmulator
) -> None:
    """Issue 26, item 2: chat.update answers message_not_found for a message someone deleted."""
    subscribe(deps, JUNE_1, kinds=["deadline"], lead_days=[14, 7], delivery_days="every_day")
    at = local(deps, date(2026, 7, 17))
    sweep(deps, slack_emulator, at)
    updates(deps, slack_emulator, at)
    [deleted] = slack_emulator.messages.pop(CHANNEL)  # someone deletes the alert in Slack
    slack_emulator.fail("chat.update", error="message_not_found", channel=CHANNEL)
    changed = local(deps, date(2026, 7, 20), 10)
    move_deadline(deps, changed, to="2026-08-07")

    result = updates(deps, slack_emulator, changed + timedelta(minutes=5))

    assert len(result.reposted) == 1 and result.failed == []
    [anew] = slack_emulator.messages[CHANNEL]
    assert not anew.get("thread_ts")  # a message of its own, in the channel
    text = json.dumps(anew["blocks"])
    assert "Deadline in 18 days" in text and "Fri Aug 7, 2026" in text
    assert "due date moved from Fri Jul 31, 2026 to Fri Aug 7, 2026" in text
    assert [r["status"] for r in update_rows(deps.store.db)] == [STATUS_SENT]
    assert updates(deps, slack_emulator, changed + timedelta(minutes=30)).sent == []  # once

    sweep(deps, slack_emulator, local(deps, date(2026, 7, 31)))  # the 7-day alert for Aug 7
    later = slack_emulator.messages[CHANNEL][-1]
    assert "Deadline in 7 days" in later["text"]
    assert later["thread_ts"] == anew["ts"] != deleted["ts"]  # a new thread, under the correction
