"""Alerts: what an alert is and its key (`alert`), what is due by the plain rules (`rules`,
`digests`, `catchup`, the reference planner `reference`) and by the sweep's fast planner
(`fastplan`, with `cursors`), the sweep that claims, delivers and records it (`sweep`, with
`sweep_plan`, `claims`, `sweep_result`, `dry_run`), delivery to Slack and Teams (`delivery`),
the schedule (`scheduler`), the alert's Block Kit (`blocks`) and Teams card (`cards`),
/aireview alerts|subscribe|unsubscribe (`commands`), the weekly briefing with /aireview
briefing (`briefing`), and personal follows (`follows`)."""

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
