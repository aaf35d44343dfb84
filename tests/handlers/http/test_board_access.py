"""Who may read the web board, over plain HTTP (the real WSGI app, no socket): private pages
need a session from a personal sign-in link; a link works once and for 15 minutes; a
session of another workspace is refused; public mode needs no sign-in; `off` is 404.
Every answer carries the security headers, and a matching ETag gets 304."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.board import SESSION_COOKIE
from bot.board.access import token_hash
from bot.clock import FixedClock
from bot.deps import Deps
from bot.replies import CommandRequest
from storage.board import BoardPerson, save_session
from storage.tracker import update_record
from tests.support.board import (
    OTHER_TEAM_ID,
    TEAM_ID,
    ask_for_link,
    board_app,
    board_client,
    signed_in_client,
)

PAGES = (
    "/board",
    "/board/developers/meta",
    "/board/changes",
    "/board/compare",
    "/board/changes.atom",
    "/board/calendar.ics",
    "/board/developers/meta.ics",
    "/board/csv/developers.csv",
)


@pytest.mark.parametrize("path", PAGES)
def test_a_private_page_without_a_session_gets_the_sign_in_page_and_no_data(deps: Deps, path: str) -> None:
    client = board_client(board_app(deps))

    answer = client.get(path)

    assert answer.status_code == 403
    assert "/aireview board" in answer.text
    assert "Meta" not in answer.text and "Anthropic" not in answer.text
    assert answer.headers["Cache-Control"] == "no-store"
    assert "ETag" not in answer.headers


def test_a_sign_in_link_opens_a_session_that_reads_every_page(deps: Deps) -> None:
    client = board_client(board_app(deps))
    link = ask_for_link(deps)

    confirm = client.get(link)
    assert confirm.status_code == 200 and f'action="{link}"' in confirm.text
    signed = client.post(link)

    assert signed.status_code == 303 and signed.headers["Location"] == "/board"
    cookie = signed.headers["Set-Cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/board" in cookie
    assert "Secure" not in cookie  # served over plain http here
    for path in PAGES:
        page = client.get(path)
        assert page.status_code == 200, path
    assert "Meta" in client.get("/board").text


def test_the_session_cookie_is_secure_behind_https(deps: Deps) -> None:
    from dataclasses import replace

    app = board_app(deps)
    deps.settings = replace(deps.settings, public_url="https://board.example.org")
    link = ask_for_link(deps)
    assert link.startswith("/board/signin/")

    signed = board_client(app).post(link)

    assert "; Secure" in signed.headers["Set-Cookie"]


def test_only_hashes_of_tokens_are_stored(deps: Deps) -> None:
    link = ask_for_link(deps)
    token = link.rsplit("/", 1)[1]
    client = board_client(board_app(deps))
    client.post(link)
    session = client.cookies[SESSION_COOKIE]

    stored = [tuple(r.values()) for r in deps.store.db.query("SELECT * FROM board_links")]
    stored += [tuple(r.values()) for r in deps.store.db.query("SELECT * FROM board_sessions")]

    text = repr(stored)
    assert token not in text and session not in text
    assert token_hash(token) in text and token_hash(session) in text


def test_a_used_link_is_refused(deps: Deps) -> None:
    app = board_app(deps)
    link = ask_for_link(deps)
    assert board_client(app).post(link).status_code == 303

    again = board_client(app)
    assert again.get(link).status_code == 403
    refused = again.post(link)

    assert refused.status_code == 403
    assert "expired or was already used" in refused.text
    assert "Set-Cookie" not in refused.headers
    assert again.get("/board").status_code == 403


def test_an_expired_link_is_refused(deps: Deps, clock: FixedClock) -> None:
    app = board_app(deps)
    link = ask_for_link(deps)
    clock.advance(timedelta(minutes=15))

    refused = board_client(app).post(link)

    assert refused.status_code == 403 and "Set-Cookie" not in refused.headers


def test_a_link_used_within_fifteen_minutes_works(deps: Deps, clock: FixedClock) -> None:
    app = board_app(deps)
    link = ask_for_link(deps)
    clock.advance(timedelta(minutes=14, seconds=59))

    assert board_client(app).post(link).status_code == 303


def test_a_session_from_another_workspace_cannot_read_this_tracker(deps: Deps, clock: FixedClock) -> None:
    app = board_app(deps)
    ask_for_link(deps)  # the board belongs to the first workspace that asked
    save_session(
        deps.store.db,
        token_hash("their-session"),
        BoardPerson("U0STRANGER", OTHER_TEAM_ID),
        at=clock.now(),
        expires=clock.now() + timedelta(days=1),
    )
    client = board_client(app)
    client.cookies.set(SESSION_COOKIE, "their-session")

    answer = client.get("/board/developers/meta")

    assert answer.status_code == 403 and "Meta" not in answer.text


def test_another_workspace_gets_no_link(deps: Deps) -> None:
    ask_for_link(deps, team_id=TEAM_ID)
    command = deps.subcommands.get("board")
    assert command is not None

    reply = command.run(deps, CommandRequest(text="", user_id="U0STRANGER", team_id=OTHER_TEAM_ID))

    assert reply is not None and "/board/signin/" not in reply.text
    assert "another Slack workspace" in reply.text


def test_a_link_is_never_posted_in_a_channel_message(deps: Deps) -> None:
    command = deps.subcommands.get("board")
    assert command is not None

    reply = command.run(
        deps, CommandRequest(text="", user_id="U0READER1", team_id=TEAM_ID, asked_in_message=True)
    )

    assert reply is not None and "/board/signin/" not in reply.text


def test_a_session_expires_after_seven_days(deps: Deps, clock: FixedClock) -> None:
    client = signed_in_client(deps, board_app(deps))
    clock.advance(timedelta(days=7))

    assert client.get("/board").status_code == 403


def test_public_mode_shows_the_pages_without_sign_in(deps: Deps) -> None:
    client = board_client(board_app(deps, "public"))

    for path in PAGES:
        assert client.get(path).status_code == 200, path
    board = client.get("/board")
    assert "Meta" in board.text
    assert board.headers["Cache-Control"] == "public, no-cache"


def test_off_mode_answers_404_everywhere(deps: Deps) -> None:
    client = board_client(board_app(deps, "off"))

    for path in (*PAGES, "/board/static/board.css"):
        assert client.get(path).status_code == 404, path


def test_nothing_on_the_board_writes(deps: Deps) -> None:
    client = signed_in_client(deps, board_app(deps))

    for method in ("POST", "PUT", "DELETE", "PATCH"):
        answer = client.request(method, "/board")
        assert answer.status_code == 405, method
        assert answer.headers["Allow"] == "GET, HEAD"


def test_every_page_carries_the_security_headers(deps: Deps) -> None:
    client = signed_in_client(deps, board_app(deps))

    for path in (*PAGES, "/board/static/board.css", "/board/nosuch", "/board/developers/nosuch"):
        answer = client.get(path)
        if answer.status_code == 404 and path == "/board/nosuch":
            continue  # no board route: the app's own 404
        csp = answer.headers["Content-Security-Policy"]
        assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
        assert "script-src" not in csp and "unsafe-inline" not in csp
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert answer.headers["Referrer-Policy"] in ("no-referrer", "same-origin")
    assert client.get("/board").headers["Cache-Control"] == "private, no-cache"


def test_a_matching_etag_gets_304_until_the_tracker_changes(deps: Deps, clock: FixedClock) -> None:
    client = signed_in_client(deps, board_app(deps))
    first = client.get("/board")
    etag = first.headers["ETag"]

    again = client.get("/board", headers={"If-None-Match": etag})

    assert again.status_code == 304 and again.content == b""
    assert again.headers["ETag"] == etag
    assert "Content-Security-Policy" in again.headers
    update_record(
        deps.store.db, "developer", "meta", {"note": "A changed note."}, actor="UADMIN0001", at=clock.now()
    )
    changed = client.get("/board", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_the_etag_differs_by_page_and_by_who_reads(deps: Deps) -> None:
    app = board_app(deps)
    client = signed_in_client(deps, app)
    board = client.get("/board").headers["ETag"]
    compare = client.get("/board/compare").headers["ETag"]
    other = signed_in_client(deps, app).get("/board").headers["ETag"]

    assert board != compare
    assert board == other  # the same workspace reads the same page
    public = board_client(board_app(deps, "public")).get("/board").headers["ETag"]
    assert public != board
