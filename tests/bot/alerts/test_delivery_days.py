"""Delivery days, quiet hours and business-day countdowns, end to end: injected clock, a real
SQLite file, the real WebClient over HTTP to the Slack emulator."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest

from bot.alerts.alert import SKIP_SAME_DAY
from bot.business_days import business_countdown, holiday_name, is_business_day
from bot.deps import Deps
from storage.alerts import STATUS_HELD, STATUS_SENT, STATUS_SKIPPED
from storage.tracker import create_record, update_record
from tests.conftest import ADMIN_ID
from tests.support.alerts import CHANNEL, alert_keys, ledger, subscribe, sweep
from tests.support.slack_emulator import SlackEmulator

JUNE_1 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def local(deps: Deps, day: date, hour: int = 9, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=deps.settings.tz)


def add_deadline(deps: Deps, due: str, title: str = "Comments due on the review rules") -> dict[str, Any]:
    return create_record(
        deps.store.db,
        "deadline",
        {"title": title, "due_date": due, "kind": "comment_period", "source": "https://example.gov/rules"},
        actor=ADMIN_ID,
        at=JUNE_1,
    )


def sweep_days(deps: Deps, emulator: SlackEmulator, first: date, last: date) -> dict[str, datetime]:
    """Sweep every 5 minutes from 08:50 to 09:10 and at noon, each day; key -> when it was posted."""
    fired: dict[str, datetime] = {}
    day = first
    while day <= last:
        for hour, minute in ((8, 55), (9, 0), (9, 5), (12, 0)):
            at = local(deps, day, hour, minute)
            before = len(alert_keys(emulator))
            sweep(deps, emulator, at)
            fired.update({k: at for k in alert_keys(emulator)[before:]})
        day += timedelta(days=1)
    return fired


def texts(emulator: SlackEmulator) -> list[str]:
    return [m["text"] + str(m.get("blocks")) for m in emulator.messages.get(CHANNEL, [])]


def test_the_calendar_knows_weekends_and_federal_holidays() -> None:
    assert not is_business_day(date(2026, 8, 8))  # Saturday
    assert holiday_name(date(2026, 9, 7)) == "Labor Day" and not is_business_day(date(2026, 9, 7))
    assert not is_business_day(date(2026, 7, 3))  # Independence Day observed (July 4 is a Saturday)
    assert is_business_day(date(2026, 9, 8))
    # Fri Jul 24 -> Tue Aug 11: 18 days, 12 business days; Mon -> Wed: the same both ways.
    assert business_countdown(date(2026, 7, 24), date(2026, 8, 11)) == "12 business days"
    assert business_countdown(date(2026, 7, 27), date(2026, 7, 29)) is None


def test_an_alert_due_on_a_saturday_goes_out_on_friday_and_same_day_ones_collapse(
    deps: Deps, slack_emulator: SlackEmulator
) -> None:
    deadline = add_deadline(deps, "2026-08-10")  # a Monday
    subscribe(deps, JUNE_1, kinds=["deadline"], lead_days=[2, 1, 0])  # Sat, Sun, Mon
    fired = sweep_days(deps, slack_emulator, date(2026, 8, 5), date(2026, 8, 11))

    prefix = f"deadline|deadline:{deadline['id']}|2026-08-10"
    assert fired == {
        f"{prefix}|1|slack:{CHANNEL}": local(deps, date(2026, 8, 7)),  # Friday, the most urgent of two
        f"{prefix}|0|slack:{CHANNEL}": local(deps, date(2026, 8, 10)),
    }
    friday = texts(slack_emulator)[0]
    assert "Deadline in 3 days" in friday  # the countdown is worded at delivery
    assert "in 3 days, 1 business day" in friday
    rows = ledger(deps)
    assert rows[f"{prefix}|2|slack:{CHANNEL}"]["status"] == STATUS_SKIPPED
    assert rows[f"{prefix}|2|slack:{CHANNEL}"]["last_error"] == SKIP_SAME_DAY


def test_an_alert_due_on_a_federal_holiday_goes_out_the_business_day_before(
    deps: Deps, slack_emulator: SlackEmulator
) -> None:
    add_deadline(deps, "2026-09-08")  # the Tuesday after Labor Day (Mon Sep 7)
    subscribe(deps, JUNE_1, kinds=["deadline"], lead_days=[1])
    fired = sweep_days(deps, slack_emulator, date(2026, 9, 3), date(2026, 9, 8))
    assert list(fired.values()) == [local(deps, date(2026, 9, 4))]  # Friday Sep 4
    assert "in 4 days, 1 business day" in texts(slack_emulator)[0]


def test_every_day_subscriptions_keep_weekend_delivery(deps: Deps, slack_emulator: SlackEmulator) -> None:
    add_deadline(deps, "2026-08-10")
    subscribe(deps, JUNE_1, kinds=["deadline"], lead_days=[2, 1, 0], delivery_days="every_day")
    fired = sweep_days(deps, slack_emulator, date(2026, 8, 5), date(2026, 8, 11))
    assert sorted(fired.values()) == [
        local(deps, date(2026, 8, 8)),
        local(deps, date(2026, 8, 9)),
        local(deps, date(2026, 8, 10)),
    ]


def test_an_overdue_alert_never_comes_before_the_window_opened(
    deps: Deps, slack_emulator: SlackEmulator
) -> None:
    # Planned release Sun Sep 6: the window opens Fri Aug 7, so overdue is due Sat Aug 8.
    create_record(
        deps.store.db,
        "model",
        {"developer_id": "meta", "name": "Llama 5", "planned_release": "2026-09-06", "source": "x"},
        actor=ADMIN_ID,
        at=JUNE_1,
    )
    subscribe(deps, JUNE_1, kinds=["overdue"])
    fired = sweep_days(deps, slack_emulator, date(2026, 8, 6), date(2026, 8, 11))
    assert list(fired.values()) == [local(deps, date(2026, 8, 10))]  # the Monday after


@pytest.mark.parametrize(
    ("delivery_days", "released"),
    [
        # Every day: the quiet hours alone, until Saturday 08:00.
        ("every_day", datetime(2026, 7, 25, 8, 0)),
        # Business days (the default): the weekend is quiet too, until Monday's delivery time.
        ("business", datetime(2026, 7, 27, 9, 0)),
    ],
)
def test_quiet_hours_hold_a_status_alert_until_they_end_and_send_it_once(
    deps: Deps, slack_emulator: SlackEmulator, delivery_days: str, released: datetime
) -> None:
    subscribe(deps, JUNE_1, kinds=["status"], quiet_hours=("18:00", "08:00"), delivery_days=delivery_days)
    evening = local(deps, date(2026, 7, 24), 20, 0)  # Friday evening
    update_record(
        deps.store.db, "developer", "meta", {"status": "signed"}, actor=ADMIN_ID, at=evening, source="x"
    )
    held = sweep(deps, slack_emulator, evening + timedelta(minutes=5))
    assert held.sent == [] and len(held.held) == 1
    [key] = held.held
    assert ledger(deps)[key]["status"] == STATUS_HELD
    release = released.replace(tzinfo=deps.settings.tz)
    assert sweep(deps, slack_emulator, release - timedelta(minutes=5)).sent == []
    if delivery_days == "business":  # Saturday 08:00 and Sunday noon: still quiet
        assert sweep(deps, slack_emulator, local(deps, date(2026, 7, 25), 8, 0)).sent == []
        assert sweep(deps, slack_emulator, local(deps, date(2026, 7, 26), 12, 0)).sent == []
    assert CHANNEL not in slack_emulator.messages

    opened = sweep(deps, slack_emulator, release)
    assert opened.sent == [key]
    assert sweep(deps, slack_emulator, release + timedelta(minutes=5)).sent == []
    assert alert_keys(slack_emulator) == [key]
    assert ledger(deps)[key]["status"] == STATUS_SENT
    assert "Status changed: Meta" in slack_emulator.messages[CHANNEL][0]["text"]


def test_outside_quiet_hours_status_alerts_go_at_once(deps: Deps, slack_emulator: SlackEmulator) -> None:
    subscribe(deps, JUNE_1, kinds=["status"], quiet_hours=("18:00", "08:00"))
    noon = local(deps, date(2026, 7, 24), 12, 0)
    update_record(
        deps.store.db, "developer", "meta", {"status": "signed"}, actor=ADMIN_ID, at=noon, source="x"
    )
    assert len(sweep(deps, slack_emulator, noon + timedelta(minutes=1)).sent) == 1


def test_the_holiday_calendar_is_computed_in_process_when_no_child_can_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bot import business_days

    monkeypatch.setattr(business_days.sys, "executable", "/nonexistent/python")
    computed = business_days._compute([2031])
    assert computed[date(2031, 9, 1)] == "Labor Day"
    assert date(2031, 11, 27) in computed  # Thanksgiving
