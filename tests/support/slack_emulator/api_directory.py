"""Web API methods about people and conversations: usergroups.users.list, users.info,
conversations.history, conversations.open and conversations.replies."""

from __future__ import annotations

import copy

from tests.support.slack_emulator.state import EmulatorState
from tests.support.slack_emulator.wire import TEAM_ID, Json, error, ok, truthy, ts_value


class DirectoryMethods(EmulatorState):
    """usergroups.users.list, users.info, conversations.history / open / replies."""

    def _api_usergroups_users_list(self, args: Json, token: str | None) -> Json:
        users = self.usergroups.get(args.get("usergroup", ""))
        return error("no_such_subteam") if users is None else ok(users=list(users))

    def _api_users_info(self, args: Json, token: str | None) -> Json:
        user_id = args.get("user", "")
        if user_id not in self.users and not user_id.startswith(("U", "W")):
            return error("user_not_found")
        name, real_name = user_id.lower(), f"User {user_id}"
        profile = {"real_name": real_name, "display_name": name, "email": f"{name}@example.com"}
        user = dict(
            id=user_id,
            team_id=TEAM_ID,
            name=name,
            real_name=real_name,
            deleted=False,
            tz="America/New_York",
            tz_offset=-14400,
            is_admin=False,
            is_bot=False,
            profile=profile,
        )
        user.update(copy.deepcopy(self.users.get(user_id, {})))
        return ok(user=user)

    def _api_conversations_history(self, args: Json, token: str | None) -> Json:
        oldest = ts_value(args.get("oldest"), "0")
        latest = ts_value(args.get("latest"), "9999999999")
        inclusive = truthy(args.get("inclusive"))
        selected = [
            m
            for m in reversed(self.messages.get(args.get("channel", ""), []))
            # replies stay in their thread, unless also sent to the channel
            if (m.get("thread_ts", m["ts"]) == m["ts"] or m.get("reply_broadcast"))
            and (
                oldest <= ts_value(m["ts"], "0") <= latest
                if inclusive
                else oldest < ts_value(m["ts"], "0") < latest
            )
        ]
        return ok(**_messages_page(args, selected), pin_count=0)

    def _api_conversations_open(self, args: Json, token: str | None) -> Json:
        users = str(args.get("users") or "")
        if not users or "," in users:
            return error("invalid_arguments")
        self.opened_dms.append(users)
        # A DM is kept under the person's id here (as chat.postMessage with channel=USER does).
        return ok(channel={"id": users, "is_im": True})

    def _api_conversations_replies(self, args: Json, token: str | None) -> Json:
        channel, ts = args.get("channel", ""), args.get("ts")
        if not ts:
            return error("invalid_arguments")
        thread = [m for m in self.messages.get(channel, []) if m["ts"] == ts or m.get("thread_ts") == ts]
        if not thread:
            return error("thread_not_found")
        return ok(**_messages_page(args, thread))  # oldest first, the parent first


def _messages_page(args: Json, messages: list[Json]) -> Json:
    """One page of `messages` as Slack's history and replies give it: from the `cursor`, up to
    `limit`, metadata only with `include_all_metadata`, and the next cursor while more remain."""
    start = int(args.get("cursor") or 0)
    limit = int(args.get("limit") or 100)
    page = copy.deepcopy(messages[start : start + limit])
    if not truthy(args.get("include_all_metadata")):
        for message in page:
            message.pop("metadata", None)
    has_more = start + limit < len(messages)
    return {
        "messages": page,
        "has_more": has_more,
        "response_metadata": {"next_cursor": str(start + limit) if has_more else ""},
    }
