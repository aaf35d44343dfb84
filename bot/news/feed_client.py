"""The one HTTP client for watched sources (RSS/Atom feeds and the Federal Register API).

Polite and defensive: a User-Agent naming the app, conditional GET (ETag /
Last-Modified, so an unchanged source answers 304 with no body), explicit timeouts plus an
overall deadline, a cap on the response size (counted after decompression), and redirects
followed by hand so each hop is checked: http and https only, at most MAX_REDIRECTS, no
loops. Every problem becomes one FetchError whose message is fit to show an admin.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

if TYPE_CHECKING:
    import httpx

USER_AGENT = "ReviewWatch/0.1 (+policy tracker)"
TIMEOUT_SECONDS = 10.0
CONNECT_TIMEOUT_SECONDS = 5.0
OVERALL_DEADLINE_SECONDS = 30.0  # a server dripping bytes cannot hold a fetch longer
MAX_BYTES = 2_000_000
MAX_REDIRECTS = 5
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/json;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.8, */*;q=0.1"
)


class FetchError(Exception):
    """A source could not be fetched; the message says why, in words for an admin."""


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


def make_http_client(transport: httpx.BaseTransport | None = None) -> httpx.Client:
    """The client the app uses for sources; redirects are followed by `fetch`, not httpx."""
    # Imported here: httpx costs ~2 MiB resident, and only a feed fetch needs it.
    import httpx

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


def fetch(
    client: httpx.Client,
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    max_bytes: int = MAX_BYTES,
    max_redirects: int = MAX_REDIRECTS,
) -> FetchResult:
    """GET `url` once (following redirects), conditionally when etag/last_modified are known."""
    import httpx  # loaded already: the caller holds an httpx.Client

    headers = {"User-Agent": USER_AGENT}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    deadline = time.monotonic() + OVERALL_DEADLINE_SECONDS
    visited: set[str] = set()
    current = url
    try:
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
                chunks: list[bytes] = []
                size = 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > max_bytes:
                        raise FetchError(f"response too large (over {max_bytes:,} bytes)")
                    if time.monotonic() > deadline:
                        raise FetchError(f"timed out (no complete answer in {OVERALL_DEADLINE_SECONDS:.0f}s)")
                    chunks.append(chunk)
                return FetchResult(
                    url=current,
                    status=200,
                    body=b"".join(chunks),
                    content_type=response.headers.get("content-type", ""),
                    etag=response.headers.get("etag"),
                    last_modified=response.headers.get("last-modified"),
                )
        raise FetchError(f"too many redirects (more than {max_redirects})")
    except httpx.TimeoutException:
        raise FetchError("timed out") from None
    except httpx.DecodingError as exc:
        raise FetchError(f"could not decode the response: {exc}") from None
    except httpx.InvalidURL as exc:
        raise FetchError(f"invalid URL: {exc}") from None
    except httpx.HTTPError as exc:
        raise FetchError(f"network error: {exc.__class__.__name__}: {exc}") from None
