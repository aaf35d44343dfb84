"""`python app.py` in HTTP mode, tried as an attacker would: unverified, malformed and oversized
requests to /slack/events and /teams/messages are refused and cause nothing else."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import select
import socket
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.handlers.http.test_http_mode import http_env
from tests.support.app_process import AppProcess, wait_until
from tests.support.slack_emulator import SlackEmulator
from tests.support.slack_requests import (
    SIGNING_SECRET,
    block_actions_payload,
    command_answer,
    interactive_body,
    signed_headers,
    slash_command_body,
)
from tests.support.teams_requests import TEAMS_SECRET

MARKER = "attacker-text-5d1e"
MIB = 1024 * 1024


@pytest.fixture(scope="module")
def emu() -> Iterator[SlackEmulator]:
    with SlackEmulator() as emulator:
        yield emulator


@pytest.fixture(scope="module")
def running(emu: SlackEmulator, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppProcess]:
    folder = tmp_path_factory.mktemp("hostile")
    app = AppProcess(
        http_env(emu, folder / "reviewwatch.db", REVIEWWATCH_TEAMS_OUTGOING_SECRET=TEAMS_SECRET), folder
    )
    try:
        app.wait_for_http()
        wait_until(lambda: httpx.get(app.url + "/healthz").json().get("last_sweep"), what="the first sweep")
        yield app
    finally:
        app.stop()


def database_dump(app: AppProcess) -> str:
    """Every row of every table (the sweep's bookkeeping aside), to compare before and after."""
    with sqlite3.connect(app.cwd / "reviewwatch.db") as db:
        return "\n".join(line for line in db.iterdump() if "sweep" not in line.lower())


def request_lines(app: AppProcess, request_id: str) -> list[str]:
    return [line for line in app.logs.splitlines() if re.search(rf"request_id={request_id}(\s|$)", line)]


def button_body(emu: SlackEmulator, sink: str) -> str:
    payload = block_actions_payload("alert_acknowledge", MARKER)
    payload["response_url"] = emu.response_url(sink)
    return interactive_body(payload)


def assert_nothing_happened(
    app: AppProcess, emu: SlackEmulator, sink: str, calls_before: int, dump_before: str
) -> None:
    # A signed (read-only) command afterwards is answered: the bad request had its chance to act.
    good = slash_command_body("/holdouts", response_url=emu.response_url(sink + "-after"))
    answer = httpx.post(app.url + "/slack/events", content=good, headers=signed_headers(good))
    assert answer.status_code == 200
    assert "Meta" in json.dumps(command_answer(answer, emu, sink + "-after"))
    assert [name for name, _ in emu.responses if name == sink] == []  # no POST to the response_url
    assert [c.method for c in emu.calls[calls_before:]] in ([], ["auth.test"])
    assert database_dump(app) == dump_before
    assert "Traceback" not in app.logs


PROBLEMS = [
    "timestamp=abc",
    "timestamp=1e9",
    "timestamp=0x10",
    "timestamp=1.5",
    "timestamp=",
    "no timestamp",
    "no signature",
    "wrong signature",
    "stale",
    "tampered body",
]


@pytest.mark.parametrize("problem", PROBLEMS)
def test_an_unverified_request_gets_401_and_causes_nothing(
    running: AppProcess, emu: SlackEmulator, problem: str
) -> None:
    sink = "sink-" + re.sub(r"\W", "-", problem)
    body = button_body(emu, sink)
    headers = signed_headers(body)
    if problem.startswith("timestamp="):
        headers["x-slack-request-timestamp"] = problem.removeprefix("timestamp=")
    elif problem == "no timestamp":
        del headers["x-slack-request-timestamp"]
    elif problem == "no signature":
        del headers["x-slack-signature"]
    elif problem == "wrong signature":
        headers = signed_headers(body, secret="not-the-signing-secret")
    elif problem == "stale":
        headers = signed_headers(body, timestamp=int(time.time()) - 6 * 60)
    else:
        body = body.replace(MARKER, MARKER.upper())
    request_id = "bad-" + re.sub(r"\W", "", problem)
    calls_before, dump_before = len(emu.calls), database_dump(running)

    answer = httpx.post(
        running.url + "/slack/events",
        content=body.encode(),
        headers={**headers, "X-Request-Id": request_id},
        timeout=10,
    )

    assert answer.status_code == 401
    assert_nothing_happened(running, emu, sink, calls_before, dump_before)
    [line] = request_lines(running, request_id)
    assert re.search(r" WARNING reviewwatch\.http: POST /slack/events 401 \d+ms refused: ", line)
    assert MARKER not in line and "response" not in line and "hooks" not in line


@pytest.mark.parametrize("signed", [False, True], ids=["unsigned", "signed"])
@pytest.mark.parametrize(
    "body",
    ["payload=%7Bnot-json", "payload=%5B1%2C2%5D", '{"type": ', "[1, 2]", "\xff\xfe"],
    ids=["broken payload", "payload not an object", "broken JSON", "JSON not an object", "not UTF-8"],
)
def test_a_malformed_payload_is_refused_without_a_traceback(
    running: AppProcess, emu: SlackEmulator, body: str, signed: bool
) -> None:
    raw = body.encode("latin-1")
    content_type = "application/json" if body.startswith(("{", "[")) else "application/x-www-form-urlencoded"
    if signed:
        headers = signed_bytes_headers(raw, content_type)
    else:
        headers = {"content-type": content_type}
    request_id = f"malformed-{int(signed)}-{abs(hash(body)) % 10**8}"
    calls_before, dump_before = len(emu.calls), database_dump(running)

    answer = httpx.post(
        running.url + "/slack/events", content=raw, headers={**headers, "X-Request-Id": request_id}
    )

    assert answer.status_code == (400 if signed else 401)
    assert_nothing_happened(running, emu, "malformed", calls_before, dump_before)
    [line] = request_lines(running, request_id)
    assert f" {answer.status_code} " in line and " refused: " in line


def signed_bytes_headers(raw: bytes, content_type: str) -> dict[str, str]:
    """Slack's signature over exact bytes (signed_headers signs text)."""
    ts = str(int(time.time()))
    digest = hmac.new(SIGNING_SECRET.encode(), f"v0:{ts}:".encode() + raw, hashlib.sha256).hexdigest()
    signature = f"v0={digest}"
    return {"content-type": content_type, "x-slack-request-timestamp": ts, "x-slack-signature": signature}


def raw_post(app: AppProcess, path: str, head: dict[str, str], body: bytes = b"") -> int:
    """POST over a plain socket (so a test can declare a length it never sends); the status."""
    with socket.create_connection(("127.0.0.1", app.port or 0), timeout=60) as sock:
        lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", *(f"{k}: {v}" for k, v in head.items())]
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        answer = sock.recv(4096).decode("latin-1")
    assert answer, "the server closed the connection without answering"
    return int(answer.split(" ", 2)[1])


def test_a_declared_oversized_body_gets_413_before_it_is_sent(running: AppProcess) -> None:
    # Answered from the header: the 60 MB are never sent, and a server waiting for them
    # would close the connection at its idle timeout (10 s) without any answer.
    status = raw_post(
        running, "/slack/events", {"Content-Length": str(60 * MIB), "Content-Type": "text/plain"}
    )
    assert status == 413


def test_a_body_one_byte_over_the_cap_gets_413_and_one_at_the_cap_is_read(running: AppProcess) -> None:
    over = httpx.post(running.url + "/slack/events", content=b"a" * (MIB + 1))
    at_cap = httpx.post(running.url + "/slack/events", content=b"a" * MIB)

    assert over.status_code == 413
    assert at_cap.status_code == 401  # read, then refused for want of a signature


def test_a_chunked_body_is_cut_at_the_cap(running: AppProcess) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(64):  # 4 MiB in 64 KiB chunks, no Content-Length
            yield b"a" * (64 * 1024)

    answer = httpx.post(running.url + "/slack/events", content=chunks())

    assert answer.status_code == 413


def test_teams_messages_over_its_cap_get_413_unread(running: AppProcess) -> None:
    # Waitress buffers a body under its own (Slack's) cap before the app runs; the Teams
    # route then refuses from the header, without reading it.
    body = b"{" + b" " * (300 * 1024)
    status = raw_post(running, "/teams/messages", {"Content-Length": str(len(body))}, body)
    assert status == 413
    [line] = [line for line in running.logs.splitlines() if "POST /teams/messages 413" in line]
    assert line.endswith(f"refused: body over {256 * 1024:,} bytes request_id=" + line.rsplit("=", 1)[1])


def vm_rss_kib(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1))  # type: ignore[union-attr]


def test_memory_stays_flat_under_repeated_oversized_posts(running: AppProcess) -> None:
    body = b"x" * (20 * MIB)
    httpx.post(running.url + "/slack/events", content=b"warm-up")
    before = vm_rss_kib(running.proc.pid)

    for _ in range(10):  # 200 MB in all, sent in full each time
        try:
            answer = httpx.post(running.url + "/slack/events", content=body, timeout=10)
            assert answer.status_code == 413
        except httpx.TransportError:
            pass  # the server may close the connection before the client finishes sending

    grown = vm_rss_kib(running.proc.pid) - before
    assert grown < 4 * 1024, f"resident memory grew by {grown} KiB"


def nested(depth: int) -> str:
    """A JSON object holding `depth` nested arrays: valid JSON no Slack or Teams payload resembles."""
    return '{"type": "event_callback", "deep": ' + "[" * depth + "]" * depth + "}"


DEEP = [100_000, 5_000, 900]


@pytest.mark.parametrize("depth", DEEP)
@pytest.mark.parametrize("shape", ["json", "form payload"])
def test_deeply_nested_json_from_a_verified_slack_sender_gets_400_and_one_line(
    running: AppProcess, emu: SlackEmulator, depth: int, shape: str
) -> None:
    if shape == "json":
        raw, content_type = nested(depth).encode(), "application/json"
    else:
        raw = b"payload=" + nested(depth).replace("[", "%5B").replace("]", "%5D").encode()
        content_type = "application/x-www-form-urlencoded"
    request_id = f"deep-{shape.replace(' ', '')}-{depth}"
    calls_before, dump_before = len(emu.calls), database_dump(running)

    answer = httpx.post(
        running.url + "/slack/events",
        content=raw,
        headers={**signed_bytes_headers(raw, content_type), "X-Request-Id": request_id},
        timeout=10,
    )

    assert answer.status_code == 400
    assert_nothing_happened(running, emu, "deep", calls_before, dump_before)
    [line] = request_lines(running, request_id)
    assert " WARNING reviewwatch.http: POST /slack/events 400 " in line and " refused: " in line


@pytest.mark.parametrize("depth", DEEP)
def test_deeply_nested_json_from_a_verified_teams_sender_gets_400_and_one_line(
    running: AppProcess, depth: int
) -> None:
    from tests.support.teams_requests import hmac_header

    raw = nested(depth).encode()
    request_id = f"deep-teams-{depth}"

    answer = httpx.post(
        running.url + "/teams/messages",
        content=raw,
        headers={**hmac_header(raw), "X-Request-Id": request_id},
        timeout=10,
    )

    assert answer.status_code == 400
    [line] = request_lines(running, request_id)
    assert " WARNING reviewwatch.http: POST /teams/messages 400 " in line and " refused: " in line
    assert "Traceback" not in running.logs


HALF_HEADERS = 200
SILENT_BODIES = 100


def hold_sockets(app: AppProcess) -> list[socket.socket]:
    """300 connections an attacker holds open: 200 stop halfway through their headers, 100
    announce a 1 MiB body (the largest /slack/events takes) and never send it."""
    held = []
    for number in range(HALF_HEADERS + SILENT_BODIES):
        sock = socket.create_connection(("127.0.0.1", app.port or 0), timeout=10)
        if number < HALF_HEADERS:
            sock.sendall(b"POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty")
        else:
            head = f"POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {MIB}\r\n\r\n"
            sock.sendall(head.encode())
        held.append(sock)
    return held


def closed_by_server(sock: socket.socket) -> bool:
    sock.settimeout(0.05)
    try:
        return sock.recv(1) == b""
    except TimeoutError:
        return False
    except OSError:
        return True


def released_by_server(held: list[socket.socket]) -> int:
    """How many of `held` the server has let go of already (readable: closed), looked at now."""
    poll = select.poll()
    for sock in held:
        poll.register(sock, select.POLLIN | select.POLLHUP | select.POLLERR)
    return len(poll.poll(0))


def test_held_open_and_half_sent_connections_do_not_starve_real_requests(
    running: AppProcess, emu: SlackEmulator
) -> None:
    held = hold_sockets(running)
    try:
        health = httpx.get(running.url + "/healthz", timeout=60)
        body = slash_command_body("/holdouts", response_url=emu.response_url("starved"))
        command = httpx.post(
            running.url + "/slack/events", content=body, headers=signed_headers(body), timeout=60
        )
        # Answered while every held connection is still held: the real requests did not
        # wait for the server to let any of them go (its idle timeout, 10 s).
        released = released_by_server(held)

        assert health.status_code == 200 and command.status_code == 200
        assert released == 0
        assert "Meta" in json.dumps(command_answer(command, emu, "starved"))
        # The server lets idle connections go after its idle timeout (10 s), so they
        # cannot be held for long either.
        wait_until(
            lambda: all(closed_by_server(sock) for sock in held), timeout=30, what="idle sockets closed"
        )
    finally:
        for sock in held:
            sock.close()
