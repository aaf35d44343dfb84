"""Labs side by side: `/aireview compare`, its App Home section and its CSV rows.

One row per developer: status, since (with the precision it was recorded at), agreement
date, models in review, next submission due (or overdue since), next planned release, open
contested facts and last change; holdouts first. Slack gets a table block (at most 100
rows, so the 98 first developers and an "…and N more" row) with a plain-text fallback for
clients that cannot show tables; Teams renders the same answer as a Table element
(bot/teams/cards.py); `python app.py export csv compare` writes every row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot import domain
from bot.blockkit import Block, clip, context, escape, fallback, fmt_datetime, header, more_line, section
from bot.deps import Deps
from bot.read.answers import holdouts_answer
from bot.replies import ALL_SURFACES, CommandRequest, Reply, Subcommand
from storage.compare import compare_rows

# Slack's table block: at most 100 rows (the header included) of at most 20 cells.
MAX_TABLE_ROWS = 100
TABLE_DEVELOPERS = MAX_TABLE_ROWS - 2  # the header, and the "…and N more" row when needed
HOME_COMPARE = 8
FALLBACK_ROWS = 20
CELL_CHARS = 120
NONE = "—"
COMPARE_HEADINGS = (
    "Developer",
    "Status",
    "Since",
    "Agreement",
    "In review",
    "Next submission due",
    "Next planned release",
    "Contested",
    "Last change",
)
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def precise_date(value: str | None) -> str:
    """A recorded date at the precision it was recorded: '2026', 'May 2026', 'May 14, 2026'."""
    text = (value or "").strip()[:10]
    parts = text.split("-")
    try:
        if len(parts) == 1 and len(text) == 4:
            return str(int(text))
        if len(parts) == 2:
            return f"{_MONTHS[int(parts[1]) - 1]} {int(parts[0])}"
        day = date.fromisoformat(text)
    except (ValueError, IndexError):
        return text or NONE
    return f"{_MONTHS[day.month - 1]} {day.day}, {day.year}"


def _short_day(day: date | None) -> str:
    return f"{_MONTHS[day.month - 1]} {day.day}, {day.year}" if day else NONE


@dataclass(frozen=True)
class CompareEntry:
    id: str
    name: str
    status: str
    status_label: str
    since: str  # at its recorded precision, or "—"
    agreement: str
    in_review: int
    next_due: date | None  # the next review window opening among models not submitted
    due_overdue: bool  # ... and it has passed: overdue since next_due
    next_release: date | None
    contested: int  # open contested facts: the developer, its models, the events about it
    last_change: datetime | None

    @property
    def due_text(self) -> str:
        if self.next_due is None:
            return NONE
        return f"Overdue since {_short_day(self.next_due)}" if self.due_overdue else _short_day(self.next_due)

    def cells(self, tz: ZoneInfo) -> list[str]:
        """The row as text, in COMPARE_HEADINGS order (Slack, Teams and CSV read these)."""
        return [
            self.name,
            self.status_label,
            self.since,
            self.agreement,
            str(self.in_review),
            self.due_text,
            _short_day(self.next_release),
            str(self.contested) if self.contested else NONE,
            fmt_datetime(self.last_change, tz) if self.last_change else NONE,
        ]


@dataclass(frozen=True)
class CompareAnswer:
    entries: list[CompareEntry]  # every developer, holdouts first
    summary: str
    tz: ZoneInfo
    tz_name: str
    as_of: datetime


def compare_answer(deps: Deps) -> CompareAnswer:
    now = deps.clock.now()
    today = domain.today_in(deps.settings.tz, now)
    window = timedelta(days=deps.settings.review_window_days)
    entries = []
    for row in compare_rows(deps.store.db, today.isoformat()):
        first_release = domain.parse_date(row["first_unsubmitted_release"])
        next_due = first_release - window if first_release else None
        entries.append(
            CompareEntry(
                id=row["id"],
                name=row["name"],
                status=row["status"],
                status_label=domain.DEVELOPER_STATUS_LABELS.get(row["status"], str(row["status"])),
                since=precise_date(row["status_since"]),
                agreement=precise_date(row["agreement_date"]),
                in_review=int(row["in_review"] or 0),
                next_due=next_due,
                due_overdue=next_due is not None and next_due < today,
                next_release=domain.parse_date(row["next_release"]),
                contested=int(row["contested_facts"] or 0),
                last_change=datetime.fromisoformat(row["last_change"]) if row["last_change"] else None,
            )
        )
    entries.sort(key=lambda e: (e.status == "signed", e.name.lower()))
    return CompareAnswer(
        entries=entries,
        summary=holdouts_answer(deps).summary,
        tz=deps.settings.tz,
        tz_name=deps.settings.timezone_name,
        as_of=now,
    )


# ---------------------------------------------------------------- Slack


def _cell(text: str) -> dict[str, str]:
    return {"type": "raw_text", "text": clip(text, CELL_CHARS) or NONE}


def table_block(answer: CompareAnswer) -> Block:
    """A table block within Slack's limits: header, up to TABLE_DEVELOPERS rows, "…and N more"."""
    rows = [[_cell(h) for h in COMPARE_HEADINGS]]
    listed = answer.entries[:TABLE_DEVELOPERS]
    rows += [[_cell(c) for c in e.cells(answer.tz)] for e in listed]
    hidden = len(answer.entries) - len(listed)
    if hidden:
        more = [_cell(f"…and {hidden} more")] + [_cell("") for _ in COMPARE_HEADINGS[1:]]
        rows.append(more)
    return {
        "type": "table",
        "column_settings": [{"is_wrapped": True}] + [{"is_wrapped": False}] * (len(COMPARE_HEADINGS) - 1),
        "rows": rows,
    }


def _fallback_line(e: CompareEntry, tz: ZoneInfo) -> str:
    c = e.cells(tz)
    since = f" since {c[2]}" if c[2] != NONE else ""  # no date given: none is made up
    return (
        f"{c[0]}: {c[1]}{since}; agreement {c[3]}; {c[4]} in review; next submission due {c[5]}; "
        f"next release {c[6]}; contested {c[7]}"
    )


def compare_reply(answer: CompareAnswer) -> Reply:
    if not answer.entries:
        return Reply(text="No developers are tracked yet, so there is nothing to compare.")
    lines = [_fallback_line(e, answer.tz) for e in answer.entries[:FALLBACK_ROWS]]
    if len(answer.entries) > FALLBACK_ROWS:
        lines.append(f"…and {len(answer.entries) - FALLBACK_ROWS} more")
    blocks: list[Block] = [
        header("Labs side by side"),
        section(f"*{escape(answer.summary)}*"),
        context(
            escape(
                f"Holdouts first · dates in {answer.tz_name} · as of {fmt_datetime(answer.as_of, answer.tz)}"
                " · every row: `python app.py export csv compare`"
            )
        ),
        table_block(answer),  # Slack shows a table at the end of its message
    ]
    return Reply(text=fallback(answer.summary + "\n" + "\n".join(lines)), blocks=blocks)


def compare_home_section(deps: Deps, user_id: str, admin: bool) -> list[Block]:
    """The App Home's "Labs side by side": a line per developer, holdouts first (views cannot
    hold table blocks)."""
    answer = compare_answer(deps)
    if not answer.entries:
        return []
    lines = []
    for e in answer.entries[:HOME_COMPARE]:
        c = e.cells(answer.tz)
        lines.append(
            f"• *{escape(clip(e.name, 80))}* · {escape(c[1])}"
            + (f" since {escape(c[2])}" if c[2] != NONE else "")
            + f" · {c[4]} in review · "
            f"next due {escape(c[5])} · next release {escape(c[6])}"
            + (f" · :warning: {e.contested} contested" if e.contested else "")
        )
    blocks: list[Block] = [{"type": "divider"}, header("Labs side by side"), section("\n".join(lines))]
    hidden = len(answer.entries) - HOME_COMPARE
    if hidden > 0:
        blocks.append(context(more_line(hidden, escape("See them all with `/aireview compare`."))))
    return blocks


# ---------------------------------------------------------------- CSV


CSV_HEADINGS = (
    "developer",
    "id",
    "status",
    "since",
    "agreement_date",
    "models_in_review",
    "next_submission_due",
    "submission_overdue",
    "next_planned_release",
    "open_contested_facts",
    "last_change",
)


def compare_table(deps: Deps) -> tuple[tuple[str, ...], list[list[Any]]]:
    """(headings, rows) of every developer for `export csv compare`: ISO dates, times in the team
    timezone, the recorded precision of `since` and the agreement kept as recorded."""
    answer = compare_answer(deps)
    rows: list[list[Any]] = []
    for e in answer.entries:
        rows.append(
            [
                e.name,
                e.id,
                e.status,
                "" if e.since == NONE else e.since,
                "" if e.agreement == NONE else e.agreement,
                e.in_review,
                e.next_due.isoformat() if e.next_due else "",
                "yes" if e.due_overdue else "no",
                e.next_release.isoformat() if e.next_release else "",
                e.contested,
                e.last_change.astimezone(answer.tz).strftime("%Y-%m-%d %H:%M") if e.last_change else "",
            ]
        )
    return CSV_HEADINGS, rows


def run_compare(deps: Deps, request: CommandRequest) -> Reply:
    if request.text.strip():
        return Reply(text="Usage: `/aireview compare` (every tracked developer side by side).")
    return compare_reply(compare_answer(deps))


COMPARE_SUBCOMMAND = Subcommand(
    "compare",
    "compare",
    "every developer side by side: status, since, agreement, models in review, next dates, "
    "contested facts, last change",
    "/aireview compare",
    run_compare,
    surfaces=ALL_SURFACES,
)
