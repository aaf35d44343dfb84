"""A feed fetch against hostile sources on 127.0.0.1: it ends by its overall deadline wherever
the server stalls, a gzip bomb stops at the size cap while decompressing, and no URL, redirect
or DNS answer can turn it inward."""

from __future__ import annotations

import ipaddress
import threading
import time
import tracemalloc
from dataclasses import replace
from typing import Any

import httpx
import pytest

from bot.deps import Deps
from bot.news.feed_client import (
    AddressRefused,
    FetchError,
    address_class,
    fetch,
    make_http_client,
)
from bot.news.transport import FeedTransport
from bot.news.watch import fetch_due_feeds
from storage import news as store_news
from tests.support import paths
from tests.support.feed_server import FeedServer, feed_server  # noqa: F401
from tests.support.hostile_feeds import DrippingServer, dripping, gzip_bomb  # noqa: F401

RSS = (paths.FIXTURES / "news" / "policywire_rss2.xml").read_bytes()
DEADLINE = 1.0  # seconds: a short injected deadline (production's is 30)
# How far past the deadline a fetch may end on a loaded machine (3 test workers on 2 cores
# were seen to add 1.1 s of scheduling delay). The dripping server holds a fetch that has no
# overall deadline for 20 s (its `give_up`), so a missing or per-read-only deadline still fails.
LATE_BY_AT_MOST = 4.0


def local_client() -> httpx.Client:
    return make_http_client(allow_private=True)


# -- one overall deadline ------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["headers", "body"])
def test_a_dripping_server_holds_a_fetch_no_longer_than_the_deadline(where: str) -> None:
    with DrippingServer(where=where) as server:
        started = time.monotonic()
        with pytest.raises(FetchError, match=r"timed out \(no complete answer in 1s\)"):
            fetch(local_client(), server.url(), deadline_seconds=DEADLINE)
        held = time.monotonic() - started

    assert server.connections == 1
    assert held <= DEADLINE + LATE_BY_AT_MOST, f"held {held:.2f}s"


def test_the_deadline_covers_redirect_hops_together(feed_server: FeedServer) -> None:  # noqa: F811
    with DrippingServer() as server:
        feed_server.route("/old.xml", status=302, headers={"Location": server.url()})
        started = time.monotonic()
        with pytest.raises(FetchError, match="timed out"):
            fetch(local_client(), feed_server.url("/old.xml"), deadline_seconds=DEADLINE)
        assert time.monotonic() - started <= DEADLINE + LATE_BY_AT_MOST


def test_a_stalled_source_delays_the_others_at_most_the_deadline(
    deps: Deps,
    feed_server: FeedServer,  # noqa: F811
    dripping: DrippingServer,  # noqa: F811
) -> None:
    now = deps.clock.now()
    feed_server.route("/feed.xml", RSS, content_type="application/rss+xml")
    stalled = store_news.add_feed(deps.store.db, dripping.url(), "rss", [], created_by="UADMIN0001", now=now)
    good = store_news.add_feed(
        deps.store.db, feed_server.url("/feed.xml"), "rss", [], created_by="UADMIN0001", now=now
    )
    deps.settings = replace(deps.settings, federal_register_default=False)  # only these two sources

    outcomes = fetch_due_feeds(deps, now, local_client(), deadline_seconds=DEADLINE)

    by_id = {o.feed_id: o for o in outcomes}
    assert by_id[stalled["id"]].status == "failed" and "timed out" in (by_id[stalled["id"]].error or "")
    assert by_id[good["id"]].status == "primed"
    # The delay the stalled source caused: from its connection to the good source's request
    # (the good source's own reading and saving afterwards is not a delay the stall caused).
    (stall_began,) = dripping.accepted_at
    (asked,) = [seen.at for seen in feed_server.requests if seen.path == "/feed.xml"]
    assert stall_began < asked, "the stalled source comes first in the round"
    assert asked - stall_began <= DEADLINE + LATE_BY_AT_MOST, (
        f"the stall held the others {asked - stall_began:.2f}s"
    )


# -- gzip bomb -------------------------------------------------------------------------------------


def test_a_gzip_bomb_stops_at_the_cap_while_decompressing(feed_server: FeedServer) -> None:  # noqa: F811
    bomb = gzip_bomb()
    assert len(bomb) < 200_000
    feed_server.route(
        "/bomb.xml", bomb, content_type="application/rss+xml", headers={"Content-Encoding": "gzip"}
    )
    client = local_client()

    tracemalloc.start()
    try:
        with pytest.raises(FetchError, match="too large"):
            fetch(client, feed_server.url("/bomb.xml"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert peak < 8 * 1024 * 1024, f"peak {peak / 2**20:.1f} MiB while refusing 100 MB"


@pytest.mark.parametrize("coding", ["gzip", "deflate", "raw deflate"])
def test_compressed_feeds_still_read(feed_server: FeedServer, coding: str) -> None:  # noqa: F811
    import zlib

    wbits = {"gzip": zlib.MAX_WBITS | 16, "deflate": zlib.MAX_WBITS, "raw deflate": -zlib.MAX_WBITS}[coding]
    packer = zlib.compressobj(6, zlib.DEFLATED, wbits)
    body = packer.compress(RSS) + packer.flush()
    encoding = coding.split()[-1]
    feed_server.route(
        "/c.xml", body, content_type="application/rss+xml", headers={"Content-Encoding": encoding}
    )

    result = fetch(local_client(), feed_server.url("/c.xml"))

    assert result.body == RSS
    assert feed_server.requests[-1].headers["accept-encoding"] == "gzip, deflate"


def test_an_unknown_content_encoding_is_an_error(feed_server: FeedServer) -> None:  # noqa: F811
    feed_server.route("/br.xml", b"xx", headers={"Content-Encoding": "br"})
    with pytest.raises(FetchError, match="unsupported Content-Encoding 'br'"):
        fetch(local_client(), feed_server.url("/br.xml"))


# -- addresses -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("fd00::1", "unique-local"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("100.64.0.1", "reserved (not publicly routable)"),
        ("93.184.216.34", None),
        ("2606:4700::1111", None),
    ],
)
def test_address_classes(address: str, kind: str | None) -> None:
    assert address_class(ipaddress.ip_address(address)) == kind


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254, a link-local address"),
        ("http://10.0.0.7/feed", "10.0.0.7, a private address"),
        ("http://[fd12::1]/feed", "fd12::1, a unique-local address"),
        ("http://0.0.0.0:9/feed", "0.0.0.0, an unspecified address"),
        ("http://[::1]:9/feed", "::1, a loopback address"),
    ],
)
def test_inward_urls_are_refused_before_connecting(url: str, shown: str) -> None:
    with pytest.raises(AddressRefused) as refused:
        fetch(make_http_client(), url)
    assert shown in str(refused.value)
    assert "REVIEWWATCH_FEEDS_ALLOW_PRIVATE=1" in str(refused.value)


def test_a_loopback_feed_is_refused_and_never_requested(feed_server: FeedServer) -> None:  # noqa: F811
    feed_server.route("/feed.xml", RSS)
    with pytest.raises(AddressRefused, match=r"refused: 127\.0\.0\.1, a loopback address"):
        fetch(make_http_client(), feed_server.url("/feed.xml"))
    assert feed_server.requests == []


def test_allow_private_lets_an_intranet_feed_through(feed_server: FeedServer) -> None:  # noqa: F811
    feed_server.route("/feed.xml", RSS)
    assert fetch(make_http_client(allow_private=True), feed_server.url("/feed.xml")).body == RSS


def pretend_public(*public: str) -> Any:
    """A classifier for which the given loopback addresses count as the public internet (the
    only machine a test may reach is this one); every other address is judged as in production."""

    def classify(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
        return None if str(address) in public else address_class(address)

    return classify


def test_a_redirect_inward_is_refused_at_the_hop(feed_server: FeedServer) -> None:  # noqa: F811
    with FeedServer(host="127.0.0.2") as public:
        public.route("/feed.xml", status=302, headers={"Location": feed_server.url("/secret")})
        public.route("/meta", status=301, headers={"Location": "http://169.254.169.254/latest/meta-data/"})
        feed_server.route("/secret", b"internal only")
        client = httpx.Client(transport=FeedTransport(classify=pretend_public("127.0.0.2")))

        with pytest.raises(AddressRefused, match=r"127\.0\.0\.1, a loopback address"):
            fetch(client, public.url("/feed.xml"))
        with pytest.raises(AddressRefused, match=r"169\.254\.169\.254, a link-local address"):
            fetch(client, public.url("/meta"))

    assert [r.path for r in public.requests] == ["/feed.xml", "/meta"]
    assert feed_server.requests == []  # the inward target was never reached


def test_dns_rebinding_is_refused_on_the_address_connected_to() -> None:
    with FeedServer(host="127.0.0.2") as public, FeedServer(host="127.0.0.1") as inside:
        public.route("/feed.xml", RSS)
        inside.route("/feed.xml", b"internal only")
        port = int(public.url("/").split(":")[2].split("/")[0])
        answers = ["127.0.0.2", "127.0.0.1"]  # first a "public" address, then the inside one

        def rebinding(host: str, wanted_port: int) -> list[tuple[Any, ...]]:
            import socket

            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answers.pop(0), wanted_port))]

        client = httpx.Client(
            transport=FeedTransport(resolver=rebinding, classify=pretend_public("127.0.0.2")),
            headers={"Connection": "close"},  # a new connection, so a new DNS answer, per fetch
        )
        url = f"http://feeds.rebind.example:{port}/feed.xml"

        assert fetch(client, url).body == RSS
        with pytest.raises(
            AddressRefused, match=r"feeds\.rebind\.example resolves to 127\.0\.0\.1, a loopback"
        ):
            fetch(client, url)
        assert inside.requests == []


def test_a_dns_lookup_that_never_answers_ends_with_the_deadline() -> None:
    release = threading.Event()

    def silent(host: str, port: int) -> list[tuple[Any, ...]]:
        release.wait(10)  # a DNS server that does not answer
        raise OSError("no answer")

    client = httpx.Client(transport=FeedTransport(resolver=silent))
    started = time.monotonic()
    try:
        with pytest.raises(FetchError, match="timed out"):
            fetch(client, "http://feeds.silent.example/feed.xml", deadline_seconds=DEADLINE)
        assert time.monotonic() - started <= DEADLINE + LATE_BY_AT_MOST
    finally:
        release.set()
