"""Already told (bot/alerts/told.py): which date alerts a target heard before, told apart by
when it heard. The ledger is read for the last alert of each target only about subjects whose
date moved; elsewhere only for alerts sent since today began, so an alert sent late yesterday
(UTC still the same day as today's start in the team's time zone) must not count as today."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.alerts.alert import KIND_DEADLINE, SKIP_TOLD_BY_UPDATE, SKIP_TOLD_TODAY, Alert
from bot.alerts.told import already_told
from bot.deps import Deps
from storage.timestamps import utc_iso
from storage.tracker import list_deadlines, update_record
from tests.conftest import ADMIN_ID

NOW = datetime(2026, 7, 24, 15, 0, tzinfo=UTC)  # 11:00 in New York; its day began at 04:00 UTC


def date_alert(subject_id: str, day: str, lead: int, channel: str, due_at: datetime) -> Alert:
    return Alert(KIND_DEADLINE, "deadline", subject_id, day, lead, "slack", channel, 1, due_at, "Deadline")


def sent(deps: Deps, alert: Alert, at: datetime) -> None:
    values = Alert.ledger_values_of([alert])[0]
    with deps.store.db.atomic():
        deps.store.db.execute(
            "INSERT INTO alert_ledger (key, kind, subject_type, subject_id, subject_date, lead_days, "
            "target_type, target, subscription_id, due_at, payload, status, attempts, sent_at, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'sent', 1, ?, ?)",
            [*values, utc_iso(at), utc_iso(at)],
        )


def test_told_today_by_update_or_not_at_all(deps: Deps) -> None:
    assert deps.settings.tz.key == "America/New_York"
    first, second = "901", "902"  # subjects of the ledger alone (no tracker row needed here)
    third = str(list_deadlines(deps.store.db)[0]["id"])
    nine = NOW - timedelta(hours=2)  # 09:00 in New York
    # Heard late yesterday (01:00 UTC today: 21:00 yesterday in New York), never moved: not told.
    sent(deps, date_alert(first, "2026-07-31", 14, "C1", nine - timedelta(days=7)), NOW - timedelta(hours=14))
    # Heard at 09:00 today: told today.
    sent(deps, date_alert(second, "2026-07-31", 14, "C1", nine - timedelta(days=7)), nine)
    # Heard on Jul 1, and its date moved at 10:00 today, after the new alert's 09:00: told by the update.
    july_1 = nine - timedelta(days=23)
    sent(deps, date_alert(third, "2026-07-31", 30, "C1", july_1), july_1)
    moved_at = NOW - timedelta(hours=1)
    update_record(deps.store.db, "deadline", third, {"due_date": "2026-08-07"}, actor=ADMIN_ID, at=moved_at)
    alerts = [
        date_alert(first, "2026-07-31", 7, "C1", nine),
        date_alert(second, "2026-07-31", 7, "C1", nine),
        date_alert(third, "2026-08-07", 14, "C1", nine),
        date_alert(third, "2026-08-07", 14, "C2", nine),  # C2 never heard of it: its catch-up alert goes
        date_alert(first, "2026-07-31", 7, "C2", nine),
    ]

    told = already_told(deps.store.db, alerts, NOW, deps.settings)

    assert told == {alerts[1].key: SKIP_TOLD_TODAY, alerts[2].key: SKIP_TOLD_BY_UPDATE}
