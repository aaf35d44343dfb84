"""Already told: a date alert that would repeat what its target heard is recorded as skipped.

Two cases, checked after the plan (both planners) against the ledger, for the date alerts a
sweep is about to send:

- **Told today.** The target got a date alert about the same subject earlier today (team
  timezone): after downtime, the start-up sweep's catch-up says "Deadline tomorrow" at
  08:55, and the 1-day alert due at 09:00 would say it again. One date alert per subject,
  target and day.
- **Told by the update.** The subject's date moved after this alert's time (an alert for
  the new date that was due before the move: "in 14 days" for a deadline moved to 13 days
  away), and the target already had alerts about the subject: the update in place
  (bot/alerts/updates.py) edits them and adds one thread reply (Teams: one card), which
  is the notice. A target that never heard of the subject gets the catch-up alert.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time

from sqlite_utils import Database

from bot.alerts.alert import (
    DATE_KINDS,
    KIND_BRIEFING,
    KIND_DIGEST,
    SKIP_DIGEST_CATCH_UP,
    SKIP_SUPERSEDED,
    SKIP_TOLD_BY_UPDATE,
    SKIP_TOLD_TODAY,
    Alert,
)
from bot.domain import today_in
from bot.settings import Settings
from storage import sweep_reads
from storage.timestamps import utc_iso


def already_told(db: Database, alerts: Iterable[Alert], now: datetime, settings: Settings) -> dict[str, str]:
    """Key -> skip reason for the date alerts among `alerts` their target was already told."""
    dated = [a for a in alerts if a.kind in DATE_KINDS]
    if not dated:
        return {}
    today_start = datetime.combine(today_in(settings.tz, now), time(0), tzinfo=settings.tz)
    today, moved, ever = _heard(db, dated, now, today_start)
    told: dict[str, str] = {}
    before_move: dict[tuple[datetime, str], bool] = {}  # (due time, date changed at) -> due before
    for alert in dated:
        where = (alert.subject_type, alert.subject_id, alert.target_type, alert.target)
        if where in today:
            told[alert.key] = SKIP_TOLD_TODAY
            continue
        changed = moved.get((alert.subject_type, alert.subject_id))
        if changed is None or where not in ever:
            continue
        pair = (alert.due_at, changed)
        earlier = before_move.get(pair)
        if earlier is None:
            earlier = before_move[pair] = alert.due_at < datetime.fromisoformat(changed)
        if earlier:
            told[alert.key] = SKIP_TOLD_BY_UPDATE
    return told


def _heard(
    db: Database, dated: list[Alert], now: datetime, today_start: datetime
) -> tuple[set[tuple[str, str, str, str]], dict[tuple[str, str], str], set[tuple[str, str, str, str]]]:
    """What the ledger says about `dated`'s targets, read only where it can matter:

    - the (subject, target) pairs with an alert sent since today began (told today; `sent_at`
      holds UTC ISO text, which compares as the times do), not a year of alerts (about 250,000
      rows at 100,000 models);
    - for the subjects of alerts whose time has passed (a catch-up), when their date last
      moved, and, for those that moved, the pairs that ever had an alert (told by the update).

    A sweep whose alerts are all on time (a workspace's next run) reads the ledger once."""
    subjects = {(a.subject_type, a.subject_id) for a in dated}
    since = utc_iso(today_start)
    today = set(sweep_reads.last_sent_about(db, subjects, DATE_KINDS, since=since))
    late: dict[datetime, bool] = {}  # due time -> before now, compared once per distinct time
    overdue: set[tuple[str, str]] = set()
    for alert in dated:
        due = alert.due_at
        due_late = late.get(due)
        if due_late is None:
            due_late = late[due] = due < now
        if due_late:
            overdue.add((alert.subject_type, alert.subject_id))
    moved = sweep_reads.dates_changed_at(db, overdue) if overdue else {}
    ever = set(sweep_reads.last_sent_about(db, moved.keys(), DATE_KINDS)) if moved else set()
    return today, moved, ever


def summaries_caught_up(send: list[Alert], retried: list[Alert]) -> dict[str, str]:
    """Digests and briefings held over quiet time (a weekend) are released at the delivery time,
    just as the next one falls due: the newer one is sent, carrying a held digest's items (as
    digest catch-up merges them), and the held ones are recorded as skipped. Key -> reason."""
    if not retried:  # nothing held over: nothing to release
        return {}
    newest: dict[tuple[str, str, str], Alert] = {}
    for alert in send:
        if alert.kind in (KIND_DIGEST, KIND_BRIEFING):
            where = (alert.kind, alert.target_type, alert.target)
            if where not in newest or alert.due_at > newest[where].due_at:
                newest[where] = alert
    reasons: dict[str, str] = {}
    for held in sorted(retried, key=lambda a: a.due_at):
        fresh = newest.get((held.kind, held.target_type, held.target))
        if fresh is None or held.due_at >= fresh.due_at:
            continue
        if held.kind == KIND_DIGEST:
            fresh.facts["items"] = [*held.facts.get("items", []), *fresh.facts.get("items", [])]
            reasons[held.key] = SKIP_DIGEST_CATCH_UP
        else:
            reasons[held.key] = SKIP_SUPERSEDED
    return reasons
