"""Socket Mode, as the emulator plays it: the app's open connections to socket_url, the
envelopes a test delivers to the app over them, and the acknowledgements the app sends back."""

from __future__ import annotations

import copy
import json
from typing import Any

from tests.support.app_process import WAIT_DEADLINE
from tests.support.slack_emulator.state import EmulatorState
from tests.support.slack_emulator.websocket import WebSocket


class SocketMode(EmulatorState):
    """Delivering envelopes to the app and waiting for its answers over Socket Mode."""

    def wait_for_socket(self, timeout: float = WAIT_DEADLINE) -> None:
        """Wait until an app holds an open Socket Mode connection (after its hello)."""
        with self._socket_changed:
            if not self._socket_changed.wait_for(lambda: bool(self._sockets), timeout):
                raise AssertionError("no Socket Mode connection was opened")

    def send_envelope(
        self, envelope_type: str, payload: dict[str, Any], *, accepts_response_payload: bool = True
    ) -> str:
        """Deliver one Socket Mode envelope (``slash_commands``, ``interactive``, ``events_api``)
        to the newest connection; returns its envelope_id."""
        envelope_id = f"env-{next(self._id_counter):08d}"
        envelope = {
            "envelope_id": envelope_id,
            "type": envelope_type,
            "payload": payload,
            "accepts_response_payload": accepts_response_payload,
        }
        with self._lock:
            if not self._sockets:
                raise AssertionError("no Socket Mode connection is open")
            connection = self._sockets[-1]
        connection.send_text(json.dumps(envelope))
        return envelope_id

    def wait_for_ack(self, envelope_id: str, timeout: float = WAIT_DEADLINE) -> dict[str, Any]:
        """The app's acknowledgement of one envelope (with its ``payload``, if it sent one)."""

        def find() -> dict[str, Any] | None:
            return next((m for m in self.socket_messages if m.get("envelope_id") == envelope_id), None)

        with self._socket_changed:
            if not self._socket_changed.wait_for(lambda: find() is not None, timeout):
                raise AssertionError(f"no acknowledgement of {envelope_id}: {self.socket_messages}")
            return copy.deepcopy(find())  # type: ignore[arg-type]

    def silence_sockets(self) -> int:
        """Make every open Socket Mode connection go half-dead: it stays open but answers no
        ping and delivers nothing, as a connection a proxy forgot. New connections work.
        Returns how many were silenced."""
        with self._lock:
            sockets = list(self._sockets)
        for connection in sockets:
            connection.silent = True
        return len(sockets)

    def socket_count(self) -> int:
        """Socket Mode connections open now (silent ones included)."""
        with self._lock:
            return len(self._sockets)

    def _socket_opened(self, connection: WebSocket) -> None:
        with self._socket_changed:
            self._sockets.append(connection)
            self._socket_changed.notify_all()

    def _socket_closed(self, connection: WebSocket) -> None:
        with self._socket_changed:
            if connection in self._sockets:
                self._sockets.remove(connection)
            self._socket_changed.notify_all()

    def _socket_received(self, text: str) -> None:
        try:
            message = json.loads(text)
        except ValueError:
            message = {"_raw": text}
        with self._socket_changed:
            self.socket_messages.append(message if isinstance(message, dict) else {"_json": message})
            self._socket_changed.notify_all()
