"""Review Watch entry point: parse args, load settings, build dependencies, start.

Each subcommand is a short function here that hands over to bot/, storage/ or handlers/.
"""

from __future__ import annotations

import argparse
import sys

from bot.clock import Clock, FixedClock, SystemClock, parse_now
from bot.deps import Deps
from bot.settings import Settings, SettingsError, load_settings
from storage.db import DatabaseUnavailable, open_store
from storage.seed import seed


class StartupError(Exception):
    """Start-up cannot go on; the message is one line naming what to fix."""


def build_deps(settings: Settings, clock: Clock) -> Deps:
    store = open_store(settings.db_path)
    seed(store.db)
    return Deps(settings=settings, store=store, clock=clock)


def _add_now(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--now", metavar="ISO-DATETIME",
        help="pretend it is this date/time (ISO 8601; without an offset, in the team timezone)",
    )


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python app.py",
        description="Review Watch: who has signed, who holds out, and what is due.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("run", help="run the bot: Socket Mode or HTTP mode, chosen from the environment")
    console = sub.add_parser("console", help="ask the slash commands locally, without Slack")
    _add_now(console)
    sub.add_parser("seed", help="load the shipped facts that are missing (never overwrites edits)")
    return parser.parse_args(argv)


def cmd_console(args: argparse.Namespace, deps: Deps) -> int:
    from bot.console import run_console

    return run_console(deps, sys.stdin, sys.stdout)


def cmd_seed(args: argparse.Namespace, deps: Deps) -> int:
    added = seed(deps.store.db)  # build_deps seeded already; this reports what is there
    print(f"Seed facts are loaded in {deps.settings.db_path} ({sum(added.values())} added now).")
    return 0


def cmd_run(args: argparse.Namespace, deps: Deps) -> int:
    raise StartupError("running the bot is not wired yet")


COMMANDS = {
    "run": cmd_run,
    "console": cmd_console,
    "seed": cmd_seed,
}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    command = args.command or "run"
    try:
        settings = load_settings()
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
