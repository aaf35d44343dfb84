"""Sign in with Slack (OpenID Connect) on the private board, over real HTTP: the board on
waitress and the Slack emulator, both on 127.0.0.1. A person of the board's workspace signs
in and lands on the page they asked for; a missing or wrong state, a replayed code, another
workspace, an expired or forged id_token, a cancelled sign-in and an unreachable Slack are
each refused with a page that says so, and leave nothing written."""

from __future__ import annotations

import base64
import json
import socket
from dataclasses import replace
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from slack_sdk import WebClient

from bot.board import SESSION_COOKIE
from bot.clock import FixedClock
from bot.deps import Deps
from bot.settings import SettingsError, load_settings
from handlers import build_app
from storage.board import board_team
from tests.bot.board.conftest import SignInBoard
from tests.conftest import BOT_TOKEN
from tests.support.board import OTHER_TEAM_ID, TEAM_ID, ask_for_link, board_app, board_client
from tests.support.slack_emulator import OPENID_CLIENT_ID, OPENID_CLIENT_SECRET, SlackEmulator
from tests.support.slack_requests import command_answer, dispatch_command

PRIVATE_PAGE = "/board/developers/meta"


def written(deps: Deps) -> list[Any]:
    """Everything a sign-in could write: sessions, links and the board's recorded workspace."""
    db = deps.store.db
    rows: list[Any] = [tuple(r.values()) for r in db.query("SELECT * FROM board_sessions")]
    rows += [tuple(r.values()) for r in db.query("SELECT * FROM board_links")]
    rows += [tuple(r.values()) for r in db.query("SELECT * FROM app_state WHERE key LIKE 'board%'")]
    return rows


def browser() -> httpx.Client:
    """A client that keeps cookies and follows no redirect by itself (each step is checked)."""
    return httpx.Client(timeout=10)


def follow(client: httpx.Client, url: str, limit: int = 6) -> httpx.Response:
    answer = client.get(url)
    while answer.is_redirect and limit:
        answer = client.get(str(answer.next_request.url) if answer.next_request else "")
        limit -= 1
    return answer


def to_callback(client: httpx.Client, board: SignInBoard, next_path: str = PRIVATE_PAGE) -> str:
    """Start a sign-in and let Slack (the emulator) answer: the callback URL it sends back."""
    login = client.get(f"{board.url}/board/login", params={"next": next_path})
    assert login.status_code == 302, login.text
    authorized = client.get(login.headers["Location"])
    assert authorized.status_code == 302, authorized.text
    callback = authorized.headers["Location"]
    assert callback.startswith(f"{board.url}/board/login/callback?")
    return callback


def test_a_person_signs_in_with_slack_and_reads_the_private_page_they_asked_for(
    signin_board: SignInBoard,
) -> None:
    board, client = signin_board, browser()

    asked = client.get(board.url + PRIVATE_PAGE)
    assert asked.status_code == 403 and "Meta" not in asked.text
    assert 'href="/board/login?next=%2Fboard%2Fdevelopers%2Fmeta">Sign in with Slack</a>' in asked.text
    assert "/aireview board" in asked.text  # the personal link stays on offer

    page = follow(client, board.url + "/board/login?next=%2Fboard%2Fdevelopers%2Fmeta")

    assert page.status_code == 200 and str(page.url) == board.url + PRIVATE_PAGE
    assert "<h1>Meta</h1>" in page.text or ">Meta</h1>" in page.text
    authorize = board.emulator.openid.authorize_requests[-1]
    assert authorize["scope"] == "openid profile" and authorize["response_type"] == "code"
    assert authorize["client_id"] == OPENID_CLIENT_ID
    assert authorize["redirect_uri"] == board.url + "/board/login/callback"
    assert len(authorize["state"]) >= 32 and len(authorize["nonce"]) >= 32
    exchange = board.emulator.last("openid.connect.token")
    basic = base64.b64encode(f"{OPENID_CLIENT_ID}:{OPENID_CLIENT_SECRET}".encode()).decode()
    assert exchange.headers["authorization"] == f"Basic {basic}"
    assert board_team(board.deps.store.db) == TEAM_ID  # the bot's workspace, from auth.test
    (session,) = board.deps.store.db.query("SELECT user_id, team_id FROM board_sessions")
    assert session == {"user_id": "U0READER1", "team_id": TEAM_ID}
    assert client.get(board.url + "/board").status_code == 200


def test_the_cookies_are_httponly_and_the_state_cookie_short_lived(signin_board: SignInBoard) -> None:
    board, client = signin_board, browser()

    login = client.get(f"{board.url}/board/login")
    state_cookie = login.headers["Set-Cookie"]
    assert state_cookie.startswith("reviewwatch_board_login=")
    assert "HttpOnly" in state_cookie and "SameSite=Lax" in state_cookie
    assert "Max-Age=600" in state_cookie and "Path=/board/login" in state_cookie
    state = parse_qs(urlsplit(login.headers["Location"]).query)["state"][0]
    assert state in state_cookie

    signed = client.get(client.get(login.headers["Location"]).headers["Location"])

    assert signed.status_code == 303 and signed.headers["Location"] == "/board"
    session_cookie = signed.headers["Set-Cookie"]
    assert session_cookie.startswith(f"{SESSION_COOKIE}=")
    assert (
        "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie and "Path=/board" in session_cookie
    )


def test_the_authorize_url_names_the_boards_workspace_once_it_has_one(signin_board: SignInBoard) -> None:
    board = signin_board
    ask_for_link(board.deps)  # the first workspace that asked owns the board

    login = browser().get(f"{board.url}/board/login")

    assert parse_qs(urlsplit(login.headers["Location"]).query)["team"] == [TEAM_ID]


def test_without_a_client_id_the_board_offers_only_the_personal_link(deps: Deps) -> None:
    client = board_client(board_app(deps))

    asked = client.get(PRIVATE_PAGE)

    assert asked.status_code == 403 and "/aireview board" in asked.text
    assert "Sign in with Slack" not in asked.text
    assert client.get("/board/login").status_code == 404
    assert client.get("/board/login/callback?code=x&state=y").status_code == 404


def test_a_callback_without_the_state_cookie_is_refused(signin_board: SignInBoard) -> None:
    board = signin_board
    callback = to_callback(browser(), board)
    before = written(board.deps)

    stranger = browser().get(callback)  # another browser: no state cookie

    assert stranger.status_code == 403 and "could not be checked" in stranger.text
    assert "Set-Cookie" not in stranger.headers and "Meta" not in stranger.text
    assert written(board.deps) == before
    assert board.emulator.calls_to("openid.connect.token") == []  # refused before Slack is asked


def test_a_callback_with_another_state_is_refused(signin_board: SignInBoard) -> None:
    board, client = signin_board, browser()
    callback = to_callback(client, board)
    query = parse_qs(urlsplit(callback).query)
    before = written(board.deps)

    forged = client.get(
        f"{board.url}/board/login/callback", params={"code": query["code"][0], "state": "x" * 43}
    )
    bare = client.get(f"{board.url}/board/login/callback", params={"code": query["code"][0]})

    assert forged.status_code == 403 and "could not be checked" in forged.text
    assert bare.status_code == 403 and "could not be checked" in bare.text
    assert written(board.deps) == before


def test_a_replayed_code_is_refused(signin_board: SignInBoard) -> None:
    board, client = signin_board, browser()
    callback = to_callback(client, board)
    assert client.get(callback).status_code == 303
    sessions = written(board.deps)

    replayed = client.get(callback)

    assert replayed.status_code == 403 and "already used" in replayed.text
    assert "Set-Cookie" not in replayed.headers
    assert board.emulator.last("openid.connect.token").failed
    assert written(board.deps) == sessions


def test_a_person_of_another_workspace_is_refused(signin_board: SignInBoard) -> None:
    board, client = signin_board, browser()
    board.emulator.openid.team_id = OTHER_TEAM_ID
    board.emulator.openid.user_id = "U0STRANGER"
    before = written(board.deps)

    refused = client.get(to_callback(client, board))

    assert refused.status_code == 403 and "belongs to another Slack workspace" in refused.text
    assert "Set-Cookie" not in refused.headers
    assert written(board.deps) == before  # not even the board's workspace was recorded
    assert board_team(board.deps.store.db) is None
    assert client.get(board.url + PRIVATE_PAGE).status_code == 403


def test_a_person_of_another_workspace_is_refused_once_the_board_has_one(signin_board: SignInBoard) -> None:
    board, client = signin_board, browser()
    ask_for_link(board.deps, team_id=TEAM_ID)
    board.emulator.openid.team_id = OTHER_TEAM_ID
    before = written(board.deps)

    refused = client.get(to_callback(client, board))

    assert refused.status_code == 403 and "belongs to another Slack workspace" in refused.text
    assert written(board.deps) == before


def test_an_expired_id_token_is_refused(signin_board: SignInBoard, clock: FixedClock) -> None:
    board, client = signin_board, browser()
    # Slack's answer was made an hour ago (its id_token lives 5 minutes).
    board.emulator.openid.now = lambda: (clock.now() - timedelta(hours=1)).timestamp()
    before = written(board.deps)

    refused = client.get(to_callback(client, board))

    assert refused.status_code == 403 and "expired" in refused.text
    assert "Set-Cookie" not in refused.headers and written(board.deps) == before


def test_an_id_token_within_its_lifetime_is_taken(signin_board: SignInBoard, clock: FixedClock) -> None:
    board, client = signin_board, browser()
    board.emulator.openid.now = lambda: (clock.now() - timedelta(minutes=4)).timestamp()

    assert client.get(to_callback(client, board)).status_code == 303


@pytest.mark.parametrize("forgery", ["other key", "other issuer", "other nonce"])
def test_an_id_token_that_fails_a_check_is_refused(signin_board: SignInBoard, forgery: str) -> None:
    board, client = signin_board, browser()
    if forgery == "other key":
        board.emulator.openid.sign_with_other_key = True
    elif forgery == "other issuer":
        board.emulator.openid.issuer = "https://slack.example.org"
    login = client.get(f"{board.url}/board/login")
    authorize = login.headers["Location"]
    if forgery == "other nonce":  # Slack binds the code to a nonce this browser never made
        nonce = parse_qs(urlsplit(authorize).query)["nonce"][0]
        authorize = authorize.replace(f"nonce={nonce}", "nonce=somebody-elses-nonce")
    before = written(board.deps)

    refused = client.get(client.get(authorize).headers["Location"])

    assert refused.status_code == 403 and "could not be verified" in refused.text
    assert written(board.deps) == before


def test_a_cancelled_sign_in_is_refused(signin_board: SignInBoard) -> None:
    board, client = signin_board, browser()
    board.emulator.openid.deny = True

    refused = follow(client, f"{board.url}/board/login")

    assert refused.status_code == 403 and "cancelled" in refused.text
    assert board.emulator.calls_to("openid.connect.token") == []


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("unreachable", ["Web API", "keys"])
def test_an_unreachable_slack_is_a_clear_page(signin_board: SignInBoard, unreachable: str) -> None:
    board, client = signin_board, browser()
    nowhere = f"http://127.0.0.1:{closed_port()}"
    callback = to_callback(client, board)
    if unreachable == "Web API":
        board.deps.settings = replace(board.deps.settings, slack_api_url=nowhere + "/api/")
    else:
        board.deps.settings = replace(board.deps.settings, slack_openid_keys_url=nowhere + "/keys")
    before = written(board.deps)

    refused = client.get(callback)

    assert refused.status_code == 502 and "Slack could not be reached" in refused.text
    assert written(board.deps) == before


def test_a_slack_that_refuses_the_apps_credentials_is_a_clear_page(signin_board: SignInBoard) -> None:
    board, client = signin_board, browser()
    callback = to_callback(client, board)
    board.deps.settings = replace(board.deps.settings, slack_client_secret="not-the-secret")

    refused = client.get(callback)

    assert refused.status_code == 502 and "SLACK_CLIENT_SECRET" in refused.text


@pytest.mark.parametrize("elsewhere", ["https://evil.example/", "//evil.example/board", "/healthz"])
def test_after_signing_in_only_a_board_page_is_returned_to(signin_board: SignInBoard, elsewhere: str) -> None:
    board, client = signin_board, browser()

    signed = client.get(to_callback(client, board, next_path=elsewhere))

    assert signed.status_code == 303 and signed.headers["Location"] == "/board"


def test_public_mode_needs_no_sign_in(signin_board: SignInBoard) -> None:
    board = signin_board
    board.deps.settings = replace(board.deps.settings, board_mode="public")

    login = browser().get(f"{board.url}/board/login")

    assert login.status_code == 303 and login.headers["Location"] == "/board"


def test_the_client_id_and_secret_are_set_together() -> None:
    with pytest.raises(SettingsError, match="SLACK_CLIENT_SECRET"):
        load_settings({"SLACK_CLIENT_ID": "1.2"}, env_file=None)
    with pytest.raises(SettingsError, match="SLACK_CLIENT_ID"):
        load_settings({"SLACK_CLIENT_SECRET": "s"}, env_file=None)
    with pytest.raises(SettingsError, match="REVIEWWATCH_SLACK_OPENID_KEYS_URL"):
        load_settings({"REVIEWWATCH_SLACK_OPENID_KEYS_URL": "slack.com/keys"}, env_file=None)
    settings = load_settings({"SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "s"}, env_file=None)
    assert settings.slack_sign_in and settings.slack_openid_issuer == "https://slack.com"
    assert not load_settings({}, env_file=None).slack_sign_in


def test_the_bot_keeps_answering_with_its_token_when_the_client_id_is_in_the_environment(
    deps: Deps, slack_emulator: SlackEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Bolt turns on its own OAuth flow (and ignores the bot token) when it finds these two in
    # the environment; with one workspace they are the board's Sign in with Slack only.
    monkeypatch.setenv("SLACK_CLIENT_ID", OPENID_CLIENT_ID)
    monkeypatch.setenv("SLACK_CLIENT_SECRET", OPENID_CLIENT_SECRET)
    app = build_app(deps, client=WebClient(token=BOT_TOKEN, base_url=slack_emulator.api_url))

    answer = command_answer(
        dispatch_command(app, "/holdouts", "", response_url=slack_emulator.response_url("holdouts")),
        slack_emulator,
        "holdouts",
    )

    assert "Meta" in json.dumps(answer)
    assert app.oauth_flow is None
