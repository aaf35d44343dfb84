"""The one HTTP client for watched sources (RSS/Atom feeds and the Federal Register API).

Polite and defensive: a User-Agent naming the app, conditional GET (ETag /
Last-Modified, so an unchanged source answers 304 with no body), explicit timeouts plus one
overall deadline over connect, headers and body (bot/news/transport.py enforces it on every
socket operation), a cap on the response size counted while decompressing (a gzip bomb
stops at the cap), connections only to public addresses (transport.py; every hop and
fetch, on the address actually connected to), and redirects followed by hand so each hop
is checked: http and https only, at most MAX_REDIRECTS, no loops. Every problem becomes
one FetchError whose message is fit to show an admin.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from bot.news.addresses import AddressRefused, FetchError, address_class

__all__ = ["AddressRefused", "FetchError", "FetchResult", "address_class", "fetch", "make_http_client"]

if TYPE_CHECKING:
    import httpx

USER_AGENT = "ReviewWatch/0.1 (+policy tracker)"
TIMEOUT_SECONDS = 10.0
CONNECT_TIMEOUT_SECONDS = 5.0
OVERALL_DEADLINE_SECONDS = 30.0  # a server dripping bytes cannot hold a fetch longer
MAX_BYTES = 2_000_000
MAX_REDIRECTS = 5
ACCEPT_ENCODING = "gzip, deflate"  # the codings decoded here, with the size cap applied
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/json;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.8, */*;q=0.1"
)


@dataclass
class FetchResult:
    url: str  # the final URL, after redirects
    status: int  # 200, or 304 when the source is unchanged
    body: bytes = b""
    content_type: str = ""
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def make_http_client(
    transport: httpx.BaseTransport | None = None, *, allow_private: bool = False
) -> httpx.Client:
    """The client the app uses for sources; redirects are followed by `fetch`, not httpx.

    Without a `transport`, connections go through bot/news/transport.py's FeedTransport,
    which refuses non-public addresses unless `allow_private`."""
    # Imported here: httpx costs ~2 MiB resident, and only a feed fetch needs it.
    import httpx

    if transport is None:
        from bot.news.transport import FeedTransport

        transport = FeedTransport(allow_private=allow_private)
    return httpx.Client(
        timeout=_timeout(),
        follow_redirects=False,
        headers={"User-Agent": USER_AGENT, "Accept": ACCEPT},
        transport=transport,
    )


def _timeout() -> httpx.Timeout:
    import httpx  # loaded already: the caller holds an httpx.Client

    return httpx.Timeout(TIMEOUT_SECONDS, connect=CONNECT_TIMEOUT_SECONDS)


def _check_scheme(url: str) -> None:
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        raise FetchError(f"only http and https are fetched, not {url!r}")


class _Decoder:
    """Content-Encoding undone chunk by chunk, never producing more than the cap allows."""

    def __init__(self, encoding: str, max_bytes: int) -> None:
        codings = [c.strip().lower() for c in encoding.split(",") if c.strip() not in ("", "identity")]
        if len(codings) > 1 or (codings and codings[0] not in ("gzip", "x-gzip", "deflate")):
            raise FetchError(f"unsupported Content-Encoding {encoding[:40]!r}")
        self.coding = codings[0] if codings else None
        self.max_bytes = max_bytes
        self.size = 0
        self._zlib: zlib._Decompress | None = None
        if self.coding in ("gzip", "x-gzip"):
            self._zlib = zlib.decompressobj(zlib.MAX_WBITS | 16)
        self._deflate_started = False

    def _take(self, data: bytes) -> bytes:
        self.size += len(data)
        if self.size > self.max_bytes:
            raise FetchError(f"response too large (over {self.max_bytes:,} bytes)")
        return data

    def decode(self, chunk: bytes) -> Iterator[bytes]:
        if self.coding is None:
            yield self._take(chunk)
            return
        if self.coding == "deflate" and not self._deflate_started:
            self._deflate_started = True
            # "deflate" is zlib-wrapped by the standard and raw by many servers.
            wrapped = len(chunk) >= 2 and (chunk[0] * 256 + chunk[1]) % 31 == 0 and chunk[0] & 0x0F == 8
            self._zlib = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
        assert self._zlib is not None
        data = chunk
        try:
            while data:
                # At most one byte past the cap per call: a bomb never expands in memory.
                out = self._zlib.decompress(data, self.max_bytes - self.size + 1)
                yield self._take(out)
                data = self._zlib.unconsumed_tail
        except zlib.error as exc:
            raise FetchError(f"could not decode the response ({self.coding}): {exc}") from None

    def finish(self) -> Iterator[bytes]:
        if self._zlib is not None:
            try:
                yield self._take(self._zlib.flush())
            except zlib.error as exc:
                raise FetchError(f"could not decode the response ({self.coding}): {exc}") from None


def _read_body(raw: Iterable[bytes], decoder: _Decoder, deadline: float, seconds: float) -> bytes:
    chunks: list[bytes] = []
    for chunk in raw:
        chunks.extend(decoder.decode(chunk))
        if time.monotonic() > deadline:
            raise FetchError(f"timed out (no complete answer in {seconds:g}s)")
    chunks.extend(decoder.finish())
    return b"".join(chunks)


def fetch(
    client: httpx.Client,
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    max_bytes: int = MAX_BYTES,
    max_redirects: int = MAX_REDIRECTS,
    deadline_seconds: float = OVERALL_DEADLINE_SECONDS,
) -> FetchResult:
    """GET `url` once (following redirects), conditionally when etag/last_modified are known.

    The whole fetch, redirects included, ends within `deadline_seconds`."""
    import httpx  # loaded already: the caller holds an httpx.Client

    from bot.news.transport import fetch_deadline

    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": ACCEPT_ENCODING}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    deadline = time.monotonic() + deadline_seconds
    timed_out = f"timed out (no complete answer in {deadline_seconds:g}s)"
    visited: set[str] = set()
    current = url
    try:
        with fetch_deadline(deadline_seconds):
            for _ in range(max_redirects + 1):
                _check_scheme(current)
                if current in visited:
                    raise FetchError(f"redirect loop at {current}")
                visited.add(current)
                with client.stream("GET", current, headers=headers, timeout=_timeout()) as response:
                    if response.status_code == 304:
                        return FetchResult(
                            url=current,
                            status=304,
                            etag=response.headers.get("etag") or etag,
                            last_modified=response.headers.get("last-modified") or last_modified,
                        )
                    if response.status_code in (301, 302, 303, 307, 308):
                        location = response.headers.get("location")
                        if not location:
                            raise FetchError(f"HTTP {response.status_code} redirect without a Location")
                        current = urljoin(current, location)
                        continue
                    if response.status_code != 200:
                        raise FetchError(f"HTTP {response.status_code} {response.reason_phrase}".strip())
                    declared = response.headers.get("content-length", "")
                    if declared.isdigit() and int(declared) > max_bytes:
                        raise FetchError(f"response too large ({int(declared):,} bytes; limit {max_bytes:,})")
                    raw: Iterable[bytes] = response.iter_raw()
                    encoding = response.headers.get("content-encoding", "")
                    if response.is_stream_consumed:  # given whole (httpx.MockTransport): decoded
                        raw, encoding = [response.content], ""
                    body = _read_body(raw, _Decoder(encoding, max_bytes), deadline, deadline_seconds)
                    return FetchResult(
                        url=current,
                        status=200,
                        body=body,
                        content_type=response.headers.get("content-type", ""),
                        etag=response.headers.get("etag"),
                        last_modified=response.headers.get("last-modified"),
                    )
            raise FetchError(f"too many redirects (more than {max_redirects})")
    except httpx.TimeoutException:
        raise FetchError(timed_out) from None
    except httpx.InvalidURL as exc:
        raise FetchError(f"invalid URL: {exc}") from None
    except httpx.HTTPError as exc:
        raise FetchError(f"network error: {exc.__class__.__name__}: {exc}") from None
