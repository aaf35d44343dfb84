"""`/aireview export ics|csv [table]`: upload the calendar or the tracker tables to the
conversation, the way slack_sdk's files_upload_v2 does (files.getUploadURLExternal, the
upload, files.completeUploadExternal)."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError, SlackClientError

from bot.deps import Deps
from bot.exports.files import CSV_TABLES, FORMAT_CSV, FORMAT_ICS, ExportFile, calendar_export, csv_export
from bot.replies import SURFACE_SLACK, CommandRequest, Reply, Subcommand

SUBCOMMAND_EXPORT = "export"
USAGE = "export ics|csv [table]"

# Slack errors that mean "the bot cannot post in this conversation".
_NOT_HERE = frozenset({"not_in_channel", "channel_not_found", "is_archived", "restricted_action"})


def _usage_reply(problem: str) -> Reply:
    return Reply(
        text=(
            f"{problem} Try `/aireview export ics` for the calendar, `/aireview export csv` for a "
            f"zip of the tracker tables, or `/aireview export csv models` for one table "
            f"({', '.join(CSV_TABLES)})."
        )
    )


def _upload(request: CommandRequest, export: ExportFile) -> Reply | None:
    try:
        request.slack_client.files_upload_v2(
            channel=request.channel_id,
            content=export.content,
            filename=export.filename,
            title=export.title,
            initial_comment=export.comment,
        )
    except SlackApiError as exc:
        error = exc.response.get("error") if exc.response is not None else None
        if error in _NOT_HERE:
            return Reply(
                text=(
                    f"I can't post files in this conversation ({error}). Invite me with "
                    "`/invite @Review Watch`, or run the export in a direct message with me."
                )
            )
        return Reply(text=f"The upload to Slack failed ({error or 'unknown error'}). Please try again.")
    except SlackClientError as exc:  # network trouble or the upload URL refusing the bytes
        return Reply(text=f"The upload to Slack failed ({type(exc).__name__}). Please try again.")
    return None  # the file, with its comment, is the answer


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
    if request.slack_client is None or not request.channel_id:
        return Reply(
            text="Exports are uploaded to a Slack conversation; from a shell run "
            "`python app.py export ics|csv [PATH]`."
        )
    return _upload(request, export)


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


def register_export_command(deps: Deps) -> None:
    # build_app may run more than once over one Deps (tests, restarts): add once.
    if deps.subcommands.get(SUBCOMMAND_EXPORT) is None:
        deps.subcommands.add(EXPORT_SUBCOMMAND)
