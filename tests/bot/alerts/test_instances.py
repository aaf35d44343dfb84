"""Several real `python app.py` instances on one real PostgreSQL (issue 27): one runs the
scheduler; each alert is posted once while the emulator is slow; a holder killed with
SIGKILL mid-delivery or cut off from the database is replaced and nothing is lost or
posted twice; a change made through one instance shows in another's next answer.

These need a server (REVIEWWATCH_TEST_DATABASE_URL); without one they are skipped loudly."""

from __future__ import annotations

import json
import signal
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

from bot import ids
from bot.alerts.blocks import metadata_key
from storage import alerts as ledger
from storage.db import open_store
from storage.seed import seed
from storage.tracker import create_record
from tests.handlers.http.test_http_mode import http_env, post_events
from tests.support.admin_forms import state_values
from tests.support.app_process import AppProcess, wait_until
from tests.support.pg_databases import PgDatabases
from tests.support.slack_emulator import SlackEmulator
from tests.support.slack_requests import (
    interactive_body,
    signed_headers,
    slash_command_body,
    view_submission_payload,
)

CHANNEL = "C0ALERTS01"
ADMIN = "UADMIN0001"  # REVIEWWATCH_ADMINS in http_env
DEADLINES = tuple(f"Comment period {n}" for n in range(6))
LEASE_SECONDS = 6  # REVIEWWATCH_CLAIM_LEASE for these instances


@pytest.fixture
def pg_url(pg_databases: PgDatabases) -> Iterator[str]:
    url = pg_databases.empty_url()
    yield url
    pg_databases.drop(url)


def prepare(url: str) -> None:
    """Six deadlines two days from the real today (the apps keep real time), a channel
    subscribed to their 3-day alerts: one sweep has six posts."""
    now = datetime.now(UTC)
    due = (now.astimezone(ZoneInfo("America/New_York")).date() + timedelta(days=2)).isoformat()
    store = open_store(url)
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
            lead_days=[3],
            digest="realtime",
            developer_filter=None,
            actor="UADMIN0001",
            now=now - timedelta(days=10),
            delivery_days="every_day",  # the real clock may be on a weekend, quiet on business days
        )
    finally:
        store.close()


def sent_keys(url: str) -> list[str]:
    store = open_store(url)
    try:
        return [r["key"] for r in ledger.ledger_rows(store.db, target=CHANNEL) if r["status"] == "sent"]
    finally:
        store.close()


def posted_keys(emu: SlackEmulator) -> list[str]:
    with emu._lock:
        return [metadata_key(m) or "?" for m in emu.messages.get(CHANNEL, [])]


def holds_scheduler(app: AppProcess) -> bool:
    try:
        report = httpx.get(app.url + "/healthz", timeout=2).json()
    except (httpx.TransportError, ValueError):
        return False
    return bool(report["scheduler"].get("holds_scheduler"))


def start(emu: SlackEmulator, url: str, tmp_path: Path, name: str) -> AppProcess:
    folder = tmp_path / name
    folder.mkdir()
    env = http_env(
        emu, folder / "unused.db", REVIEWWATCH_DATABASE_URL=url, REVIEWWATCH_CLAIM_LEASE=str(LEASE_SECONDS)
    )
    app = AppProcess(env, folder)
    app.wait_for_http(40)
    return app


def assert_each_alert_posted_once(emu: SlackEmulator, url: str) -> None:
    keys = posted_keys(emu)
    assert len(keys) == len(DEADLINES), keys
    assert len(set(keys)) == len(keys), keys  # never two posts for one alert
    assert set(keys) == set(sent_keys(url))  # and none lost


def test_three_instances_one_scheduler_each_alert_posted_once(
    slack_emulator: SlackEmulator, pg_url: str, tmp_path: Path
) -> None:
    prepare(pg_url)
    slack_emulator.delay("chat.postMessage", 0.5, times=len(DEADLINES) * 3)
    apps = [start(slack_emulator, pg_url, tmp_path, f"app{n}") for n in range(3)]
    try:
        wait_until(lambda: len(sent_keys(pg_url)) == len(DEADLINES), 60, "every alert sent")
        assert sum(holds_scheduler(app) for app in apps) == 1
    finally:
        for app in apps:
            app.kill()
    assert_each_alert_posted_once(slack_emulator, pg_url)


def test_the_holder_killed_mid_delivery_is_replaced_with_no_duplicate_and_no_loss(
    slack_emulator: SlackEmulator, pg_url: str, tmp_path: Path
) -> None:
    prepare(pg_url)
    slack_emulator.delay("chat.postMessage", 3.0, times=1)  # the first delivery is slow
    first = start(slack_emulator, pg_url, tmp_path, "first")
    second = None
    try:
        wait_until(lambda: slack_emulator.in_flight("chat.postMessage") >= 1, 30, "the first delivery")
        assert holds_scheduler(first)
        second = start(slack_emulator, pg_url, tmp_path, "second")
        assert not holds_scheduler(second)
        first.proc.send_signal(signal.SIGKILL)  # mid-delivery: its claims stay in the ledger
        first.proc.wait(10)
        killed = time.monotonic()
        wait_until(lambda: holds_scheduler(second), 30, "the second instance to take over")
        took_over = time.monotonic() - killed
        wait_until(lambda: len(sent_keys(pg_url)) == len(DEADLINES), 60, "every alert sent")
    finally:
        first.kill()
        if second is not None:
            second.kill()
    assert took_over < 30  # the stated failover: within ELECTION_SECONDS (5 s) and well under 30
    assert_each_alert_posted_once(slack_emulator, pg_url)


class CuttableProxy:
    """A TCP relay to PostgreSQL that the test can cut, as a network failure would."""

    def __init__(self, port: int) -> None:
        self.target = port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.links: list[socket.socket] = []
        self.cut = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.cut:  # a connection that raced the cut is refused, as the network would
                client.close()
                return
            server = socket.create_connection(("127.0.0.1", self.target))
            self.links += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(a: socket.socket, b: socket.socket) -> None:
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        for end in (a, b):
            try:
                end.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def cut_off(self) -> None:
        # close() alone does not wake a thread blocked in accept(), which would go on relaying
        # the cut instance's reconnections; shutdown() does, and the flag refuses any in flight.
        self.cut = True
        try:
            self.listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.listener.close()
        for link in self.links:
            try:
                link.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def test_a_network_cut_moves_the_scheduler(
    slack_emulator: SlackEmulator, pg_url: str, tmp_path: Path
) -> None:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(pg_url)
    proxy = CuttableProxy(parts.port or 5432)
    via_proxy = urlunsplit((parts.scheme, f"{parts.username}@127.0.0.1:{proxy.port}", parts.path, "", ""))
    prepare(pg_url)
    first = start(slack_emulator, via_proxy, tmp_path, "first")
    second = None
    try:
        wait_until(lambda: holds_scheduler(first), 30, "the first instance to hold the scheduler")
        second = start(slack_emulator, pg_url, tmp_path, "second")
        proxy.cut_off()
        wait_until(lambda: holds_scheduler(second), 30, "the scheduler to move")
        # The cut instance learns it lost its session at its next check of the lock, which
        # can come just after the other instance took the lock: it must give up by then.
        wait_until(lambda: not holds_scheduler(first), 30, "the cut instance to give up the scheduler")
        wait_until(lambda: len(sent_keys(pg_url)) == len(DEADLINES), 60, "every alert sent")
    finally:
        first.kill()
        if second is not None:
            second.kill()
    assert_each_alert_posted_once(slack_emulator, pg_url)


def test_a_change_through_one_instance_shows_in_the_next_answer_of_another(
    slack_emulator: SlackEmulator, pg_url: str, tmp_path: Path
) -> None:
    """An admin changes Meta's status through the first instance's form (`/aireview update
    meta`, then the form submitted as Slack submits it); the second instance, which had
    kept its /holdouts answer, answers from the change."""
    prepare(pg_url)
    first = start(slack_emulator, pg_url, tmp_path, "first")
    second = start(slack_emulator, pg_url, tmp_path, "second")
    try:

        def holdouts(app: AppProcess) -> str:
            body = slash_command_body("/holdouts")
            answer = post_events(app, body, signed_headers(body))
            assert answer.status_code == 200
            return json.dumps(answer.json())

        assert "Meta" in holdouts(second)  # answered, and kept in the second's answer cache
        command = slash_command_body("/aireview", "update meta", user_id=ADMIN, channel_id=CHANNEL)
        assert post_events(first, command, signed_headers(command)).status_code == 200
        wait_until(lambda: bool(slack_emulator.calls_to("views.open")), 20, "the status form")
        form = slack_emulator.last("views.open").args["view"]
        assert form["callback_id"] == ids.VIEW_DEVELOPER_STATUS
        yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
        changes = {ids.BLOCK_STATUS: "signed", ids.BLOCK_EFFECTIVE_DATE: yesterday}
        payload = view_submission_payload(
            form["callback_id"],
            state_values(form, **changes),
            user_id=ADMIN,
            private_metadata=form["private_metadata"],
        )
        submitted = interactive_body(payload)
        saved = post_events(first, submitted, signed_headers(submitted))
        assert saved.status_code == 200 and not saved.content, saved.text  # saved: the form closes
        assert "Meta" not in holdouts(second)
    finally:
        first.kill()
        second.kill()


def test_a_second_instance_on_one_sqlite_file_runs_no_scheduler(
    slack_emulator: SlackEmulator, tmp_path: Path
) -> None:
    db = tmp_path / "reviewwatch.db"
    apps = []
    try:
        for name in ("first", "second"):
            folder = tmp_path / name
            folder.mkdir()
            apps.append(AppProcess(http_env(slack_emulator, db), folder))
            apps[-1].wait_for_http(40)
        first, second = apps
        assert holds_scheduler(first) and not holds_scheduler(second)
        wait_until(lambda: "another instance runs the scheduler on" in second.logs, 10, "the second's line")
        assert f"another instance runs the scheduler on {db}" in second.logs
    finally:
        for app in apps:
            app.kill()
