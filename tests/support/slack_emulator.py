"""A local Slack Web API emulator: a real HTTP server that slack_sdk's WebClient talks to.

    with SlackEmulator() as emu:
        client = WebClient(token="xoxb-test", base_url=emu.api_url)
        client.chat_postMessage(channel="C1", text="hi")
        assert emu.last("chat.postMessage").args["text"] == "hi"

It keeps the state a test needs to assert on (calls, posted messages, views, uploads,
response_url posts) and lets a test inject failures (429, 5xx, ``ok: false``).
Every request is handled under one lock, so the recorded state is consistent across
Bolt's worker threads.

It also plays Sign in with Slack (``emu.openid``, OpenIdProvider): the authorize URL, the
openid.connect.token method and the signing keys (JWKS), with a key made for the emulator.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import itertools
import json
import math
import mimetypes
import secrets
import socket
import struct
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.support.app_process import WAIT_DEADLINE
from tests.support.servers import shut_down_now
from tests.support.slack_emulator_oauth import OAUTH_AUTHORIZE_PATH, OAuthProvider

TEAM_ID = "T0EMULATE"
TEAM_DOMAIN = "review-watch-test"
BOT_USER_ID = "U0BOTUSER"
BOT_ID = "B0BOTID"
APP_ID = "A0APPID"
BOT_FIELDS = {"user": BOT_USER_ID, "bot_id": BOT_ID, "app_id": APP_ID, "team": TEAM_ID}

Json = dict[str, Any]

# Form fields that carry JSON text; slack_sdk encodes these when it sends a form body.
JSON_FIELDS = frozenset({"blocks", "attachments", "view", "metadata", "files", "unfurls", "user_auth_blocks"})
AUTH_FREE_METHODS = frozenset(
    {"api.test", "oauth.access", "oauth.v2.access", "oauth.v2.exchange", "openid.connect.token"}
)
# Placeholder until start(): then apps.connections.open answers the emulator's own endpoint.
UNSTARTED_SOCKET_URL = "ws://127.0.0.1:1/"
SOCKET_PATH = "/socket"
_WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


@dataclass
class Call:
    """One Web API request as the emulator received it (header names are lower-case)."""

    method: str
    args: dict[str, Any]
    headers: dict[str, str]
    failed: bool = False

    @property
    def token(self) -> str | None:
        auth = self.headers.get("authorization", "")
        return auth[len("Bearer ") :] if auth.startswith("Bearer ") else self.args.get("token")


@dataclass
class _Failure:
    method: str
    status: int
    error: str | None
    retry_after: int | None
    remaining: int
    channel: str | None
    after_applying: bool = False


@dataclass
class _Reply:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


def _ok(**fields: Any) -> Json:
    return {"ok": True, **fields}


def _error(error: str) -> Json:
    return {"ok": False, "error": error}


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() in {"1", "true"}


def _ts_value(ts: Any, default: str) -> Decimal:
    try:
        return Decimal(str(ts if ts not in (None, "") else default))
    except InvalidOperation:
        return Decimal(default)


def _decode_json_fields(args: dict[str, Any]) -> Json:
    for key in JSON_FIELDS & args.keys():
        if isinstance(args[key], str):
            try:
                args[key] = json.loads(args[key])
            except ValueError:
                pass  # leave malformed JSON as sent, so a test can see it
    return args


class SlackEmulator:
    """Plays the Slack Web API on 127.0.0.1; see the module docstring."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        # configuration, kept by reset()
        self.usergroups: dict[str, list[str]] = {}
        self.users: dict[str, dict[str, Any]] = {}
        self.invalid_tokens: set[str] = set()
        self.socket_url = UNSTARTED_SOCKET_URL
        self.rate_limit_per_channel: float | None = None
        self._sockets: list[_WebSocket] = []  # open Socket Mode connections, oldest first
        self._socket_changed = threading.Condition(self._lock)
        self.openid = OpenIdProvider()  # Sign in with Slack: authorize, openid.connect.token, keys
        self.oauth = OAuthProvider()  # Add to Slack: authorize, oauth.v2.access (slack_emulator_oauth.py)
        # method -> an Event its calls wait for (outside the lock, counted by in_flight) until set
        self.gates: dict[str, threading.Event] = {}
        self.reset()

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> SlackEmulator:
        if self._server is not None:
            return self
        server = _Server(("127.0.0.1", 0), _Handler)
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

    # -- recorded state ----------------------------------------------------------------------

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
            self._failures: list[_Failure] = []
            self._delays: list[_Delay] = []
            self._in_flight: dict[str, int] = {}
            self.socket_messages: list[dict[str, Any]] = []  # what the app sent over Socket Mode
            self._last_post: dict[str, float] = {}
            self._ts_counter = itertools.count(1)
            self._id_counter = itertools.count(1)

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
                _Failure(method, status, error or default_error, retry_after, times, channel, after_applying)
            )

    def delay(self, method: str, seconds: float, *, times: int = 1) -> None:
        """Make the next ``times`` calls to ``method`` wait ``seconds`` before they are answered.

        The wait happens outside the emulator's lock, so other calls are answered meanwhile;
        the call is recorded when it is answered.
        """
        with self._lock:
            self._delays.append(_Delay(method, seconds, times))

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

    # -- Socket Mode (a WebSocket endpoint at socket_url) ------------------------------------

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

    def clear_failures(self) -> None:
        """Forget failures queued with fail() that have not happened yet."""
        with self._lock:
            self._failures.clear()

    def _socket_opened(self, connection: _WebSocket) -> None:
        with self._socket_changed:
            self._sockets.append(connection)
            self._socket_changed.notify_all()

    def _socket_closed(self, connection: _WebSocket) -> None:
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

    # -- request handling (called from server threads) ----------------------------------------

    def _handle_api(self, method: str, args: dict[str, Any], headers: dict[str, str]) -> _Reply:
        with self._lock:
            call = Call(method, args, headers)
            self.calls.append(call)
            reply = self._answer(call)
            call.failed = reply.status != 200 or not reply.body.get("ok")
            self._socket_changed.notify_all()  # wakes wait_for_call
            return reply

    def _answer(self, call: Call) -> _Reply:
        failure = self._take_failure(call.method, call.args)
        if failure is not None:
            if failure.after_applying:
                handler = getattr(self, "_api_" + call.method.replace(".", "_"))
                handler(call.args, call.token)
            headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after else {}
            return _Reply(failure.status, _error(failure.error or "internal_error"), headers)
        if call.method not in AUTH_FREE_METHODS:
            if not call.token:
                return _Reply(200, _error("not_authed"))
            if call.token in self.invalid_tokens:
                return _Reply(200, _error("invalid_auth"))
        handler = getattr(self, "_api_" + call.method.replace(".", "_"), None)
        if handler is None:
            return _Reply(200, _error("unknown_method"))
        result = handler(call.args, call.token)
        return result if isinstance(result, _Reply) else _Reply(200, result)

    def _take_failure(self, method: str, args: dict[str, Any]) -> _Failure | None:
        channel = args.get("channel") or args.get("channel_id")
        for failure in self._failures:
            if failure.method == method and failure.channel in (None, channel):
                failure.remaining -= 1
                if failure.remaining <= 0:
                    self._failures.remove(failure)
                return failure
        return None

    def _handle_upload(self, file_id: str, data: bytes) -> _Reply:
        with self._lock:
            if file_id not in self._pending_files:
                return _Reply(404, _error("file_not_found"))
            self.uploads[file_id] = data
            return _Reply(200, _ok(size=len(data)))

    def _handle_response(self, name: str, body: dict[str, Any]) -> _Reply:
        with self._socket_changed:
            self.responses.append((name, body))
            self._socket_changed.notify_all()
        return _Reply(200, _ok())

    def _next_ts(self) -> str:
        n = next(self._ts_counter)
        return f"{1700000000 + n // 10000}.{(n % 10000) * 100:06d}"

    def _next_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._id_counter):08d}"

    # -- Web API methods ------------------------------------------------------------------

    def _api_api_test(self, args: Json, token: str | None) -> Json:
        return _ok(args={k: v for k, v in args.items() if k != "token"})

    def _api_auth_test(self, args: Json, token: str | None) -> Json:
        installed = self.oauth.identity(token)  # a token an "Add to Slack" install got
        if installed is not None:
            return installed
        url = f"https://{TEAM_DOMAIN}.slack.com/"
        return _ok(
            url=url,
            team="Review Watch Test",
            user="reviewwatch",
            team_id=TEAM_ID,
            user_id=BOT_USER_ID,
            bot_id=BOT_ID,
            is_enterprise_install=False,
        )

    def _api_apps_connections_open(self, args: Json, token: str | None) -> Json:
        if not (token or "").startswith("xapp-"):
            return _error("not_allowed_token_type")
        return _ok(url=self.socket_url)

    def _api_chat_postMessage(self, args: Json, token: str | None) -> Any:
        channel = args.get("channel")
        if not channel:
            return _error("channel_not_found")
        if not (args.get("text") or args.get("blocks") or args.get("attachments")):
            return _error("no_text")
        if self.rate_limit_per_channel:
            interval, now = 1.0 / self.rate_limit_per_channel, time.monotonic()
            last = self._last_post.get(channel)
            if last is not None and now - last < interval:
                wait = max(1, math.ceil(interval - (now - last)))
                return _Reply(429, _error("ratelimited"), {"Retry-After": str(wait)})
            self._last_post[channel] = now
        unknown = self._unknown_slack_files(args.get("blocks"))
        if unknown:
            # As Slack answers for a file it does not know (or has not finished): nothing posted.
            return {**_error("invalid_blocks"), "errors": [f"invalid slack file [json-pointer:{unknown}]"]}
        message = {"type": "message", **BOT_FIELDS, "text": args.get("text", "")}
        message["ts"] = self._next_ts()
        for key in ("blocks", "attachments", "metadata", "thread_ts"):
            if args.get(key):
                message[key] = args[key]
        if message.get("thread_ts") and _truthy(args.get("reply_broadcast")):
            message["reply_broadcast"] = True
            message["subtype"] = "thread_broadcast"
        self.messages.setdefault(channel, []).append(message)
        return _ok(channel=channel, ts=message["ts"], message=copy.deepcopy(message))

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
            return _error("invalid_arguments")
        # Lenient: a ts from a synthetic payload need not have been posted here.
        stored = next((m for m in self.messages.get(channel, []) if m["ts"] == ts), None)
        message = stored if stored is not None else {"type": "message", "ts": ts}
        for key in ("text", "blocks", "attachments", "metadata"):
            if key in args:
                message[key] = args[key]
        return _ok(channel=channel, ts=ts, text=message.get("text", ""), message=copy.deepcopy(message))

    def _api_chat_postEphemeral(self, args: Json, token: str | None) -> Json:
        if not args.get("channel"):
            return _error("channel_not_found")
        if not args.get("user"):
            return _error("user_not_in_channel")
        return _ok(message_ts=self._next_ts())

    def _store_view(self, view: Json, view_id: str | None = None) -> Json:
        stored = {"type": "modal", **view, "id": view_id or self._next_id("V")}
        stored.update(team_id=TEAM_ID, app_id=APP_ID, bot_id=BOT_ID, state={"values": {}})
        stored["hash"] = f"{self._next_ts()}.emu"
        self.views[stored["id"]] = stored
        return copy.deepcopy(stored)

    def _api_views_open(self, args: Json, token: str | None) -> Json:
        if not (args.get("trigger_id") or args.get("interactivity_pointer")):
            return _error("invalid_arguments")
        if not isinstance(args.get("view"), dict):
            return _error("invalid_arguments")
        return _ok(view=self._store_view(args["view"]))

    _api_views_push = _api_views_open

    def _api_views_update(self, args: Json, token: str | None) -> Json:
        view_id = args.get("view_id")
        if not view_id and args.get("external_id"):
            by_external = (v for v in self.views.values() if v.get("external_id") == args["external_id"])
            view_id = next((v["id"] for v in by_external), None)
            if view_id is None:
                return _error("not_found")
        if not view_id or not isinstance(args.get("view"), dict):
            return _error("invalid_arguments")
        return _ok(view=self._store_view(args["view"], view_id))  # lenient on unknown ids

    def _api_views_publish(self, args: Json, token: str | None) -> Json:
        if not args.get("user_id") or not isinstance(args.get("view"), dict):
            return _error("invalid_arguments")
        return _ok(view=self._store_view({"type": "home", **args["view"]}))

    def _api_usergroups_users_list(self, args: Json, token: str | None) -> Json:
        users = self.usergroups.get(args.get("usergroup", ""))
        return _error("no_such_subteam") if users is None else _ok(users=list(users))

    def _api_users_info(self, args: Json, token: str | None) -> Json:
        user_id = args.get("user", "")
        if user_id not in self.users and not user_id.startswith(("U", "W")):
            return _error("user_not_found")
        name, real_name = user_id.lower(), f"User {user_id}"
        profile = {"real_name": real_name, "display_name": name, "email": f"{name}@example.com"}
        user = dict(
            id=user_id,
            team_id=TEAM_ID,
            name=name,
            real_name=real_name,
            deleted=False,
            tz="America/New_York",
            tz_offset=-14400,
            is_admin=False,
            is_bot=False,
            profile=profile,
        )
        user.update(copy.deepcopy(self.users.get(user_id, {})))
        return _ok(user=user)

    def _api_conversations_history(self, args: Json, token: str | None) -> Json:
        oldest = _ts_value(args.get("oldest"), "0")
        latest = _ts_value(args.get("latest"), "9999999999")
        inclusive = _truthy(args.get("inclusive"))
        selected = [
            m
            for m in reversed(self.messages.get(args.get("channel", ""), []))
            # replies stay in their thread, unless also sent to the channel
            if (m.get("thread_ts", m["ts"]) == m["ts"] or m.get("reply_broadcast"))
            and (
                oldest <= _ts_value(m["ts"], "0") <= latest
                if inclusive
                else oldest < _ts_value(m["ts"], "0") < latest
            )
        ]
        start = int(args.get("cursor") or 0)
        limit = int(args.get("limit") or 100)
        page = copy.deepcopy(selected[start : start + limit])
        if not _truthy(args.get("include_all_metadata")):
            for message in page:
                message.pop("metadata", None)
        has_more = start + limit < len(selected)
        return _ok(
            messages=page,
            has_more=has_more,
            pin_count=0,
            response_metadata={"next_cursor": str(start + limit) if has_more else ""},
        )

    def _api_conversations_open(self, args: Json, token: str | None) -> Json:
        users = str(args.get("users") or "")
        if not users or "," in users:
            return _error("invalid_arguments")
        self.opened_dms.append(users)
        # A DM is kept under the person's id here (as chat.postMessage with channel=USER does).
        return _ok(channel={"id": users, "is_im": True})

    def _api_conversations_replies(self, args: Json, token: str | None) -> Json:
        channel, ts = args.get("channel", ""), args.get("ts")
        if not ts:
            return _error("invalid_arguments")
        thread = [m for m in self.messages.get(channel, []) if m["ts"] == ts or m.get("thread_ts") == ts]
        if not thread:
            return _error("thread_not_found")
        start = int(args.get("cursor") or 0)
        limit = int(args.get("limit") or 100)
        page = copy.deepcopy(thread[start : start + limit])  # oldest first, the parent first
        if not _truthy(args.get("include_all_metadata")):
            for message in page:
                message.pop("metadata", None)
        has_more = start + limit < len(thread)
        return _ok(
            messages=page,
            has_more=has_more,
            response_metadata={"next_cursor": str(start + limit) if has_more else ""},
        )

    def _api_files_getUploadURLExternal(self, args: Json, token: str | None) -> Json:
        if not args.get("filename") or not str(args.get("length", "")).isdigit():
            return _error("invalid_arguments")
        file_id = self._next_id("F")
        self._pending_files[file_id] = {
            "filename": args["filename"],
            "alt_txt": args.get("alt_txt"),
        }
        return _ok(upload_url=f"{self.base_url}/upload/{file_id}", file_id=file_id)

    def _api_files_completeUploadExternal(self, args: Json, token: str | None) -> Json:
        requested = args.get("files")
        if not isinstance(requested, list) or not requested:
            return _error("invalid_arguments")
        if any(f.get("id") not in self.uploads for f in requested):
            return _error("file_not_found")
        channels = [c for c in str(args.get("channels") or "").split(",") if c]
        if args.get("channel_id"):
            channels.insert(0, args["channel_id"])
        files = []
        for requested_file in requested:
            file_id = requested_file["id"]
            name = self._pending_files[file_id]["filename"]
            files.append(
                {
                    "id": file_id,
                    "name": name,
                    "title": requested_file.get("title") or name,
                    "size": len(self.uploads[file_id]),
                    "user": BOT_USER_ID,
                    "mimetype": mimetypes.guess_type(name)[0] or "application/octet-stream",
                    "channels": channels,
                    "permalink": f"https://{TEAM_DOMAIN}.slack.com/files/{BOT_USER_ID}/{file_id}",
                }
            )
        self.files.update(f["id"] for f in files)
        self.completed_uploads.append(
            {
                "files": copy.deepcopy(files),
                "channel_id": args.get("channel_id"),
                "channels": channels,
                "initial_comment": args.get("initial_comment"),
                "thread_ts": args.get("thread_ts"),
            }
        )
        return _ok(files=files)

    def _api_oauth_v2_access(self, args: Json, token: str | None) -> Json:
        return self.oauth.access(args, self.calls[-1].headers.get("authorization", ""))

    def _api_openid_connect_token(self, args: Json, token: str | None) -> Json:
        # The client's credentials come as HTTP Basic auth (slack_sdk) or as form fields.
        headers = self.calls[-1].headers  # this call's, recorded under the lock just now
        return self.openid.exchange(args, headers.get("authorization", ""), self.base_url)


# -- Sign in with Slack (OpenID Connect) ---------------------------------------------------

OPENID_AUTHORIZE_PATH = "/openid/connect/authorize"
OPENID_KEYS_PATH = "/openid/connect/keys"
OPENID_CLIENT_ID = "1111.2222"
OPENID_CLIENT_SECRET = "emulated-client-secret"
OPENID_KEY_ID = "emulator-key-1"


@dataclass
class OpenIdProvider:
    """Slack's side of Sign in with Slack, as the emulator plays it.

    GET /openid/connect/authorize answers at once as if the person agreed: a 302 back to
    `redirect_uri` with a fresh code and the `state` (or `error=access_denied` when `deny`).
    openid.connect.token turns a code into an id_token signed (RS256) with a key made for
    this emulator, served as a JWKS at GET /openid/connect/keys. A code works once.
    `now` is the provider's clock (seconds): tests hand it the app's injected clock.
    """

    client_id: str = OPENID_CLIENT_ID
    client_secret: str = OPENID_CLIENT_SECRET
    user_id: str = "U0READER1"
    team_id: str = TEAM_ID
    name: str = "Reader One"
    issuer: str | None = None  # None: the emulator's base URL
    lifetime: int = 300  # seconds an id_token is valid
    deny: bool = False
    now: Any = time.time
    sign_with_other_key: bool = False  # sign with a key the JWKS does not list
    authorize_requests: list[dict[str, str]] = field(default_factory=list)
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    _keys: dict[str, Any] = field(default_factory=dict)

    def _key(self, name: str) -> Any:
        if name not in self._keys:
            from cryptography.hazmat.primitives.asymmetric import rsa

            self._keys[name] = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return self._keys[name]

    def jwks(self) -> Json:
        import jwt

        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self._key("signing").public_key()))
        return {"keys": [{**jwk, "kid": OPENID_KEY_ID, "alg": "RS256", "use": "sig"}]}

    def authorize(self, query: dict[str, str]) -> tuple[int, dict[str, str], Json]:
        """(status, headers, JSON body) for a browser arriving at the authorize URL."""
        from urllib.parse import urlencode

        self.authorize_requests.append(dict(query))
        redirect = query.get("redirect_uri", "")
        if query.get("client_id") != self.client_id:
            return 400, {}, _error("invalid_client_id")
        if query.get("response_type") != "code" or "openid" not in query.get("scope", "").split():
            return 400, {}, _error("invalid_scope")
        if not redirect.startswith(("http://", "https://")):
            return 400, {}, _error("bad_redirect_uri")
        if self.deny:
            answer = {"error": "access_denied", "state": query.get("state", "")}
        else:
            code = f"{secrets.token_hex(4)}.{secrets.token_urlsafe(24)}"
            self.codes[code] = {
                "redirect_uri": redirect,
                "nonce": query.get("nonce"),
                "user_id": self.user_id,
                "team_id": self.team_id,
                "name": self.name,
                "used": False,
            }
            answer = {"code": code, "state": query.get("state", "")}
        separator = "&" if "?" in redirect else "?"
        return 302, {"Location": f"{redirect}{separator}{urlencode(answer)}"}, {}

    def exchange(self, args: Json, authorization: str, base_url: str) -> Json:
        import jwt

        client_id, client_secret = args.get("client_id"), args.get("client_secret")
        if authorization.startswith("Basic "):
            decoded = base64.b64decode(authorization[len("Basic ") :]).decode()
            client_id, _, client_secret = decoded.partition(":")
        if client_id != self.client_id:
            return _error("invalid_client_id")
        if client_secret != self.client_secret:
            return _error("bad_client_secret")
        grant = self.codes.get(str(args.get("code")))
        if grant is None:
            return _error("invalid_code")
        if grant["used"]:
            return _error("code_already_used")
        if args.get("redirect_uri") != grant["redirect_uri"]:
            return _error("bad_redirect_uri")
        grant["used"] = True
        issued = int(self.now())
        claims: Json = {
            "iss": self.issuer or base_url,
            "sub": grant["user_id"],
            "aud": self.client_id,
            "exp": issued + self.lifetime,
            "iat": issued,
            "auth_time": issued,
            "https://slack.com/user_id": grant["user_id"],
            "https://slack.com/team_id": grant["team_id"],
            "name": grant["name"],
        }
        if grant["nonce"] is not None:
            claims["nonce"] = grant["nonce"]
        key = self._key("other" if self.sign_with_other_key else "signing")
        id_token = jwt.encode(claims, key, algorithm="RS256", headers={"kid": OPENID_KEY_ID})
        return _ok(access_token=f"xoxp-openid-{secrets.token_hex(8)}", token_type="Bearer", id_token=id_token)


@dataclass
class _Delay:
    method: str
    seconds: float
    remaining: int


class _WebSocket:
    """The server side of one WebSocket connection (RFC 6455), just enough for Socket Mode:
    unfragmented text frames, ping/pong and close."""

    TEXT, CLOSE, PING, PONG = 0x1, 0x8, 0x9, 0xA

    def __init__(self, sock: socket.socket, reader: Any) -> None:
        self._sock = sock
        self._reader = reader
        self._send_lock = threading.Lock()
        self.closed = False
        self.silent = False  # half-dead: no pongs, nothing sent (SlackEmulator.silence_sockets)

    def send_text(self, text: str) -> None:
        self._send(self.TEXT, text.encode())

    def _send(self, opcode: int, payload: bytes) -> None:
        length = len(payload)
        if length < 126:
            header = struct.pack("!BB", 0x80 | opcode, length)
        elif length < 1 << 16:
            header = struct.pack("!BBH", 0x80 | opcode, 126, length)
        else:
            header = struct.pack("!BBQ", 0x80 | opcode, 127, length)
        with self._send_lock:
            if not self.closed and not (self.silent and opcode != self.CLOSE):
                self._sock.sendall(header + payload)

    def _read_exact(self, size: int) -> bytes:
        data = self._reader.read(size)
        if data is None or len(data) < size:
            raise ConnectionError("the WebSocket peer went away")
        return data

    def receive(self) -> tuple[int, bytes]:
        first, second = self._read_exact(2)
        opcode, length = first & 0x0F, second & 0x7F
        if length == 126:
            (length,) = struct.unpack("!H", self._read_exact(2))
        elif length == 127:
            (length,) = struct.unpack("!Q", self._read_exact(8))
        mask = self._read_exact(4) if second & 0x80 else b"\0\0\0\0"
        data = self._read_exact(length)
        return opcode, bytes(b ^ mask[i % 4] for i, b in enumerate(data))

    def serve(self, on_text: Any) -> None:
        while not self.closed:
            try:
                opcode, data = self.receive()
            except (ConnectionError, OSError, ValueError):
                break
            if opcode == self.TEXT:
                on_text(data.decode("utf-8", errors="replace"))
            elif opcode == self.PING:
                if not self.silent:
                    self._send(self.PONG, data)
            elif opcode == self.CLOSE:
                try:
                    self._send(self.CLOSE, data[:2])
                except OSError:
                    pass
                break
        self.closed = True

    def close(self) -> None:
        try:
            self._send(self.CLOSE, struct.pack("!H", 1001))
        except OSError:
            pass
        self.closed = True
        try:
            self._sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    emulator: SlackEmulator


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep pytest output clean

    def do_GET(self) -> None:
        if self.headers.get("Upgrade", "").lower() == "websocket":
            self._serve_websocket()
            return
        if urlsplit(self.path).path in (OPENID_AUTHORIZE_PATH, OPENID_KEYS_PATH, OAUTH_AUTHORIZE_PATH):
            self._serve_openid()
            return
        self.do_POST()

    def _serve_openid(self) -> None:
        """Sign in with Slack's two browser-facing addresses: the authorize URL and the keys."""
        url = urlsplit(self.path)
        openid = self.server.emulator.openid
        with self.server.emulator._lock:
            query = dict(parse_qsl(url.query, keep_blank_values=True))
            if url.path == OPENID_KEYS_PATH:
                status, headers, body = 200, {}, openid.jwks()
            elif url.path == OAUTH_AUTHORIZE_PATH:
                status, headers, body = self.server.emulator.oauth.authorize(query)
            else:
                status, headers, body = openid.authorize(dict(parse_qsl(url.query, keep_blank_values=True)))
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(payload)

    def _serve_websocket(self) -> None:
        emulator = self.server.emulator
        key = self.headers.get("Sec-WebSocket-Key", "")
        if urlsplit(self.path).path != SOCKET_PATH or not key:
            self.send_error(404)
            return
        accept = base64.b64encode(hashlib.sha1((key + _WS_GUID).encode()).digest()).decode()
        self.protocol_version = "HTTP/1.1"
        self.send_response(101, "Switching Protocols")
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", accept)
        self.end_headers()
        self.wfile.flush()
        connection = _WebSocket(self.connection, self.rfile)
        connection.send_text(
            json.dumps({"type": "hello", "num_connections": 1, "connection_info": {"app_id": APP_ID}})
        )
        emulator._socket_opened(connection)
        try:
            connection.serve(emulator._socket_received)
        finally:
            emulator._socket_closed(connection)
            self.close_connection = True

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        emulator = self.server.emulator
        kind, _, name = url.path.strip("/").partition("/")
        if kind == "api" and name:
            pause = emulator._take_delay(name)
            if pause:
                emulator._hold(name, pause)
            if name in emulator.gates:
                emulator._wait_at_gate(name, emulator.gates[name])
            args: dict[str, Any] = dict(parse_qsl(url.query, keep_blank_values=True))
            args.update(self._parse_body(raw))
            headers = {k.lower(): v for k, v in self.headers.items()}
            reply = emulator._handle_api(name, _decode_json_fields(args), headers)
        elif kind == "upload" and name:
            reply = emulator._handle_upload(name, raw)
        elif kind == "response" and name:
            body = self._parse_body(raw)
            reply = emulator._handle_response(name, body)
        else:
            reply = _Reply(404, _error("not_found"))
        payload = json.dumps(reply.body).encode()
        self.send_response(reply.status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        for key, value in reply.headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(payload)

    def _parse_body(self, raw: bytes) -> Json:
        if not raw:
            return {}
        content_type = self.headers.get("Content-Type", "")
        text = raw.decode("utf-8", errors="replace")
        if "json" in content_type or text.lstrip().startswith("{"):
            try:
                parsed = json.loads(text)
            except ValueError:
                return {"_raw": text}
            return parsed if isinstance(parsed, dict) else {"_json": parsed}
        if content_type.startswith("multipart/"):
            return {"_multipart": raw}  # files.upload (v1) is not emulated
        return dict(parse_qsl(text, keep_blank_values=True))


@pytest.fixture
def slack_emulator() -> Iterator[SlackEmulator]:
    """A started SlackEmulator, stopped after the test."""
    with SlackEmulator() as emulator:
        yield emulator
