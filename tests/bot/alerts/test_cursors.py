"""Incremental sweeps: each subscription's cursor records where its last complete sweep left
it, so the next one reads only what can have become due since, and sends exactly what a
full computation would (bot/alerts/cursors.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from bot.alerts.cursors import cursor_settings
from bot.alerts.sweep import last_sweep, run_sweep
from bot.alerts.sweep_plan import active_subscriptions, load_due_tracker, plan_sweep
from bot.clock import utc_iso
from bot.deps import Deps
from storage.alerts import STATUS_SENT, get_subscription
from storage.tracker import create_record, latest_history_id, list_deadlines, update_record
from tests.conftest import ADMIN_ID
from tests.support.alerts import CHANNEL, OTHER_CHANNEL, alert_keys, ledger, subscribe, sweep
from tests.support.slack_emulator import SlackEmulator

JUNE_1 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def local(deps: Deps, day: date, hour: int = 9, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=deps.settings.tz)


def cursor(deps: Deps, channel: str = CHANNEL) -> dict[str, Any]:
    sub = get_subscription(deps.store.db, "slack", channel)
    assert sub is not None
    return {k: sub[k] for k in ("swept_at", "swept_history_id", "swept_news_id", "swept_settings")}


def deadline_id(deps: Deps) -> str:
    return str(list_deadlines(deps.store.db)[0]["id"])  # the seeded July 31 deadline


def test_a_sweep_advances_the_cursor_and_the_next_reads_only_what_changed(
    deps: Deps, slack_emulator: SlackEmulator
) -> None:
    subscribe(deps, JUNE_1)
    at = local(deps, date(2026, 7, 24))
    assert cursor(deps)["swept_at"] is None
    assert len(sweep(deps, slack_emulator, at).sent) == 1  # the 7-day alert for July 31
    assert cursor(deps) == {
        "swept_at": utc_iso(at),
        "swept_history_id": latest_history_id(deps.store.db),
        "swept_news_id": 0,
        "swept_settings": cursor_settings(deps.settings),
    }

    db, later = deps.store.db, at + timedelta(hours=1)
    quiet = load_due_tracker(db, active_subscriptions(deps), later, deps.settings)
    assert (quiet.models, quiet.deadlines, quiet.status_changes) == ([], [], [])

    update_record(
        db, "deadline", deadline_id(deps), {"note": "Agency briefing held."}, actor=ADMIN_ID, at=later
    )
    touched = load_due_tracker(db, active_subscriptions(deps), later, deps.settings)
    assert [d["id"] for d in touched.deadlines] == [int(deadline_id(deps))]
    assert sweep(deps, slack_emulator, later).sent == []  # same date, same keys: already sent
    assert cursor(deps)["swept_at"] == utc_iso(later)


def test_a_dry_run_leaves_the_cursor_where_it_was(deps: Deps, slack_emulator: SlackEmulator) -> None:
    subscribe(deps, JUNE_1)
    at = local(deps, date(2026, 7, 17))
    sweep(deps, slack_emulator, at)
    before = cursor(deps)
    result = run_sweep(deps, now=local(deps, date(2026, 7, 24)), dry_run=True)
    assert len(result.planned) == 1
    assert cursor(deps) == before and before["swept_at"] == utc_iso(at)


def test_an_alert_whose_key_is_in_the_ledger_is_never_planned_again(
    deps: Deps, slack_emulator: SlackEmulator
) -> None:
    subscribe(deps, JUNE_1)
    at = local(deps, date(2026, 7, 24))
    [key] = sweep(deps, slack_emulator, at).sent
    db = deps.store.db
    for forget_cursors in (False, True):  # incrementally, and computed in full from the start
        if forget_cursors:
            db.execute("UPDATE subscriptions SET swept_at = NULL")
        plan = plan_sweep(db, active_subscriptions(deps), at + timedelta(minutes=5), deps.settings).plan
        assert plan.send == [] and plan.skip == []
        assert sweep(deps, slack_emulator, at + timedelta(minutes=5)).sent == []
    assert alert_keys(slack_emulator) == [key] and ledger(deps)[key]["status"] == STATUS_SENT


def test_a_new_subscription_gets_no_earlier_changes_while_an_older_one_does(
    deps: Deps, slack_emulator: SlackEmulator
) -> None:
    now = deps.clock.now()
    subscribe(deps, JUNE_1, kinds=["status"])
    sweep(deps, slack_emulator, now)  # the older subscription's cursor is now
    update_record(deps.store.db, "developer", "meta", {"status": "signed"}, actor=ADMIN_ID, at=now)
    subscribe(deps, now, channel=OTHER_CHANNEL, kinds=["status"])  # after the change
    result = sweep(deps, slack_emulator, now + timedelta(minutes=5))
    assert len(result.sent) == 1 and len(alert_keys(slack_emulator, CHANNEL)) == 1
    assert alert_keys(slack_emulator, OTHER_CHANNEL) == []

    update_record(deps.store.db, "developer", "xai", {"status": "holdout"}, actor=ADMIN_ID, at=now)
    result = sweep(deps, slack_emulator, now + timedelta(minutes=10))
    assert len(result.sent) == 2  # the next change reaches both
    assert len(alert_keys(slack_emulator, OTHER_CHANNEL)) == 1
    assert len(alert_keys(slack_emulator, CHANNEL)) == 2


def test_changing_a_subscription_clears_its_cursor_and_a_new_lead_still_fires(
    deps: Deps, slack_emulator: SlackEmulator
) -> None:
    subscribe(deps, JUNE_1, lead_days=[14])
    assert len(sweep(deps, slack_emulator, local(deps, date(2026, 7, 17))).sent) == 1
    assert sweep(deps, slack_emulator, local(deps, date(2026, 7, 24), 9, 30)).sent == []
    assert cursor(deps)["swept_at"] is not None
    subscribe(deps, JUNE_1, lead_days=[14, 7])  # the 7-day alert fell due at 09:00
    assert cursor(deps)["swept_at"] is None
    [key] = sweep(deps, slack_emulator, local(deps, date(2026, 7, 24), 9, 35)).sent
    assert key.split("|")[3] == "7"


def test_a_retry_is_delivered_after_the_cursor_moved_past_it(
    deps: Deps, slack_emulator: SlackEmulator
) -> None:
    subscribe(deps, JUNE_1, kinds=["status"])
    now = deps.clock.now()
    update_record(deps.store.db, "developer", "meta", {"status": "signed"}, actor=ADMIN_ID, at=now)
    slack_emulator.fail("chat.postMessage", status=500, times=20)
    [(key, _)] = sweep(deps, slack_emulator, now).failed
    assert cursor(deps)["swept_history_id"] == latest_history_id(deps.store.db)
    slack_emulator.reset()
    assert sweep(deps, slack_emulator, now + timedelta(minutes=6)).sent == [key]
    assert alert_keys(slack_emulator) == [key]


def test_a_digest_subscription_made_after_the_delivery_time_waits_for_the_next_digest(
    deps: Deps, slack_emulator: SlackEmulator
) -> None:
    day = date(2026, 7, 24)
    subscribe(deps, local(deps, day, 10), kinds=["status"], digest="daily", delivery_days="every_day")
    update_record(
        deps.store.db, "developer", "meta", {"status": "signed"}, actor=ADMIN_ID, at=local(deps, day, 11)
    )
    assert sweep(deps, slack_emulator, local(deps, day, 12)).sent == []  # no digest time has passed
    assert last_sweep(deps.store.db)["ok"] is True
    [key] = sweep(deps, slack_emulator, local(deps, day + timedelta(days=1))).sent
    assert key.startswith("digest|digest:daily|2026-07-25")


def test_a_quiet_day_two_months_back_does_not_bring_old_changes_back_in_a_digest(
    deps: Deps, slack_emulator: SlackEmulator
) -> None:
    # A digest covers one period; the oldest of the 62 it looks back at must not stretch to
    # the subscription's start, or the changes before it would come again.
    start = date(2026, 3, 1)
    subscribe(deps, local(deps, start, 12), kinds=["status"], digest="daily")
    update_record(
        deps.store.db,
        "developer",
        "meta",
        {"status": "signed"},
        actor=ADMIN_ID,
        at=local(deps, date(2026, 3, 10), 15),
    )
    day = start + timedelta(days=1)
    while day <= date(2026, 5, 20):
        sweep(deps, slack_emulator, local(deps, day))
        day += timedelta(days=1)
    keys = alert_keys(slack_emulator)
    assert keys == ["digest|digest:daily|2026-03-11|-|slack:" + CHANNEL]


def test_items_created_after_the_cursor_are_found(deps: Deps, slack_emulator: SlackEmulator) -> None:
    subscribe(deps, JUNE_1, kinds=["release"], lead_days=[7])
    at = local(deps, date(2026, 7, 24))
    sweep(deps, slack_emulator, at)
    # A model entered later, whose 7-day alert fell due this morning: sent, as catch-up.
    create_record(
        deps.store.db,
        "model",
        {"developer_id": "meta", "name": "Llama 5", "planned_release": "2026-07-31"},
        actor=ADMIN_ID,
        at=at,
    )
    [key] = sweep(deps, slack_emulator, at + timedelta(hours=1)).sent
    assert key.startswith("release|model:") and "|2026-07-31|7|" in key
