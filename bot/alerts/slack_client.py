"""The Slack Web API client alerts are posted with, and its retry policy.

Within one call, slack_sdk's retry handlers retry what can never post twice: a 429
(honouring Retry-After, through an injectable sleep) and a connection that never opened.
5xx answers and dropped connections may hide a post Slack kept, so SlackSender
(bot/alerts/slack_sender.py) retries those itself, looking for the earlier post first.
"""

from __future__ import annotations

import random
import socket
import time
from urllib.error import URLError

from slack_sdk import WebClient
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

from bot.alerts.sending import Sleep
from bot.settings import Settings


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
