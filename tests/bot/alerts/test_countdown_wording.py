"""Countdown wording for every weekend- and holiday-shifted case (issue 26, item 8): a
business-day subscription gets an alert due on a Saturday, Sunday or federal holiday on
the business day before, and its words must fit the day it arrives: the calendar countdown
from that day, business days only where they mean something (never "0 business days"), and
the day the date falls on named. Real sweeps on the emulator, day by day."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta

from bot.alerts.blocks import metadata_key
from bot.business_days import business_days_until, holiday_name, is_business_day
from bot.deps import Deps
from bot.domain import countdown
from storage.tracker import create_record
from tests.conftest import ADMIN_ID
from tests.support.alerts import CHANNEL, subscribe, sweep
from tests.support.slack_emulator import SlackEmulator

JUNE_1 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
DUE_DAYS = [
    date(2026, 7, 3),  # Friday: Independence Day observed
    date(2026, 7, 4),  # Saturday: Independence Day
    date(2026, 8, 1),  # Saturday
    date(2026, 8, 2),  # Sunday
    date(2026, 8, 3),  # Monday, an ordinary business day
    date(2026, 9, 7),  # Monday: Labor Day
    date(2026, 11, 26),  # Thursday: Thanksgiving
]
LEADS = [0, 1, 2, 3, 7]


def test_every_shifted_countdown_is_worded_for_the_day_it_arrives(
    deps: Deps, slack_emulator: SlackEmulator
) -> None:
    for n, due in enumerate(DUE_DAYS):
        create_record(
            deps.store.db,
            "deadline",
            {"title": f"Test deadline {n}", "due_date": due.isoformat()},
            actor=ADMIN_ID,
            at=JUNE_1,
        )
    subscribe(deps, JUNE_1, kinds=["deadline"], lead_days=LEADS, threads=False)
    days = sorted({due - timedelta(days=k) for due in DUE_DAYS for k in range(10)})
    received: list[tuple[date, dict[str, object]]] = []
    for day in days:
        before = len(slack_emulator.messages.get(CHANNEL, []))
        sweep(deps, slack_emulator, datetime.combine(day, time(9, 0), tzinfo=deps.settings.tz))
        received += [(day, m) for m in slack_emulator.messages.get(CHANNEL, [])[before:]]

    shifted = 0
    for sent_on, message in received:
        key = metadata_key(message) or ""
        _, subject, due_text, lead, _ = key.split("|")
        if not subject.startswith("deadline:"):
            continue
        due, lead_days = date.fromisoformat(due_text), int(lead)
        words = json.dumps(message["blocks"])
        left = (due - sent_on).days
        assert is_business_day(sent_on), (key, sent_on)
        assert f"Deadline {countdown(left)}:" in message["text"], (key, message["text"])
        assert "0 business days" not in words, (key, words)
        if not is_business_day(due):
            what = holiday_name(due) or due.strftime("%A")
            assert f"it falls on {'a ' if not holiday_name(due) else ''}{what}" in words, (key, words)
            if business_days_until(sent_on, due) == 0:
                assert "today is the last business day before it" in words, (key, words)
            if left != lead_days:
                shifted += 1
    assert shifted >= 6  # weekend and holiday dates, moved to the business day before
    assert any("falls on Independence Day" in json.dumps(m["blocks"]) for _, m in received)
