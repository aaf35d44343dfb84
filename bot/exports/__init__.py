"""Exports: the iCalendar feed and CSV tables (`files`), the timeline picture (`timeline`),
and `/aireview export` and `/aireview timeline` (`commands`).

Only `commands` and `choices` load with the app: `files` and `timeline` load on first use
(a command, the App Home, the briefing), through the entry points `commands` gives here."""

from bot.exports.commands import (
    EXPORT_SUBCOMMAND,
    TIMELINE_SUBCOMMAND,
    TIMELINE_USAGE,
    empty_range_line,
    export_choice,
    home_timeline_version,
    timeline_days,
    timeline_file,
    timeline_file_fitted,
    timeline_home_section,
    timeline_pictures,
)

__all__ = [
    "empty_range_line",
    "home_timeline_version",
    "EXPORT_SUBCOMMAND",
    "TIMELINE_SUBCOMMAND",
    "TIMELINE_USAGE",
    "export_choice",
    "timeline_file",
    "timeline_file_fitted",
    "timeline_home_section",
    "timeline_days",
    "timeline_pictures",
]
