"""The server side of a WebSocket connection (RFC 6455), for the emulator's Socket Mode."""

from __future__ import annotations

import base64
import hashlib
import socket
import struct
import threading
from typing import Any

_WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def accept_key(key: str) -> str:
    """The Sec-WebSocket-Accept answer to a client's Sec-WebSocket-Key."""
    return base64.b64encode(hashlib.sha1((key + _WS_GUID).encode()).digest()).decode()


class WebSocket:
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
