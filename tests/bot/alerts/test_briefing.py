"""The weekly briefing: Mondays at the delivery time, one per week per target (a missed week
is sent once, late, marked late; a crash between post and ledger does not post it twice), its
content in Slack, the Teams card (valid, under 28 KB on the large tracker), the dry run, and
/aireview briefing on|off."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.alerts.briefing import fill_briefing
from bot.alerts.cards import alert_card
from bot.alerts.plan import briefing_alert
from bot.alerts.sweep import run_sweep
from bot.cardkit import MAX_TEAMS_BYTES, envelope_size
from bot.deps import Deps
from bot.ops.console import console_answer
from bot.ops.reports import sweep_report
from bot.replies import CommandRequest
from storage.alerts import STATUS_CLAIMED, STATUS_SENT, get_subscription
from storage.briefing import set_briefing
from storage.tracker import create_record, get_record, update_record
from tests.bot.alerts.test_sweep import CrashAfterPost, SimulatedCrash
from tests.bot.alerts.test_teams_delivery import card_validator
from tests.bot.read.test_compare import large
from tests.conftest import ADMIN_ID
from tests.support.alerts import CHANNEL, alert_keys, emulator_sender, ledger, subscribe, sweep
from tests.support.blockkit import message_errors, visible_text
from tests.support.slack_emulator import SlackEmulator

JUNE_1 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def local(deps: Deps, day: date, hour: int = 9, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=deps.settings.tz)


def briefed(deps: Deps, **overrides: object) -> None:
    """CHANNEL subscribed since June 1 with the weekly briefing; no other alert kind, so the
    channel's messages are briefings."""
    subscribe(deps, JUNE_1, kinds=[], **overrides)
    assert set_briefing(deps.store.db, "slack", CHANNEL, JUNE_1)


def briefing_keys(emulator: SlackEmulator) -> list[str]:
    return [k for k in alert_keys(emulator) if k.startswith("briefing|")]


def test_one_per_week_a_missed_week_is_sent_once_and_late(deps: Deps, slack_emulator: SlackEmulator) -> None:
    briefed(deps)
    sunday = sweep(deps, slack_emulator, local(deps, date(2026, 7, 19), 10))
    assert briefing_keys(slack_emulator) == ["briefing|briefing:2026-W29|2026-07-13|-|slack:C0ALERTS1"]
    assert len(sunday.sent) == 1  # the app's first sweep sends the week's briefing, late
    slack_emulator.reset()

    monday = local(deps, date(2026, 7, 20))
    assert sweep(deps, slack_emulator, monday - timedelta(minutes=1)).sent == []
    assert len(sweep(deps, slack_emulator, monday).sent) == 1
    assert sweep(deps, slack_emulator, monday + timedelta(minutes=5)).sent == []
    assert sweep(deps, slack_emulator, local(deps, date(2026, 7, 24), 15)).sent == []
    [on_time] = slack_emulator.messages[CHANNEL]
    assert on_time["blocks"][0]["text"]["text"] == "Weekly briefing, week of Jul 20, 2026"

    # Down from Saturday to Wednesday: Monday Jul 27's briefing comes once, marked late.
    wednesday = local(deps, date(2026, 7, 29), 11)
    assert len(sweep(deps, slack_emulator, wednesday).sent) == 1
    assert sweep(deps, slack_emulator, wednesday + timedelta(hours=1)).sent == []
    late = slack_emulator.messages[CHANNEL][-1]
    assert late["blocks"][0]["text"]["text"] == "Weekly briefing, week of Jul 27, 2026 (late)"
    assert "Sent late: this briefing was due Jul 27, 2026 09:00 EDT" in visible_text(late["blocks"])
    assert briefing_keys(slack_emulator) == [
        "briefing|briefing:2026-W30|2026-07-20|-|slack:C0ALERTS1",
        "briefing|briefing:2026-W31|2026-07-27|-|slack:C0ALERTS1",
    ]


def test_a_crash_between_post_and_ledger_does_not_post_it_twice(
    deps: Deps, slack_emulator: SlackEmulator
) -> None:
    briefed(deps)
    sweep(deps, slack_emulator, local(deps, date(2026, 7, 19), 10))  # the first week
    slack_emulator.reset()
    monday = local(deps, date(2026, 7, 20))
    crashing = CrashAfterPost(
        emulator_sender(slack_emulator, deps.settings).client, deps.settings, min_interval=0
    )
    with pytest.raises(SimulatedCrash):
        run_sweep(deps, now=monday, senders={"slack": crashing})
    [key] = briefing_keys(slack_emulator)
    assert ledger(deps)[key]["status"] == STATUS_CLAIMED
    result = sweep(deps, slack_emulator, monday + timedelta(minutes=20))
    assert result.already_posted == [key] and result.sent == []
    assert briefing_keys(slack_emulator) == [key]
    assert ledger(deps)[key]["status"] == STATUS_SENT


def test_content_holdouts_week_next_30_days_contested(deps: Deps, slack_emulator: SlackEmulator) -> None:
    briefed(deps)
    sweep(deps, slack_emulator, local(deps, date(2026, 7, 19), 10))
    slack_emulator.reset()
    db = deps.store.db
    meta = get_record(db, "developer", "meta")
    assert meta is not None
    update_record(
        db,
        "developer",
        "meta",
        {"status": "holdout", "contested": 1},
        actor=ADMIN_ID,
        at=datetime(2026, 7, 16, 15, 0, tzinfo=UTC),
        source="https://example.org/meta-stalls",
        expected_version=meta["version"],
    )
    create_record(
        db,
        "model",
        {"developer_id": "meta", "name": "Llama 5", "planned_release": "2026-08-25"},
        actor=ADMIN_ID,
        at=datetime(2026, 7, 10, 15, 0, tzinfo=UTC),
    )
    sweep(deps, slack_emulator, local(deps, date(2026, 7, 20)))
    [message] = slack_emulator.messages[CHANNEL]
    assert message_errors(message) == []
    text = visible_text(message["blocks"])
    assert "Holdouts · 5 of 6 tracked developers have signed a review agreement; 1 holdout" in text
    assert "• Meta: Holdout\n" in text  # the re-done seed records no "since" for Meta
    assert "What changed this week" in text
    assert (
        "Meta · Jul 16, 2026 11:00 EDT · Meta: status negotiating → holdout · recorded by UADMIN0001" in text
    )
    assert "Llama 5: added" not in text  # July 10: more than a week before
    assert "The next 30 days · 2 items in the next 30 days" in text
    assert (
        "2026-07-26 (in 6 days, 4 business days) · Meta Llama 5: submission due (review window opens)" in text
    )
    assert (
        "2026-07-31 (in 11 days, 9 business days) · Formal pre-release review process to be established"
        in text
    )
    assert "Contested facts" in text and "• Meta (developer) · Source: " in text
    assert "The timeline picture: `/aireview timeline` or the App Home." in text


def test_the_app_home_picture_is_in_the_briefing_when_current(deps: Deps) -> None:
    from bot.exports.timeline import home_timeline_version, remember_home_timeline

    briefed(deps)
    sub = get_subscription(deps.store.db, "slack", CHANNEL)
    assert sub is not None
    now = local(deps, date(2026, 7, 20))
    deps.clock.set(now)  # type: ignore[attr-defined]
    remember_home_timeline(deps, home_timeline_version(deps), "F0TIMELINE")
    alert = briefing_alert(sub, now, deps.settings)
    assert alert is not None
    filled = fill_briefing(deps, alert, now)
    assert filled.facts["timeline_file"] == "F0TIMELINE"
    from bot.alerts.blocks import alert_message

    blocks = alert_message(filled, now, deps.settings).blocks
    assert {
        "type": "image",
        "slack_file": {"id": "F0TIMELINE"},
        "alt_text": "Timeline of the next 90 days",
    } in blocks


def test_teams_card_is_valid_and_under_28_kb_on_the_large_tracker(deps: Deps) -> None:
    large(deps)
    db = deps.store.db
    db.execute(
        "INSERT INTO subscriptions (target_type, target, kinds, lead_days, created_by, created_at, "
        "updated_at, briefing_since) VALUES ('teams', 'policy', '[]', '[]', 'U1', "
        "'2026-06-01T00:00:00+00:00', '2026-06-01T00:00:00+00:00', '2026-06-01T00:00:00+00:00')"
    )
    sub = get_subscription(db, "teams", "policy")
    assert sub is not None
    now = local(deps, date(2026, 7, 27))
    alert = briefing_alert(sub, now, deps.settings)
    assert alert is not None
    envelope = alert_card(fill_briefing(deps, alert, now), now, deps.settings)
    assert envelope_size(envelope) < MAX_TEAMS_BYTES
    card = envelope["attachments"][0]["content"]
    assert list(card_validator().iter_errors(card)) == []
    text = json.dumps(card, ensure_ascii=False)
    assert "Weekly briefing, week of Jul 27, 2026" in text
    assert "more: /holdouts" in text or "not shown" in text


def test_dry_run_shows_the_briefing(deps: Deps) -> None:
    briefed(deps)
    result = run_sweep(deps, now=local(deps, date(2026, 7, 20), 9, 1), dry_run=True)
    lines = sweep_report(result)
    assert any(
        line.startswith("  would send to slack:C0ALERTS1: [briefing] Weekly briefing, week of Jul 20, 2026")
        for line in lines
    )
    assert ledger(deps) == {}


def test_briefing_on_and_off(deps: Deps) -> None:
    def ask(text: str, user: str = ADMIN_ID, channel: str | None = CHANNEL) -> str:
        sub = deps.subcommands.get("briefing")
        assert sub is not None
        reply = sub.run(deps, CommandRequest(text=text, user_id=user, channel_id=channel))
        return reply.text if reply else ""

    assert ask("on").startswith("This channel has no alert subscription yet")
    subscribe(deps, JUNE_1)
    assert (
        ask("on", user="UMEMBER001") != ""
        and not get_subscription(deps.store.db, "slack", CHANNEL)["briefing_since"]
    )
    assert ask("on") == (
        "The weekly briefing is on for this channel: Mondays at 09:00 (America/New_York), from the next "
        "Monday on."
    )
    assert get_subscription(deps.store.db, "slack", CHANNEL)["briefing_since"] == "2026-07-24T14:00:00+00:00"
    assert ask("off") == "The weekly briefing is off for this channel."
    assert ask("sometimes").startswith("Usage: `/aireview briefing on|off`")
    reply = console_answer(deps, "/aireview help")
    assert reply is not None and "briefing on|off" in visible_text(reply.blocks)
