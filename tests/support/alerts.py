"""Helpers for the alert tests: subscriptions at a given time, senders on the emulator with
tiny backoff, and reading back what a channel received."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from slack_sdk import WebClient

from bot.alerts.alert import SUBSCRIBABLE_KINDS
from bot.alerts.slack_client import slack_retry_handlers
from bot.alerts.slack_sender import SlackSender
from bot.alerts.sweep import run_sweep
from bot.alerts.sweep_result import SweepResult
from bot.deps import Deps
from bot.settings import Settings
from storage.alerts import TARGET_SLACK, save_subscription
from tests.conftest import BOT_TOKEN
from tests.support.slack_emulator import SlackEmulator

CHANNEL = "C0ALERTS1"
OTHER_CHANNEL = "C0ALERTS2"


class SleepRecorder:
    """Stands in for time.sleep in retry handlers and pacing: records, never waits."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def subscribe(deps: Deps, at: datetime, channel: str = CHANNEL, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "kinds": list(SUBSCRIBABLE_KINDS),
        "lead_days": list(deps.settings.lead_days),
        "digest": "realtime",
        "developer_filter": None,
    }
    values.update(overrides)
    return save_subscription(
        deps.store.db, target_type=TARGET_SLACK, target=channel, actor="UADMIN0001", now=at, **values
    )


def emulator_sender(
    emulator: SlackEmulator,
    settings: Settings,
    sleep: SleepRecorder | None = None,
    min_interval: float = 0.0,
    pacing_sleep: Callable[[float], None] | None = None,
) -> SlackSender:
    """A sender on the emulator: retry waits recorded (not slept); pacing by `pacing_sleep`."""
    sleep = sleep or SleepRecorder()
    client = WebClient(
        token=BOT_TOKEN,
        base_url=emulator.api_url,
        retry_handlers=slack_retry_handlers(sleep=sleep, backoff=0.001),
    )
    return SlackSender(client, settings, min_interval=min_interval, sleep=pacing_sleep or sleep)


def sweep(deps: Deps, emulator: SlackEmulator, at: datetime, **kwargs: Any) -> SweepResult:
    senders = kwargs.pop("senders", None) or {"slack": emulator_sender(emulator, deps.settings)}
    return run_sweep(deps, now=at, senders=senders, **kwargs)


def alert_keys(emulator: SlackEmulator, channel: str = CHANNEL) -> list[str]:
    """The alert key in each message's metadata, in posting order."""
    return [
        m["metadata"]["event_payload"]["key"]
        for m in emulator.messages.get(channel, [])
        if (m.get("metadata") or {}).get("event_type") == "review_watch_alert"
    ]


def ledger(deps: Deps) -> dict[str, dict[str, Any]]:
    return {r["key"]: r for r in deps.store.db.query("SELECT * FROM alert_ledger")}
