"""Stopping the tests' own HTTP servers (socketserver's serve_forever) at once.

`shutdown()` sets a flag that serve_forever reads only when its select returns: after its
next poll interval (0.05-0.5 s), for every emulator and stand-in server a test starts. Here
the flag is set first and the select is woken by a connection of our own, so the loop ends
now; the connection is never served (the listening socket is closed right after)."""

from __future__ import annotations

import contextlib
import socket
import socketserver


def shut_down_now(server: socketserver.BaseServer) -> None:
    """`server.shutdown()` without waiting for serve_forever's next poll; then close it."""
    server._BaseServer__shutdown_request = True  # type: ignore[attr-defined]  # what shutdown() sets
    host, port = server.server_address[:2]  # type: ignore[misc]
    with contextlib.suppress(OSError):
        socket.create_connection((str(host), int(port)), timeout=1).close()
    server.shutdown()  # returns once the loop has ended (at once, or at its next poll at worst)
    server.server_close()
