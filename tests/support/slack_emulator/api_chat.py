"""Web API chat methods: chat.postMessage (with a per-channel rate limit when asked),
chat.update and chat.postEphemeral."""

from __future__ import annotations

import copy
import math
import time
from typing import Any

from tests.support.slack_emulator.state import EmulatorState
from tests.support.slack_emulator.wire import BOT_FIELDS, Json, Reply, error, ok, truthy


class ChatMethods(EmulatorState):
    """chat.postMessage, chat.update, chat.postEphemeral."""

    def _api_chat_postMessage(self, args: Json, token: str | None) -> Any:
        channel = args.get("channel")
        if not channel:
            return error("channel_not_found")
        if not (args.get("text") or args.get("blocks") or args.get("attachments")):
            return error("no_text")
        if self.rate_limit_per_channel:
            interval, now = 1.0 / self.rate_limit_per_channel, time.monotonic()
            last = self._last_post.get(channel)
            if last is not None and now - last < interval:
                wait = max(1, math.ceil(interval - (now - last)))
                return Reply(429, error("ratelimited"), {"Retry-After": str(wait)})
            self._last_post[channel] = now
        unknown = self._unknown_slack_files(args.get("blocks"))
        if unknown:
            # As Slack answers for a file it does not know (or has not finished): nothing posted.
            return {**error("invalid_blocks"), "errors": [f"invalid slack file [json-pointer:{unknown}]"]}
        message = {"type": "message", **BOT_FIELDS, "text": args.get("text", "")}
        message["ts"] = self._next_ts()
        for key in ("blocks", "attachments", "metadata", "thread_ts"):
            if args.get(key):
                message[key] = args[key]
        if message.get("thread_ts") and truthy(args.get("reply_broadcast")):
            message["reply_broadcast"] = True
            message["subtype"] = "thread_broadcast"
        self.messages.setdefault(channel, []).append(message)
        return ok(channel=channel, ts=message["ts"], message=copy.deepcopy(message))

    def _unknown_slack_files(self, blocks: Any) -> str | None:
        """The JSON pointer of the first image block showing a file never uploaded here, if any."""
        for n, block in enumerate(blocks if isinstance(blocks, list) else []):
            slack_file = block.get("slack_file") if isinstance(block, dict) else None
            if isinstance(slack_file, dict) and slack_file.get("id") not in self.files:
                return f"/blocks/{n}/slack_file"
        return None

    def _api_chat_update(self, args: Json, token: str | None) -> Json:
        channel, ts = args.get("channel"), args.get("ts")
        if not channel or not ts:
            return error("invalid_arguments")
        # Lenient: a ts from a synthetic payload need not have been posted here.
        stored = next((m for m in self.messages.get(channel, []) if m["ts"] == ts), None)
        message = stored if stored is not None else {"type": "message", "ts": ts}
        for key in ("text", "blocks", "attachments", "metadata"):
            if key in args:
                message[key] = args[key]
        return ok(channel=channel, ts=ts, text=message.get("text", ""), message=copy.deepcopy(message))

    def _api_chat_postEphemeral(self, args: Json, token: str | None) -> Json:
        if not args.get("channel"):
            return error("channel_not_found")
        if not args.get("user"):
            return error("user_not_in_channel")
        return ok(message_ts=self._next_ts())
