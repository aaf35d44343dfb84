"""The command line where a new user first meets it: runs of `python app.py` asserting exit
codes and exactly what is printed (in this process through app.main where no server starts;
start-up through a real subprocess)."""

from __future__ import annotations

import socket
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from bot.exports.files import CSV_TABLES, CSV_VIEWS
from storage import alerts as ledger
from storage.db import open_store
from storage.seed import seed
from tests.support.app_process import clean_env, run_app, run_main
from tests.support.slack_emulator import SlackEmulator

BOT_TOKEN = "xoxb-cli-edges-token"
HOOK = "https://example.webhook.office.com/workflows/new-policy"


def free_closed_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def seeded_db(tmp_path: Path) -> Path:
    db = tmp_path / "reviewwatch.db"
    store = open_store(db)
    seed(store.db, at=datetime(2026, 7, 1, 12, 0, tzinfo=UTC))
    store.close()
    return db


def subscriptions(db: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(db) as conn:
        return list(conn.execute("SELECT target_type, target FROM subscriptions ORDER BY id"))


def test_export_csv_with_an_unknown_table_names_the_tables(tmp_path: Path) -> None:
    env = clean_env(REVIEWWATCH_DB=str(tmp_path / "cli.db"))
    done = run_main(["export", "csv", "nosuch"], env, tmp_path)
    assert done.returncode == 2
    tables = ", ".join((*CSV_TABLES, *CSV_VIEWS))
    assert "developers, models, deadlines, history" in tables
    assert done.stderr.strip().splitlines() == [
        f"review-watch: export: there is no table 'nosuch': expected one of {tables}, then an optional "
        "PATH (a file name with an extension such as out.zip, a folder, or - for standard output)"
    ]
    assert not (tmp_path / "nosuch").exists()  # the typo is not the output file any more

    typo = run_main(["export", "csv", "modles"], env, tmp_path)
    assert typo.returncode == 2 and "there is no table 'modles' (did you mean models?)" in typo.stderr

    # A path is still a path: with an extension, in a folder, or an existing folder.
    (tmp_path / "out").mkdir()
    for path in ("tables.zip", "out"):
        assert run_main(["export", "csv", path], env, tmp_path).returncode == 0
    assert (tmp_path / "tables.zip").exists() and (tmp_path / "out" / "reviewwatch-csv.zip").exists()


def test_sweep_prints_team_times_with_the_abbreviation(slack_emulator: SlackEmulator, tmp_path: Path) -> None:
    db = seeded_db(tmp_path)
    env = clean_env(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_API_URL=slack_emulator.api_url,
        REVIEWWATCH_DB=str(db),
        REVIEWWATCH_TIMEZONE="Europe/London",
    )
    dry = run_main(["sweep", "--dry-run", "--now", "2026-07-24T10:00"], env, tmp_path)
    done = run_main(["sweep", "--now", "2026-07-24T10:00"], env, tmp_path)
    assert dry.returncode == 0 and done.returncode == 0, dry.stderr + done.stderr
    assert dry.stdout.startswith("Dry run at Jul 24, 2026 10:00 BST: ")
    assert done.stdout.startswith("Sweep at Jul 24, 2026 10:00 BST: ")
    assert "+00:00" not in dry.stdout + done.stdout


def test_dry_run_includes_a_newly_configured_teams_webhook(
    slack_emulator: SlackEmulator, tmp_path: Path
) -> None:
    db = seeded_db(tmp_path)
    store = open_store(db)
    ledger.save_subscription(
        store.db,
        target_type="slack",
        target="C0ALERTS01",
        kinds=["deadline"],
        lead_days=[7],
        digest="realtime",
        developer_filter=None,
        actor="UADMIN0001",
        now=datetime(2026, 7, 1, tzinfo=UTC),
    )
    store.close()
    env = clean_env(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_API_URL=slack_emulator.api_url,
        REVIEWWATCH_DB=str(db),
        REVIEWWATCH_TEAMS_WEBHOOKS=f"policy={HOOK}",
    )
    dry = run_main(["sweep", "--dry-run", "--now", "2026-07-24T10:00"], env, tmp_path)
    assert dry.returncode == 0, dry.stderr
    lines = dry.stdout.splitlines()
    assert any(line.startswith("  would send to slack:C0ALERTS01: [deadline] ") for line in lines)
    # The webhook is new: a real sweep gives it its default subscription, which hears only of
    # alerts falling due from then on; the dry run shows those.
    new = lines.index(
        "  new: teams:policy gets its default subscription (every kind, lead days 30,14,7,3,1,0, "
        "real time) at the first sweep; its next alerts:"
    )
    assert lines[new + 1 : new + 4] == [
        f"    Jul {day}, 2026 09:00 EDT: [deadline] Deadline {when}: Formal pre-release review process "
        "to be established"
        for day, when in (("28", "in 3 days"), ("30", "tomorrow"), ("31", "today"))
    ]
    assert subscriptions(db) == [("slack", "C0ALERTS01")]  # the dry run kept nothing
    assert HOOK not in dry.stdout + dry.stderr


def test_unreachable_slack_at_start_up_is_one_line_and_no_new_database(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_closed_port()}/api/"
    env = clean_env(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_APP_TOKEN="xapp-cli-edges",
        SLACK_API_URL=url,
        REVIEWWATCH_DB=str(tmp_path / "new.db"),
    )
    done = run_app(["run"], env, tmp_path)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr  # no slack_sdk log lines above it
    assert lines[0].startswith(f"review-watch: cannot reach Slack at {url} for auth.test: ")
    assert done.stdout == ""
    assert list(tmp_path.iterdir()) == []  # no database file, no -wal or -shm either
