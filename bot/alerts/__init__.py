"""Alerts: what is due (`plan`), the sweep that claims, delivers and records it (`sweep`),
delivery to Slack and Teams (`delivery`), the schedule (`scheduler`), the alert's Block Kit
(`blocks`) and Teams card (`cards`), and /aireview alerts|subscribe|unsubscribe (`commands`)."""

from bot.alerts.commands import ALERT_SUBCOMMANDS, alert_problems_home_section

__all__ = ["ALERT_SUBCOMMANDS", "alert_problems_home_section"]
