"""Exports: the iCalendar feed and CSV tables (`files`), the timeline picture (`timeline`),
and `/aireview export` and `/aireview timeline` (`commands`)."""

from bot.exports.commands import EXPORT_SUBCOMMAND, TIMELINE_SUBCOMMAND
from bot.exports.timeline import (
    current_timeline_file,
    remember_home_timeline,
    stale_home_timeline,
    timeline_file,
    timeline_home_section,
)

__all__ = [
    "current_timeline_file",
    "EXPORT_SUBCOMMAND",
    "TIMELINE_SUBCOMMAND",
    "remember_home_timeline",
    "stale_home_timeline",
    "timeline_file",
    "timeline_home_section",
]
