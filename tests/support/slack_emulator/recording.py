"""The recorded-calls API the tests use: what was called (calls_to, last, wait_for_call),
what was posted to a response_url (wait_for_response), and the failures, delays and gates a
test puts in the way of the next calls (fail, delay, gates, in_flight)."""

from __future__ import annotations

import copy
import threading
import time
from typing import Any

from tests.support.app_process import WAIT_DEADLINE
from tests.support.slack_emulator.state import EmulatorState
from tests.support.slack_emulator.wire import Call, Delay, Failure


class Recording(EmulatorState):
    """Reading what the emulator was asked, and queueing what it answers next."""

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [call for call in self.calls if call.method == method]

    def last(self, method: str) -> Call:
        calls = self.calls_to(method)
        if not calls:
            raise AssertionError(f"no call to {method}; calls: {[c.method for c in self.calls]}")
        return calls[-1]

    def fail(
        self,
        method: str,
        *,
        status: int | None = None,
        error: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
        channel: str | None = None,
        after_applying: bool = False,
    ) -> None:
        """Make the next ``times`` calls to ``method`` (optionally for ``channel``) fail.

        ``status=429`` or ``retry_after`` answers HTTP 429 with Retry-After; a 5xx status
        answers that status; ``error`` alone answers 200 ``{"ok": false, "error": error}``.
        ``after_applying=True`` carries the call out first (a post is kept) and only then
        answers with the failure, as Slack does when a response is lost on the way back.
        """
        if status is None:
            status = 429 if retry_after is not None else 200
        if status == 200 and error is None:
            raise ValueError("fail() needs a non-200 status, retry_after or an error")
        if status == 429 and retry_after is None:
            retry_after = 1
        default_error = {200: "", 429: "ratelimited"}.get(status, "internal_error")
        with self._lock:
            self._failures.append(
                Failure(method, status, error or default_error, retry_after, times, channel, after_applying)
            )

    def delay(self, method: str, seconds: float, *, times: int = 1) -> None:
        """Make the next ``times`` calls to ``method`` wait ``seconds`` before they are answered.

        The wait happens outside the emulator's lock, so other calls are answered meanwhile;
        the call is recorded when it is answered.
        """
        with self._lock:
            self._delays.append(Delay(method, seconds, times))

    def in_flight(self, method: str) -> int:
        """How many calls to ``method`` are being held by ``delay`` right now."""
        with self._lock:
            return self._in_flight.get(method, 0)

    def _take_delay(self, method: str) -> float:
        with self._lock:
            for delay in self._delays:
                if delay.method == method:
                    delay.remaining -= 1
                    if delay.remaining <= 0:
                        self._delays.remove(delay)
                    return delay.seconds
        return 0.0

    def _hold(self, method: str, seconds: float) -> None:
        with self._lock:
            self._in_flight[method] = self._in_flight.get(method, 0) + 1
        try:
            time.sleep(seconds)
        finally:
            with self._lock:
                self._in_flight[method] -= 1

    def _wait_at_gate(self, method: str, gate: threading.Event, timeout: float = 30.0) -> None:
        with self._lock:
            self._in_flight[method] = self._in_flight.get(method, 0) + 1
        try:
            gate.wait(timeout)
        finally:
            with self._lock:
                self._in_flight[method] -= 1

    def wait_for_response(self, name: str, timeout: float = WAIT_DEADLINE) -> dict[str, Any]:
        """The first body posted to ``response_url(name)``, waiting for it to arrive."""

        def find() -> dict[str, Any] | None:
            return next((body for n, body in self.responses if n == name), None)

        with self._socket_changed:
            if not self._socket_changed.wait_for(lambda: find() is not None, timeout):
                raise AssertionError(f"nothing was posted to response_url {name!r}")
            return copy.deepcopy(find())  # type: ignore[arg-type]

    def wait_for_responses(
        self, name: str, count: int, timeout: float = WAIT_DEADLINE
    ) -> list[dict[str, Any]]:
        """The first ``count`` bodies posted to ``response_url(name)`` (e.g. a placeholder and
        the answer replacing it), waiting for them to arrive."""

        def found() -> list[dict[str, Any]]:
            return [body for n, body in self.responses if n == name]

        with self._socket_changed:
            if not self._socket_changed.wait_for(lambda: len(found()) >= count, timeout):
                raise AssertionError(f"{len(found())} of {count} posts to response_url {name!r}: {found()}")
            return copy.deepcopy(found()[:count])

    def wait_for_call(self, method: str, timeout: float = WAIT_DEADLINE) -> Call:
        """The first call to ``method``, waiting for it (listeners answer after their ack)."""
        with self._socket_changed:
            if not self._socket_changed.wait_for(lambda: bool(self.calls_to(method)), timeout):
                raise AssertionError(f"no call to {method}; calls: {[c.method for c in self.calls]}")
            return self.calls_to(method)[0]

    def clear_failures(self) -> None:
        """Forget failures queued with fail() that have not happened yet."""
        with self._lock:
            self._failures.clear()

    def _take_failure(self, method: str, args: dict[str, Any]) -> Failure | None:
        channel = args.get("channel") or args.get("channel_id")
        for failure in self._failures:
            if failure.method == method and failure.channel in (None, channel):
                failure.remaining -= 1
                if failure.remaining <= 0:
                    self._failures.remove(failure)
                return failure
        return None
