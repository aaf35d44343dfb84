"""A sweep runs with Python's cyclic collector paused (bot/alerts/sweep.py
`cyclic_collector_paused`): it is off while alerts are delivered and back on after, also
when the sweep fails, and a collector someone else turned off stays off."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest

from bot.alerts.slack_sender import SlackSender
from bot.alerts.sweep import cyclic_collector_paused
from bot.deps import Deps
from tests.support.alerts import emulator_sender, subscribe, sweep
from tests.support.slack_emulator import SlackEmulator

JULY_24_9AM = datetime.fromisoformat("2026-07-24T13:00:00+00:00")  # 09:00 in New York


@pytest.fixture(autouse=True)
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    gc.enable() if was else gc.disable()


class RecordingSender:
    """The emulator's sender, noting whether the collector ran as each alert went out."""

    target_type = "slack"

    def __init__(self, inner: SlackSender) -> None:
        self.inner = inner
        self.collector: list[bool] = []

    def send(self, alert: Any, now: datetime, *, check_existing: bool) -> Any:
        self.collector.append(gc.isenabled())
        return self.inner.send(alert, now, check_existing=check_existing)

    def __getattr__(self, name: str) -> Any:  # pacing, closing: the emulator sender's
        return getattr(self.inner, name)


def recording_sender(deps: Deps, emulator: SlackEmulator) -> RecordingSender:
    return RecordingSender(emulator_sender(emulator, deps.settings))


def test_the_collector_is_off_while_alerts_go_out_and_on_after(
    deps: Deps, slack_emulator: SlackEmulator
) -> None:
    subscribe(deps, datetime.fromisoformat("2026-06-01T13:00:00+00:00"))
    sender = recording_sender(deps, slack_emulator)
    result = sweep(deps, slack_emulator, JULY_24_9AM, senders={"slack": sender})
    assert result.sent and sender.collector and not any(sender.collector)
    assert gc.isenabled()


def test_the_collector_comes_back_when_the_sweep_fails(deps: Deps, slack_emulator: SlackEmulator) -> None:
    subscribe(deps, datetime.fromisoformat("2026-06-01T13:00:00+00:00"))
    deps.store.close()  # the sweep cannot read its database
    with pytest.raises(Exception, match="closed"):
        sweep(deps, slack_emulator, JULY_24_9AM)
    assert gc.isenabled()


def test_overlapping_pauses_share_one_switch_and_respect_a_collector_already_off() -> None:
    first, second = cyclic_collector_paused(), cyclic_collector_paused()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert not gc.isenabled()  # the second sweep still runs
    second.__exit__(None, None, None)
    assert gc.isenabled()
    gc.disable()
    with cyclic_collector_paused():
        pass
    assert not gc.isenabled()
