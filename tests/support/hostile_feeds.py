"""Hostile news sources on 127.0.0.1: a server that drips its answer one byte at a time, and a
gzip bomb. (Inward redirects are FeedServer routes.)"""

from __future__ import annotations

import socket
import threading
import time
import zlib
from collections.abc import Iterator
from typing import Any

import pytest

STATUS_LINE = b"HTTP/1.1 200 OK\r\n"


class DrippingServer:
    """Answers every request with a status line, then one header byte every `interval`
    seconds (`X-Drip: aaaa...`), never finishing the headers; gives up after `give_up`
    seconds so even a client without a deadline is released eventually. `where="body"`
    sends complete headers and drips the body instead."""

    def __init__(self, interval: float = 0.05, give_up: float = 20.0, where: str = "headers") -> None:
        self.interval = interval
        self.give_up = give_up
        self.where = where
        self.connections = 0
        self.dripped_for: list[float] = []  # how long each connection was held
        self.accepted_at: list[float] = []  # when each connection came (time.monotonic)
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self._stop = threading.Event()

    def url(self, path: str = "/feed.xml") -> str:
        return f"http://127.0.0.1:{self._sock.getsockname()[1]}{path}"

    def __enter__(self) -> DrippingServer:
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._sock.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            self.accepted_at.append(time.monotonic())
            self.connections += 1
            threading.Thread(target=self._drip, args=(conn,), daemon=True).start()

    def _drip(self, conn: socket.socket) -> None:
        started = time.monotonic()
        try:
            conn.recv(65536)  # the request
            if self.where == "body":
                conn.sendall(
                    STATUS_LINE + b"Content-Type: application/rss+xml\r\nContent-Length: 100000\r\n\r\n"
                )
            else:
                conn.sendall(STATUS_LINE + b"X-Drip: ")
            while not self._stop.is_set() and time.monotonic() - started < self.give_up:
                conn.sendall(b"a")
                time.sleep(self.interval)
        except OSError:
            pass  # the client hung up: what a deadline does
        finally:
            self.dripped_for.append(time.monotonic() - started)
            conn.close()


def gzip_bomb(expanded: int = 100 * 1024 * 1024) -> bytes:
    """About 100 KB of gzip that expands to `expanded` bytes of zeros."""
    packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    zeros = bytes(1024 * 1024)
    parts = [packer.compress(zeros) for _ in range(expanded // len(zeros))]
    return b"".join(parts) + packer.flush()


@pytest.fixture
def dripping() -> Iterator[DrippingServer]:
    with DrippingServer() as server:
        yield server
