"""The SlackEmulator itself: its parts put together, started and stopped, and each request
the server receives answered under the one lock (failures queued with fail() first, then the
token, then the Web API method of that name)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.servers import shut_down_now
from tests.support.slack_emulator.api_auth import AuthMethods
from tests.support.slack_emulator.api_chat import ChatMethods
from tests.support.slack_emulator.api_directory import DirectoryMethods
from tests.support.slack_emulator.api_files import FileMethods
from tests.support.slack_emulator.api_views import ViewMethods
from tests.support.slack_emulator.recording import Recording
from tests.support.slack_emulator.server import Handler, Server
from tests.support.slack_emulator.socket_mode import SocketMode
from tests.support.slack_emulator.wire import (
    AUTH_FREE_METHODS,
    SOCKET_PATH,
    UNSTARTED_SOCKET_URL,
    Call,
    Reply,
    error,
    ok,
)


class SlackEmulator(
    Recording, SocketMode, AuthMethods, ChatMethods, ViewMethods, DirectoryMethods, FileMethods
):
    """Plays the Slack Web API on 127.0.0.1; see tests/support/slack_emulator/__init__.py."""

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> SlackEmulator:
        if self._server is not None:
            return self
        server = Server(("127.0.0.1", 0), Handler)
        server.emulator = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        if self.socket_url == UNSTARTED_SOCKET_URL:
            self.socket_url = f"ws://127.0.0.1:{server.server_address[1]}{SOCKET_PATH}"
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        with self._lock:
            sockets = list(self._sockets)
        for connection in sockets:
            connection.close()
        shut_down_now(self._server)
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> SlackEmulator:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- request handling (called from server threads) ----------------------------------------

    def _handle_api(self, method: str, args: dict[str, Any], headers: dict[str, str]) -> Reply:
        with self._lock:
            call = Call(method, args, headers)
            self.calls.append(call)
            reply = self._answer(call)
            call.failed = reply.status != 200 or not reply.body.get("ok")
            self._socket_changed.notify_all()  # wakes wait_for_call
            return reply

    def _answer(self, call: Call) -> Reply:
        failure = self._take_failure(call.method, call.args)
        if failure is not None:
            if failure.after_applying:
                handler = getattr(self, "_api_" + call.method.replace(".", "_"))
                handler(call.args, call.token)
            headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after else {}
            return Reply(failure.status, error(failure.error or "internal_error"), headers)
        if call.method not in AUTH_FREE_METHODS:
            if not call.token:
                return Reply(200, error("not_authed"))
            if call.token in self.invalid_tokens:
                return Reply(200, error("invalid_auth"))
        handler = getattr(self, "_api_" + call.method.replace(".", "_"), None)
        if handler is None:
            return Reply(200, error("unknown_method"))
        result = handler(call.args, call.token)
        return result if isinstance(result, Reply) else Reply(200, result)

    def _handle_upload(self, file_id: str, data: bytes) -> Reply:
        with self._lock:
            if file_id not in self._pending_files:
                return Reply(404, error("file_not_found"))
            self.uploads[file_id] = data
            return Reply(200, ok(size=len(data)))

    def _handle_response(self, name: str, body: dict[str, Any]) -> Reply:
        with self._socket_changed:
            self.responses.append((name, body))
            self._socket_changed.notify_all()
        return Reply(200, ok())


@pytest.fixture
def slack_emulator() -> Iterator[SlackEmulator]:
    """A started SlackEmulator, stopped after the test."""
    with SlackEmulator() as emulator:
        yield emulator
