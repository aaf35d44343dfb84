"""Review Watch entry point: parse args, load settings, build dependencies, start."""

from __future__ import annotations

import argparse
import sys

from bot.clock import Clock, FixedClock, SystemClock, parse_now
from bot.deps import Deps
from bot.settings import Settings, SettingsError, load_settings
from storage.db import DatabaseUnavailable, open_store
from storage.seed import seed


def build_deps(settings: Settings, clock: Clock) -> Deps:
    store = open_store(settings.db_path)
    seed(store.db)
    return Deps(settings=settings, store=store, clock=clock)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python app.py",
        description="Review Watch: who has signed, who holds out, and what is due.",
    )
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="run the bot (Socket Mode or HTTP mode, from the environment)")
    console = sub.add_parser("console", help="ask the commands locally, without Slack")
    console.add_argument("--now", help="pretend it is this ISO date/time (team timezone)")
    seed_cmd = sub.add_parser("seed", help="load the shipped facts that are missing")
    seed_cmd.set_defaults()
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        settings = load_settings()
        clock: Clock = SystemClock()
        if getattr(args, "now", None):
            clock = FixedClock(parse_now(args.now, settings.timezone_name))
        deps = build_deps(settings, clock)
    except (SettingsError, DatabaseUnavailable) as exc:
        print(f"review-watch: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"review-watch: --now: {exc}", file=sys.stderr)
        return 2
    if args.command == "seed":
        print("Seeded: already up to date." if deps.store else "")
        return 0
    print("review-watch: nothing to run yet", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
