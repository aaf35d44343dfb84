"""Who has not signed a review agreement (/holdouts), as plain data: each holdout's status,
since when, its note, sources and open contests."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot import domain
from bot.blockkit import fmt_when
from bot.deps import Deps
from bot.read.answers.sourcing import contest_lines, labels, plural, sources_text
from storage.dates import PartialDate
from storage.facts import Citations, citations_for, fact_sources
from storage.tracker import list_developer_statuses


@dataclass(frozen=True)
class HoldoutEntry:
    id: str
    name: str
    status: str
    status_label: str
    since: PartialDate | None
    days_since: int | None  # only when the day is known
    note: str | None
    source: str | None  # the sources of the status fact
    contested: bool
    as_of: str | None
    contests: tuple[str, ...] = ()  # "Contested: A says X; B says Y", one per open contest

    @property
    def status_line(self) -> str:
        """'Signed · May 2026', 'Negotiating', 'Holdout · Fri Jul 3, 2026 (21 days ago)'."""
        if self.since is None:
            return self.status_label
        line = f"{self.status_label} · since {fmt_when(self.since)}"
        if self.days_since is not None:
            line += " (today)" if self.days_since == 0 else f" ({domain.countdown(-self.days_since)})"
        return line


@dataclass(frozen=True)
class HoldoutsAnswer:
    total: int
    signed: int
    holdouts: list[HoldoutEntry]
    as_of: datetime

    @property
    def summary(self) -> str:
        """One line such as '5 of 6 tracked developers have signed a review agreement; 1 holdout'."""
        if self.total == 0:
            return "No developers are tracked yet, so there are no holdouts to show."
        if not self.holdouts:
            return (
                f"All {plural(self.total, 'tracked developer')} have signed a review agreement; "
                "there are no holdouts."
            )
        return (
            f"{self.signed} of {plural(self.total, 'tracked developer')} "
            f"{'has' if self.signed == 1 else 'have'} signed a review agreement; "
            f"{plural(len(self.holdouts), 'holdout')}"
        )


def holdout_entry(
    dev: domain.Row, today: date, cited: Citations | None = None, contests: list[str] | None = None
) -> HoldoutEntry:
    status_sources = labels(fact_sources(cited or {}, dev["id"], "status"))
    return _entry_of(
        tuple(dev.get(f) for f in ENTRY_FIELDS),
        today,
        sources_text(status_sources) or dev.get("source"),
        tuple(contests or ()),
    )


# The developer's columns an entry is made of. Entries are remembered by everything they are
# made of (those values, today, the status's sources and the open contests), so after a
# tracker change only changed developers are built again: exact by construction, and bounded.
ENTRY_FIELDS = ("id", "name", "status", "status_since", "note", "contested", "as_of")
ENTRY_MEMO = 4096


@functools.lru_cache(maxsize=ENTRY_MEMO)
def _entry_of(
    values: tuple[Any, ...], today: date, source: str | None, contests: tuple[str, ...]
) -> HoldoutEntry:
    dev = dict(zip(ENTRY_FIELDS, values, strict=True))
    since = domain.parse_fact_date(dev["status_since"])
    return HoldoutEntry(
        id=dev["id"],
        name=dev["name"],
        status=dev["status"],
        status_label=domain.DEVELOPER_STATUS_LABELS.get(dev["status"], str(dev["status"])),
        since=since,
        days_since=(today - since.exact).days if since and since.exact else None,
        note=dev["note"],
        source=source,
        contested=bool(dev["contested"]),
        as_of=dev["as_of"],
        contests=contests,
    )


def holdouts_answer(deps: Deps) -> HoldoutsAnswer:
    now = deps.clock.now()
    today = domain.today_in(deps.settings.tz, now)
    developers = list_developer_statuses(deps.store.db)
    unsigned = domain.holdouts(developers)
    ids = [d["id"] for d in unsigned]
    cited = citations_for(deps.store.db, "developer", ids)
    contests = contest_lines(deps, "developer", ids)
    holdouts = [holdout_entry(d, today, cited, contests.get(d["id"])) for d in unsigned]
    return HoldoutsAnswer(
        total=len(developers),
        signed=len(developers) - len(holdouts),
        holdouts=holdouts,
        as_of=now,
    )
