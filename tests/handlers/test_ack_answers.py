"""Slash command answers ride in the ack when they are ready in time; slower work is acked
empty before Slack's 3 seconds run out and answered through response_url."""

from __future__ import annotations

import json
import time

from slack_bolt import Ack

from bot.replies import Reply
from handlers.commands import AckGate


def wait_for_ack(ack: Ack, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while ack.response is None and time.monotonic() < deadline:
        time.sleep(0.005)


def test_an_answer_ready_in_time_is_the_ack() -> None:
    ack = Ack()
    gate = AckGate(ack, budget=60)
    assert gate.answer(Reply(text="Meta has not signed", in_channel=True)) is True
    assert ack.response is not None
    body = json.loads(ack.response.body)
    assert body["text"] == "Meta has not signed" and body["response_type"] == "in_channel"


def test_slow_work_is_acked_empty_at_the_budget_and_answered_later() -> None:
    ack = Ack()
    gate = AckGate(ack, budget=0.01)
    wait_for_ack(ack)  # the budget ran out while the command was still working
    assert ack.response is not None and ack.response.body == ""
    assert gate.answer(Reply(text="late")) is False  # the caller answers through response_url


def test_a_reply_that_opens_a_form_is_acked_empty() -> None:
    ack = Ack()
    assert AckGate(ack, budget=60).answer(Reply(text="", modal={"type": "modal"})) is False
    assert ack.response is not None and ack.response.body == ""
