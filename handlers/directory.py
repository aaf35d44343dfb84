"""The workspace directory from Slack: user-group members and people's names."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.directory import DirectoryUnavailable


class SlackDirectory:
    """bot.admins.Directory over a slack_sdk WebClient."""

    def __init__(self, client: WebClient) -> None:
        self.client = client

    def group_members(self, group_id: str) -> frozenset[str]:
        try:
            response = self.client.usergroups_users_list(usergroup=group_id)
        except (SlackApiError, SlackClientError, OSError) as exc:  # OSError: Slack unreachable
            raise DirectoryUnavailable(str(exc)) from exc
        return frozenset(response.get("users") or [])

    def user_name(self, user_id: str) -> str | None:
        try:
            user = self.client.users_info(user=user_id)["user"]
        except (SlackApiError, SlackClientError, OSError) as exc:  # OSError: Slack unreachable
            raise DirectoryUnavailable(str(exc)) from exc
        profile = user.get("profile") or {}
        name = profile.get("display_name") or user.get("real_name") or user.get("name")
        return str(name) if name else None
