"""The HTTP client for sources: what it sends, and every way a source can misbehave."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

from bot.news.feed_client import USER_AGENT, FetchError, fetch, make_http_client
from tests.support import paths
from tests.support.feed_server import FeedServer, feed_server  # noqa: F401

FIXTURES = paths.FIXTURES / "news"
RSS = (FIXTURES / "policywire_rss2.xml").read_bytes()
FEED_URL = "https://policywire.example/technology/feed.xml"


def mock_client(handler: Callable[[httpx.Request], httpx.Response]) -> httpx.Client:
    return make_http_client(transport=httpx.MockTransport(handler))


def test_sends_user_agent_and_conditional_headers() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            200,
            content=RSS,
            headers={
                "Content-Type": "application/rss+xml",
                "ETag": '"v2"',
                "Last-Modified": "Fri, 24 Jul 2026 13:00:00 GMT",
            },
        )

    result = fetch(mock_client(handler), FEED_URL, etag='"v1"', last_modified="Thu, 23 Jul 2026 00:00:00 GMT")
    assert seen[0].headers["User-Agent"] == USER_AGENT == "ReviewWatch/0.1 (+policy tracker)"
    assert seen[0].headers["If-None-Match"] == '"v1"'
    assert seen[0].headers["If-Modified-Since"] == "Thu, 23 Jul 2026 00:00:00 GMT"
    assert (result.status, result.body, result.etag) == (200, RSS, '"v2"')
    assert result.last_modified == "Fri, 24 Jul 2026 13:00:00 GMT"


def test_not_modified_is_a_result_not_an_error() -> None:
    result = fetch(mock_client(lambda r: httpx.Response(304)), FEED_URL, etag='"v1"')
    assert result.not_modified and result.body == b"" and result.etag == '"v1"'


def test_redirects_are_followed_to_the_feed() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/old.xml":
            return httpx.Response(301, headers={"Location": "/technology/feed.xml"})
        return httpx.Response(200, content=RSS)

    result = fetch(mock_client(handler), "https://policywire.example/old.xml")
    assert result.url == FEED_URL and result.body == RSS


@pytest.mark.parametrize(
    ("handler", "problem"),
    [
        (lambda r: httpx.Response(302, headers={"Location": str(r.url)}), "redirect loop"),
        (
            lambda r: httpx.Response(302, headers={"Location": "/a" if r.url.path == "/b" else "/b"}),
            "redirect loop",
        ),
        (
            lambda r: httpx.Response(302, headers={"Location": f"/n{len(r.url.path)}{r.url.path}"}),
            "too many redirects",
        ),
        (
            lambda r: httpx.Response(302, headers={"Location": "ftp://policywire.example/feed"}),
            "only http and https",
        ),
        (lambda r: httpx.Response(200, content=b"x" * 3_000_000), "too large"),
        (lambda r: httpx.Response(500, content=b"oops"), "HTTP 500"),
        (lambda r: httpx.Response(404), "HTTP 404"),
    ],
)
def test_misbehaving_sources_raise_a_fetch_error(
    handler: Callable[[httpx.Request], httpx.Response], problem: str
) -> None:
    with pytest.raises(FetchError, match=problem):
        fetch(mock_client(handler), FEED_URL)


def test_an_endless_body_without_a_length_is_cut_at_the_cap() -> None:
    sent: list[int] = []

    def endless() -> Iterator[bytes]:
        while True:
            sent.append(1)
            yield b"<item>" * 10_000

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=endless())

    with pytest.raises(FetchError, match="too large"):
        fetch(mock_client(handler), FEED_URL, max_bytes=500_000)
    assert len(sent) < 20  # stopped reading soon after the cap


@pytest.mark.parametrize("exc", [httpx.ReadTimeout("slow"), httpx.ConnectTimeout("slow")])
def test_timeouts(exc: Exception) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc

    with pytest.raises(FetchError, match="timed out"):
        fetch(mock_client(handler), FEED_URL)


def test_network_errors() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused")

    with pytest.raises(FetchError, match="network error"):
        fetch(mock_client(handler), FEED_URL)


def test_the_client_has_explicit_timeouts_and_does_not_follow_redirects_itself() -> None:
    client = make_http_client()
    assert client.timeout.connect == 5.0 and client.timeout.read == 10.0
    assert client.follow_redirects is False
    assert client.headers["User-Agent"] == USER_AGENT


def local_client() -> httpx.Client:
    """The real transport, allowed to reach the local feed server on 127.0.0.1 (as
    REVIEWWATCH_FEEDS_ALLOW_PRIVATE=1 allows an intranet feed)."""
    return make_http_client(allow_private=True)


def test_conditional_get_against_a_local_server(feed_server: FeedServer) -> None:  # noqa: F811
    feed_server.route("/feed.xml", RSS, content_type="application/rss+xml", etag='"abc"')
    client = local_client()
    first = fetch(client, feed_server.url("/feed.xml"))
    assert first.status == 200 and first.etag == '"abc"' and first.body == RSS
    second = fetch(client, feed_server.url("/feed.xml"), etag=first.etag)
    assert second.not_modified
    assert feed_server.requests[1].headers["if-none-match"] == '"abc"'
    assert feed_server.requests[0].headers["user-agent"] == USER_AGENT


def test_declared_oversize_is_refused_before_reading(feed_server: FeedServer) -> None:  # noqa: F811
    feed_server.route("/big.xml", b"x" * 600_000, content_type="application/rss+xml")
    with pytest.raises(FetchError, match="too large"):
        fetch(local_client(), feed_server.url("/big.xml"), max_bytes=500_000)


def test_redirect_loop_against_a_local_server(feed_server: FeedServer) -> None:  # noqa: F811
    feed_server.route("/a", status=302, headers={"Location": "/b"})
    feed_server.route("/b", status=302, headers={"Location": "/a"})
    with pytest.raises(FetchError, match="redirect loop"):
        fetch(local_client(), feed_server.url("/a"))
