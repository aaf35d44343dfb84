"""OAuth mode's installation store (storage/installations.py, bot/install/, migration m026),
on both engines: tokens encrypted at rest, org-wide installs found from either id, install
states used once, and a token refresh made once however many need it at the same moment."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import Installation

from bot.clock import FixedClock
from bot.install.crypto import TokenCipher
from bot.install.store import DatabaseInstallationStore, DatabaseOAuthStateStore
from bot.install.tokens import InstalledTokens
from storage import installations as rows
from storage.db import Store, is_postgres_url
from tests.support.app_process import wait_until
from tests.support.paths import PROJECT_ROOT
from tests.support.slack_emulator import SlackEmulator
from tests.support.slack_emulator_oauth import OAUTH_CLIENT_ID, OAUTH_CLIENT_SECRET

KEY = Fernet.generate_key().decode()


def installation(team: str, token: str, **more: object) -> Installation:
    fields: dict[str, object] = {"team_id": team, "team_name": f"Team {team}", "user_id": "U0INSTALL1"}
    fields.update(more)
    return Installation(app_id="A0APPID", bot_token=token, bot_id="B0BOT", bot_user_id="U0BOT", **fields)  # type: ignore[arg-type]


def raw_text(store: Store) -> str:
    return json.dumps(rows.list_installations(store.db), default=str)


def test_tokens_are_encrypted_at_rest_and_come_back_decrypted(store: Store, clock: FixedClock) -> None:
    installs = DatabaseInstallationStore(store, TokenCipher([KEY]), clock)
    installs.save(
        installation("T0AAA", "xoxb-secret-a", user_token="xoxp-secret-user", bot_refresh_token="xoxe-r")
    )

    text = raw_text(store)
    assert "xoxb-secret-a" not in text and "xoxp-secret-user" not in text and "xoxe-r" not in text
    found = installs.find_installation(enterprise_id=None, team_id="T0AAA")
    assert found is not None
    assert (found.bot_token, found.user_token, found.bot_refresh_token) == (
        "xoxb-secret-a",
        "xoxp-secret-user",
        "xoxe-r",
    )
    assert installs.find_installation(enterprise_id=None, team_id="T0OTHER") is None


def test_an_org_wide_install_is_found_by_the_enterprise_id_or_by_a_team_it_was_granted(
    store: Store, clock: FixedClock
) -> None:
    installs = DatabaseInstallationStore(store, TokenCipher([KEY]), clock)
    # Slack's answer for an org-wide install may name a team (python-slack-sdk #1639).
    installs.save(installation("T0FIRST", "xoxb-org", enterprise_id="E0ORG", is_enterprise_install=True))
    installs.save(installation("T0SOLO", "xoxb-solo", enterprise_id="E0ORG"))  # a workspace's own install

    def token(enterprise: str | None, team: str | None, org: bool = False) -> str | None:
        found = installs.find_installation(enterprise_id=enterprise, team_id=team, is_enterprise_install=org)
        return None if found is None else found.bot_token

    assert token("E0ORG", None, org=True) == "xoxb-org"
    assert token("E0ORG", "T0ANY") == "xoxb-org"  # is_enterprise_install false (bolt-python #639)
    assert token(None, "T0FIRST") == "xoxb-org"  # the team Slack named is one it was granted
    assert token("E0ORG", "T0SOLO") == "xoxb-solo"  # a workspace's own install comes first
    assert token(None, "T0NEVER") is None
    assert rows.change_granted_teams(store.db, "E0ORG", add=["T0LATER"], at=clock.now()) == [
        "T0FIRST",
        "T0LATER",
    ]
    assert token(None, "T0LATER") == "xoxb-org"
    rows.change_granted_teams(store.db, "E0ORG", remove=["T0LATER"], at=clock.now())
    assert token(None, "T0LATER") is None

    installs.delete_all(enterprise_id="E0ORG", team_id="T0FIRST")
    assert token("E0ORG", None, org=True) is None and token("E0ORG", "T0SOLO") == "xoxb-solo"


def test_an_install_state_is_used_once_and_not_after_it_expires(store: Store, clock: FixedClock) -> None:
    states = DatabaseOAuthStateStore(store, clock, expiration_seconds=600)
    first, second = states.issue(), states.issue()
    assert states.consume(first) is True
    assert states.consume(first) is False
    clock.advance(timedelta(seconds=601))
    assert states.consume(second) is False
    assert states.consume("never-issued") is False


# ---------------------------------------------------------------- token rotation


def rotating_install(store: Store, clock: FixedClock, emu: SlackEmulator) -> tuple[InstalledTokens, str]:
    """Team T0ROT installed with rotation on, its bot token 30 minutes from expiring."""
    emu.oauth.rotation = True
    who = emu.oauth.add_workspace("T0ROT", "Rotating", installer="U0ROTADMIN")
    issued = emu.oauth._issue(who)
    installs = DatabaseInstallationStore(store, TokenCipher([KEY]), clock)
    expires = int(clock.now().timestamp()) + 30 * 60
    installs.save(
        installation(
            "T0ROT",
            issued["access_token"],
            bot_refresh_token=issued["refresh_token"],
            bot_token_expires_at=expires,
            user_id="U0ROTADMIN",
        )
    )
    client = WebClient(base_url=emu.api_url, timeout=10)
    tokens = InstalledTokens(
        installs, client, client_id=OAUTH_CLIENT_ID, client_secret=OAUTH_CLIENT_SECRET, clock=clock
    )
    return tokens, issued["access_token"]


def refresh_lock_waiters(store: Store) -> int:
    """How many are waiting for the refresh lock now (PostgreSQL's pg_locks, Linux's /proc/locks)."""
    if is_postgres_url(store.path):
        import psycopg

        with psycopg.connect(store.path, autocommit=True) as conn:
            row = conn.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
            ).fetchone()
            return int(row[0]) if row else 0
    lock_file = Path(f"{store.path}.token-refresh-lock")
    if not lock_file.exists():
        return 0
    inode = lock_file.stat().st_ino
    lines = Path("/proc/locks").read_text().splitlines()
    return sum(1 for line in lines if "->" in line and line.split()[-3].endswith(f":{inode}"))


def ask_in_thread(tokens: InstalledTokens, store: Store, answers: list[str | None]) -> threading.Thread:
    def ask() -> None:
        try:
            answers.append(tokens.bot_token(team_id="T0ROT", enterprise_id=None))
        finally:
            store.release()

    thread = threading.Thread(target=ask)
    thread.start()
    return thread


def test_two_threads_needing_a_fresh_token_at_once_refresh_it_once(
    store: Store, clock: FixedClock, slack_emulator: SlackEmulator
) -> None:
    tokens, old = rotating_install(store, clock, slack_emulator)
    gate = slack_emulator.gates["oauth.v2.access"] = threading.Event()
    answers: list[str | None] = []

    first = ask_in_thread(tokens, store, answers)
    wait_until(lambda: slack_emulator.in_flight("oauth.v2.access") == 1, what="the first refresh at Slack")
    second = ask_in_thread(tokens, store, answers)
    wait_until(
        lambda: refresh_lock_waiters(store) == 1 or slack_emulator.in_flight("oauth.v2.access") == 2,
        what="the second asker at the lock (or, wrongly, at Slack)",
    )
    assert slack_emulator.in_flight("oauth.v2.access") == 1
    gate.set()
    first.join(10)
    second.join(10)

    assert len(slack_emulator.oauth.refreshes) == 1
    assert len(slack_emulator.calls_to("oauth.v2.access")) == 1
    new = [t for t, who in slack_emulator.oauth.tokens.items() if who.key == "T0ROT"][-1]
    assert new != old and answers == [new, new]
    assert tokens.bot_token(team_id="T0ROT", enterprise_id=None) == new  # stored, good for 12 hours
    assert new not in raw_text(store)


CHILD = """
import json, sys
from datetime import datetime
from slack_sdk import WebClient
from bot.clock import FixedClock
from bot.install.crypto import TokenCipher
from bot.install.store import DatabaseInstallationStore
from bot.install.tokens import InstalledTokens
from storage.db import open_store

path, key, api, client_id, secret, now = sys.argv[1:7]
store = open_store(path)
clock = FixedClock(datetime.fromisoformat(now))
installs = DatabaseInstallationStore(store, TokenCipher([key]), clock)
tokens = InstalledTokens(installs, WebClient(base_url=api, timeout=10), client_id=client_id,
                         client_secret=secret, clock=clock)
print(json.dumps(tokens.bot_token(team_id="T0ROT", enterprise_id=None)), flush=True)
store.close()
"""


def test_two_processes_needing_a_fresh_token_at_once_refresh_it_once(
    store: Store, clock: FixedClock, slack_emulator: SlackEmulator
) -> None:
    tokens, old = rotating_install(store, clock, slack_emulator)
    gate = slack_emulator.gates["oauth.v2.access"] = threading.Event()
    answers: list[str | None] = []

    first = ask_in_thread(tokens, store, answers)
    wait_until(lambda: slack_emulator.in_flight("oauth.v2.access") == 1, what="the first refresh at Slack")
    args = [
        store.path,
        KEY,
        slack_emulator.api_url,
        OAUTH_CLIENT_ID,
        OAUTH_CLIENT_SECRET,
        clock.now().isoformat(),
    ]
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, *args], cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        wait_until(
            lambda: refresh_lock_waiters(store) == 1 or slack_emulator.in_flight("oauth.v2.access") == 2,
            what="the other process at the lock (or, wrongly, at Slack)",
        )
        assert slack_emulator.in_flight("oauth.v2.access") == 1
        gate.set()
        first.join(10)
        out, _ = child.communicate(timeout=30)
    finally:
        child.kill()

    assert len(slack_emulator.calls_to("oauth.v2.access")) == 1
    new = [t for t, who in slack_emulator.oauth.tokens.items() if who.key == "T0ROT"][-1]
    assert answers == [new] and json.loads(out) == new != old


def test_a_refused_refresh_marks_the_install_for_reinstall_tells_the_installer_and_keeps_the_token(
    store: Store, clock: FixedClock, slack_emulator: SlackEmulator
) -> None:
    tokens, old = rotating_install(store, clock, slack_emulator)
    slack_emulator.oauth.refused.add("T0ROT")
    before = rows.installation_by_key(store.db, "T0ROT")

    assert tokens.bot_token(team_id="T0ROT", enterprise_id=None) is None

    after = rows.installation_by_key(store.db, "T0ROT")
    assert after is not None and before is not None
    assert after["status"] == rows.STATUS_NEEDS_REINSTALL and "invalid_grant" in after["status_note"]
    assert (
        after["bot_token"] == before["bot_token"]
        and after["bot_refresh_token"] == before["bot_refresh_token"]
    )
    told = slack_emulator.last("chat.postMessage")
    assert told.args["channel"] == "U0ROTADMIN" and told.token == old
    assert "install it again" in told.args["text"]
    assert tokens.bot_token(team_id="T0ROT", enterprise_id=None) is None  # no second refresh attempt
    assert len(slack_emulator.calls_to("oauth.v2.access")) == 1


@pytest.mark.parametrize("keys", [[KEY], [Fernet.generate_key().decode(), KEY]])
def test_tokens_stay_readable_while_the_key_rotates(store: Store, clock: FixedClock, keys: list[str]) -> None:
    DatabaseInstallationStore(store, TokenCipher([KEY]), clock).save(installation("T0KEY", "xoxb-keyed"))
    installs = DatabaseInstallationStore(store, TokenCipher(keys), clock)
    found = installs.find_installation(enterprise_id=None, team_id="T0KEY")
    assert found is not None and found.bot_token == "xoxb-keyed"
