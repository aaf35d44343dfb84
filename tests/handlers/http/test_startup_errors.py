"""`python app.py` refuses to start with one clear line naming what to fix."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests.support.app_process import clean_env, free_port, run_app
from tests.support.slack_emulator import SlackEmulator
from tests.support.slack_requests import SIGNING_SECRET

BOT_TOKEN = "xoxb-startup-test-token"
APP_TOKEN = "xapp-1-startup-test-token"


def error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.startswith("review-watch: ")]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


def test_without_slack_credentials_it_names_what_to_set(tmp_path: Path) -> None:
    done = run_app([], clean_env(REVIEWWATCH_DB=str(tmp_path / "r.db")), tmp_path)

    assert done.returncode == 2
    line = error_line(done.stderr)
    assert "SLACK_APP_TOKEN" in line and "SLACK_SIGNING_SECRET" in line
    assert "python app.py console" in line
    assert not (tmp_path / "r.db").exists()  # a misconfigured start leaves nothing behind


def test_without_a_bot_token_it_asks_for_one(tmp_path: Path) -> None:
    env = clean_env(SLACK_SIGNING_SECRET=SIGNING_SECRET, REVIEWWATCH_DB=str(tmp_path / "r.db"))

    done = run_app(["run"], env, tmp_path)

    assert done.returncode == 2
    assert "SLACK_BOT_TOKEN is not set" in error_line(done.stderr)


@pytest.mark.parametrize("mode", ["http", "socket"])
def test_a_bot_token_slack_rejects_stops_start_up_with_the_reason(
    slack_emulator: SlackEmulator, tmp_path: Path, mode: str
) -> None:
    slack_emulator.invalid_tokens = {BOT_TOKEN}
    credentials = (
        {"SLACK_APP_TOKEN": APP_TOKEN}
        if mode == "socket"
        else {"SLACK_SIGNING_SECRET": SIGNING_SECRET, "PORT": str(free_port())}
    )
    env = clean_env(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_API_URL=slack_emulator.api_url,
        REVIEWWATCH_DB=str(tmp_path / "r.db"),
        **credentials,
    )

    done = run_app([], env, tmp_path)

    assert done.returncode == 2
    line = error_line(done.stderr)
    assert "Slack rejected SLACK_BOT_TOKEN (auth.test: invalid_auth)" in line
    assert BOT_TOKEN not in done.stderr
    assert slack_emulator.last("auth.test").token == BOT_TOKEN  # asked the emulator, not Slack


def test_an_app_token_slack_rejects_stops_socket_mode_start_up(
    slack_emulator: SlackEmulator, tmp_path: Path
) -> None:
    slack_emulator.invalid_tokens = {APP_TOKEN}
    env = clean_env(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_APP_TOKEN=APP_TOKEN,
        SLACK_API_URL=slack_emulator.api_url,
        REVIEWWATCH_DB=str(tmp_path / "r.db"),
    )

    done = run_app([], env, tmp_path)

    assert done.returncode == 2
    assert "Slack rejected SLACK_APP_TOKEN (apps.connections.open: invalid_auth)" in error_line(done.stderr)
    assert APP_TOKEN not in done.stderr


def test_an_unwritable_database_path_stops_start_up(slack_emulator: SlackEmulator, tmp_path: Path) -> None:
    not_a_folder = tmp_path / "a-file"
    not_a_folder.write_text("")
    env = clean_env(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=slack_emulator.api_url,
        PORT=str(free_port()),
        REVIEWWATCH_DB=str(not_a_folder / "reviewwatch.db"),
    )

    done = run_app([], env, tmp_path)

    assert done.returncode == 2
    line = error_line(done.stderr)
    assert "cannot open database" in line and str(not_a_folder / "reviewwatch.db") in line


def test_a_port_in_use_stops_start_up(slack_emulator: SlackEmulator, tmp_path: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("0.0.0.0", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        env = clean_env(
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            SLACK_API_URL=slack_emulator.api_url,
            PORT=str(port),
            REVIEWWATCH_DB=str(tmp_path / "r.db"),
        )

        done = run_app([], env, tmp_path)

    assert done.returncode == 2
    assert f"port {port} is in use" in error_line(done.stderr)
    assert SIGNING_SECRET not in done.stderr


def test_a_database_locked_past_the_busy_timeout_stops_start_up_with_one_line(
    slack_emulator: SlackEmulator, tmp_path: Path
) -> None:
    import sqlite3

    from storage.db import open_store

    db = tmp_path / "r.db"
    open_store(db).close()
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another process writing, and not letting go
    env = clean_env(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=slack_emulator.api_url,  # Slack is checked first, before the database
        PORT=str(free_port()),
        REVIEWWATCH_DB=str(db),
        REVIEWWATCH_DB_BUSY_TIMEOUT="1",  # the default 10 s, shortened to spare the wait
    )
    try:
        done = run_app(["run"], env, tmp_path)
    finally:
        holder.rollback()
        holder.close()

    assert done.returncode == 2
    line = error_line(done.stderr)
    assert f"database {db} is locked: another process held it for over 1 s" in line
    assert "Stop the other program using it" in line
