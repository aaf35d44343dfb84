"""Operations commands: `python app.py sweep [--dry-run] [--now]`, `backup PATH`, `seed`, --help."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from storage import alerts as ledger
from storage.db import open_store
from storage.seed import seed
from tests.handlers.http.test_http_mode import http_env
from tests.handlers.http.test_shutdown import CHANNEL, DEADLINES, posted_keys, prepare_database
from tests.support import paths
from tests.support.app_process import AppProcess, clean_env, run_app, run_main
from tests.support.slack_emulator import SlackEmulator

BOT_TOKEN = "xoxb-operations-test-token"


def ops_env(emu: SlackEmulator, db: Path) -> dict[str, str]:
    return clean_env(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_API_URL=emu.api_url, REVIEWWATCH_DB=str(db))


def ledger_count(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT count(*) FROM alert_ledger").fetchone()[0]


@pytest.mark.parametrize("command", ["run", "console", "seed", "sweep", "backup", "export"])
def test_every_command_has_help(tmp_path: Path, command: str) -> None:
    run = run_app if command == "run" else run_main  # one real process; the rest in-process
    done = run([command, "--help"], clean_env(), tmp_path)

    assert done.returncode == 0
    assert f"usage: python app.py {command}" in done.stdout
    assert not list(tmp_path.iterdir())  # --help touches no database


def test_sweep_dry_run_prints_what_would_be_sent_and_changes_nothing(
    slack_emulator: SlackEmulator, tmp_path: Path
) -> None:
    db = tmp_path / "reviewwatch.db"
    prepare_database(db)

    done = run_app(["sweep", "--dry-run"], ops_env(slack_emulator, db), tmp_path)

    assert done.returncode == 0, done.stderr
    assert "3 alert(s) would be sent; nothing was changed" in done.stdout
    for title in DEADLINES:
        assert f"would send to slack:{CHANNEL}" in done.stdout and title in done.stdout
    assert ledger_count(db) == 0
    assert slack_emulator.calls_to("chat.postMessage") == []


def test_sweep_sends_what_is_due_once(slack_emulator: SlackEmulator, tmp_path: Path) -> None:
    db = tmp_path / "reviewwatch.db"
    prepare_database(db)
    env = ops_env(slack_emulator, db)

    first = run_app(["sweep"], env, tmp_path)
    again = run_app(["sweep"], env, tmp_path)

    assert first.returncode == 0, first.stderr
    assert "3 sent" in first.stdout
    assert "0 sent" in again.stdout
    assert len(posted_keys(slack_emulator)) == 3
    assert BOT_TOKEN not in first.stdout + first.stderr


def test_sweep_now_pretends_it_is_that_time(slack_emulator: SlackEmulator, tmp_path: Path) -> None:
    db = tmp_path / "reviewwatch.db"
    store = open_store(db)
    seed(store.db, at=datetime(2026, 7, 1, 12, 0, tzinfo=UTC))
    ledger.save_subscription(
        store.db,
        target_type="slack",
        target=CHANNEL,
        kinds=["deadline"],
        lead_days=[7],
        digest="realtime",
        developer_filter=None,
        actor="UADMIN0001",
        now=datetime(2026, 7, 1, tzinfo=UTC),
    )
    store.close()

    args = ["sweep", "--dry-run", "--now", "2026-07-24T10:00"]
    done = run_main(args, ops_env(slack_emulator, db), tmp_path)

    assert done.returncode == 0, done.stderr
    # Times in the team timezone with its abbreviation, as Slack shows them.
    assert "Dry run at Jul 24, 2026 10:00 EDT: 1 alert(s) would be sent" in done.stdout
    assert "Formal pre-release review process to be established (due Jul 24, 2026 09:00 EDT)" in done.stdout


def test_backup_copies_the_database_while_the_app_runs(slack_emulator: SlackEmulator, tmp_path: Path) -> None:
    db = tmp_path / "reviewwatch.db"
    app = AppProcess(http_env(slack_emulator, db), tmp_path)
    try:
        app.wait_for_http()

        done = run_app(["backup", str(tmp_path / "copy.db")], http_env(slack_emulator, db), tmp_path)

        assert done.returncode == 0, done.stderr
        assert "Backed up" in done.stdout
        with sqlite3.connect(tmp_path / "copy.db") as copy:
            names = {r[0] for r in copy.execute("SELECT name FROM developers")}
        assert "Meta" in names and "OpenAI" in names
        assert httpx.get(app.url + "/healthz").json()["database"]["ok"] is True
    finally:
        assert app.stop() == 0


def test_backup_to_a_missing_folder_says_so(tmp_path: Path) -> None:
    db = tmp_path / "reviewwatch.db"
    open_store(db).close()

    done = run_main(
        ["backup", str(tmp_path / "nope" / "copy.db")], clean_env(REVIEWWATCH_DB=str(db)), tmp_path
    )

    assert done.returncode == 2
    assert "cannot write backup" in done.stderr and "does not exist" in done.stderr
    assert "Traceback" not in done.stderr


def test_backup_of_a_missing_database_creates_nothing(tmp_path: Path) -> None:
    done = run_main(
        ["backup", str(tmp_path / "copy.db")], clean_env(REVIEWWATCH_DB=str(tmp_path / "none.db")), tmp_path
    )

    assert done.returncode == 2
    assert "cannot open database" in done.stderr
    assert not (tmp_path / "none.db").exists() and not (tmp_path / "copy.db").exists()


def test_seed_reports_the_facts_are_loaded(tmp_path: Path) -> None:
    done = run_app(["seed"], clean_env(REVIEWWATCH_DB=str(tmp_path / "r.db")), tmp_path)

    assert done.returncode == 0
    assert "Seed facts are loaded" in done.stdout


def test_every_app_command_and_http_endpoint_is_in_the_docs() -> None:
    import app
    from handlers.http.routes import PATH_CALENDAR, PATH_HEALTHZ, PATH_SLACK_EVENTS

    commands = (paths.PROJECT_ROOT / "docs" / "commands.md").read_text(encoding="utf-8")
    operations = (paths.PROJECT_ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    for name in [*app.COMMANDS, *app.FILE_COMMANDS]:
        assert f"python app.py {name}" in commands, name
    for path in (PATH_SLACK_EVENTS, PATH_HEALTHZ, PATH_CALENDAR):
        assert f" {path}" in operations, path
    for word in ("SIGTERM", "Socket Mode", "waitress", "[redacted]", "request_id"):
        assert word in operations, word
