"""`/aireview export ics|csv [table]` and `/aireview timeline [days]`: the calendar, the
tracker tables or the timeline picture as a file the listener uploads to the conversation
(handlers/exports.py).

The command table loads with the app; the calendar and CSV code (`files`) and the picture
(`timeline`) load when a command first asks for them."""

from __future__ import annotations

from typing import Any

from bot.deps import Deps
from bot.exports.choices import (
    CSV_TABLES,
    CSV_VIEWS,
    DEFAULT_DAYS,
    FORMAT_CSV,
    FORMAT_ICS,
    MAX_DAYS,
    PAST_DAYS,
)
from bot.read import answers
from bot.replies import (
    ANY_ARGUMENTS,
    SURFACE_CONSOLE,
    SURFACE_SLACK,
    CommandRequest,
    FileUpload,
    Reply,
    Subcommand,
)

SUBCOMMAND_EXPORT = "export"
USAGE = "export ics|csv [table]"


def _usage_reply(problem: str) -> Reply:
    return Reply(
        text=(
            f"{problem} Try `/aireview export ics` for the calendar, `/aireview export csv` for a "
            f"zip of the tracker tables, or `/aireview export csv models` for one table "
            f"({', '.join(CSV_TABLES)}), or `/aireview export csv compare` for labs side by side."
        )
    )


def export_choice(text: str) -> tuple[str, str | None] | Reply:
    """The export asked for, as (format, table or None for all), or the usage reply."""
    words = text.lower().split()
    if not words:
        return _usage_reply("Which export?")
    fmt, rest = words[0], words[1:]
    if fmt == FORMAT_ICS and not rest:
        return fmt, None
    if fmt == FORMAT_CSV and len(rest) <= 1:
        table = rest[0] if rest else None
        if table is not None and table not in (*CSV_TABLES, *CSV_VIEWS):
            return _usage_reply(f"There is no table called `{table}`.")
        return fmt, table
    return _usage_reply(f"I don't know the export `{text.strip()}`.")


def run_export(deps: Deps, request: CommandRequest) -> Reply | None:
    from bot.exports.files import calendar_export, csv_export

    choice = export_choice(request.text)
    if isinstance(choice, Reply):
        return choice
    fmt, table = choice
    export = calendar_export(deps) if fmt == FORMAT_ICS else csv_export(deps, table)
    if request.surface != SURFACE_SLACK or not request.channel_id:
        return Reply(
            text="Exports are uploaded to a Slack conversation; from a shell run "
            "`python app.py export ics|csv [PATH]`."
        )
    return Reply(text="", upload=export)


EXPORT_SUBCOMMAND = Subcommand(
    name=SUBCOMMAND_EXPORT,
    usage=USAGE,
    summary=(
        "upload the dates as a calendar file (ics), or the tracker as CSV: a zip of all its "
        f"tables, or one of {', '.join(CSV_TABLES)}"
    ),
    example="/aireview export ics",
    run=run_export,
    surfaces=(SURFACE_SLACK,),
    slow=(ANY_ARGUMENTS,),  # building the file and the three-step upload
)


SUBCOMMAND_TIMELINE = "timeline"
TIMELINE_USAGE = (
    f"Usage: `/aireview timeline [days]`: a picture of the next N days (default "
    f"{DEFAULT_DAYS}, from 1 to {MAX_DAYS}) and the last {PAST_DAYS}, "
    "e.g. `/aireview timeline 30`."
)


def timeline_days(text: str) -> int | None:
    """The days `timeline [days]` asks for (the default when none), None when not 1 to MAX_DAYS."""
    try:
        days = answers.parse_days(text) if text.strip() else DEFAULT_DAYS
    except answers.BadDays:
        return None
    return days if 1 <= days <= MAX_DAYS else None


def run_timeline(deps: Deps, request: CommandRequest) -> Reply:
    from bot.exports import timeline

    days = timeline_days(request.text)
    if days is None:
        return Reply(text=TIMELINE_USAGE)
    if request.surface != SURFACE_SLACK or not request.channel_id:
        return Reply(
            text="The timeline is a picture uploaded to a Slack conversation; from a shell run "
            "`python app.py export timeline PATH.png [--days N]`."
        )
    picture = timeline.timeline_file(deps, days)
    if picture is None:
        return Reply(text=timeline.NO_DATED_FACTS)  # the range widens to any dated fact
    return Reply(text="", upload=picture)


TIMELINE_SUBCOMMAND = Subcommand(
    name=SUBCOMMAND_TIMELINE,
    usage="timeline [days]",
    summary=(
        "upload a picture of deadlines, review windows and releases per developer for the next N "
        f"days (default {DEFAULT_DAYS}) and the last {PAST_DAYS}"
    ),
    example="/aireview timeline 30",
    run=run_timeline,
    surfaces=(SURFACE_SLACK, SURFACE_CONSOLE),
    slow=(ANY_ARGUMENTS,),  # drawing the picture and the upload
)


# ---------------------------------------------------------------- the picture, for other features
# The briefing and the App Home use the picture through these; each loads the picture code
# on its first call, so an app whose users never ask for a picture never loads it.


def timeline_home_section(deps: Deps, user_id: str, admin: bool) -> list[dict[str, Any]]:
    from bot.exports import home_timeline

    return home_timeline.timeline_home_section(deps, user_id, admin)


def timeline_file(deps: Deps, days: int = DEFAULT_DAYS) -> FileUpload | None:
    from bot.exports import timeline

    return timeline.timeline_file(deps, days)


def timeline_file_fitted(deps: Deps, fit: int, days: int = DEFAULT_DAYS) -> tuple[FileUpload, bytes] | None:
    from bot.exports import timeline

    return timeline.timeline_file_fitted(deps, fit, days)


def timeline_pictures(deps: Deps, fit: int, days: int = DEFAULT_DAYS) -> tuple[FileUpload, bytes] | None:
    from bot.exports import timeline

    return timeline.timeline_pictures(deps, fit, days)


def home_timeline_version(deps: Deps) -> str:
    from bot.exports import home_timeline

    return home_timeline.home_timeline_version(deps)


def empty_range_line(deps: Deps, days: int) -> str:
    from bot.exports import timeline

    return timeline.empty_range_line(deps, days)
