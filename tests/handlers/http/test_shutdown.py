"""SIGTERM in the middle of a sweep: the app exits 0 after recording the delivery it was
making, and a restart sends nothing twice."""

from __future__ import annotations

import signal
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx

from bot.alerts.blocks import metadata_key
from storage import alerts as ledger
from storage.db import open_store
from storage.seed import seed
from storage.tracker import create_record
from tests.handlers.http.test_http_mode import http_env
from tests.support.app_process import AppProcess, wait_until
from tests.support.slack_emulator import SlackEmulator

CHANNEL = "C0ALERTS01"
DEADLINES = ("Comment period closes", "Agency guidance due", "Hearing on model review")


def prepare_database(db: Path) -> None:
    """Three deadlines two days from the real today, and a channel subscribed to them.

    The running app uses the real clock, so the dates are relative to it; each deadline's
    3-day alert is due (its 7-day one is a catch-up skip), so one sweep has three posts.
    """
    now = datetime.now(UTC)
    due = (now.astimezone(ZoneInfo("America/New_York")).date() + timedelta(days=2)).isoformat()
    store = open_store(db)
    try:
        seed(store.db, at=now)
        for title in DEADLINES:
            create_record(
                store.db,
                "deadline",
                {"title": title, "due_date": due, "kind": "deadline", "source": "test fixture"},
                actor="UADMIN0001",
                at=now,
            )
        ledger.save_subscription(
            store.db,
            target_type=ledger.TARGET_SLACK,
            target=CHANNEL,
            kinds=["deadline"],
            lead_days=[7, 3],
            digest="realtime",
            developer_filter=None,
            actor="UADMIN0001",
            now=now - timedelta(days=10),  # subscribed before the alerts fell due
            delivery_days="every_day",  # the real clock may be on a weekend, quiet on business days
        )
    finally:
        store.close()


def ledger_by_status(db: Path) -> dict[str, list[str]]:
    store = open_store(db)
    try:
        rows = ledger.ledger_rows(store.db, target=CHANNEL)
    finally:
        store.close()
    by_status: dict[str, list[str]] = {}
    for row in rows:
        by_status.setdefault(row["status"], []).append(row["key"])
    return by_status


def posted_keys(emu: SlackEmulator) -> list[str]:
    with emu._lock:
        return [metadata_key(m) or "?" for m in emu.messages.get(CHANNEL, [])]


def test_sigterm_mid_sweep_exits_cleanly_and_a_restart_sends_nothing_twice(
    slack_emulator: SlackEmulator, tmp_path: Path
) -> None:
    db = tmp_path / "reviewwatch.db"
    prepare_database(db)
    slack_emulator.delay("chat.postMessage", 2.0, times=1)  # the first delivery is slow
    env = http_env(slack_emulator, db)
    app = AppProcess(env, tmp_path)
    try:
        wait_until(
            lambda: slack_emulator.in_flight("chat.postMessage") >= 1,
            30,
            "the start-up sweep's first delivery",
        )

        code = app.stop(signal.SIGTERM)

        assert code == 0, app.logs
        assert "received SIGTERM: shutting down" in app.logs
        assert "stopped cleanly" in app.logs
    finally:
        app.kill()
    first_run = ledger_by_status(db)
    assert "claimed" not in first_run, first_run  # every delivery it started was recorded
    assert len(first_run.get("sent", [])) >= 1
    assert sorted(posted_keys(slack_emulator)) == sorted(first_run["sent"])

    restarted = AppProcess(env, tmp_path)
    try:
        restarted.wait_for_http()
        wait_until(
            lambda: (
                len(ledger_by_status(db).get("sent", [])) == len(DEADLINES)
                and httpx.get(restarted.url + "/healthz").status_code == 200
            ),
            30,
            "every alert to be sent once",
        )
        assert restarted.stop(signal.SIGINT) == 0, restarted.logs
    finally:
        restarted.kill()

    keys = posted_keys(slack_emulator)
    assert len(keys) == len(DEADLINES)
    assert len(set(keys)) == len(keys), keys  # never two posts for one alert
    assert set(keys) == set(ledger_by_status(db)["sent"])
