"""OAuth mode's routing: every listener, sent a foreign team's ids, reads and writes only
that team's database (bot/tenancy, handlers/tenancy.py; docs/workspaces.md).

Workspace A has data of its own (a subscription, a personal follow, a developer note, an
alert in its ledger). Then every listener the app registers (commands, buttons, form
submissions, type-ahead menus, events, the App Home) is sent requests from team B that name
A's records, channels and views. A's database must be byte-for-byte the rows it was, and
nothing Slack is sent for B may carry A's data.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from slack_bolt import App

from bot import ids
from bot.clock import FixedClock
from bot.deps import Deps
from bot.settings import Settings
from bot.tenancy import Workspaces, in_workspace
from handlers import ReleasingExecutor, register_all
from storage import alerts as ledger
from storage.follows import add_follow
from storage.tracker import update_record
from tests.conftest import ADMIN_ID
from tests.support.slack_emulator import SlackEmulator
from tests.support.slack_requests import (
    SIGNING_SECRET,
    app_mention_event,
    block_actions_payload,
    block_suggestion_payload,
    direct_message_event,
    dispatch,
    event_body,
    interactive_body,
    slash_command_body,
    view_submission_payload,
)
from tests.support.tenants import TEAM_A, TEAM_B, DictBotTokens, from_team, oauth_app, routed_app_deps

A_MARK = "A-ONLY-NOTE-7Q3"
A_CHANNEL = "C0APRIVATE"
B_CHANNEL = "C0BCHANNEL"


@dataclass
class Registered:
    """What `register_all` asks Bolt to route: (kind, constraint) pairs, read without Bolt."""

    seen: list[tuple[str, Any]] = field(default_factory=list)

    def __getattr__(self, kind: str) -> Callable[..., Any]:
        def constraint(*args: Any, **_: Any) -> Callable[[Any], Any]:
            self.seen.append((kind, args[0] if args else None))
            return lambda fn: fn

        return constraint


@dataclass
class Tenants:
    deps: Deps
    workspaces: Workspaces
    app: App
    emulator: SlackEmulator
    executor: ReleasingExecutor
    tokens: DictBotTokens
    acks: list[str] = field(default_factory=list)  # what each request was answered with

    def send(self, body: str, team: str) -> int:
        response = dispatch(self.app, from_team(body, team))
        self.acks.append(response.body or "")
        return response.status

    def finish(self) -> None:
        """Every listener started so far has ended (Bolt's pool, waited on)."""
        self.executor.shutdown(wait=True)

    def rows(self, team: str) -> str:
        store = self.workspaces.store(team)
        db = store.db
        tables = sorted(
            row["name"]
            for row in db.query(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        )
        dump = {
            t: sorted(json.dumps(r, sort_keys=True, default=str) for r in db.query(f"SELECT * FROM [{t}]"))
            for t in tables
        }
        store.release()
        return json.dumps(dump, sort_keys=True)


@pytest.fixture
def tenants(tmp_path: Path, clock: FixedClock, slack_emulator: SlackEmulator) -> Iterator[Tenants]:
    from storage.db import open_store

    home = open_store(tmp_path / "home.db")
    workspaces = Workspaces(home, clock)
    settings = Settings(
        slack_signing_secret=SIGNING_SECRET, db_path=str(tmp_path / "home.db"), admins=(ADMIN_ID,)
    )
    deps = routed_app_deps(settings, workspaces, clock)
    executor = ReleasingExecutor(deps.store, max_workers=5)
    tokens = DictBotTokens()
    app = oauth_app(deps, workspaces, slack_emulator.api_url, tokens, listener_executor=executor)
    for team in (TEAM_A, TEAM_B):
        workspaces.ensure(team_id=team, enterprise_id=None)
    yield Tenants(deps, workspaces, app, slack_emulator, executor, tokens)
    executor.shutdown(wait=True)
    workspaces.close()
    home.close()


def _give_a_its_own_data(tenants: Tenants, clock: FixedClock) -> str:
    """A's subscription, follow and developer note; returns the key an alert of A's would have."""
    now = clock.now()
    with in_workspace(TEAM_A):
        db = tenants.deps.store.db
        ledger.save_subscription(
            db, target_type="slack", target=A_CHANNEL, kinds=["deadline"], lead_days=[7],
            digest="realtime", developer_filter=None, actor=ADMIN_ID, now=now,
        )  # fmt: skip
        add_follow(db, ADMIN_ID, "developer", "meta", "Meta", now)
        update_record(db, "developer", "meta", {"note": A_MARK}, actor=ADMIN_ID, at=now)
        key = "deadline|1|2026-07-31|7|slack:" + A_CHANNEL
        tenants.deps.store.release()
    return key


def _commands(tenants: Tenants) -> list[str]:
    bodies = []
    texts = {"holdouts": [""], "deadlines": [""]}
    texts["aireview"] = [""] + [
        f"{c.name} {arg}".strip() for c in tenants.deps.subcommands.all() for arg in ("", "meta")
    ]
    for command, args in texts.items():
        for n, text in enumerate(args):
            url = tenants.emulator.response_url(f"{command}-{n}")
            bodies.append(
                slash_command_body(
                    f"/{command}", text, user_id=ADMIN_ID, channel_id=A_CHANNEL, response_url=url
                )
            )
    return bodies


def _buttons(ledger_key: str) -> list[str]:
    action_ids = [*ids.ADMIN_FORM_ACTIONS, ids.ACTION_FORM_DEVELOPER_PICK, ids.ACTION_ALERT_ACKNOWLEDGE,
                  ids.ACTION_ALERT_MORE, ids.ACTION_ALERT_UNMUTE, ids.ACTION_NEWS_UPDATE_TRACKER,
                  ids.ACTION_NEWS_ADD_EVENT]  # fmt: skip
    bodies = []
    for action_id in action_ids:
        for value in ("meta", ledger_key, json.dumps({"key": ledger_key, "channel": A_CHANNEL})):
            payload = block_actions_payload(action_id, value, user_id=ADMIN_ID, channel_id=A_CHANNEL)
            bodies.append(interactive_body(payload))
    return bodies


def _menus() -> list[str]:
    from bot.menus import MENU_ACTIONS

    return [
        interactive_body(block_suggestion_payload(action_id, "b", typed, user_id=ADMIN_ID))
        for action_id in MENU_ACTIONS
        for typed in ("", "me")
    ]


def _forms(a_views: list[dict[str, Any]]) -> list[str]:
    """A's own forms (opened by A's admin) submitted as team B, and every form id empty."""
    from tests.support.admin_forms import state_values

    bodies = []
    for view in a_views:
        payload = view_submission_payload(
            view["callback_id"],
            state_values(view),
            user_id=ADMIN_ID,
            private_metadata=view.get("private_metadata", ""),
        )
        bodies.append(interactive_body(payload))
    every = [*ids.ADMIN_FORM_MAIN_BLOCK, ids.VIEW_SUBSCRIBE, ids.VIEW_MUTE]
    for callback_id in every:
        meta = json.dumps({"channel": A_CHANNEL, "key": "x", "record_id": "meta"})
        bodies.append(
            interactive_body(
                view_submission_payload(callback_id, {}, user_id=ADMIN_ID, private_metadata=meta)
            )
        )
    return bodies


def _events() -> list[str]:
    home = {
        "type": "app_home_opened",
        "user": ADMIN_ID,
        "channel": "D0HOME",
        "tab": "home",
        "event_ts": "1.2",
    }
    return [
        event_body(home),
        event_body(app_mention_event("alerts", user=ADMIN_ID, channel=A_CHANNEL)),
        event_body(app_mention_event("status meta", user=ADMIN_ID, channel=A_CHANNEL)),
        event_body(direct_message_event("following", user=ADMIN_ID)),
        event_body(direct_message_event("history meta", user=ADMIN_ID)),
    ]


def _a_views(tenants: Tenants) -> list[dict[str, Any]]:
    """Each admin form as A's admin gets it (opened with A's token)."""
    for action_id in ids.ADMIN_FORM_ACTIONS:
        payload = block_actions_payload(action_id, "meta", user_id=ADMIN_ID, channel_id=A_CHANNEL)
        tenants.send(interactive_body(payload), TEAM_A)
    subscribe = slash_command_body("/aireview", "subscribe", user_id=ADMIN_ID, channel_id=A_CHANNEL)
    tenants.send(subscribe, TEAM_A)
    tenants.finish()
    views = [call.args["view"] for call in tenants.emulator.calls_to("views.open")]
    assert all(call.token == "xoxb-team-a" for call in tenants.emulator.calls_to("views.open"))
    return views


def _covered(registered: list[tuple[str, Any]], bodies: list[str]) -> list[tuple[str, Any]]:
    """The registrations no request in `bodies` reaches."""
    sent: dict[str, set[str]] = {
        "command": set(),
        "action": set(),
        "view": set(),
        "options": set(),
        "event": set(),
    }
    for body in bodies:
        if body.startswith("{"):
            sent["event"].add(json.loads(body)["event"]["type"])
            continue
        fields = dict(re.findall(r"([^&=]+)=([^&]*)", body))
        if "payload" not in fields:
            sent["command"].add(fields["command"].replace("%2F", "/"))
            continue
        from urllib.parse import parse_qs

        payload = json.loads(parse_qs(body)["payload"][0])
        if payload["type"] == "block_actions":
            sent["action"].update(a["action_id"] for a in payload["actions"])
        elif payload["type"] == "view_submission":
            sent["view"].add(payload["view"]["callback_id"])
        else:
            sent["options"].add(payload["action_id"])

    def reached(kind: str, constraint: Any) -> bool:
        names = sent.get(kind, set())
        if isinstance(constraint, re.Pattern):
            return any(constraint.match(name) for name in names)
        return constraint in names

    return [(k, c) for k, c in registered if k in sent and not reached(k, c)]


def test_every_listener_with_a_foreign_teams_ids_leaves_the_other_workspace_alone(
    tenants: Tenants, clock: FixedClock
) -> None:
    key = _give_a_its_own_data(tenants, clock)
    a_views = _a_views(tenants)
    tenants.emulator.reset()
    tenants.executor = ReleasingExecutor(tenants.deps.store, max_workers=5)
    tenants.app._listener_runner.listener_executor = tenants.executor  # a fresh pool to wait on
    tenants.acks.clear()
    before, before_b = tenants.rows(TEAM_A), tenants.rows(TEAM_B)
    assert A_MARK in before and A_CHANNEL in before

    bodies = _commands(tenants) + _buttons(key) + _menus() + _forms(a_views) + _events()
    registered = Registered()
    register_all(registered, tenants.deps)  # type: ignore[arg-type]
    assert {kind for kind, _ in registered.seen} >= {"command", "action", "view", "options", "event"}
    assert _covered(registered.seen, bodies) == []
    for body in bodies:
        assert tenants.send(body, TEAM_B) in (200, 404), body[:200]
    tenants.finish()

    assert tenants.rows(TEAM_A) == before  # nothing of A's changed
    assert tenants.rows(TEAM_B) != before_b  # B's admin changed B's own tracker and subscriptions
    home = tenants.workspaces.home.db
    assert list(home.query("SELECT * FROM subscriptions")) == [] == list(home.query("SELECT * FROM follows"))
    said_to_b = json.dumps(
        [c.args for c in tenants.emulator.calls] + [r for _, r in tenants.emulator.responses]
    )
    assert A_MARK not in said_to_b
    said_to_b += json.dumps(tenants.acks)
    assert "Anthropic" in said_to_b  # B's own tracker answered
    assert {c.token for c in tenants.emulator.calls} <= {"xoxb-team-b"}
    assert tenants.emulator.calls, "B's requests reached Slack with B's token"


def test_the_same_requests_from_the_owning_team_do_reach_its_data(
    tenants: Tenants, clock: FixedClock
) -> None:
    """The control: what B never sees, A does (so the test above can see a leak)."""
    _give_a_its_own_data(tenants, clock)
    url = tenants.emulator.response_url("mine")
    body = slash_command_body("/aireview", "alerts", user_id=ADMIN_ID, channel_id=A_CHANNEL, response_url=url)
    for team, expected in ((TEAM_A, True), (TEAM_B, False)):
        response = dispatch(tenants.app, from_team(body, team))
        text = response.body or json.dumps(tenants.emulator.wait_for_response("mine"))
        assert ("no alert subscription" not in text) is expected, team
    mention = event_body(app_mention_event("status meta", user=ADMIN_ID, channel=A_CHANNEL))
    tenants.send(mention, TEAM_A)
    tenants.finish()
    posted = json.dumps([c.args for c in tenants.emulator.calls_to("chat.postMessage")])
    assert A_MARK in posted


def test_a_request_naming_no_workspace_reaches_no_listener(tenants: Tenants) -> None:
    """A team id that is no Slack id (an installation store would never hold one, but the
    router does not trust that) reaches no listener and no database."""
    tenants.tokens.tokens["not a team"] = "xoxb-odd"
    url = tenants.emulator.response_url("odd")
    body = slash_command_body("/holdouts", "", user_id=ADMIN_ID, channel_id=B_CHANNEL, response_url=url)
    assert tenants.send(body, "not a team") == 200
    assert tenants.emulator.calls == [] and tenants.emulator.responses == []
    assert tenants.workspaces.keys() == [TEAM_A, TEAM_B]


def test_an_uninstall_event_arriving_after_the_data_is_gone_makes_no_database_again(tenants: Tenants) -> None:
    from bot.tenancy.forget import forget_workspace
    from storage.workspaces import workspace_databases

    forget_workspace(tenants.workspaces, TEAM_A, None)
    for kind in ("app_uninstalled", "tokens_revoked"):
        tenants.send(event_body({"type": kind, "event_ts": "1.2"}), TEAM_A)
    tenants.finish()
    assert tenants.workspaces.keys() == [TEAM_B]
    assert list(workspace_databases(tenants.workspaces.home)) == [TEAM_B]
