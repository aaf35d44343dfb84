"""The Socket Mode watchdog: a connection Slack has gone silent on is closed and reopened.

A long-lived WebSocket can go half-dead (a proxy or NAT forgets it, Slack's end goes away
without a close): the socket stays open and nothing arrives, so the app is deaf while it
looks connected. Slack answers the client's pings, so a live connection is never silent for
long. The watchdog watches the last contact (any message, the hello included, and any pong;
`Runtime.contact`) and, once it is older than REVIEWWATCH_SOCKET_SILENCE_LIMIT, asks Slack
for a new connection (apps.connections.open) and closes the old one, logging once with how
long it was silent. If the new connection also stays silent it tries again after another
limit; `/healthz` is 503 meanwhile.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime
from typing import Any

from bot.deps import Deps

log = logging.getLogger("reviewwatch.socket_mode")


def ping_interval(limit: float) -> float:
    """How often the client pings Slack: three pongs per silence limit. slack_sdk's own stale
    check (four ping intervals) then comes after ours."""
    return max(limit / 3, 0.2)


class SocketWatchdog:
    """Watches one slack_sdk SocketModeClient (see the module docstring)."""

    def __init__(self, client: Any, deps: Deps, *, check_every: float | None = None) -> None:
        self.client = client
        self.deps = deps
        self.limit = float(deps.settings.socket_silence_limit)
        self.check_every = check_every or min(max(self.limit / 8, 0.05), 5.0)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_attempt: datetime | None = None
        client.on_message_listeners.append(self._heard)
        deps.runtime.contact_probe = self._last_pong

    def _heard(self, message: str) -> None:
        self.deps.runtime.last_contact = self.deps.clock.now()

    def _last_pong(self) -> datetime | None:
        session = getattr(self.client, "current_session", None)
        sent = getattr(session, "last_ping_pong_time", None)  # when the answered ping was sent
        return datetime.fromtimestamp(sent, UTC) if sent else None

    def start(self) -> SocketWatchdog:
        if self.deps.runtime.last_contact is None:
            self.deps.runtime.last_contact = self.deps.clock.now()  # connected just now
        self._thread = threading.Thread(target=self._run, name="socket-watchdog", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(self.check_every):
            try:
                self.check()
            except Exception:  # the watchdog must outlive a failed reconnect
                log.exception("Socket Mode watchdog: reconnecting failed")

    def check(self) -> bool:
        """Reopen the connection if Slack has been silent too long; True if it did."""
        now = self.deps.clock.now()
        last = self.deps.runtime.contact() or now
        if self._last_attempt is not None and self._last_attempt > last:
            last = self._last_attempt  # count the silence since our own last attempt
        silence = (now - last).total_seconds()
        if silence <= self.limit or self._stop.is_set():
            return False
        log.warning(
            "Socket Mode: nothing from Slack for %.0f s (limit %.0f s): closing the connection "
            "and opening a new one",
            silence,
            self.limit,
        )
        self._last_attempt = now
        self.deps.runtime.reconnects += 1
        self.client.connect_to_new_endpoint(force=True)
        return True
