"""Alerts: what is due (`plan`), the sweep that claims, delivers and records it (`sweep`),
delivery to Slack and Teams (`delivery`), the schedule (`scheduler`), the alert's Block Kit
(`blocks`) and Teams card (`cards`), /aireview alerts|subscribe|unsubscribe (`commands`),
and the weekly briefing with /aireview briefing (`briefing`)."""

from bot.alerts.briefing import BRIEFING_SUBCOMMAND
from bot.alerts.commands import ALERT_SUBCOMMANDS, alert_problems_home_section

__all__ = ["ALERT_SUBCOMMANDS", "BRIEFING_SUBCOMMAND", "alert_problems_home_section"]
