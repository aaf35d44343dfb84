"""Personal follows: anyone follows a developer, a model or a kind with /aireview follow, gets
each followed alert once as a direct message through the same sweep and ledger as channels,
chooses a digest, unfollows and gets nothing more."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from slack_bolt import App

from bot.clock import FixedClock
from bot.deps import Deps
from bot.ops.console import console_answer
from storage.alerts import get_subscription
from storage.tracker import create_record, get_record, update_record
from tests.conftest import ADMIN_ID
from tests.support.alerts import alert_keys, ledger, sweep
from tests.support.slack_emulator import SlackEmulator
from tests.support.slack_requests import command_answer, dispatch_command

MEMBER = "UMEMBER001"  # not an admin
DM = MEMBER  # the emulator keeps a direct message under the person's id


def follow(app: App, emulator: SlackEmulator, text: str, name: str) -> str:
    response = dispatch_command(
        app, "/aireview", text, user_id=MEMBER, response_url=emulator.response_url(name)
    )
    return str(command_answer(response, emulator, name)["text"])


def change_meta_status(deps: Deps, status: str, at: datetime) -> None:
    meta = get_record(deps.store.db, "developer", "meta")
    assert meta is not None
    update_record(
        deps.store.db,
        "developer",
        "meta",
        {"status": status},
        actor=ADMIN_ID,
        at=at,
        source="https://example.org/meta-news",
        expected_version=meta["version"],
    )


def test_a_member_follows_gets_one_dm_per_alert_unfollows_and_gets_none(
    bolt_app: App, slack_emulator: SlackEmulator, deps: Deps, clock: FixedClock
) -> None:
    answer = follow(bolt_app, slack_emulator, "follow meta", "r1")
    assert answer.startswith("You now follow Meta. Its alerts arrive as direct messages from Review Watch")
    sub = get_subscription(deps.store.db, "slack", MEMBER)
    assert sub is not None and sub["developer_filter"] == ["meta"]

    change_meta_status(deps, "holdout", clock.now() + timedelta(minutes=1))
    first = sweep(deps, slack_emulator, clock.now() + timedelta(minutes=5))
    assert len(first.sent) == 1
    assert slack_emulator.opened_dms == [MEMBER]
    [key] = alert_keys(slack_emulator, DM)
    assert key.startswith("status|") and key.endswith(f"|slack:{MEMBER}")
    assert ledger(deps)[key]["status"] == "sent" and ledger(deps)[key]["message_channel"] == DM
    [message] = slack_emulator.messages[DM]
    assert "Status changed" in message["text"]
    assert sweep(deps, slack_emulator, clock.now() + timedelta(minutes=10)).sent == []
    assert len(alert_keys(slack_emulator, DM)) == 1

    assert follow(bolt_app, slack_emulator, "unfollow meta", "r2") == (
        "You no longer follow Meta, and follow nothing now: no more direct messages."
    )
    assert get_subscription(deps.store.db, "slack", MEMBER) is None
    change_meta_status(deps, "negotiating", clock.now() + timedelta(minutes=11))
    assert sweep(deps, slack_emulator, clock.now() + timedelta(minutes=15)).sent == []
    assert len(alert_keys(slack_emulator, DM)) == 1


def test_digest_mode_sends_one_dm_at_the_delivery_time(
    bolt_app: App, slack_emulator: SlackEmulator, deps: Deps, clock: FixedClock
) -> None:
    follow(bolt_app, slack_emulator, "follow meta", "r1")
    assert follow(bolt_app, slack_emulator, "follow daily", "r2") == (
        "Your followed alerts now arrive as: Daily digest (status changes and news)."
    )
    change_meta_status(deps, "holdout", clock.now() + timedelta(minutes=1))
    change_meta_status(deps, "declined", clock.now() + timedelta(minutes=2))
    assert sweep(deps, slack_emulator, clock.now() + timedelta(minutes=5)).sent == []
    saturday = datetime.combine(date(2026, 7, 25), time(9, 0), tzinfo=deps.settings.tz)
    assert sweep(deps, slack_emulator, saturday).sent == []  # the weekend is quiet (business days)
    next_morning = datetime.combine(date(2026, 7, 27), time(9, 0), tzinfo=deps.settings.tz)  # Monday
    result = sweep(deps, slack_emulator, next_morning)
    assert len(result.sent) == 1
    [key] = alert_keys(slack_emulator, DM)
    assert key.startswith("digest|")
    assert "2 update(s)" in slack_emulator.messages[DM][0]["text"]
    assert sweep(deps, slack_emulator, next_morning + timedelta(minutes=5)).sent == []


def test_models_and_kinds_and_the_list(bolt_app: App, slack_emulator: SlackEmulator, deps: Deps) -> None:
    create_record(
        deps.store.db,
        "model",
        {"developer_id": "xai", "name": "Grok 6", "planned_release": "2026-10-01"},
        actor=ADMIN_ID,
        at=deps.clock.now(),
    )
    assert follow(bolt_app, slack_emulator, "follow model:grok 6", "r1").startswith(
        "You now follow xAI / Grok 6."
    )
    assert follow(bolt_app, slack_emulator, "follow news", "r2").startswith("You now follow News.")
    assert follow(bolt_app, slack_emulator, "follow news", "r3").startswith("You already follow News.")
    sub = get_subscription(deps.store.db, "slack", MEMBER)
    assert sub is not None and sub["kinds"] == ["news"]
    assert (sub["developer_filter"], sub["model_filter"]) == (None, [str(get_model_id(deps, "Grok 6"))])
    assert follow(bolt_app, slack_emulator, "following", "r4") == (
        "You follow:\n• xAI / Grok 6 (model): nothing among the kinds you follow\n"
        "• Alert kinds: News (only these kinds arrive)\n"
        "With any follow: news (they concern the whole framework).\n"
        "They arrive as direct messages: Real-time for status changes and news."
    )
    assert "Nothing tracked is called “&lt;!channel&gt;”" in follow(
        bolt_app, slack_emulator, "follow <!channel>", "r5"
    )


def get_model_id(deps: Deps, name: str) -> int:
    return int(deps.store.db.execute("SELECT id FROM models WHERE name = ?", [name]).fetchone()[0])


def test_the_console_says_follows_are_for_slack(deps: Deps) -> None:
    reply = console_answer(deps, "/aireview follow meta")
    assert reply is not None and "direct messages" in reply.text
