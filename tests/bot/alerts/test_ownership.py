"""Two sweeps over one database (issue 14, item 9): a claim names its sweep, the sweep renews
its lease while a long delivery runs and checks it before each post, and only the holder
records an outcome. Delivery here really is slow (the emulator and the webhook hold each
post), so the first sweep's delivery outlasts the lease; no timing is asserted."""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from typing import Any

import httpx
import pytest

from bot.alerts.claims import claim_token
from bot.alerts.sweep import run_sweep
from bot.alerts.sweep_result import SweepResult
from bot.alerts.teams_sender import TeamsSender
from bot.deps import Deps
from bot.settings import Settings
from storage import alerts as ledger_store
from storage.tracker import create_record
from tests.conftest import ADMIN_ID
from tests.support.alerts import CHANNEL, alert_keys, emulator_sender, ledger, subscribe
from tests.support.slack_emulator import SlackEmulator

JUNE_1 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
LEASE = timedelta(seconds=3)
POST_SECONDS = 0.4
ALERTS = 12  # 12 x 0.4 s: the delivery takes well over the lease
HOOK_URL = "http://127.0.0.1:9/workflows/policy"  # never dialled: a MockTransport answers


def at_nine(deps: Deps) -> datetime:
    return datetime.combine(date(2026, 7, 24), clock_time(9), tzinfo=deps.settings.tz)


def deadlines_due_in_a_week(deps: Deps) -> None:
    """ALERTS - 1 more deadlines on July 31: with the seeded one, ALERTS alerts due at once."""
    for n in range(ALERTS - 1):
        create_record(
            deps.store.db,
            "deadline",
            {"title": f"Comment period {n}", "due_date": "2026-07-31", "source": "Federal Register notice"},
            actor=ADMIN_ID,
            at=JUNE_1,
        )


def two_sweeps(deps: Deps, senders: dict[str, Any], first_posts_done: Any) -> tuple[SweepResult, SweepResult]:
    """Sweep A starts; once its delivery has run past the lease, sweep B starts on the same
    database at the same (real-time) clock. Both run to the end."""
    start, started = at_nine(deps), time.monotonic()
    results: dict[str, SweepResult] = {}

    def sweep_a() -> None:
        results["a"] = run_sweep(deps, now=start, senders=senders, lease=LEASE)

    thread = threading.Thread(target=sweep_a)
    thread.start()
    deadline = time.monotonic() + 30
    while not first_posts_done() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert time.monotonic() - started > LEASE.total_seconds()  # A's first claims are older than the lease
    now_b = start + timedelta(seconds=time.monotonic() - started)
    results["b"] = run_sweep(deps, now=now_b, senders=senders, lease=LEASE)
    thread.join(30)
    assert not thread.is_alive()
    return results["a"], results["b"]


def test_two_sweeps_at_once_post_every_slack_alert_exactly_once(
    deps: Deps, slack_emulator: SlackEmulator
) -> None:
    deadlines_due_in_a_week(deps)
    subscribe(deps, JUNE_1)
    slack_emulator.delay("chat.postMessage", POST_SECONDS, times=ALERTS * 2)
    senders = {"slack": emulator_sender(slack_emulator, deps.settings)}

    def past_the_lease() -> bool:
        return len(slack_emulator.calls_to("chat.postMessage")) >= 9  # 9 x 0.4 s > 3 s

    first, second = two_sweeps(deps, senders, past_the_lease)

    keys = alert_keys(slack_emulator, CHANNEL)
    assert len(keys) == ALERTS and Counter(keys).most_common(1)[0][1] == 1
    assert len(slack_emulator.calls_to("chat.postMessage")) == ALERTS
    assert sorted(first.sent) == sorted(keys) and second.sent == [] and second.handed_over == []
    assert {ledger(deps)[key]["status"] for key in keys} == {"sent"}


@pytest.fixture
def teams_settings(settings: Settings) -> Settings:
    return Settings(**{**settings.__dict__, "teams_webhooks": {"policy": HOOK_URL}})


def test_two_sweeps_at_once_post_every_teams_alert_exactly_once(teams_settings: Settings, deps: Deps) -> None:
    deps.settings = teams_settings
    deadlines_due_in_a_week(deps)
    run_sweep(deps, now=JUNE_1, senders={})  # the webhook's default subscription, made June 1
    posted: list[str] = []
    lock = threading.Lock()

    def slow_webhook(request: httpx.Request) -> httpx.Response:
        time.sleep(POST_SECONDS)  # a Teams workflow that takes its time
        with lock:
            posted.append(request.content.decode())
        return httpx.Response(202)

    client = httpx.Client(transport=httpx.MockTransport(slow_webhook), timeout=httpx.Timeout(10.0))
    sender = TeamsSender(teams_settings.teams_webhooks, teams_settings, client=client, min_interval=0)

    def past_the_lease() -> bool:
        with lock:
            return len(posted) >= 9

    first, second = two_sweeps(deps, {"teams": sender}, past_the_lease)

    assert len(posted) == ALERTS
    sent = first.sent + second.sent
    assert len(sent) == len(set(sent)) == ALERTS and second.sent == []
    assert {ledger(deps)[key]["status"] for key in sent} == {"sent"}


def test_only_the_sweep_holding_a_claim_records_its_outcome(deps: Deps) -> None:
    db, at = deps.store.db, at_nine(deps)
    values = ("deadline|deadline:1|2026-07-31|7|slack:C1", "deadline", "deadline", "1", "2026-07-31", 7)
    row = (*values, "slack", "C1", 1, at.isoformat(), "{}")
    first, second = claim_token(), claim_token()
    assert ledger_store.claim_alerts(db, [row], [], first, at).claimed == [row[0]]
    assert ledger_store.claim_alerts(db, [row], [], second, at).claimed == []  # the INSERT is lost

    # The first sweep stalls past its lease; the second takes the claim over and posts.
    later = at + timedelta(minutes=20)
    [stale] = ledger_store.retry_candidates(db, later, timedelta(minutes=15))
    assert [r["key"] for r in ledger_store.reclaim_alerts(db, [stale], second, later)] == [row[0]]
    assert ledger_store.renew_claims(db, first, later) == set()  # the first learns it lost it
    sent = ledger_store.LedgerOutcome(row[0], ledger_store.STATUS_SENT, "C1", "1.1")
    assert ledger_store.record_outcomes(db, first, later, [sent]) == [row[0]]
    assert ledger_store.get_ledger(db, row[0])["status"] == ledger_store.STATUS_CLAIMED

    assert ledger_store.record_outcomes(db, second, later, [sent._replace(ts="2.2")]) == []
    recorded = ledger_store.get_ledger(db, row[0])
    assert (recorded["status"], recorded["message_ts"], recorded["attempts"]) == ("sent", "2.2", 1)
