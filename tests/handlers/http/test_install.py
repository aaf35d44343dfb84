"""OAuth mode: `python app.py` installed by two workspaces and one organization through the
real /slack/install and /slack/oauth_redirect endpoints (state cookie and all), against the
Slack emulator's authorize page and oauth.v2.access."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import httpx
import pytest
from cryptography.fernet import Fernet

from tests.support.app_process import AppProcess, clean_env, free_port, wait_until
from tests.support.slack_emulator import SlackEmulator
from tests.support.slack_emulator_oauth import OAUTH_AUTHORIZE_PATH, OAUTH_CLIENT_ID, OAUTH_CLIENT_SECRET
from tests.support.slack_requests import (
    SIGNING_SECRET,
    app_mention_event,
    fixture_path,
    signed_headers,
)

TEAM_A, TEAM_B, ORG, ORG_TEAM = "T0AAAAAAA", "T0BBBBBBB", "E0ORG0001", "T0ORGTEAM1"
STATE_COOKIE = "slack-app-oauth-state"  # Bolt's
TOKEN_KEY = Fernet.generate_key().decode()


def oauth_env(emu: SlackEmulator, folder: Path, port: int, **extra: str) -> dict[str, str]:
    return clean_env(
        SLACK_CLIENT_ID=OAUTH_CLIENT_ID,
        SLACK_CLIENT_SECRET=OAUTH_CLIENT_SECRET,
        REVIEWWATCH_TOKEN_KEY=TOKEN_KEY,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=emu.api_url,
        REVIEWWATCH_SLACK_AUTHORIZE_URL=emu.base_url + OAUTH_AUTHORIZE_PATH,
        REVIEWWATCH_PUBLIC_URL=f"http://127.0.0.1:{port}",
        REVIEWWATCH_DB=str(folder / "reviewwatch.db"),
        REVIEWWATCH_LOG_LEVEL="DEBUG",
        PORT=str(port),
        **extra,
    )


@pytest.fixture(scope="module")
def emu() -> Iterator[SlackEmulator]:
    with SlackEmulator() as emulator:
        emulator.oauth.add_workspace(TEAM_A, "Team A", installer="U0AINSTALL")
        emulator.oauth.add_workspace(TEAM_B, "Team B", installer="U0BINSTALL")
        emulator.oauth.add_org(ORG, "The Org", first_team=ORG_TEAM)
        yield emulator


@pytest.fixture(scope="module")
def running(emu: SlackEmulator, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppProcess]:
    folder = tmp_path_factory.mktemp("oauth-mode")
    app = AppProcess(oauth_env(emu, folder, free_port()), folder)
    try:
        app.wait_for_http()
        yield app
    finally:
        app.stop()


def install(app: AppProcess, team: str) -> httpx.Response:
    """A browser's way through Add to Slack: the install page (its cookie), Slack's
    authorize page, then back to the redirect with the code and state."""
    with httpx.Client(timeout=10) as browser:
        page = browser.get(f"{app.url}/slack/install", params={"team": team})
        assert page.status_code == 200, page.text
        link = re.search(r'href="([^"]+/oauth/v2/authorize[^"]*)"', page.text)
        assert link, page.text
        slack = browser.get(link[1].replace("&amp;", "&"))
        assert slack.status_code == 302, slack.text
        # The cookie is `Secure` (https in production); httpx keeps it from plain http, so
        # it goes back as a browser on https would send it.
        assert "Secure" in page.headers["set-cookie"] and "HttpOnly" in page.headers["set-cookie"]
        cookie = f"{STATE_COOKIE}={page.cookies[STATE_COOKIE]}"
        return browser.get(slack.headers["location"], headers={"Cookie": cookie})


def token_of(emu: SlackEmulator, key: str) -> str:
    """The latest bot token the emulator issued to `key`'s installation."""
    return [token for token, who in emu.oauth.tokens.items() if who.key == key][-1]


def mention_body(text: str, team: str, enterprise: str | None = None, channel: str = "C0POLICY") -> str:
    event = app_mention_event(text, channel=channel)
    body: dict[str, Any] = {
        "team_id": team,
        "api_app_id": "A0APPID",
        "event": event,
        "type": "event_callback",
        "event_id": f"Ev{team}{channel}{len(text)}",
        "event_time": 1515449522,
        "authorizations": [
            {"team_id": team, "enterprise_id": enterprise, "user_id": "U0BOT", "is_bot": True}
        ],
    }
    if enterprise:
        body["enterprise_id"] = enterprise
    return json.dumps(body)


def command_body(emu: SlackEmulator, team: str, enterprise: str | None = None) -> str:
    fields = dict(parse_qsl(fixture_path("slash_command.slack-docs.form-urlencoded.txt").read_text().strip()))
    fields.update(command="/holdouts", text="", team_id=team, channel_id="C0POLICY")
    fields["response_url"] = emu.response_url(f"holdouts-{team}")
    fields.pop("enterprise_id")
    if enterprise:
        fields["enterprise_id"] = enterprise
    return urlencode(fields)


def posts_in(emu: SlackEmulator, channel: str) -> list[Any]:
    """The app's posts in `channel`, once there is one."""
    posted = wait_until(
        lambda: [c for c in emu.calls_to("chat.postMessage") if c.args.get("channel") == channel],
        what=f"the answer in {channel}",
    )
    assert isinstance(posted, list)
    return posted


def post(app: AppProcess, body: str, content_type: str) -> httpx.Response:
    headers = signed_headers(body, content_type=content_type)
    return httpx.post(f"{app.url}/slack/events", content=body.encode(), headers=headers, timeout=10)


def test_two_workspaces_and_an_org_install_and_each_is_answered_with_its_own_token(
    running: AppProcess, emu: SlackEmulator
) -> None:
    for team in (TEAM_A, TEAM_B, ORG):
        done = install(running, team)
        assert done.status_code == 200, done.text
        assert "Review Watch is installed" in done.text and "/invite @Review Watch" in done.text

    for team, enterprise, key in ((TEAM_A, None, TEAM_A), (TEAM_B, None, TEAM_B), (ORG_TEAM, ORG, ORG)):
        channel = f"C0{key}"
        answer = post(running, mention_body("holdouts", team, enterprise, channel), "application/json")
        assert answer.status_code == 200
        posted = posts_in(emu, channel)
        assert posted[0].token == token_of(emu, key)
        command = post(running, command_body(emu, team, enterprise), "application/x-www-form-urlencoded")
        assert command.status_code == 200 and "Meta" in command.text


def test_an_org_install_is_found_from_the_enterprise_id_alone_and_from_a_granted_team_alone(
    running: AppProcess, emu: SlackEmulator
) -> None:
    install(running, ORG)
    for team, enterprise, channel in ((None, ORG, "C0ENTONLY"), (ORG_TEAM, None, "C0TEAMONLY")):
        body = json.loads(mention_body("holdouts", team or "", enterprise, channel))
        if team is None:
            body.pop("team_id")
            body["authorizations"][0].pop("team_id")
        assert post(running, json.dumps(body), "application/json").status_code == 200
        posted = posts_in(emu, channel)
        assert posted[0].token == token_of(emu, ORG)


def test_a_team_that_never_installed_gets_a_clear_refusal_and_nothing_else(
    running: AppProcess, emu: SlackEmulator
) -> None:
    db = running.cwd / "reviewwatch.db"
    before = (
        sqlite3.connect(db).execute("SELECT COUNT(*), MAX(updated_at) FROM slack_installations").fetchone()
    )
    calls = len(emu.calls)

    answer = post(running, command_body(emu, "T0STRANGER"), "application/x-www-form-urlencoded")

    assert answer.status_code == 200
    refusal = emu.wait_for_response("holdouts-T0STRANGER")  # Bolt answers at the response_url
    assert "not installed in this workspace" in refusal["text"] and "Add to Slack" in refusal["text"]
    assert len(emu.calls) == calls  # not even auth.test
    after = (
        sqlite3.connect(db).execute("SELECT COUNT(*), MAX(updated_at) FROM slack_installations").fetchone()
    )
    assert after == before


def test_an_install_without_the_browser_cookie_or_cancelled_is_refused_in_our_words(
    running: AppProcess, emu: SlackEmulator
) -> None:
    with httpx.Client(timeout=10) as browser:
        page = browser.get(f"{running.url}/slack/install", params={"team": TEAM_A})
        link = re.search(r'href="([^"]+)"', page.text)
        assert link
        slack = httpx.get(link[1].replace("&amp;", "&"), timeout=10)
    back = httpx.get(slack.headers["location"], timeout=10)  # another browser: no state cookie
    assert back.status_code == 400
    assert "Review Watch was not installed" in back.text and "/slack/install" in back.text

    emu.oauth.deny = True  # the person presses Cancel on Slack's page
    try:
        cancelled = install(running, TEAM_A)
    finally:
        emu.oauth.deny = False
    assert cancelled.status_code == 200
    assert "the install was cancelled in Slack, so nothing changed" in cancelled.text


def test_tokens_never_appear_in_plaintext_in_the_database_or_the_logs(
    running: AppProcess, emu: SlackEmulator
) -> None:
    install(running, TEAM_A)
    tokens = list(emu.oauth.tokens)
    assert tokens
    stored = b"".join(p.read_bytes() for p in running.cwd.glob("reviewwatch.db*"))
    logs = running.logs
    for token in tokens:
        assert token.encode() not in stored
        assert token not in logs
    assert "Sending a request" in logs  # slack_sdk's DEBUG lines, oauth.v2.access's form among them
    assert OAUTH_CLIENT_SECRET not in logs and TOKEN_KEY not in logs
    assert "installed in workspace" in logs


def installation_keys(app: AppProcess) -> list[str]:
    with sqlite3.connect(app.cwd / "reviewwatch.db") as conn:
        return [row[0] for row in conn.execute("SELECT install_key FROM slack_installations ORDER BY 1")]


def test_an_uninstall_deletes_that_workspaces_credentials_and_leaves_the_others(
    running: AppProcess, emu: SlackEmulator
) -> None:
    install(running, TEAM_A)
    install(running, TEAM_B)
    body = json.dumps(
        {
            "team_id": TEAM_B,
            "type": "event_callback",
            "event_id": "EvUninstallB",
            "event": {"type": "app_uninstalled"},
        }
    )

    assert post(running, body, "application/json").status_code == 200

    wait_until(lambda: TEAM_B not in installation_keys(running), what="team B's credentials deleted")
    assert TEAM_A in installation_keys(running)
    refused = post(running, command_body(emu, TEAM_B), "application/x-www-form-urlencoded")
    assert refused.status_code == 200
    assert "not installed" in emu.wait_for_response(f"holdouts-{TEAM_B}")["text"]
    answered = post(running, command_body(emu, TEAM_A), "application/x-www-form-urlencoded")
    assert "Meta" in answered.text


def admins_command(app: AppProcess, emu: SlackEmulator, team: str, user: str, text: str) -> str:
    """`/aireview admins ...` typed by `user` in `team`, signed and sent over HTTP: what they see."""
    fields = dict(parse_qsl(fixture_path("slash_command.slack-docs.form-urlencoded.txt").read_text().strip()))
    fields.update(command="/aireview", text=text, team_id=team, channel_id="C0POLICY", user_id=user)
    fields["response_url"] = emu.response_url(f"admins-{team}-{user}-{len(text)}")
    fields.pop("enterprise_id")
    answer = post(app, urlencode(fields), "application/x-www-form-urlencoded")
    assert answer.status_code == 200
    return str(json.loads(answer.text)["text"])


def test_whoever_installs_is_the_first_admin_of_their_own_workspace_only(
    running: AppProcess, emu: SlackEmulator
) -> None:
    for team in (TEAM_A, TEAM_B):
        done = install(running, team)
        assert "You are the first admin" in done.text
    admins = admins_command(running, emu, TEAM_A, "U0BINSTALL", "admins").splitlines()[0]
    assert admins == "*Review Watch admins:* <@U0AINSTALL>."
    refused = admins_command(running, emu, TEAM_B, "U0AINSTALL", "admins add <@U0AINSTALL>")
    assert "you are not one" in refused and "<@U0BINSTALL>" in refused
    added = admins_command(running, emu, TEAM_A, "U0AINSTALL", "admins add <@U0ANOTHER>")
    assert "<@U0ANOTHER> is now an admin" in added

    # A workspace in use with no admin (as before admins were kept per workspace) gets its
    # installer when it installs again.
    workspace = sqlite3.connect(running.cwd / "workspaces" / f"{TEAM_B}.sqlite3")
    with workspace:
        workspace.execute("DELETE FROM workspace_admins")
    workspace.close()
    admins = admins_command(running, emu, TEAM_B, "U0BINSTALL", "admins").splitlines()[0]
    assert admins == "*Review Watch admins:* nobody."
    install(running, TEAM_B)
    admins = admins_command(running, emu, TEAM_B, "U0BINSTALL", "admins").splitlines()[0]
    assert admins == "*Review Watch admins:* <@U0BINSTALL>."
