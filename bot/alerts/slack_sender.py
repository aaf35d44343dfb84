"""Posting alerts to Slack (chat.postMessage): one alert, one post, reported as an `Outcome`.

Every post carries the alert's key in its metadata, so a retry after a 5xx or a dropped
connection first looks in the channel (or thread) for a post Slack kept, and never posts
twice. Posts to one channel are paced (bot/alerts/sending.py); the client's own retries
are in bot/alerts/slack_client.py.

A weekly briefing for Slack carries its timeline picture: the sender uploads it (a file of
the app's own, shared nowhere) after looking for an earlier post and before posting, then
posts the one message with an image block showing the file. Uploading again on a retry is
harmless; posting is what happens once. Slack finishes a new file asynchronously, so a post
it refuses as `invalid_blocks` is tried again after a short wait, and finally without the
picture (a line says it is unavailable), as when the upload itself fails.

The sender never touches the database: outcomes go back to the caller, which writes the ledger.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.alerts.alert import Alert
from bot.alerts.blocks import UPDATE_EVENT_TYPE, alert_message, alert_metadata, metadata_key
from bot.alerts.briefing import KIND_BRIEFING, picture_to_upload, with_uploaded_picture
from bot.alerts.sending import (
    OUTCOME_FAILED,
    OUTCOME_PERMANENT,
    OUTCOME_SENT,
    Outcome,
    Pacer,
    Sleep,
    Thread,
)
from bot.replies import Reply
from bot.settings import Settings

log = logging.getLogger(__name__)

# Slack errors worth retrying; every other error (channel_not_found, not_in_channel,
# is_archived, invalid_auth, ...) is permanent: retrying cannot fix it.
SLACK_TRANSIENT_ERRORS = frozenset(
    {
        "ratelimited",
        "internal_error",
        "fatal_error",
        "service_unavailable",
        "request_timeout",
    }
)


def _slack_failure(exc: Exception) -> Outcome:
    if isinstance(exc, SlackApiError):
        status = getattr(exc.response, "status_code", 200)
        error = exc.response.get("error") if hasattr(exc.response, "get") else None
        text = f"{error or 'error'} (HTTP {status})" if status != 200 else str(error)
        if status == 429 or status >= 500 or error in SLACK_TRANSIENT_ERRORS:
            retry_after = None
            headers = getattr(exc.response, "headers", {}) or {}
            for name, value in headers.items():
                if name.lower() == "retry-after":
                    try:
                        retry_after = float(value[0] if isinstance(value, list) else value)
                    except ValueError:
                        pass
            return Outcome(OUTCOME_FAILED, text, retry_after=retry_after)
        return Outcome(OUTCOME_PERMANENT, text)
    return Outcome(OUTCOME_FAILED, f"connection error: {exc}")


class SlackSender:
    """Posts alerts to Slack channels with blocks, a text fallback and the key in metadata."""

    target_type = "slack"

    def __init__(
        self,
        client: WebClient,
        settings: Settings,
        *,
        min_interval: float = 1.0,
        sleep: Sleep = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
        history_pages: int = 3,
        post_attempts: int = 3,
        backoff: float = 0.5,
        picture_waits: tuple[float, ...] = (1.0, 3.0),
    ) -> None:
        self.client = client
        self.settings = settings
        self.history_pages = history_pages
        self.post_attempts = post_attempts
        self.backoff = backoff
        self.picture_waits = picture_waits  # before posting again while Slack readies a new file
        self._sleep = sleep
        self._pacer = Pacer(min_interval, sleep, monotonic)
        self._dms: dict[str, str] = {}  # user id -> the app's direct message with them

    def conversation(self, target: str) -> str:
        """Where to post: a channel as is; a person (personal follows, bot/alerts/follows.py)
        in their direct message with the app, opened once (conversations.open, im:write)."""
        if not target.startswith(("U", "W")):
            return target
        channel = self._dms.get(target)
        if channel is None:
            response = self.client.conversations_open(users=target)
            channel = self._dms[target] = str(response["channel"]["id"])
        return channel

    def find_posted(self, channel: str, key: str, thread_ts: str | None = None) -> dict[str, Any] | None:
        """The channel's (or the thread's) recent message carrying `key` in its metadata, if any.

        Scans the newest pages of history: a crashed delivery is retried within minutes,
        so its post, if it happened, is among the channel's latest messages.
        """
        cursor = None
        for _ in range(self.history_pages):
            if thread_ts:
                response = self.client.conversations_replies(
                    channel=channel, ts=thread_ts, include_all_metadata=True, limit=200, cursor=cursor
                )
            else:
                response = self.client.conversations_history(
                    channel=channel,
                    include_all_metadata=True,
                    limit=200,
                    cursor=cursor,
                )
            for message in response.get("messages") or []:
                if metadata_key(message) == key:
                    return dict(message)
            cursor = (response.get("response_metadata") or {}).get("next_cursor")
            if not response.get("has_more") or not cursor:
                return None
        return None

    def send(
        self, alert: Alert, now: datetime, *, check_existing: bool, thread: Thread | None = None
    ) -> Outcome:
        """Post once. After a 5xx or a dropped connection Slack may have kept the post, so
        each further attempt first looks for it in the channel (by the key in metadata)."""
        uploaded: dict[str, str | None] = {}  # a briefing's picture: uploaded once per send
        outcome = self._send_once(alert, now, check_existing=check_existing, thread=thread, uploaded=uploaded)
        for attempt in range(1, self.post_attempts):
            if outcome.status != OUTCOME_FAILED or outcome.retry_after is not None:
                break  # sent, permanent, or rate-limited beyond what the client waits out
            self._sleep(self.backoff * 2 ** (attempt - 1))
            outcome = self._send_once(alert, now, check_existing=True, thread=thread, uploaded=uploaded)
        return outcome

    def upload_picture(self, alert: Alert, uploaded: dict[str, str | None]) -> Alert:
        """A briefing showing its picture, uploaded now (once per send, kept in `uploaded`), or
        saying the picture is unavailable when there is none in hand or the upload failed."""
        picture = picture_to_upload(alert)
        if picture is None:
            return with_uploaded_picture(alert, None)
        if "file" not in uploaded:
            try:
                # No channel: a file of the app's own, shown only by the message's image block.
                response = self.client.files_upload_v2(
                    content=picture.content,
                    filename=picture.filename,
                    title=picture.title,
                    alt_txt=picture.title,
                )
                uploaded["file"] = str(response["files"][0]["id"])
            except (SlackClientError, URLError, OSError, KeyError, IndexError, TypeError) as exc:
                log.warning("uploading the briefing picture for %s failed: %s", alert.key, exc)
                uploaded["file"] = None
        return with_uploaded_picture(alert, uploaded["file"])

    def _send_once(
        self,
        alert: Alert,
        now: datetime,
        *,
        check_existing: bool,
        thread: Thread | None = None,
        uploaded: dict[str, str | None] | None = None,
    ) -> Outcome:
        try:
            channel = self.conversation(alert.target)
        except SlackApiError as exc:
            return _slack_failure(exc)
        except (URLError, OSError) as exc:
            return _slack_failure(exc)
        if check_existing:
            try:
                if channel.startswith(("U", "W")):  # a person (a reminder): look in the DM with them
                    channel = self.client.conversations_open(users=channel)["channel"]["id"]
                found = self.find_posted(channel, alert.key, thread.ts if thread else None)
            except SlackApiError as exc:
                error = exc.response.get("error")
                if error == "thread_not_found" and thread is not None:
                    # The first alert was deleted: nothing can be under it; post at the top level.
                    thread, found = None, self.find_posted(channel, alert.key)
                elif error != "missing_scope":
                    return _slack_failure(exc)
                else:
                    # Without history access we cannot look; posting risks a repeat, not a miss.
                    log.warning("cannot check %s for an earlier post: missing_scope", channel)
                    found = None
            except (URLError, OSError) as exc:
                return _slack_failure(exc)
            if found is not None:
                return Outcome(OUTCOME_SENT, channel=channel, ts=found.get("ts"), already_posted=True)
        in_thread: dict[str, Any] = {}
        if thread is not None:
            in_thread = {"thread_ts": thread.ts, "reply_broadcast": thread.broadcast}
        if alert.kind != KIND_BRIEFING:
            return self._post(channel, alert.key, alert_message(alert, now, self.settings), in_thread)
        alert = self.upload_picture(alert, {} if uploaded is None else uploaded)
        outcome = self._post(channel, alert.key, alert_message(alert, now, self.settings), in_thread)
        if not alert.facts.get("timeline_file"):
            return outcome
        for wait in self.picture_waits:
            if outcome.error != "invalid_blocks":
                return outcome
            self._sleep(wait)  # refused, so not posted: Slack may still be readying the file
            outcome = self._post(channel, alert.key, alert_message(alert, now, self.settings), in_thread)
        if outcome.error != "invalid_blocks":
            return outcome
        log.warning("Slack refused the briefing picture for %s; posting it without", alert.key)
        alert = with_uploaded_picture(alert, None)
        return self._post(channel, alert.key, alert_message(alert, now, self.settings), in_thread)

    def _post(self, channel: str, key: str, message: Reply, in_thread: dict[str, Any]) -> Outcome:
        self._pacer.wait(channel)
        try:
            response = self.client.chat_postMessage(
                channel=channel,
                text=message.text,
                blocks=message.blocks,
                metadata=alert_metadata(key),
                unfurl_links=False,
                unfurl_media=False,
                **in_thread,
            )
        except (SlackApiError, URLError, OSError) as exc:
            return _slack_failure(exc)
        finally:
            self._pacer.done(channel)
        return Outcome(OUTCOME_SENT, channel=response.get("channel") or channel, ts=response.get("ts"))

    def edit(self, channel: str, ts: str, message: Reply, key: str) -> Outcome:
        """Replace a posted alert's text and blocks (chat.update; doing it twice is harmless)."""
        self._pacer.wait(channel)
        try:
            self.client.chat_update(
                channel=channel, ts=ts, text=message.text, blocks=message.blocks, metadata=alert_metadata(key)
            )
        except (SlackApiError, URLError, OSError) as exc:
            return _slack_failure(exc)
        finally:
            self._pacer.done(channel)
        return Outcome(OUTCOME_SENT, channel=channel, ts=ts)

    def reply_once(self, channel: str, thread_ts: str | None, key: str, message: Reply) -> Outcome:
        """Post `message` in a thread (None: in the channel) unless a message carrying `key` is
        already there."""
        try:
            found = self.find_posted(channel, key, thread_ts)
        except (SlackApiError, URLError, OSError) as exc:
            return _slack_failure(exc)
        if found is not None:
            return Outcome(OUTCOME_SENT, channel=channel, ts=found.get("ts"), already_posted=True)
        self._pacer.wait(channel)
        try:
            response = self.client.chat_postMessage(
                channel=channel,
                thread_ts=thread_ts or None,
                text=message.text,
                blocks=message.blocks,
                metadata=alert_metadata(key, UPDATE_EVENT_TYPE),
                unfurl_links=False,
                unfurl_media=False,
            )
        except (SlackApiError, URLError, OSError) as exc:
            return _slack_failure(exc)
        finally:
            self._pacer.done(channel)
        return Outcome(OUTCOME_SENT, channel=channel, ts=response.get("ts"))
