"""The network layer under the feed client: where a fetch may connect, and for how long.

Admins type feed URLs, and a feed may redirect anywhere, so every connection (the first
URL, each redirect hop, every later fetch) is checked here, on the address the socket is
actually connected to: a host that resolved to a public address for `feeds add` and to
127.0.0.1 later (DNS rebinding) is refused all the same. Loopback, private, link-local,
unique-local, multicast, unspecified and other non-public addresses are refused unless
REVIEWWATCH_FEEDS_ALLOW_PRIVATE is set.

httpx's timeouts bound each read, so a server dripping one header byte at a time never
trips them. Every step here is also bounded by the fetch's overall deadline
(`fetch_deadline`), wherever the source stalls: DNS, connect, TLS, headers or body.

Imported only when a feed is fetched (httpcore comes with httpx, ~2 MiB).
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import httpcore
import httpx

from bot.news.addresses import ALLOW_PRIVATE_SETTING, AddressRefused, address_class

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
# (host, port) -> the addresses to try, as socket.getaddrinfo gives them
Resolver = Callable[[str, int], list[tuple[Any, ...]]]
# address -> why it is refused ("loopback", ...), or None when it may be used
Classifier = Callable[[Address], str | None]

_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar("feed_fetch_deadline", default=None)


@contextlib.contextmanager
def fetch_deadline(seconds: float) -> Iterator[None]:
    """Every connection made or used inside gives up `seconds` from now (this thread)."""
    token = _deadline.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _deadline.reset(token)


def _bounded(timeout: float | None, expired: type[Exception]) -> float | None:
    """`timeout`, shortened to what is left of the fetch's deadline."""
    deadline = _deadline.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise expired("the fetch's overall deadline passed")
    return left if timeout is None else min(timeout, left)


def resolve(host: str, port: int) -> list[tuple[Any, ...]]:
    return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)


def _address(sockaddr: tuple[Any, ...]) -> Address:
    return ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])  # drop an IPv6 zone


def _refusal(host: str, address: Address, kind: str) -> AddressRefused:
    where = f"{address}" if host.strip("[]") == str(address) else f"{host} resolves to {address}"
    article = "an" if kind.startswith(("unspecified", "a", "e", "i", "o")) else "a"
    return AddressRefused(
        f"refused: {where}, {article} {kind} address (feeds must be on the public internet; "
        f"set {ALLOW_PRIVATE_SETTING}=1 for intranet feeds)"
    )


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose every read, write and TLS handshake ends by the fetch's deadline."""

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _bounded(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _bounded(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: Any,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        bounded = _bounded(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, bounded))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _GuardedBackend(httpcore.NetworkBackend):
    """Resolves the host itself and connects only to allowed addresses."""

    def __init__(self, allow_private: bool, resolver: Resolver, classify: Classifier) -> None:
        self.allow_private = allow_private
        self.resolver = resolver
        self.classify = classify
        self._plain = httpcore.SyncBackend()

    def _kind(self, address: Address) -> str | None:
        return None if self.allow_private else self.classify(address)

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            candidates = self._resolve(host, port, _bounded(timeout, httpcore.ConnectTimeout))
        except OSError as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from None
        refused: AddressRefused | None = None
        failure: Exception | None = None
        for info in candidates:
            address = _address(info[4])
            kind = self._kind(address)
            if kind is not None:
                refused = refused or _refusal(host, address, kind)
                continue
            try:
                stream = self._plain.connect_tcp(
                    str(address),
                    port,
                    _bounded(timeout, httpcore.ConnectTimeout),
                    local_address,
                    socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
                continue
            # Check where the socket really went, not only what the name resolved to.
            peer = _address(stream.get_extra_info("socket").getpeername())
            kind = self._kind(peer)
            if kind is not None:
                stream.close()
                raise _refusal(host, peer, kind)
            return _DeadlineStream(stream)
        if refused is not None:
            raise refused
        if failure is not None:
            raise failure
        raise httpcore.ConnectError(f"{host} has no address")

    def _resolve(self, host: str, port: int, timeout: float | None) -> list[tuple[Any, ...]]:
        """The resolver's answer, within `timeout`: a DNS server that never answers must not
        outlast the deadline either. The lookup runs on a daemon thread, left to finish
        (the system resolver gives up on its own) if the time runs out."""
        try:
            ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            pass
        else:
            return self.resolver(host, port)  # a literal address: nothing to wait for
        answer: list[list[tuple[Any, ...]]] = []
        failure: list[BaseException] = []

        def lookup() -> None:
            try:
                answer.append(self.resolver(host, port))
            except BaseException as exc:  # handed to the fetch's thread
                failure.append(exc)

        worker = threading.Thread(target=lookup, name="feed-dns", daemon=True)
        worker.start()
        worker.join(timeout)
        if worker.is_alive():
            raise httpcore.ConnectTimeout(f"resolving {host} took too long")
        if failure:
            raise failure[0]
        return answer[0]

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("feeds are fetched over TCP only")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


@functools.cache
def tls_context() -> ssl.SSLContext:
    """httpx's default TLS context (certificates verified against certifi), made once per
    process and shared by every transport: making one parses certifi's whole bundle (about
    50 ms of CPU), and one context serves any number of connections and threads."""
    return httpx.create_ssl_context()


class FeedTransport(httpx.HTTPTransport):
    """httpx's own transport (HTTP/1.1, TLS verified against certifi) over the guarded
    backend. Environment proxies are not used: the address checked must be the feed's."""

    def __init__(
        self,
        *,
        allow_private: bool = False,
        resolver: Resolver = resolve,
        classify: Classifier = address_class,
    ) -> None:
        super().__init__(verify=tls_context())  # its own pool is replaced just below
        self.allow_private = allow_private
        self._pool = httpcore.ConnectionPool(
            ssl_context=tls_context(),
            network_backend=_GuardedBackend(allow_private, resolver, classify),
        )
