"""OAuth mode's jobs (bot/tenancy/jobs.py, handlers/tenancy.py): every workspace's sweep runs
on its own database with its own token, and one workspace's rate limit, revoked token or
missing installation never holds up another's alerts."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.alerts.workers import SWEEP_SLOTS
from bot.clock import FixedClock
from bot.deps import Deps
from bot.settings import Settings
from bot.tenancy import Workspaces, in_workspace
from bot.tenancy.jobs import NO_TOKEN, run_for_each_workspace
from handlers.tenancy import SlotFreeWebClient, slot_free, sweep_workspace, workspace_senders
from storage import alerts as ledger
from storage import workspaces as registry
from storage.db import open_store
from storage.timestamps import utc_iso
from tests.conftest import ADMIN_ID
from tests.support.alerts import SleepRecorder, alert_keys, subscribe
from tests.support.slack_emulator import SlackEmulator
from tests.support.slack_requests import SIGNING_SECRET
from tests.support.tenants import TEAM_A, TEAM_B, TEAM_C, DictBotTokens, routed_app_deps

CHANNELS = {TEAM_A: "C0ACHAN", TEAM_B: "C0BCHAN", TEAM_C: "C0CCHAN"}


@pytest.fixture
def many(
    tmp_path: Path, clock: FixedClock, slack_emulator: SlackEmulator
) -> Iterator[tuple[Deps, Workspaces]]:
    home = open_store(tmp_path / "home.db")
    workspaces = Workspaces(home, clock)
    settings = Settings(
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=slack_emulator.api_url,
        db_path=str(tmp_path / "home.db"),
        admins=(ADMIN_ID,),
    )
    deps = routed_app_deps(settings, workspaces, clock)
    for team, channel in CHANNELS.items():
        workspaces.ensure(team_id=team, enterprise_id=None)
        with in_workspace(team):
            subscribe(deps, clock.now() - timedelta(days=40), channel)
            deps.store.release()
    yield deps, workspaces
    workspaces.close()
    home.close()


def _sweep_all(
    deps: Deps, workspaces: Workspaces, tokens: DictBotTokens, sleep: SleepRecorder
) -> dict[str, object]:
    make = workspace_senders(deps.settings, sleep=sleep)
    return dict(run_for_each_workspace(deps, workspaces, tokens, sweep_workspace, make))


def test_each_workspace_is_swept_with_its_own_token_into_its_own_channels(
    many: tuple[Deps, Workspaces], slack_emulator: SlackEmulator
) -> None:
    deps, workspaces = many
    runs = _sweep_all(deps, workspaces, DictBotTokens(), SleepRecorder())
    assert set(runs) == {TEAM_A, TEAM_B, TEAM_C}
    for team, channel in CHANNELS.items():
        posts = [c for c in slack_emulator.calls_to("chat.postMessage") if c.args["channel"] == channel]
        assert posts and {c.token for c in posts} == {f"xoxb-team-{team[-1].lower()}"}
        assert alert_keys(slack_emulator, channel)
        with in_workspace(team):  # each ledger holds its own channel's alerts only
            targets = {row["target"] for row in ledger.delivery_problems(deps.store.db, 100)} | {
                key.rsplit(":", 1)[-1] for key in ledger.ledger_keys(deps.store.db)
            }
            deps.store.release()
        assert targets == {channel}
    again = _sweep_all(deps, workspaces, DictBotTokens(), SleepRecorder())  # nothing twice
    assert len(slack_emulator.calls_to("chat.postMessage")) == sum(
        len(alert_keys(slack_emulator, c)) for c in CHANNELS.values()
    )
    assert all(run.problems == 0 for run in again.values())  # type: ignore[attr-defined]


def test_a_rate_limited_or_revoked_workspace_never_delays_another(
    many: tuple[Deps, Workspaces], slack_emulator: SlackEmulator, clock: FixedClock
) -> None:
    deps, workspaces = many
    slack_emulator.fail("chat.postMessage", retry_after=30, times=1000, channel=CHANNELS[TEAM_A])
    slack_emulator.fail("chat.postMessage", error="token_revoked", times=1000, channel=CHANNELS[TEAM_C])
    sleep = SleepRecorder()
    runs = _sweep_all(deps, workspaces, DictBotTokens(), sleep)

    assert alert_keys(slack_emulator, CHANNELS[TEAM_B])  # B's alerts went out in the same run
    assert [wait for wait in sleep.waits if wait >= 1] == []  # and nobody sat out a Retry-After
    with in_workspace(TEAM_A):  # A's are retried after Slack's Retry-After, not lost
        rows = list(
            deps.store.db.query("SELECT status, next_attempt_at FROM alert_ledger WHERE status <> 'skipped'")
        )
        deps.store.release()
    assert rows and {row["status"] for row in rows} == {"failed"}
    assert all(row["next_attempt_at"] >= utc_iso(clock.now() + timedelta(seconds=30)) for row in rows)
    assert runs[TEAM_C].problems > 0 and "token_revoked" in (runs[TEAM_C].error or "")  # type: ignore[attr-defined]
    home = registry.workspace_row(workspaces.home.db, TEAM_C)
    assert home is not None and "token_revoked" in home["last_sweep_error"]


def test_a_workspace_without_a_token_is_skipped_and_said_so(
    many: tuple[Deps, Workspaces], slack_emulator: SlackEmulator
) -> None:
    deps, workspaces = many
    tokens = DictBotTokens()
    del tokens.tokens[TEAM_A]
    runs = _sweep_all(deps, workspaces, tokens, SleepRecorder())
    assert runs[TEAM_A].error == NO_TOKEN  # type: ignore[attr-defined]
    assert alert_keys(slack_emulator, CHANNELS[TEAM_A]) == []
    assert alert_keys(slack_emulator, CHANNELS[TEAM_B]) and alert_keys(slack_emulator, CHANNELS[TEAM_C])


def test_healthz_reports_each_workspaces_last_sweep_and_delivery_problems(
    many: tuple[Deps, Workspaces], slack_emulator: SlackEmulator, clock: FixedClock
) -> None:
    from bot.ops.health import health_report
    from handlers.tenancy import sweep_every_workspace

    deps, workspaces = many
    _, before = health_report(deps)
    assert before["workspaces"]["count"] == 3 and before["workspaces"]["never_swept"] == 3
    slack_emulator.fail("chat.postMessage", error="token_revoked", times=1000, channel=CHANNELS[TEAM_C])
    sweep_every_workspace(
        deps, workspaces, DictBotTokens(), workspace_senders(deps.settings, sleep=SleepRecorder())
    )
    workspaces.forget(TEAM_A)
    clock.advance(timedelta(minutes=3))
    _, report = health_report(deps)
    figures = report["workspaces"]
    assert (figures["count"], figures["forgotten"], figures["never_swept"]) == (2, 1, 0)
    assert figures["each"][TEAM_B] == {"seconds_since_sweep": 180.0, "delivery_problems": 0}
    assert (
        figures["each"][TEAM_C]["delivery_problems"] > 0
        and "token_revoked" in figures["each"][TEAM_C]["error"]
    )
    assert figures["with_problems"] == 1
    assert report["last_sweep"]["workspaces"] == 3 and report["last_sweep"]["ok"] is True  # the home summary


def test_single_workspace_healthz_has_no_workspace_figures(deps: Deps) -> None:
    from bot.ops.health import health_report

    assert "workspaces" not in health_report(deps)[1]


def test_a_workspace_waiting_on_slack_holds_no_sweep_slot(slack_emulator: SlackEmulator) -> None:
    """One workspace's sweep at a time does its own work (bot/alerts/workers.py SWEEP_SLOTS);
    one whose Slack is slow to answer (a name, a correction) must not keep the others out."""
    client = SlotFreeWebClient(token="xoxb-team-a", base_url=slack_emulator.api_url, timeout=10)
    gate = slack_emulator.gates["auth.test"] = threading.Event()
    after_the_call: list[bool] = []

    def sweep_asking_slack() -> None:
        with SWEEP_SLOTS.held():
            assert SWEEP_SLOTS.holds()
            client.auth_test()
            after_the_call.append(SWEEP_SLOTS.holds())

    waiting = threading.Thread(target=sweep_asking_slack)
    waiting.start()
    for _ in range(500):
        if slack_emulator.in_flight("auth.test"):
            break
        threading.Event().wait(0.01)
    try:
        assert slack_emulator.in_flight("auth.test") == 1
        with SWEEP_SLOTS.held():  # another workspace's sweep gets the slot at once, not after the wait
            assert SWEEP_SLOTS.holds()
    finally:
        gate.set()
        waiting.join(10)
    assert after_the_call == [True]  # and the slow one has it back for the rest of its work


def test_a_workspace_pausing_between_posts_holds_no_sweep_slot() -> None:
    """The senders' pauses (pacing, backoff) are waits too: made without the slot."""
    during: list[bool] = []
    pause = slot_free(lambda seconds: during.append(SWEEP_SLOTS.holds()))
    with SWEEP_SLOTS.held():
        pause(1.0)
        assert SWEEP_SLOTS.holds()  # taken again after the pause
    assert during == [False]
