"""`python app.py workspaces` and `rotate-token-key` (bot/install/report.py), and OAuth
mode's start-up checks, through app.main as a shell runs them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from cryptography.fernet import Fernet
from slack_sdk.oauth.installation_store import Installation

from bot.clock import FixedClock
from bot.install.crypto import TokenCipher
from bot.install.store import DatabaseInstallationStore
from storage import installations as rows
from storage.db import open_store
from tests.support.app_process import clean_env, run_app, run_main

AT = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def installed(folder: Path, key: str = OLD) -> Path:
    db = folder / "home.db"
    store = open_store(db)
    try:
        installs = DatabaseInstallationStore(store, TokenCipher([key]), FixedClock(AT))
        installs.save(
            Installation(team_id="T0AAA", team_name="Policy A", user_id="U0ADMINA", bot_token="xoxb-a")
        )
        installs.save(
            Installation(
                enterprise_id="E0ORG",
                enterprise_name="Grid Org",
                team_id="T0ORG1",
                is_enterprise_install=True,
                user_id="W0ORGADMIN",
                bot_token="xoxb-org",
                bot_refresh_token="xoxe-org",
            )
        )
        rows.set_status(store.db, "E0ORG", rows.STATUS_NEEDS_REINSTALL, "Slack refused to refresh", AT)
    finally:
        store.close()
    return db


def test_workspaces_lists_each_installation_with_its_installer_status_and_problem(tmp_path: Path) -> None:
    db = installed(tmp_path)
    # Team A's own database (DESIGN of issue 28) holds a delivery problem.
    (tmp_path / "workspaces").mkdir()
    ws = open_store(tmp_path / "workspaces" / "T0AAA.sqlite3")
    ws.db.execute(
        "INSERT INTO alert_ledger (key, kind, subject_type, subject_id, target_type, target, due_at, status,"
        " last_error, created_at) VALUES ('k1', 'deadline', 'event', 'e1', 'slack', 'C0GONE', '2026-12-07',"
        " 'permanent', 'channel_not_found', '2026-12-07')"
    )
    ws.close()

    done = run_main(["workspaces"], clean_env(REVIEWWATCH_DB=str(db)), tmp_path)

    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split() == [
        "WORKSPACE",
        "NAME",
        "INSTALLED",
        "AT",
        "INSTALLER",
        "STATUS",
        "LAST",
        "DELIVERY",
        "PROBLEM",
    ]
    org, team = lines[1:]  # installed at the same moment: by key
    assert team.split()[:2] == ["T0AAA", "Policy"] and "U0ADMINA" in team
    assert "active" in team and team.endswith("C0GONE: channel_not_found")
    assert org.startswith("E0ORG (organization)") and "W0ORGADMIN" in org and "Grid Org" in org
    assert "needs reinstall" in org and org.endswith("Slack refused to refresh")


def test_workspaces_shows_a_workspaces_last_sweep_error_from_the_registry(tmp_path: Path) -> None:
    from storage.workspaces import record_sweep, register_workspace

    db = installed(tmp_path)
    store = open_store(db)
    register_workspace(store.db, "T0AAA", team_id="T0AAA", enterprise_id=None, at=AT)
    record_sweep(store.db, "T0AAA", AT, problems=0, error="invalid_auth")
    store.close()

    done = run_main(["workspaces"], clean_env(REVIEWWATCH_DB=str(db)), tmp_path)

    team = next(line for line in done.stdout.splitlines() if line.startswith("T0AAA"))
    assert team.endswith("last sweep: invalid_auth")
    assert not (tmp_path / "workspaces").exists()  # a workspace's database is never created here


def test_workspaces_says_when_no_workspace_installed_yet(tmp_path: Path) -> None:
    done = run_main(["workspaces"], clean_env(REVIEWWATCH_DB=str(tmp_path / "home.db")), tmp_path)
    assert done.returncode == 0 and done.stdout.startswith("No workspace has installed Review Watch yet")


def test_rotate_token_key_encrypts_every_token_again_with_the_new_key(tmp_path: Path) -> None:
    db = installed(tmp_path)

    done = run_main(
        ["rotate-token-key"],
        clean_env(REVIEWWATCH_DB=str(db), REVIEWWATCH_TOKEN_KEY=f"{NEW},{OLD}"),
        tmp_path,
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Encrypted 3 tokens of 2 installations again with the first key")
    store = open_store(db)
    try:
        new_only = DatabaseInstallationStore(store, TokenCipher([NEW]), FixedClock(AT))
        found = new_only.find_installation(enterprise_id=None, team_id="T0AAA")
        assert found is not None and found.bot_token == "xoxb-a"
        org = new_only.find_by_key("E0ORG")
        assert org is not None and (org.bot_token, org.bot_refresh_token) == ("xoxb-org", "xoxe-org")
    finally:
        store.close()

    stale = run_main(
        ["rotate-token-key"], clean_env(REVIEWWATCH_DB=str(db), REVIEWWATCH_TOKEN_KEY=OLD), tmp_path
    )
    assert stale.returncode == 2 and len(stale.stderr.strip().splitlines()) == 1
    assert "does not decrypt" in stale.stderr and "xoxb" not in stale.stderr


def test_rotate_token_key_new_prints_a_key_that_works(tmp_path: Path) -> None:
    done = run_main(["rotate-token-key", "--new"], clean_env(REVIEWWATCH_DB=str(tmp_path / "x.db")), tmp_path)
    assert done.returncode == 0
    cipher = TokenCipher([done.stdout.strip()])
    assert cipher.decrypt(cipher.encrypt("xoxb-t")) == "xoxb-t"
    assert not (tmp_path / "x.db").exists()


def test_oauth_mode_without_a_token_key_stops_with_one_line(tmp_path: Path) -> None:
    env = clean_env(
        SLACK_CLIENT_ID="3333.4444",
        SLACK_CLIENT_SECRET="secret",
        SLACK_SIGNING_SECRET="signing",
        REVIEWWATCH_DB=str(tmp_path / "home.db"),
    )
    done = run_app(["run"], env, tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "REVIEWWATCH_TOKEN_KEY is not set" in done.stderr
    assert not (tmp_path / "home.db").exists()

    socket = run_main(["run"], {**env, "REVIEWWATCH_TOKEN_KEY": NEW, "SLACK_APP_TOKEN": "xapp-1"}, tmp_path)
    assert socket.returncode == 2 and "HTTP mode only" in socket.stderr


def test_oauth_mode_with_a_key_that_does_not_decrypt_the_stored_tokens_stops_with_one_line(
    tmp_path: Path,
) -> None:
    db = installed(tmp_path, key=OLD)
    env = clean_env(
        SLACK_CLIENT_ID="3333.4444",
        SLACK_CLIENT_SECRET="secret",
        SLACK_SIGNING_SECRET="signing",
        REVIEWWATCH_TOKEN_KEY=NEW,
        REVIEWWATCH_DB=str(db),
        PORT="1",  # never bound: the check comes first
    )
    done = run_app(["run"], env, tmp_path)
    assert done.returncode == 2, done.stderr
    assert "review-watch: a stored token does not decrypt with REVIEWWATCH_TOKEN_KEY" in done.stderr
    assert NEW not in done.stderr and "Traceback" not in done.stderr
