"""Render at send time: an alert is worded from the tracker as it is when it goes out.

The sweep plans and claims alerts with the facts of that moment; a reminder ("Remind me")
carries the alert it repeats as it was when asked for, and a retry or a held alert as it
was when first claimed. Before delivery, `current` restates each date alert (and the alert
a reminder repeats) from its subject's current row:

- the same date: its title and facts are today's (a note, a source, a contest added since);
- a reminder whose subject's date moved: it states the new date and says so ("Since you
  asked, the due date moved from Fri Jul 24, 2026 to Fri Aug 7, 2026");
- a reminder whose subject ended (removed from the tracker, released, no longer planned, a
  deadline met, missed or extended): it says so instead of counting down to a date that no
  longer stands.

A date alert whose date moved is never sent (the plan drops it: "no longer applies"), so
its key, which names its date, always stays the key the ledger holds.

A date alert the sweep planned a moment ago from rows no write has touched since (the
tracker's generation has not moved) is already worded from them: restating it would give it
back unchanged (tests/bot/alerts/test_fastplan.py checks this on generated trackers), so
`current_all` passes such alerts (`as_planned`) through without reading their rows again.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from bot.alerts.alert import DATE_KINDS, KIND_REMINDER, Alert
from bot.alerts.rules import restated_alert
from bot.alerts.snooze import original_alert
from bot.blockkit import fmt_date
from bot.domain import DEADLINE_OUTCOME_LABELS, parse_date
from bot.settings import Settings
from storage import sweep_reads

FIELD_WORDS = {
    "deadline": "due date",
    "window_opens": "review window opening",
    "overdue": "review window opening",
}


# Rows read ahead for many alerts at once (`current_all`): (subject type, id) -> row or None.
Rows = Mapping[tuple[str, str], dict[str, Any] | None]


def current_row(
    db: Database, subject_type: str, subject_id: str, rows: Rows | None = None
) -> dict[str, Any] | None:
    """A deadline's or a model's row as the sweep reads it (None: removed)."""
    if rows is not None and (subject_type, subject_id) in rows:
        return rows[(subject_type, subject_id)]
    if subject_type == "deadline":
        found = sweep_reads.deadlines_for_sweep(db, [], [subject_id])
    elif subject_type == "model":
        found = sweep_reads.models_for_sweep(db, [], [subject_id])
    else:
        return None
    return found[0] if found else None


def _ended(alert: Alert, row: dict[str, Any] | None, restated: Alert | None) -> str | None:
    """Why the subject of a date alert no longer has the date it counts down to, if so."""
    if row is None:
        return "it was removed from the tracker"
    if alert.subject_type == "deadline" and (row.get("outcome") or "open") != "open":
        label = DEADLINE_OUTCOME_LABELS.get(row["outcome"], row["outcome"])
        extended = parse_date(row.get("extended_to_date"))
        return f"the deadline was marked {label}" + (f" to {fmt_date(extended)}" if extended else "")
    if restated is None:
        return "the model was released" if row.get("released") else "it no longer has that date"
    return None


def _current_date_alert(
    db: Database, alert: Alert, now: datetime, settings: Settings, rows: Rows | None
) -> Alert:
    row = current_row(db, alert.subject_type, alert.subject_id, rows)
    restated = restated_alert(alert, row, now, settings)
    if restated is None or restated.subject_date != alert.subject_date:
        return alert  # not sent: the plan drops a date alert whose date moved or ended
    contests = {"contests": alert.facts["contests"]} if "contests" in alert.facts else {}
    return replace(alert, title=restated.title, facts={**restated.facts, **contests})


def _current_reminder(
    db: Database, reminder: Alert, now: datetime, settings: Settings, rows: Rows | None
) -> Alert:
    original = dict(reminder.facts.get("original") or {})
    kind, subject_type = original.get("kind"), original.get("subject_type", "")
    if kind not in DATE_KINDS:
        return reminder  # a status change, a development, news: what happened stays true
    asked = original_alert(reminder)
    row = current_row(db, subject_type, str(original.get("subject_id", "")), rows)
    restated = restated_alert(asked, row, now, settings)
    facts = dict(reminder.facts)
    ended = _ended(asked, row, restated)
    if ended is not None:
        facts["ended"] = f"Since you asked for this reminder, {ended}."
    elif restated is not None:
        original.update(subject_date=restated.subject_date, title=restated.title, facts=restated.facts)
        facts["original"] = original
        if restated.subject_date != asked.subject_date:
            what = FIELD_WORDS.get(str(kind), "date")
            old, new = fmt_date(asked.day), fmt_date(restated.day)
            facts["moved"] = f"Since you asked for this reminder, the {what} moved from {old} to {new}."
    return replace(reminder, facts=facts)


def current(db: Database, alert: Alert, now: datetime, settings: Settings, rows: Rows | None = None) -> Alert:
    """`alert` worded from the tracker as it is now (see the module docstring)."""
    if alert.kind == KIND_REMINDER:
        return _current_reminder(db, alert, now, settings, rows)
    if alert.kind in DATE_KINDS and alert.subject_type in ("deadline", "model"):
        return _current_date_alert(db, alert, now, settings, rows)
    return alert


def _subject(alert: Alert) -> tuple[str, str]:
    if alert.kind == KIND_REMINDER:
        original = alert.facts.get("original") or {}
        return str(original.get("subject_type", "")), str(original.get("subject_id", ""))
    return alert.subject_type, alert.subject_id


def current_all(
    db: Database,
    alerts: Sequence[Alert],
    now: datetime,
    settings: Settings,
    as_planned: Collection[str] = (),
) -> list[Alert]:
    """`current` of each of `alerts`, their subjects' rows read a chunk at a time beforehand
    (a sweep's thousands of alerts: one query per alert is one round trip each on PostgreSQL).
    `as_planned`: keys of alerts planned at `now` from rows unchanged since, returned as
    they are (a reminder is restated all the same: what it repeats was worded long ago)."""
    keep = [alert.kind != KIND_REMINDER and alert.key in as_planned for alert in alerts]
    restate = [alert for alert, kept in zip(alerts, keep, strict=True) if not kept]
    rows = sweep_reads.subject_rows(db, (_subject(alert) for alert in restate))
    return [
        alert if kept else current(db, alert, now, settings, rows)
        for alert, kept in zip(alerts, keep, strict=True)
    ]
