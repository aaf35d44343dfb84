"""The command model shared by Slack, the console and Teams.

A command is a plain function `run(deps, request) -> Reply | None`. It never calls Slack:
a Reply says what to show, and may ask the listener to open a modal (`modal`) or to
upload a file to the conversation (`upload`); handlers/ makes those calls. `/aireview`
subcommands live in a registry built once by bot.catalog, so `help`, the console and
Teams all list the same set.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from bot.directory import Directory

SURFACE_SLACK = "slack"
SURFACE_CONSOLE = "console"
SURFACE_TEAMS = "teams"
ALL_SURFACES = (SURFACE_SLACK, SURFACE_CONSOLE, SURFACE_TEAMS)
# Shown at once for a command that can take more than a second, then replaced by its answer.
WORKING_TEXT = "Working on it..."
# In Subcommand.slow: whatever the arguments, the command is slow.
ANY_ARGUMENTS = "*"


@dataclass(frozen=True)
class FileUpload:
    """A file a command wants shared in the conversation it was asked in."""

    content: bytes
    filename: str
    title: str
    comment: str
    alt_text: str | None = None  # what a picture shows, for people who cannot see it


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
    # Asked in a message (an @mention or a direct message), not a slash command: the answer
    # is a message in the conversation (a thread under the question, or the DM), and there
    # is no trigger_id to open a form with.
    asked_in_message: bool = False
    thread_ts: str | None = None  # the thread a message answer goes in
    team_id: str | None = None  # the Slack workspace asking (slash commands)

    def with_text(self, text: str) -> CommandRequest:
        return replace(self, text=text)


def split_command(text: str) -> tuple[str, str]:
    """`deadlines 30` -> ('deadlines', '30'): the grammar of commands typed without a slash
    command (Teams, @mentions, direct messages). A leading `/` and an `aireview` word are
    tolerated, so `/deadlines 30` and `aireview status meta` work as typed in Slack."""
    name, _, rest = text.strip().partition(" ")
    name = name.lower().lstrip("/")
    if name == "aireview":
        name, _, rest = rest.strip().partition(" ")
        name = name.lower()
    return name, rest.strip()


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
    # First words of the arguments that make it slow (a fetch, a file), or ANY_ARGUMENTS:
    # those answer WORKING_TEXT first, then replace it with the result.
    slow: tuple[str, ...] = ()

    def is_slow(self, args: str) -> bool:
        first = args.split()[0].lower() if args.split() else ""
        return ANY_ARGUMENTS in self.slow or first in self.slow


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
