"""The web board in OAuth mode (many workspaces, one database each), over the real HTTP
server with real signed Slack requests: `/aireview board` in a workspace gives a link to
that workspace's board, which shows its tracker; a link or session presented with another
workspace's key is refused; a request that names no workspace reads and writes nothing."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

import httpx
import pytest
from slack_bolt import App
from slack_sdk import WebClient

from bot.board import SESSION_COOKIE
from bot.catalog import make_deps
from bot.deps import Deps
from bot.tenancy import enable_workspaces, enter_workspace, in_workspace
from handlers import build_app
from handlers.http.board import board_routes
from handlers.http.routes import PATH_CALENDAR, HttpApp, Route, build_routes, plain
from storage.board import board_team
from storage.generation import tracker_generation
from storage.tracker import list_deadlines, update_record
from tests.handlers.test_install import KEY, install
from tests.support.board import served
from tests.support.slack_emulator import OPENID_AUTHORIZE_PATH, OPENID_KEYS_PATH, SlackEmulator
from tests.support.slack_emulator_oauth import OAUTH_CLIENT_ID, OAUTH_CLIENT_SECRET, oauth_mode_settings
from tests.support.slack_requests import dispatch, slash_command_body

A, B = "T0AAAAAAA", "T0BBBBBBB"
READER = "U0READER1"
A_NOTE = "Only the admins of workspace A wrote this note."


@dataclass
class Site:
    deps: Deps
    app: App
    base: str


@pytest.fixture
def site(deps: Deps, slack_emulator: SlackEmulator) -> Iterator[Site]:
    settings = oauth_mode_settings(
        deps.settings,
        slack_emulator.api_url,
        KEY,
        board_mode="private",
        calendar_token="calendar-secret",
        slack_openid_authorize_url=slack_emulator.base_url + OPENID_AUTHORIZE_PATH,
        slack_openid_keys_url=slack_emulator.base_url + OPENID_KEYS_PATH,
        slack_openid_issuer=slack_emulator.base_url,
    )
    openid = slack_emulator.openid
    openid.client_id, openid.client_secret = OAUTH_CLIENT_ID, OAUTH_CLIENT_SECRET
    openid.now = lambda: deps.clock.now().timestamp()
    oauth_deps = make_deps(settings, deps.store, deps.clock)
    for team in (A, B):
        install(oauth_deps, slack_emulator, team)
    workspaces = enable_workspaces(oauth_deps)
    app = build_app(oauth_deps, client=WebClient(base_url=slack_emulator.api_url, timeout=10))
    routes = [r for r in build_routes(app, oauth_deps) if r.path == PATH_CALENDAR]
    routes += [Route(p, m, plain(h)) for p, m, h in board_routes(oauth_deps)]
    with served(HttpApp(routes, oauth_deps.store)) as base:
        yield Site(oauth_deps, app, base)
    enter_workspace(None)
    workspaces.close()


def board_command(site: Site, team: str) -> str:
    """What `/aireview board` answers a person of `team` (a signed slash command)."""
    fields = dict(parse_qsl(slash_command_body("/aireview", "board", user_id=READER), keep_blank_values=True))
    fields["team_id"] = team
    answer = dispatch(site.app, urlencode(fields))
    enter_workspace(None)  # Bolt's middleware entered the workspace in this (the test's) thread
    assert answer.status == 200, answer.body
    return str(json.loads(answer.body)["text"])


def ask_for_link(site: Site, team: str) -> str:
    """The sign-in link in `/aireview board`'s ephemeral answer."""
    text = board_command(site, team)
    found = re.search(r"(/board/signin/[A-Za-z0-9_.-]+)", text)
    assert found, text
    return found.group(1)


def signed_in(site: Site, link: str) -> httpx.Client:
    client = httpx.Client(base_url=site.base)
    answer = client.post(link)
    assert answer.status_code == 303, answer.text
    return client


def edit_in_a(deps: Deps) -> None:
    """An admin edit in workspace A only: a note on Meta and on every deadline."""
    with in_workspace(A):
        db = deps.store.db
        update_record(db, "developer", "meta", {"note": A_NOTE}, actor="UADMIN0001", at=deps.clock.now())
        for deadline in list_deadlines(db):
            changes = {"note": A_NOTE}
            update_record(db, "deadline", deadline["id"], changes, actor="UADMIN0001", at=deps.clock.now())
        deps.store.release()


def home_untouched(deps: Deps) -> tuple[int, str | None]:
    home = deps.runtime.workspaces.home
    found = tracker_generation(home), board_team(home.db)
    home.release()
    return found


def test_each_workspace_follows_its_own_link_and_reads_its_own_tracker(site: Site) -> None:
    links = {team: ask_for_link(site, team) for team in (A, B)}  # each workspace's first request
    edit_in_a(site.deps)
    before = home_untouched(site.deps)
    assert links[A].startswith(f"/board/signin/{A}.") and links[B].startswith(f"/board/signin/{B}.")

    clients = {team: signed_in(site, links[team]) for team in (A, B)}

    assert clients[A].cookies[SESSION_COOKIE].startswith(f"{A}.")
    a_meta, b_meta = (clients[t].get("/board/developers/meta") for t in (A, B))
    assert a_meta.status_code == b_meta.status_code == 200
    assert A_NOTE in a_meta.text and A_NOTE not in b_meta.text
    a_board, b_board = (clients[t].get("/board") for t in (A, B))
    assert a_board.status_code == b_board.status_code == 200
    assert a_board.headers["ETag"] != b_board.headers["ETag"]
    a_calendar, b_calendar = (clients[t].get("/board/calendar.ics") for t in (A, B))
    assert a_calendar.status_code == b_calendar.status_code == 200
    assert "BEGIN:VEVENT" in a_calendar.text and "BEGIN:VEVENT" in b_calendar.text
    a_dates, b_dates = (calendar.text.replace("\r\n ", "") for calendar in (a_calendar, b_calendar))
    assert f"Note: {A_NOTE}" in a_dates and A_NOTE not in b_dates
    assert home_untouched(site.deps) == before


def test_a_link_or_session_of_one_workspace_with_anothers_key_is_refused(site: Site) -> None:
    link = ask_for_link(site, A)
    swapped = link.replace(f"/{A}.", f"/{B}.")

    assert httpx.get(site.base + swapped).status_code == 403
    assert httpx.post(site.base + swapped).status_code == 403
    client = signed_in(site, link)  # A's own link still works: B's refusal used nothing
    token = client.cookies[SESSION_COOKIE].split(".", 1)[1]
    stolen = httpx.get(site.base + "/board", cookies={SESSION_COOKIE: f"{B}.{token}"})
    assert stolen.status_code == 403 and "Meta" not in stolen.text
    assert client.get("/board").status_code == 200


@pytest.mark.parametrize(
    "cookie", [None, "no-key-at-all", "T0NOTHERE.abc", f"{A}"], ids=["none", "bare", "unknown", "key-only"]
)
def test_a_board_request_naming_no_workspace_reads_and_writes_nothing(site: Site, cookie: str | None) -> None:
    before = home_untouched(site.deps)
    cookies = {SESSION_COOKIE: cookie} if cookie else None

    for path in ("/board", "/board/developers/meta", "/board/calendar.ics", "/board/signin/sometoken"):
        answer = httpx.get(site.base + path, cookies=cookies)
        assert answer.status_code == 403, path
        assert "Open the board from Slack" in answer.text and "Meta" not in answer.text
        assert ("Sign in with Slack" in answer.text) == (not path.startswith("/board/signin/"))
    assert httpx.post(site.base + "/board/signin/sometoken").status_code == 403
    assert home_untouched(site.deps) == before


def test_the_public_board_and_the_shared_calendar_feed_are_off_with_many_workspaces(site: Site) -> None:
    feed = httpx.get(f"{site.base}{PATH_CALENDAR}", params={"token": "calendar-secret"})
    assert feed.status_code == 404 and "/aireview board" in feed.text
    assert "BEGIN:VCALENDAR" not in feed.text
    site.deps.settings = dataclasses.replace(site.deps.settings, board_mode="public")

    answer = httpx.get(site.base + "/board")

    assert answer.status_code == 404 and "Meta" not in answer.text
    assert "public board is off" in board_command(site, A)


def sign_in_with_slack(site: Site, client: httpx.Client, next_path: str) -> httpx.Response:
    """Sign in with Slack: the board's /board/login, Slack's (the emulator's) authorize page,
    the callback; its answer."""
    login = client.get("/board/login", params={"next": next_path})
    assert login.status_code == 302, login.text
    authorized = httpx.get(login.headers["Location"])
    assert authorized.status_code == 302, authorized.text
    return client.get(authorized.headers["Location"])


def test_sign_in_with_slack_opens_the_board_of_the_workspace_the_id_token_names(
    site: Site, slack_emulator: SlackEmulator
) -> None:
    for team in (A, B):
        ask_for_link(site, team)  # each workspace's first request
    edit_in_a(site.deps)
    pages = {}
    for team in (A, B):
        slack_emulator.openid.team_id = team
        client = httpx.Client(base_url=site.base)
        signed = sign_in_with_slack(site, client, "/board/developers/meta")
        assert signed.status_code == 303 and signed.headers["Location"] == "/board/developers/meta"
        assert client.cookies[SESSION_COOKIE].startswith(f"{team}.")
        pages[team] = client.get("/board/developers/meta")
    assert pages[A].status_code == pages[B].status_code == 200
    assert A_NOTE in pages[A].text and A_NOTE not in pages[B].text


def test_sign_in_with_slack_from_a_workspace_not_installed_is_refused_and_writes_nothing(
    site: Site, slack_emulator: SlackEmulator
) -> None:
    before = home_untouched(site.deps)
    slack_emulator.openid.team_id = "T0NOTHERE"
    client = httpx.Client(base_url=site.base)

    refused = sign_in_with_slack(site, client, "/board")

    assert refused.status_code == 403 and "not installed in your workspace" in refused.text
    assert SESSION_COOKIE not in client.cookies
    assert home_untouched(site.deps) == before
