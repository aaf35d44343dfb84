"""Alerts: what is due (`plan`), the sweep that claims, delivers and records it (`sweep`),
delivery to Slack and Teams (`delivery`), the schedule (`scheduler`), the alert's Block Kit
(`blocks`) and Teams card (`cards`), /aireview alerts|subscribe|unsubscribe (`commands`),
the weekly briefing with /aireview briefing (`briefing`), and personal follows (`follows`)."""

from bot.alerts.briefing import BRIEFING_SUBCOMMAND, briefing_http_response
from bot.alerts.commands import ALERT_SUBCOMMANDS, alert_problems_home_section
from bot.alerts.follows import FOLLOW_SUBCOMMANDS

__all__ = [
    "ALERT_SUBCOMMANDS",
    "BRIEFING_SUBCOMMAND",
    "FOLLOW_SUBCOMMANDS",
    "alert_problems_home_section",
    "briefing_http_response",
]
