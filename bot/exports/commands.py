"""`/aireview export ics|csv [table]`: the calendar or the tracker tables as a file the
listener uploads to the conversation (handlers/exports.py)."""

from __future__ import annotations

from bot.deps import Deps
from bot.exports.files import CSV_TABLES, FORMAT_CSV, FORMAT_ICS, calendar_export, csv_export
from bot.replies import SURFACE_SLACK, CommandRequest, Reply, Subcommand

SUBCOMMAND_EXPORT = "export"
USAGE = "export ics|csv [table]"


def _usage_reply(problem: str) -> Reply:
    return Reply(
        text=(
            f"{problem} Try `/aireview export ics` for the calendar, `/aireview export csv` for a "
            f"zip of the tracker tables, or `/aireview export csv models` for one table "
            f"({', '.join(CSV_TABLES)})."
        )
    )


def run_export(deps: Deps, request: CommandRequest) -> Reply | None:
    words = request.text.lower().split()
    if not words:
        return _usage_reply("Which export?")
    fmt, rest = words[0], words[1:]
    if fmt == FORMAT_ICS and not rest:
        export = calendar_export(deps)
    elif fmt == FORMAT_CSV and len(rest) <= 1:
        table = rest[0] if rest else None
        if table is not None and table not in CSV_TABLES:
            return _usage_reply(f"There is no table called `{table}`.")
        export = csv_export(deps, table)
    else:
        return _usage_reply(f"I don't know the export `{request.text.strip()}`.")
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
        "upload the dates as a calendar file (ics), or the tracker as CSV: a zip of all four "
        f"tables, or one of {', '.join(CSV_TABLES)}"
    ),
    example="/aireview export ics",
    run=run_export,
    surfaces=(SURFACE_SLACK,),
)
