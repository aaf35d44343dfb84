"""The command model shared by Slack, the console and Teams.

A command is a plain function `run(deps, request) -> Reply | None`. It never calls Slack:
a Reply says what to show, and may ask the listener to open a modal (`modal`) or to
upload a file to the conversation (`upload`); handlers/ makes those calls. `/aireview`
subcommands live in a registry built once by bot.catalog, so `help`, the console and
Teams all list the same set.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.directory import Directory

SURFACE_SLACK = "slack"
SURFACE_CONSOLE = "console"
SURFACE_TEAMS = "teams"
ALL_SURFACES = (SURFACE_SLACK, SURFACE_CONSOLE, SURFACE_TEAMS)


@dataclass(frozen=True)
class FileUpload:
    """A file a command wants shared in the conversation it was asked in."""

    content: bytes
    filename: str
    title: str
    comment: str


@dataclass
class Reply:
    """An answer: Block Kit blocks plus the plain-text fallback every message carries."""

    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)
    in_channel: bool = False  # post for everyone instead of only the asker
    modal: dict[str, Any] | None = None  # a view to open with the request's trigger_id
    upload: FileUpload | None = None  # a file to upload to the request's conversation


@dataclass
class CommandRequest:
    text: str  # the arguments after the command (or subcommand) name
    user_id: str
    surface: str = SURFACE_SLACK
    channel_id: str | None = None
    trigger_id: str | None = None
    directory: Directory | None = None  # the workspace's people and groups (Slack only)

    def with_text(self, text: str) -> CommandRequest:
        return CommandRequest(
            text=text,
            user_id=self.user_id,
            surface=self.surface,
            channel_id=self.channel_id,
            trigger_id=self.trigger_id,
            directory=self.directory,
        )


# The first argument is a bot.deps.Deps; it is not named here because Deps holds the
# command table, so naming it would make the two modules import each other.
CommandRun = Callable[[Any, CommandRequest], "Reply | None"]


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
    def __init__(self, subcommands: tuple[Subcommand, ...] = ()) -> None:
        self._by_name: dict[str, Subcommand] = {}
        for subcommand in subcommands:
            self.add(subcommand)

    def add(self, subcommand: Subcommand) -> None:
        if subcommand.name in self._by_name:
            raise ValueError(f"/aireview {subcommand.name} is registered twice")
        self._by_name[subcommand.name] = subcommand

    def get(self, name: str) -> Subcommand | None:
        return self._by_name.get(name.lower())

    def all(self) -> list[Subcommand]:
        """In registration order, which is the order help lists them."""
        return list(self._by_name.values())

    def for_surface(self, surface: str) -> list[Subcommand]:
        return [s for s in self._by_name.values() if surface in s.surfaces]
