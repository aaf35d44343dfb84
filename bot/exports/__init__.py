"""Exports: the iCalendar feed and CSV tables (`files`), and `/aireview export` (`commands`)."""

from bot.exports.commands import EXPORT_SUBCOMMAND

__all__ = ["EXPORT_SUBCOMMAND"]
