"""Exports: the iCalendar feed and CSV tables (`files`), the timeline picture (`timeline`),
and `/aireview export` and `/aireview timeline` (`commands`)."""

from bot.exports.commands import EXPORT_SUBCOMMAND, TIMELINE_SUBCOMMAND
from bot.exports.timeline import (
    empty_range_line,
    home_timeline_version,
    remember_home_timeline,
    stale_home_timeline,
    timeline_file,
    timeline_home_section,
    timeline_pictures,
)

__all__ = [
    "empty_range_line",
    "home_timeline_version",
    "EXPORT_SUBCOMMAND",
    "TIMELINE_SUBCOMMAND",
    "remember_home_timeline",
    "stale_home_timeline",
    "timeline_file",
    "timeline_home_section",
    "timeline_pictures",
]
