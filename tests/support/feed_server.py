"""A local HTTP server on 127.0.0.1 playing news sources, for the news-watch tests.

    with FeedServer() as server:
        server.route("/feed.xml", body, content_type="application/rss+xml", etag='"v1"')
        fetch(client, server.url("/feed.xml"))

A route answers 304 when the request's If-None-Match matches its ETag, and records every
request (path and headers) so a test can assert what the app sent.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from bot.news.transport import FeedTransport
from tests.support.servers import shut_down_now

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost"})


class LocalOnlyTransport(FeedTransport):
    """The app's real feed transport, allowed onto 127.0.0.1 (as
    REVIEWWATCH_FEEDS_ALLOW_PRIVATE=1 allows), that refuses every other host, so no test (nor
    a scheduler job started by one) can reach federalregister.gov or any other real source."""

    def __init__(self) -> None:
        super().__init__(allow_private=True)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.host not in LOCAL_HOSTS:
            raise httpx.ConnectError(f"tests do not reach {request.url.host}", request=request)
        return super().handle_request(request)


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None


@dataclass
class Seen:
    path: str
    headers: dict[str, str]
    at: float = field(default_factory=time.monotonic)  # when the request arrived


class FeedServer:
    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host  # any of 127.0.0.0/8 (a test may treat one as "public")
        self.routes: dict[str, Route] = {}
        self.requests: list[Seen] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def route(
        self,
        path: str,
        body: bytes = b"",
        *,
        status: int = 200,
        content_type: str = "",
        etag: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        all_headers = dict(headers or {})
        if content_type:
            all_headers["Content-Type"] = content_type
        with self._lock:
            self.routes[path] = Route(status, body, all_headers, etag)

    def url(self, path: str) -> str:
        assert self._server is not None
        return f"http://{self.host}:{self._server.server_address[1]}{path}"

    def start(self) -> FeedServer:
        server = ThreadingHTTPServer((self.host, 0), _Handler)
        server.feeds = self  # type: ignore[attr-defined]
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            shut_down_now(self._server)
            self._server = None

    def __enter__(self) -> FeedServer:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def _answer(self, path: str, headers: dict[str, str]) -> Route:
        with self._lock:
            self.requests.append(Seen(path, headers))
            route = self.routes.get(path)
        if route is None:
            return Route(404, b"not found", {"Content-Type": "text/plain"})
        if route.etag and headers.get("if-none-match") == route.etag:
            return Route(304, b"", {"ETag": route.etag})
        answer = Route(route.status, route.body, dict(route.headers), route.etag)
        if route.etag:
            answer.headers["ETag"] = route.etag
        return answer


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        feeds: FeedServer = self.server.feeds  # type: ignore[attr-defined]
        route = feeds._answer(self.path, {k.lower(): v for k, v in self.headers.items()})
        self.send_response(route.status)
        for name, value in route.headers.items():
            self.send_header(name, value)
        if route.status != 304:
            self.send_header("Content-Length", str(len(route.body)))
        self.end_headers()
        if route.status != 304:
            self.wfile.write(route.body)


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    with FeedServer() as server:
        yield server
