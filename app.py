"""Review Watch entry point: parse args, load settings, build dependencies, start.

Each subcommand is a short function here that hands over to bot/, storage/ or handlers/.
"""

from __future__ import annotations

import argparse
import logging
import sqlite3
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

# Nothing imported here at module level loads sqlite-utils: main() first prepares the
# process's memory (bot/ops/memory.py), which must happen before that import.
from bot.clock import Clock, FixedClock, SystemClock, parse_now
from bot.ops.logging_setup import configure_logging
from bot.ops.memory import prepare_process, return_freed_memory
from bot.ops.startup import StartupError, choose_mode
from bot.settings import Settings, SettingsError, load_settings

if TYPE_CHECKING:
    from bot.deps import Deps

__all__ = ["COMMANDS", "StartupError", "main", "parse_args"]


def build_deps(settings: Settings, clock: Clock) -> Deps:
    from bot.catalog import make_deps
    from storage.db import database_error, open_store
    from storage.seed import seed

    busy_timeout_ms = settings.db_busy_timeout * 1000
    store = open_store(settings.db_path, on_quiet=return_freed_memory, busy_timeout_ms=busy_timeout_ms)
    try:
        seed(store.db, at=clock.now())
    except sqlite3.OperationalError as exc:  # e.g. locked by another process past the busy timeout
        store.close()
        raise database_error(settings.db_path, exc, "write", busy_timeout_ms) from None
    return make_deps(settings, store, clock)


def _add_now(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--now",
        metavar="ISO-DATETIME",
        help="pretend it is this date/time (ISO 8601; without an offset, in the team timezone)",
    )


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python app.py",
        description="Review Watch: who has signed, who holds out, and what is due.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser(
        "run",
        help="run the bot (the default): Socket Mode or HTTP mode, chosen from the environment",
        description="Socket Mode when SLACK_APP_TOKEN is set, else HTTP mode on PORT when "
        "SLACK_SIGNING_SECRET is set. Stops cleanly on SIGTERM or SIGINT.",
    )
    console = sub.add_parser("console", help="ask the slash commands locally, without Slack")
    _add_now(console)
    sub.add_parser("seed", help="load the shipped facts that are missing (never overwrites edits)")
    sweep = sub.add_parser(
        "sweep",
        help="run one alert sweep now (what the scheduler does every few minutes)",
        description="Send the alerts that are due and not sent yet, and record them.",
    )
    sweep.add_argument(
        "--dry-run",
        action="store_true",
        help="print what would be sent to whom, and change nothing",
    )
    _add_now(sweep)
    _add_database_commands(sub)
    backup = sub.add_parser(
        "backup",
        help="copy the database to PATH (SQLite online backup; safe while the app runs)",
    )
    backup.add_argument("path", metavar="PATH", help="the backup file to write (replaced if present)")
    _add_file_commands(sub)
    args, extra = parser.parse_known_args(argv)
    # argparse (3.11) will not take a positional after an option (`export ics --now X out.ics`)
    if extra and args.command == "export" and not any(w.startswith("-") and w != "-" for w in extra):
        args.words += extra
    elif extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    return args


def _add_database_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`migrate` and `copy-db`: the database's schema and moving a tracker between engines."""
    sub.add_parser(
        "migrate",
        help="create or bring the database's schema up to date (SQLite file or PostgreSQL URL), then stop",
    )
    copy = sub.add_parser(
        "copy-db",
        help="copy the whole tracker from one database to another, new or empty (e.g. SQLite to PostgreSQL)",
        description="FROM and TO are each a SQLite file (a path or sqlite:///path) or a postgresql:// URL. "
        "Row counts and a checksum of every table are compared before the copy is committed.",
    )
    copy.add_argument("source", metavar="FROM")
    copy.add_argument("target", metavar="TO")
    sub.add_parser(
        "workspaces",
        help="OAuth mode: list the workspaces that installed the app (installed at, installer, status, "
        "last delivery problem)",
    )
    rotate = sub.add_parser(
        "rotate-token-key",
        help="OAuth mode: encrypt every stored token again with the first key in REVIEWWATCH_TOKEN_KEY",
        description="Set REVIEWWATCH_TOKEN_KEY=NEW,OLD, run this, then drop OLD (docs/install.md).",
    )
    rotate.add_argument("--new", action="store_true", help="print a fresh key and change nothing")


def _add_file_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`export` and `teams-package`: the commands that write a file."""
    export = sub.add_parser(
        "export",
        help="write the calendar (ics), the tracker tables (csv: a zip of four CSVs) or the timeline "
        "picture (timeline PATH.png) to a file",
    )
    export.add_argument(
        "format", choices=("ics", "csv", "timeline"), help="ics: calendar; csv: spreadsheets; timeline: PNG"
    )
    export.add_argument(
        "words",
        nargs="*",
        metavar="[TABLE] [PATH]",
        help="csv: a table (developers, models, deadlines, history, or compare: labs side by side) "
        "writes just that .csv; "
        "PATH: default reviewwatch.ics / reviewwatch-csv.zip, a folder, or - for stdout; "
        "timeline: PATH.png (required)",
    )
    export.add_argument(
        "--days",
        type=int,
        default=None,
        metavar="N",
        help="timeline: the next N days (default 90, at most 365), after the last 14",
    )
    _add_now(export)
    package = sub.add_parser(
        "teams-package",
        help="write the Teams app package (manifest.json, color.png, outline.png) to PATH.zip",
        description="Upload the zip in Teams (Apps -> Manage your apps -> Upload an app) or the Teams "
        "admin center. Needs REVIEWWATCH_TEAMS_APP_ID.",
    )
    package.add_argument("path", metavar="PATH.zip", help="the package to write (replaced if present)")
    package.add_argument("--developer", default="Review Watch", help="the developer name Teams shows")
    package.add_argument("--website", help="https page about the app (default REVIEWWATCH_PUBLIC_URL)")
    package.add_argument("--privacy-url", help="https privacy page (default: the website)")
    package.add_argument("--terms-url", help="https terms-of-use page (default: the website)")


def cmd_console(args: argparse.Namespace, deps: Deps) -> int:
    from bot.ops.console import run_console

    # /aireview has every feature's subcommands exactly as in Slack (bot.catalog); those
    # not meant for the console say so.
    return run_console(deps, sys.stdin, sys.stdout)


def cmd_seed(args: argparse.Namespace, deps: Deps) -> int:
    from storage.seed import seed

    added = seed(deps.store.db, at=deps.clock.now())  # build_deps seeded already; this reports what is there
    from storage.db import shown_location

    print(
        f"Seed facts are loaded in {shown_location(deps.settings.db_path)} ({sum(added.values())} added now)."
    )
    return 0


def cmd_export(args: argparse.Namespace, deps: Deps) -> int:
    if args.format == "timeline":
        return _export_timeline(args, deps)
    from bot.exports.files import ExportUsageError, write_export

    if args.days is not None:
        print("review-watch: --days is for `export timeline`", file=sys.stderr)
        return 2
    try:
        message = write_export(deps, args.format, args.words, sys.stdout.buffer)
    except ExportUsageError as exc:
        print(f"review-watch: export: {exc}", file=sys.stderr)
        return 2
    except (OSError, ValueError) as exc:
        print(f"review-watch: export failed: {exc}", file=sys.stderr)
        return 1
    print(message, file=sys.stderr)  # stderr, so `export ics -` leaves stdout to the file
    return 0


def _export_timeline(args: argparse.Namespace, deps: Deps) -> int:
    from bot.exports.choices import DEFAULT_DAYS
    from bot.exports.timeline import write_timeline

    if len(args.words) != 1:
        print(
            "review-watch: usage: python app.py export timeline PATH.png [--now ISO] [--days N]",
            file=sys.stderr,
        )
        return 2
    try:
        message = write_timeline(deps, args.words[0], DEFAULT_DAYS if args.days is None else args.days)
    except (OSError, ValueError) as exc:  # NothingToDraw included: its message is the answer
        print(f"review-watch: {exc}", file=sys.stderr)
        return 1
    print(message, file=sys.stderr)
    return 0


def cmd_teams_package(args: argparse.Namespace, deps: Deps) -> int:
    from bot.teams.package import PackageError, write_package

    try:
        print(
            write_package(
                deps,
                args.path,
                developer=args.developer,
                website=args.website,
                privacy=args.privacy_url,
                terms=args.terms_url,
            )
        )
    except (PackageError, OSError) as exc:
        print(f"review-watch: {exc}", file=sys.stderr)
        return 2
    return 0


def cmd_run(args: argparse.Namespace, deps: Deps) -> int:
    from handlers.http.runtime import run

    return run(deps, identity=getattr(args, "slack_identity", None))


def cmd_sweep(args: argparse.Namespace, deps: Deps) -> int:
    from bot.alerts.sweep import run_sweep
    from bot.ops.reports import sweep_report

    if deps.settings.slack_bot_token:  # people's names in status-change alerts (bot/people.py)
        from bot.alerts.slack_client import slack_delivery_client
        from handlers.directory import SlackDirectory

        deps.directory = SlackDirectory(slack_delivery_client(deps.settings))
    result = run_sweep(deps, dry_run=args.dry_run)
    print("\n".join(sweep_report(result)))
    if not args.dry_run:  # and correct sent alerts whose facts changed, as the scheduler does
        from bot.alerts.updates import send_updates

        updates = send_updates(deps)
        if updates.sent or updates.failed:
            print(f"Updated {len(updates.sent)} sent alert(s); {len(updates.failed)} update(s) failed.")
    return 1 if result.failed or result.permanent else 0


def cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    from storage.maintenance import backup_database

    pages = backup_database(settings.db_path, args.path)
    print(f"Backed up {settings.db_path} to {args.path} ({pages} pages).")
    return 0


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    from storage.db import open_store, shown_location
    from storage.migrations import SHIPPED

    open_store(settings.db_path, busy_timeout_ms=settings.db_busy_timeout * 1000).close()
    print(f"Database {shown_location(settings.db_path)} is up to date ({len(SHIPPED)} migrations).")
    return 0


def cmd_copy_db(args: argparse.Namespace, settings: Settings) -> int:
    from storage.copy import copy_database
    from storage.db import shown_location

    source, target = (str(where).removeprefix("sqlite:///") for where in (args.source, args.target))
    copied = copy_database(source, target)
    rows = sum(table.rows for table in copied)
    where = f"from {shown_location(source)} to {shown_location(target)}"
    print(f"Copied {rows} rows in {len(copied)} tables {where}; row counts and checksums match.")
    return 0


def cmd_workspaces(args: argparse.Namespace, settings: Settings) -> int:
    from bot.install.report import last_delivery_problem, workspace_table
    from storage.db import open_store

    store = open_store(settings.db_path)
    try:
        print("\n".join(workspace_table(store.db, lambda key: last_delivery_problem(store, key))))
    finally:
        store.close()
    return 0


def cmd_rotate_token_key(args: argparse.Namespace, settings: Settings) -> int:
    from bot.install.crypto import TokenCipher, TokenKeyError, new_key
    from bot.install.report import rotate_token_key
    from storage.db import open_store

    if args.new:
        print(new_key())
        return 0
    if not settings.token_keys:
        raise StartupError("REVIEWWATCH_TOKEN_KEY is not set: set it to NEW,OLD (a new key: --new)")
    store = open_store(settings.db_path)
    try:
        tokens, installs = rotate_token_key(store.db, TokenCipher(settings.token_keys), SystemClock().now())
    except TokenKeyError as exc:
        raise StartupError(str(exc)) from None
    finally:
        store.close()
    print(
        f"Encrypted {tokens} tokens of {installs} installations again with the first key; "
        "older keys may now leave REVIEWWATCH_TOKEN_KEY."
    )
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace, Deps], int]] = {
    "run": cmd_run,
    "console": cmd_console,
    "seed": cmd_seed,
    "sweep": cmd_sweep,
    "export": cmd_export,
    "teams-package": cmd_teams_package,
}
# Commands that work on the database file itself, without migrating or seeding it.
FILE_COMMANDS: dict[str, Callable[[argparse.Namespace, Settings], int]] = {
    "backup": cmd_backup,
    "migrate": cmd_migrate,
    "copy-db": cmd_copy_db,
    "workspaces": cmd_workspaces,
    "rotate-token-key": cmd_rotate_token_key,
}
# Commands whose log lines are worth seeing at the configured level; the rest log warnings only.
LOGGING_COMMANDS = frozenset({"run", "sweep"})


def main(argv: list[str] | None = None) -> int:
    prepare_process()
    from storage.db import DatabaseUnavailable

    args = parse_args(sys.argv[1:] if argv is None else argv)
    command = args.command or "run"
    try:
        settings = load_settings()
        configure_logging(settings, minimum=logging.DEBUG if command in LOGGING_COMMANDS else logging.WARNING)
        if command == "run":
            # Before the database: a misconfigured start, or one that cannot reach Slack,
            # leaves no new file behind.
            choose_mode(settings)
            if not settings.oauth_mode:  # in OAuth mode each workspace's token comes from its install
                from handlers.http.runtime import check_bot_token

                args.slack_identity = check_bot_token(settings)
        if command in FILE_COMMANDS:  # a database error is one line and exit 2 here too
            return FILE_COMMANDS[command](args, settings)
        clock: Clock = SystemClock()
        if getattr(args, "now", None):
            try:
                clock = FixedClock(parse_now(args.now, settings.timezone_name))
            except ValueError:
                raise StartupError(
                    f"--now {args.now!r} is not valid: expected an ISO date or date-time "
                    "such as 2026-07-24 or 2026-07-24T09:00"
                ) from None
        deps = build_deps(settings, clock)
    except (SettingsError, DatabaseUnavailable, StartupError) as exc:
        print(f"review-watch: {exc}", file=sys.stderr)
        return 2
    try:
        return COMMANDS[command](args, deps)
    except StartupError as exc:
        print(f"review-watch: {exc}", file=sys.stderr)
        return 2
    finally:
        deps.store.close()


if __name__ == "__main__":
    sys.exit(main())
