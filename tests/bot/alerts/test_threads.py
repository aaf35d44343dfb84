"""Threads: later date alerts about a deadline reply under the first alert the channel got;
the most urgent also go to the channel. Injected clock, real SQLite, the emulator."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from slack_sdk import WebClient

from bot.alerts.sending import Outcome, Thread
from bot.alerts.slack_sender import SlackSender
from bot.alerts.sweep import run_sweep
from bot.deps import Deps
from storage.alerts import STATUS_CLAIMED, STATUS_SENT
from tests.conftest import BOT_TOKEN
from tests.support.alerts import CHANNEL, emulator_sender, ledger, subscribe, sweep
from tests.support.slack_emulator import SlackEmulator

JUNE_1 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def local(deps: Deps, day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=deps.settings.tz)


def sweep_every_day(deps: Deps, emulator: SlackEmulator, first: date, last: date) -> None:
    day = first
    while day <= last:
        sweep(deps, emulator, local(deps, day))
        day += timedelta(days=1)


def alerts_posted(emulator: SlackEmulator) -> list[dict[str, Any]]:
    return [m for m in emulator.messages.get(CHANNEL, []) if m.get("metadata")]


def lead(message: dict[str, Any]) -> str:
    return str(message["metadata"]["event_payload"]["key"].split("|")[3])


def test_later_alerts_reply_under_the_first_and_the_urgent_ones_reach_the_channel(
    deps: Deps, slack_emulator: SlackEmulator
) -> None:
    subscribe(deps, JUNE_1, kinds=["deadline"], lead_days=[7, 3, 1, 0], delivery_days="every_day")
    sweep_every_day(deps, slack_emulator, date(2026, 7, 23), date(2026, 8, 1))  # the July 31 deadline

    first, *later = alerts_posted(slack_emulator)
    assert lead(first) == "7" and "thread_ts" not in first
    assert [(lead(m), m["thread_ts"], m.get("reply_broadcast", False)) for m in later] == [
        ("3", first["ts"], False),
        ("1", first["ts"], True),
        ("0", first["ts"], True),
    ]
    # What the channel shows at the top level: the first alert and the two broadcast replies.
    client = WebClient(token=BOT_TOKEN, base_url=slack_emulator.api_url)
    history = client.conversations_history(channel=CHANNEL, include_all_metadata=True)["messages"]
    assert [lead(m) for m in history if m.get("metadata")] == ["0", "1", "7"]  # newest first
    rows = ledger(deps)
    assert sorted((r["lead_days"], r["thread_ts"], r["broadcast"]) for r in rows.values()) == [
        (0, first["ts"], 1),
        (1, first["ts"], 1),
        (3, first["ts"], 0),
        (7, "", 0),
    ]


def test_a_subscription_can_turn_threads_off(deps: Deps, slack_emulator: SlackEmulator) -> None:
    subscribe(deps, JUNE_1, kinds=["deadline"], lead_days=[7, 3], delivery_days="every_day", threads=False)
    sweep_every_day(deps, slack_emulator, date(2026, 7, 23), date(2026, 7, 29))
    posted = alerts_posted(slack_emulator)
    assert [lead(m) for m in posted] == ["7", "3"]
    assert all("thread_ts" not in m for m in posted)


class SimulatedCrash(BaseException):
    """The process dies: nothing after this point runs."""


class CrashAfterPost(SlackSender):
    def send(
        self, alert: Any, now: datetime, *, check_existing: bool, thread: Thread | None = None
    ) -> Outcome:
        super().send(alert, now, check_existing=check_existing, thread=thread)
        raise SimulatedCrash


def test_a_reply_posted_before_a_crash_is_found_in_its_thread_and_not_posted_again(
    deps: Deps, slack_emulator: SlackEmulator
) -> None:
    subscribe(deps, JUNE_1, kinds=["deadline"], lead_days=[7, 3], delivery_days="every_day")
    sweep(deps, slack_emulator, local(deps, date(2026, 7, 24)))
    at = local(deps, date(2026, 7, 28))
    client = emulator_sender(slack_emulator, deps.settings).client
    with pytest.raises(SimulatedCrash):
        run_sweep(deps, now=at, senders={"slack": CrashAfterPost(client, deps.settings, min_interval=0)})
    first, reply = alerts_posted(slack_emulator)
    key = reply["metadata"]["event_payload"]["key"]
    assert ledger(deps)[key]["status"] == STATUS_CLAIMED

    result = sweep(deps, slack_emulator, at + timedelta(minutes=20))
    assert result.already_posted == [key]
    assert len(alerts_posted(slack_emulator)) == 2
    replies = slack_emulator.last("conversations.replies").args
    assert (replies["channel"], replies["ts"]) == (CHANNEL, first["ts"])
    assert (ledger(deps)[key]["status"], ledger(deps)[key]["message_ts"]) == (STATUS_SENT, reply["ts"])
