"""The emulator's HTTP server and its routes: /api/METHOD (the Web API), /upload/FILE,
/response/NAME (response_url posts), the browser-facing OAuth and OpenID addresses, and the
Socket Mode WebSocket at SOCKET_PATH. Each request is handed to the SlackEmulator."""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from tests.support.slack_emulator.openid import OPENID_AUTHORIZE_PATH, OPENID_KEYS_PATH
from tests.support.slack_emulator.websocket import WebSocket, accept_key
from tests.support.slack_emulator.wire import APP_ID, SOCKET_PATH, Json, Reply, decode_json_fields, error
from tests.support.slack_emulator_oauth import OAUTH_AUTHORIZE_PATH

if TYPE_CHECKING:
    from tests.support.slack_emulator.emulator import SlackEmulator


class Server(ThreadingHTTPServer):
    daemon_threads = True
    emulator: SlackEmulator


class Handler(BaseHTTPRequestHandler):
    server: Server

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
        self.protocol_version = "HTTP/1.1"
        self.send_response(101, "Switching Protocols")
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", accept_key(key))
        self.end_headers()
        self.wfile.flush()
        connection = WebSocket(self.connection, self.rfile)
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
            reply = emulator._handle_api(name, decode_json_fields(args), headers)
        elif kind == "upload" and name:
            reply = emulator._handle_upload(name, raw)
        elif kind == "response" and name:
            body = self._parse_body(raw)
            reply = emulator._handle_response(name, body)
        else:
            reply = Reply(404, error("not_found"))
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
