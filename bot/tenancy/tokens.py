"""Seam 1 of issue 28: where a workspace's bot token comes from (docs/workspaces.md).

bot/install's `InstalledTokens` implements it over the installation store (decrypting, and
refreshing when token rotation is on); the jobs that run per workspace (bot/tenancy/jobs.py)
ask it for each workspace's token before they post.
"""

from __future__ import annotations

from typing import Protocol


class BotTokens(Protocol):
    def bot_token(self, *, team_id: str | None, enterprise_id: str | None) -> str | None:
        """The workspace's bot token, or None when it has none (uninstalled, revoked)."""
        ...
