"""The command model shared by Slack, the console and Teams.

A command is a plain function `run(deps, request) -> Reply | None` (None when it answered
some other way, e.g. by opening a modal). `/aireview` subcommands live in a registry, so a
feature adds its subcommand from its own module (`deps.subcommands.add(...)`) and `help`
lists it without anyone editing a central list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.deps import Deps

SURFACE_SLACK = "slack"
SURFACE_CONSOLE = "console"
SURFACE_TEAMS = "teams"


@dataclass
class Reply:
    """An answer: Block Kit blocks plus the plain-text fallback every message carries."""

    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)
    in_channel: bool = False  # post for everyone instead of only the asker


@dataclass
class CommandRequest:
    text: str  # the arguments after the command (or subcommand) name
    user_id: str
    surface: str = SURFACE_SLACK
    channel_id: str | None = None
    trigger_id: str | None = None
    slack_client: Any = None  # slack_sdk WebClient on the Slack surface, else None
    respond: Callable[..., Any] | None = None  # Bolt's respond on the Slack surface


CommandRun = Callable[["Deps", CommandRequest], "Reply | None"]


@dataclass(frozen=True)
class Subcommand:
    name: str  # first word after /aireview
    usage: str  # "status <developer>"
    summary: str  # one line for help
    example: str  # "/aireview status meta"
    run: CommandRun
    admin_only: bool = False
    surfaces: tuple[str, ...] = (SURFACE_SLACK, SURFACE_CONSOLE)


class SubcommandRegistry:
    def __init__(self) -> None:
        self._by_name: dict[str, Subcommand] = {}

    def add(self, subcommand: Subcommand) -> None:
        if subcommand.name in self._by_name:
            raise ValueError(f"/aireview {subcommand.name} is registered twice")
        self._by_name[subcommand.name] = subcommand

    def get(self, name: str) -> Subcommand | None:
        return self._by_name.get(name.lower())

    def all(self) -> list[Subcommand]:
        """In registration order, which is the order help lists them."""
        return list(self._by_name.values())
