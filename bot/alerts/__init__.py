"""Alerts: what is due, delivered once, and kept true.

- What is due: the alert and its one key (`alert`), the plain rules (`rules`: delivery days,
  quiet hours, the one subject filter, date and real-time alerts, reminders), digests and
  the weekly briefing's time (`digests`), catch-up, mutes and holds (`catchup`), the sweep's
  cursors (`cursors`); `reference` plans plainly, `fastplan` is the sweep's fast path, and a
  test holds the two to the same plan on generated trackers.
- The sweep: `sweep` (run, live path), `sweep_plan` (what it reads and plans), `claims` (the
  ledger's claims, leases and outcomes), `sweep_result`, `dry_run` (the plan and its report,
  apart from the live path), `scheduler`, `threads`.
- Delivery: `delivery` (the loop), `sending` (outcomes, pacing), `slack_client` and
  `slack_sender` (the only modules of bot/ that talk to Slack), `teams_sender`.
- What people see: the alert's Block Kit (`blocks`) and Teams card (`cards`), the subscribe
  form (`subscribe_form`), /aireview alerts (`overview`), /aireview alerts|subscribe|
  unsubscribe and the buttons (`commands`), corrections in place (`updates`), snooze and
  mute (`snooze`), the weekly briefing with /aireview briefing (`briefing`), and personal
  follows (`follows`); the Teams bot's conversations: subscribing one
  (`teams_bot_subscriptions`), its weekly briefing (`teams_bot_briefing`), delivering to it
  (`teams_bot_sender`) and correcting in place there (`teams_bot_updates`).
"""

from bot.alerts.briefing import BRIEFING_SUBCOMMAND, briefing_http_response
from bot.alerts.commands import ALERT_SUBCOMMANDS, alert_problems_home_section, teams_alerts_overview
from bot.alerts.follows import FOLLOW_SUBCOMMANDS
from bot.alerts.teams_bot_actions import (
    acknowledge_from_teams,
    mute_from_teams,
    remind_from_teams,
    unmute_actions,
    unmute_from_teams,
)
from bot.alerts.teams_bot_briefing import briefing_now_card, set_conversation_briefing
from bot.alerts.teams_bot_subscriptions import (
    bot_target,
    is_teams_admin,
    subscribe_conversation,
    unsubscribe_conversation,
)

__all__ = [
    "ALERT_SUBCOMMANDS",
    "BRIEFING_SUBCOMMAND",
    "FOLLOW_SUBCOMMANDS",
    "acknowledge_from_teams",
    "alert_problems_home_section",
    "bot_target",
    "briefing_http_response",
    "briefing_now_card",
    "is_teams_admin",
    "mute_from_teams",
    "remind_from_teams",
    "set_conversation_briefing",
    "subscribe_conversation",
    "teams_alerts_overview",
    "unmute_actions",
    "unmute_from_teams",
    "unsubscribe_conversation",
]
