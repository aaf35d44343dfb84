"""Posting alert cards to Teams Workflows webhooks (with httpx), reported as an `Outcome`.

Posts to one webhook are paced (bot/alerts/sending.py); the sender never touches the
database.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.alerts.alert import Alert
from bot.alerts.cards import alert_card
from bot.alerts.sending import OUTCOME_FAILED, OUTCOME_PERMANENT, OUTCOME_SENT, Outcome, Pacer, Sleep, Thread
from bot.settings import Settings

if TYPE_CHECKING:
    import httpx

USER_AGENT = "ReviewWatch/0.1 (+alerts)"


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
