"""Delivering alerts: Slack (chat.postMessage) and Teams (Workflows webhooks).

Each sender turns one alert into one post and reports an `Outcome`: sent, failed
(transient: the sweep retries later with backoff) or permanent (recorded, shown to
admins, never retried). Within one call, slack_sdk's retry handlers retry 429 (honouring
Retry-After), 500/503 and connection errors; the Teams sender does the same with httpx.

A weekly briefing for Slack carries its timeline picture: the sender uploads it (a file of
the app's own, shared nowhere) after looking for an earlier post and before posting, then
posts the one message with an image block showing the file. Uploading again on a retry is
harmless; posting is what happens once. Slack finishes a new file asynchronously, so a post
it refuses as `invalid_blocks` is tried again after a short wait, and finally without the
picture (a line says it is unavailable), as when the upload itself fails.

Pacing: Slack takes about one message per second per channel and Teams webhooks about
four requests per second, so each sender waits between posts to one target;
`deliver` runs different targets in parallel threads. Senders never touch the database:
outcomes come back to the caller's thread, which writes the ledger.
"""

from __future__ import annotations

import logging
import queue
import random
import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.jitter import Jitter
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from bot.alerts.alert import Alert
from bot.alerts.blocks import UPDATE_EVENT_TYPE, alert_message, alert_metadata, metadata_key
from bot.alerts.briefing import KIND_BRIEFING, picture_to_upload, with_uploaded_picture
from bot.alerts.cards import alert_card
from bot.replies import Reply
from bot.settings import Settings

if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)

OUTCOME_SENT = "sent"
OUTCOME_FAILED = "failed"
OUTCOME_PERMANENT = "permanent"
OUTCOME_DEFERRED = "deferred"  # not attempted: the app is shutting down
OUTCOME_LOST = "lost"  # not attempted: another sweep holds the claim now

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
USER_AGENT = "ReviewWatch/0.1 (+alerts)"

Sleep = Callable[[float], None]


@dataclass(frozen=True)
class Outcome:
    status: str  # sent | failed | permanent | deferred | lost
    error: str | None = None
    channel: str | None = None
    ts: str | None = None
    already_posted: bool = False  # a retry found the earlier post instead of posting again
    retry_after: float | None = None


@dataclass(frozen=True)
class Thread:
    """Where a Slack alert goes when it follows an earlier one (bot/alerts/threads.py)."""

    ts: str  # the first alert's message
    broadcast: bool = False  # also shown in the channel (reply_broadcast)


class Sender(Protocol):
    target_type: str

    # `thread=` is passed only for a reply in a thread (Slack).
    def send(self, alert: Alert, now: datetime, *, check_existing: bool) -> Outcome: ...


class Pacer:
    """At most one request per `interval` seconds per key (a channel, a webhook)."""

    def __init__(self, interval: float, sleep: Sleep, monotonic: Callable[[], float]) -> None:
        self.interval = interval
        self._sleep = sleep
        self._monotonic = monotonic
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, key: str) -> None:
        if self.interval <= 0:
            return
        with self._lock:
            last = self._last.get(key)
            now = self._monotonic()
            start = now if last is None else max(now, last + self.interval)
            self._last[key] = start  # reserve the slot before sleeping
        if start > now:
            self._sleep(start - now)

    def done(self, key: str) -> None:
        """The request for `key` was answered: the next one waits a full interval from now.

        Spacing from the answer, not only from the start, keeps the gap the server sees at
        least `interval` even when a request travels slower than the one before it.
        """
        if self.interval <= 0:
            return
        with self._lock:
            self._last[key] = max(self._last.get(key, 0.0), self._monotonic())


# ---------------------------------------------------------------- Slack


class _SmallJitter(Jitter):
    """Up to 10% on top of the backoff (slack_sdk's default adds up to a whole second)."""

    def recalculate(self, duration: float) -> float:
        return duration * (1 + random.random() * 0.1)


class RetryAfterHandler(RateLimitErrorRetryHandler):
    """slack_sdk's 429 handler, waiting exactly Retry-After through an injectable sleep.

    A Retry-After longer than `max_wait` is not waited out here: the 429 reaches the
    sweep, which records a transient failure and retries on a later run.
    """

    def __init__(self, max_retry_count: int = 3, sleep: Sleep = time.sleep, max_wait: float = 60) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self._sleep = sleep
        self.max_wait = max_wait

    @staticmethod
    def retry_after(response: HttpResponse | None) -> float | None:
        if response is None:
            return None
        for name, values in response.headers.items():
            if name.lower() == "retry-after":
                value = values[0] if isinstance(values, list) else values
                try:
                    return float(value)
                except (TypeError, ValueError):
                    return None
        return None

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is None or response.status_code != 429:
            return False
        wait = self.retry_after(response)
        return wait is None or wait <= self.max_wait

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        wait = self.retry_after(response)
        self._sleep(1.0 if wait is None else wait)
        state.next_attempt_requested = True
        state.increment_current_attempt()


class ConnectFailureRetryHandler(ConnectionErrorRetryHandler):
    """slack_sdk's connection-error handler, limited to failures before the request left:
    a refused connection or a name that did not resolve. A connection dropped later may
    hide a post Slack kept, so that case goes to SlackSender, which looks before reposting."""

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        reason = getattr(error, "reason", None)
        return isinstance(error, URLError) and isinstance(reason, (ConnectionRefusedError, socket.gaierror))


def slack_retry_handlers(
    *, sleep: Sleep = time.sleep, backoff: float = 0.5, max_retries: int = 3, max_wait: float = 60
) -> list[RetryHandler]:
    """Retries that can never post twice: a 429 (nothing was posted) and a connection that
    never opened. 5xx answers and dropped connections are retried by SlackSender.send."""
    interval = BackoffRetryIntervalCalculator(backoff_factor=backoff, jitter=_SmallJitter())
    return [
        RetryAfterHandler(max_retry_count=max_retries, sleep=sleep, max_wait=max_wait),
        ConnectFailureRetryHandler(max_retry_count=max_retries, interval_calculator=interval),
    ]


def slack_delivery_client(
    settings: Settings,
    *,
    sleep: Sleep = time.sleep,
    backoff: float = 0.5,
    max_retries: int = 3,
    timeout: int = 15,
) -> WebClient:
    """A WebClient for alerts: honours SLACK_API_URL; retries only what cannot double-post."""
    return WebClient(
        token=settings.slack_bot_token,
        base_url=settings.slack_api_url,
        timeout=timeout,
        retry_handlers=slack_retry_handlers(sleep=sleep, backoff=backoff, max_retries=max_retries),
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

    def reply_once(self, channel: str, thread_ts: str, key: str, message: Reply) -> Outcome:
        """Post `message` in a thread unless a reply carrying `key` is already there."""
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
                thread_ts=thread_ts,
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


# ---------------------------------------------------------------- Teams


class TeamsSender:
    """Posts alert cards to Teams Workflows webhooks named in REVIEWWATCH_TEAMS_WEBHOOKS.

    429 and 5xx (and network errors) are retried with backoff, honouring Retry-After; any
    other 4xx is permanent. Teams offers no way to read a channel back, so unlike Slack a
    retry after a crash mid-post cannot check for an earlier post.
    """

    target_type = "teams"

    def __init__(
        self,
        webhooks: dict[str, str],
        settings: Settings,
        *,
        client: httpx.Client | None = None,
        min_interval: float = 0.25,
        max_retries: int = 3,
        backoff: float = 0.5,
        max_wait: float = 60,
        sleep: Sleep = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.webhooks = dict(webhooks)
        self.settings = settings
        # Imported here: httpx costs ~2 MiB resident, and only a Teams sender needs it.
        import httpx

        self._own_client = client is None
        self.client = client or httpx.Client(
            timeout=httpx.Timeout(15.0, connect=5.0),
            headers={"User-Agent": USER_AGENT},
        )
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_wait = max_wait
        self._sleep = sleep
        self._pacer = Pacer(min_interval, sleep, monotonic)

    def close(self) -> None:
        if self._own_client:
            self.client.close()

    def send(
        self, alert: Alert, now: datetime, *, check_existing: bool, thread: Thread | None = None
    ) -> Outcome:
        return self.post(alert.target, alert_card(alert, now, self.settings))

    def post(self, target: str, envelope: dict[str, Any]) -> Outcome:
        """Post one card envelope to the webhook named `target`, retrying what is safe."""
        url = self.webhooks.get(target)
        if url is None:
            return Outcome(OUTCOME_PERMANENT, f"Teams webhook {target!r} is not configured")
        import httpx  # loaded already: self.client is an httpx.Client

        error = "no attempt"
        retry_after: float | None = None
        for attempt in range(self.max_retries + 1):
            self._pacer.wait(target)
            wait = self.backoff * (2**attempt)
            try:
                response = self.client.post(url, json=envelope)
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                error = f"connection error: {type(exc).__name__}"  # never sent: safe to retry
            except httpx.TransportError as exc:
                # The card may have been posted (Teams cannot be read back): a later sweep
                # retries, rather than this loop posting again at once.
                return Outcome(OUTCOME_FAILED, f"connection error: {type(exc).__name__}")
            else:
                status = response.status_code
                if 200 <= status < 300:
                    return Outcome(OUTCOME_SENT, channel=target)
                error = f"HTTP {status}: {response.text[:200]}".strip()
                if status != 429 and status != 408 and status < 500:
                    return Outcome(OUTCOME_PERMANENT, error)
                header = response.headers.get("Retry-After")
                if header and header.strip().isdigit():
                    retry_after = float(header)
                    wait = retry_after
            if attempt == self.max_retries or wait > self.max_wait:
                break
            self._sleep(wait)
        return Outcome(OUTCOME_FAILED, error, retry_after=retry_after)


# ---------------------------------------------------------------- parallel delivery


@dataclass(frozen=True)
class Job:
    alert: Alert
    check_existing: bool = False  # a retry: look for an earlier post before posting
    thread: Thread | None = None  # a reply under an earlier alert (Slack)


def deliver(
    jobs: list[Job],
    senders: dict[str, Sender],
    now: datetime,
    *,
    max_workers: int = 8,
    stop: threading.Event | None = None,
    may_post: Callable[[Job], bool] | None = None,
    tick: float | None = None,
) -> Iterator[tuple[Job, Outcome] | None]:
    """Deliver `jobs`, one thread per target (in order within a target), yielding outcomes
    on the caller's thread as they come. Once `stop` is set, jobs not yet started come
    back deferred, untried, so shutdown waits for at most one delivery per target. A job
    `may_post` refuses comes back lost, untried. With `tick`, None is yielded after each
    `tick` seconds without an outcome (the caller's chance to write what it holds)."""
    groups: dict[tuple[str, str], list[Job]] = {}
    for job in jobs:
        groups.setdefault((job.alert.target_type, job.alert.target), []).append(job)
    if not groups:
        return
    results: queue.SimpleQueue[tuple[Job | None, Outcome | BaseException]] = queue.SimpleQueue()

    def run(group: list[Job]) -> None:
        try:
            for job in group:
                sender = senders.get(job.alert.target_type)
                if stop is not None and stop.is_set():
                    outcome = Outcome(OUTCOME_DEFERRED, "deferred: the app was shutting down")
                elif sender is None:
                    outcome = Outcome(OUTCOME_FAILED, f"no sender for {job.alert.target_type}")
                elif may_post is not None and not may_post(job):
                    outcome = Outcome(OUTCOME_LOST, "another sweep holds the claim")
                else:
                    try:
                        in_thread = {"thread": job.thread} if job.thread is not None else {}
                        outcome = sender.send(job.alert, now, check_existing=job.check_existing, **in_thread)
                    except Exception as exc:  # a bug must not stop other alerts
                        log.exception("delivering %s failed", job.alert.key)
                        outcome = Outcome(OUTCOME_FAILED, f"{type(exc).__name__}: {exc}")
                results.put((job, outcome))
        except BaseException as exc:  # noqa: B036 - handed to the caller's thread
            results.put((None, exc))

    pending = len(jobs)
    with ThreadPoolExecutor(
        max_workers=min(max_workers, len(groups)), thread_name_prefix="alert-delivery"
    ) as pool:
        for group in groups.values():
            pool.submit(run, group)
        while pending:
            try:
                done, outcome = results.get(timeout=tick)
            except queue.Empty:
                yield None
                continue
            if done is None:
                assert isinstance(outcome, BaseException)
                raise outcome
            assert isinstance(outcome, Outcome)
            pending -= 1
            yield done, outcome


def build_senders(settings: Settings, *, slack_client: WebClient | None = None) -> dict[str, Sender]:
    """The production senders: Slack when a bot token is set, Teams when webhooks are named."""
    senders: dict[str, Sender] = {}
    if settings.slack_bot_token or slack_client is not None:
        senders["slack"] = SlackSender(slack_client or slack_delivery_client(settings), settings)
    if settings.teams_webhooks:
        senders["teams"] = TeamsSender(settings.teams_webhooks, settings)
    return senders


def close_senders(senders: dict[str, Sender]) -> None:
    for sender in senders.values():
        close = getattr(sender, "close", None)
        if close is not None:
            close()
