"""What the app offers, assembled from its features: every command (slash commands and
`/aireview` subcommands, in the order help lists them) and every App Home section.

The one command table: Slack (handlers/commands.py), the console (bot/ops/console.py)
and Teams (bot/teams/answers.py) all read it from Deps, each keeping the commands whose
`surfaces` name it.
"""

from __future__ import annotations

from bot.admin import ADMIN_SUBCOMMANDS, no_admin_home_section
from bot.alerts import ALERT_SUBCOMMANDS, BRIEFING_SUBCOMMAND, FOLLOW_SUBCOMMANDS, alert_problems_home_section
from bot.board import BOARD_SUBCOMMAND
from bot.clock import Clock
from bot.deps import Deps, HomeSection
from bot.exports import EXPORT_SUBCOMMAND, TIMELINE_SUBCOMMAND, timeline_home_section
from bot.news import FEEDS_SUBCOMMAND
from bot.read import (
    CHANGES_SUBCOMMAND,
    COMPARE_SUBCOMMAND,
    READ_SUBCOMMANDS,
    SLASH_COMMANDS,
    compare_home_section,
)
from bot.replies import Subcommand, SubcommandRegistry
from bot.settings import Settings
from storage.db import Store

AIREVIEW_SUBCOMMANDS: tuple[Subcommand, ...] = (
    *READ_SUBCOMMANDS,
    COMPARE_SUBCOMMAND,
    CHANGES_SUBCOMMAND,
    EXPORT_SUBCOMMAND,
    TIMELINE_SUBCOMMAND,
    *ADMIN_SUBCOMMANDS,
    FEEDS_SUBCOMMAND,
    *ALERT_SUBCOMMANDS,
    BRIEFING_SUBCOMMAND,
    *FOLLOW_SUBCOMMANDS,
    BOARD_SUBCOMMAND,
)
HOME_SECTIONS: tuple[HomeSection, ...] = (
    timeline_home_section,
    compare_home_section,
    no_admin_home_section,
    alert_problems_home_section,
)


def make_deps(settings: Settings, store: Store, clock: Clock) -> Deps:
    """Deps with the whole command table and every App Home section."""
    return Deps(
        settings=settings,
        store=store,
        clock=clock,
        slash_commands=SLASH_COMMANDS,
        subcommands=SubcommandRegistry(AIREVIEW_SUBCOMMANDS),
        home_sections=HOME_SECTIONS,
    )
