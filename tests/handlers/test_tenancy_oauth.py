"""Many workspaces in OAuth mode end to end, with the installation store of bot/install:
each installed workspace is answered and swept on its own database with its own token, and
Slack's app_uninstalled for one deletes its credentials and its data and leaves the other's."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import pytest
from slack_bolt import App
from slack_sdk import WebClient

from bot.catalog import make_deps
from bot.deps import Deps
from bot.tenancy import current_workspace, enable_workspaces, in_workspace
from handlers import build_app
from handlers.http.slack_events import SlackEvents
from handlers.tenancy import sweep_every_workspace, workspace_senders
from storage import workspaces as registry
from storage.alerts import list_subscriptions
from tests.handlers.test_install import KEY, event, install, key_rows, settled
from tests.support.alerts import SleepRecorder, subscribe
from tests.support.slack_emulator import SlackEmulator
from tests.support.slack_emulator_oauth import oauth_mode_settings
from tests.support.slack_requests import app_mention_event, dispatch, event_body, signed_headers

A, B = "T0AAAAAAA", "T0BBBBBBB"


@pytest.fixture
def oauth(deps: Deps, slack_emulator: SlackEmulator) -> Iterator[tuple[Deps, App, dict[str, str]]]:
    settings = oauth_mode_settings(
        deps.settings,
        slack_emulator.api_url,
        KEY,
    )
    oauth_deps = make_deps(settings, deps.store, deps.clock)
    tokens = {team: install(oauth_deps, slack_emulator, team) for team in (A, B)}
    workspaces = enable_workspaces(oauth_deps)
    app = build_app(oauth_deps, client=WebClient(base_url=slack_emulator.api_url, timeout=10))
    yield oauth_deps, app, tokens
    workspaces.close()


def _mention(app: App, team: str, text: str) -> None:
    body = json.loads(event_body(app_mention_event(text, channel=f"C0{team}")))
    body["team_id"] = team
    body["authorizations"][0]["team_id"] = team
    assert dispatch(app, json.dumps(body)).status == 200


def test_each_workspace_is_answered_and_swept_with_its_own_token_on_its_own_database(
    oauth: tuple[Deps, App, dict[str, str]], slack_emulator: SlackEmulator
) -> None:
    deps, app, tokens = oauth
    for team in (A, B):
        _mention(app, team, "holdouts")
    settled(lambda: len(slack_emulator.calls_to("chat.postMessage")) == 2, "both answers")
    answered = {c.args["channel"]: c.token for c in slack_emulator.calls_to("chat.postMessage")}
    assert answered == {f"C0{A}": tokens[A], f"C0{B}": tokens[B]}
    assert deps.runtime.workspaces.keys() == [A, B]

    for team in (A, B):
        with in_workspace(team):
            subscribe(deps, deps.clock.now().replace(month=6), f"C0{team}")
            deps.store.release()
    slack_emulator.reset()
    runs = sweep_every_workspace(
        deps,
        deps.runtime.workspaces,
        deps.runtime.bot_tokens,
        workspace_senders(deps.settings, sleep=SleepRecorder()),
    )
    assert all(run.error is None and run.sent for run in runs.values())
    posted = {(c.args["channel"], c.token) for c in slack_emulator.calls_to("chat.postMessage")}
    assert posted == {(f"C0{A}", tokens[A]), (f"C0{B}", tokens[B])}


def test_an_uninstall_deletes_the_workspaces_credentials_and_data_and_leaves_the_other(
    oauth: tuple[Deps, App, dict[str, str]], slack_emulator: SlackEmulator
) -> None:
    deps, app, _ = oauth
    workspaces = deps.runtime.workspaces
    for team in (A, B):
        _mention(app, team, "status")
        with in_workspace(team):
            subscribe(deps, deps.clock.now(), f"C0{team}")
            deps.store.release()
    a_file = registry.workspace_file(workspaces.home, A)
    assert a_file.exists()

    assert event(app, {"type": "app_uninstalled"}, A) == 200

    settled(lambda: not a_file.exists(), "A's database deleted")
    # The registry row is marked just after the file goes (bot/tenancy/workspaces.py forget).
    settled(
        lambda: (registry.workspace_row(workspaces.home.db, A) or {}).get("status") == "forgotten", "A marked"
    )
    assert key_rows(workspaces.home) == [B]  # A's credentials are gone too
    assert workspaces.keys() == [B]
    with in_workspace(B):
        assert [s["target"] for s in list_subscriptions(deps.store.db)] == [f"C0{B}"]
        deps.store.release()
    row = registry.workspace_row(workspaces.home.db, A)
    assert row is not None and row["status"] == "forgotten"


def test_a_request_leaves_no_workspace_entered_in_the_servers_thread(
    oauth: tuple[Deps, App, dict[str, str]], slack_emulator: SlackEmulator
) -> None:
    """Waitress reuses its threads: a Slack request of workspace A must not leave A entered
    for the next request the thread serves (a /healthz or a board page would read A's data)."""
    deps, app, _ = oauth
    body = json.loads(event_body(app_mention_event("holdouts", channel=f"C0{A}")))
    body["team_id"] = body["authorizations"][0]["team_id"] = A
    text = json.dumps(body)
    headers = signed_headers(text, content_type="application/json")
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/slack/events",
        "QUERY_STRING": "",
        "CONTENT_TYPE": headers["content-type"],
        "CONTENT_LENGTH": str(len(text.encode())),
        "HTTP_X_SLACK_REQUEST_TIMESTAMP": headers["x-slack-request-timestamp"],
        "HTTP_X_SLACK_SIGNATURE": headers["x-slack-signature"],
        "wsgi.input": io.BytesIO(text.encode()),
    }

    status, _, _ = SlackEvents(app, deps.settings.slack_signing_secret or "")(environ)

    assert status == 200
    settled(lambda: len(slack_emulator.calls_to("chat.postMessage")) == 1, "A's answer")
    assert current_workspace() is None
    assert deps.store.resolved() is deps.store.home  # the thread's next work reads the home database
