"""The emulator's state, which every part of it reads and writes under one lock: the
configuration a test sets (kept by reset()), what was recorded (forgotten by reset()), the
addresses it serves at, and the timestamps and ids it hands out."""

from __future__ import annotations

import itertools
import threading
from typing import TYPE_CHECKING, Any

from tests.support.slack_emulator.openid import OpenIdProvider
from tests.support.slack_emulator.websocket import WebSocket
from tests.support.slack_emulator.wire import UNSTARTED_SOCKET_URL, Call, Delay, Failure
from tests.support.slack_emulator_oauth import OAuthProvider

if TYPE_CHECKING:
    from tests.support.slack_emulator.server import Server


class EmulatorState:
    """What the SlackEmulator's parts share; see tests/support/slack_emulator/__init__.py."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._server: Server | None = None
        self._thread: threading.Thread | None = None
        # configuration, kept by reset()
        self.usergroups: dict[str, list[str]] = {}
        self.users: dict[str, dict[str, Any]] = {}
        self.invalid_tokens: set[str] = set()
        self.socket_url = UNSTARTED_SOCKET_URL
        self.rate_limit_per_channel: float | None = None
        self._sockets: list[WebSocket] = []  # open Socket Mode connections, oldest first
        self._socket_changed = threading.Condition(self._lock)
        self.openid = OpenIdProvider()  # Sign in with Slack: authorize, openid.connect.token, keys
        self.oauth = OAuthProvider()  # Add to Slack: authorize, oauth.v2.access (slack_emulator_oauth.py)
        # method -> an Event its calls wait for (outside the lock, counted by in_flight) until set
        self.gates: dict[str, threading.Event] = {}
        self.reset()

    @property
    def base_url(self) -> str:
        """E.g. "http://127.0.0.1:PORT" (no trailing slash)."""
        if self._server is None:
            raise RuntimeError("SlackEmulator is not started")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def api_url(self) -> str:
        """Use as ``WebClient(base_url=...)``; ends with a slash as slack_sdk expects."""
        return f"{self.base_url}/api/"

    def response_url(self, name: str = "r1") -> str:
        """A response_url whose JSON posts land in ``self.responses`` as (name, body)."""
        return f"{self.base_url}/response/{name}"

    def reset(self) -> None:
        """Forget recorded state and queued failures; keep configuration and the server."""
        with self._lock:
            self.calls: list[Call] = []
            self.responses: list[tuple[str, dict[str, Any]]] = []
            self.messages: dict[str, list[dict[str, Any]]] = {}  # channel -> oldest first
            self.views: dict[str, dict[str, Any]] = {}
            self.uploads: dict[str, bytes] = {}
            self.completed_uploads: list[dict[str, Any]] = []
            self.files: set[str] = set()  # ids of completed uploads: what an image block may show
            self.opened_dms: list[str] = []
            self._pending_files: dict[str, dict[str, Any]] = {}
            self._failures: list[Failure] = []
            self._delays: list[Delay] = []
            self._in_flight: dict[str, int] = {}
            self.socket_messages: list[dict[str, Any]] = []  # what the app sent over Socket Mode
            self._last_post: dict[str, float] = {}
            self._ts_counter = itertools.count(1)
            self._id_counter = itertools.count(1)

    def _next_ts(self) -> str:
        n = next(self._ts_counter)
        return f"{1700000000 + n // 10000}.{(n % 10000) * 100:06d}"

    def _next_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._id_counter):08d}"
