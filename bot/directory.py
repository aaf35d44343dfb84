"""The workspace's people and groups, as a surface knows them (Slack: handlers/directory.py)."""

from __future__ import annotations

from typing import Protocol


class DirectoryUnavailable(Exception):
    """The workspace directory (Slack) could not answer."""


class Directory(Protocol):
    """The workspace's people and groups, as the surface knows them."""

    def group_members(self, group_id: str) -> frozenset[str]:
        """Raises DirectoryUnavailable when the lookup fails."""
        ...

    def user_name(self, user_id: str) -> str | None:
        """A person's display name, or None when unknown. Raises DirectoryUnavailable."""
        ...
