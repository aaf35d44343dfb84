"""Many workspaces (issue 28), timed side by side in one run:

1. sweep: one scheduled run over N workspaces (1,000; each with the seeded tracker and 3
   subscribed channels, each a database of its own) against the same run over one
   workspace with 3 x N channels (3,000) on the same tracker, through the same code (OAuth
   mode's scheduled sweep, handlers/tenancy.py `sweep_every_workspace`: the per-workspace
   jobs of bot/tenancy/jobs.py and the run's summary, with a sender that answers at once, so
   the sweep's own cost is what is timed). Both deliver the same alerts; the figure is the
   cost per alert, many over one (goal: within 1.5x), for a run on databases just opened
   (cold) and for the next run, four days later, with them still open (warm); each in
   elapsed time and in the process's CPU time (all its threads: what the sweep costs the
   machine, and less swayed by other programs' load than the elapsed time). Paired runs
   in alternating order on fresh copies; medians. The databases kept open are the shipped
   default (REVIEWWATCH_OPEN_WORKSPACES, 2,000), and the process's resident memory (RSS)
   with every workspace's database open is taken against the same with one open.
   Beside them, the floor: the least SQL a workspace's sweep needs, written by hand, over as
   many databases kept open (`floor_side_by_side`), so what the real sweep costs above it is
   the app's own code. From them, the least any sweep of a database per workspace can cost
   per alert (`bound`: the floor plus the one workspace's own work per alert outside SQLite,
   `sql_split`), and what that leaves a workspace at the goal, beside what every run costs
   anyway: the job runner doing nothing (`runner_only`) and the two questions every run asks.
2. routing: what finding a request's workspace costs with N workspaces registered: the
   middleware's lookup (`Workspaces.ensure` of an installed workspace), handing out its
   database when it is open, and when it must be opened again (more than MAX_OPEN in use);
   and a signed `/holdouts` dispatched through the OAuth app, from workspaces in turn,
   against the single-workspace app on the same tracker (median ack in-process).

    python -m bench.workspaces [--workspaces 1000] [--json PATH]
    python -m bench.run --only workspaces    # the same, inside the full benchmark
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.sweeps import limit_rows
from bot.alerts.updates import STATE_CURSOR
from bot.catalog import make_deps
from bot.clock import FixedClock
from bot.deps import Deps
from bot.settings import Settings
from bot.tenancy import Workspaces, in_workspace, routed_deps
from bot.tenancy.workspaces import fit_open_files
from storage import workspaces as registry
from storage.alerts import LEDGER_VALUES, save_subscription
from storage.db import open_store
from storage.seed import seed
from storage.sql import placeholders
from storage.sweep_probe import probe_sweep, probe_updates
from storage.updates import CORRECTED_ENTITIES

NOW = datetime(2026, 7, 24, 14, 0, tzinfo=UTC)  # the July 31 deadline a week away
CHANNELS_EACH = 3
GOAL_RATIO = 1.5


def _key(n: int) -> str:
    return f"T{n:07d}W"


class _AnyToken:
    def bot_token(self, *, team_id: str | None, enterprise_id: str | None) -> str | None:
        return "xoxb-bench"


class _InstantSender:
    """Answers every post at once (bench/sweeps.py's InstantSender, replies in a thread too)."""

    target_type = "slack"

    def send(self, alert: Any, now: datetime, *, check_existing: bool, **_: Any) -> Any:
        from bot.alerts.sending import OUTCOME_SENT, Outcome

        return Outcome(OUTCOME_SENT, channel=alert.target, ts="1.000000")


def _instant_senders(token: str) -> dict[str, Any]:
    return {"slack": _InstantSender()}


def _template(path: Path, channels: int) -> Path:
    """A workspace's database: migrated, seeded, `channels` channels subscribed 40 days ago."""
    store = open_store(path)
    seed(store.db, at=NOW)
    with store.db.atomic():
        for n in range(channels):
            save_subscription(
                store.db, target_type="slack", target=f"C{n:07d}", kinds=["deadline", "window", "release",
                "overdue", "status", "news"], lead_days=[30, 14, 7, 3, 1, 0], digest="realtime",
                developer_filter=None, actor="U0BENCH", now=NOW - timedelta(days=40),
            )  # fmt: skip
    store.close()
    return path


def _install(folder: Path, template: Path, count: int) -> Path:
    """A home database with `count` workspaces registered, each a copy of `template`."""
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "workspaces").mkdir(parents=True)
    home = open_store(folder / "home.db")
    with home.db.atomic():
        for n in range(count):
            shutil.copyfile(template, folder / "workspaces" / f"{_key(n)}.sqlite3")
            registry.register_workspace(home.db, _key(n), team_id=_key(n), enterprise_id=None, at=NOW)
    home.close()
    os.sync()  # the copies' hundreds of MB go to disk now, not during what is timed next
    return folder / "home.db"


@contextmanager
def _oauth_deps(home_path: Path) -> Iterator[tuple[Deps, Workspaces]]:
    home = open_store(home_path)
    clock = FixedClock(NOW)
    settings = Settings(db_path=str(home_path), slack_api_url="http://127.0.0.1:9/api/")
    workspaces = Workspaces(home, clock, max_open=settings.open_workspaces)  # the shipped default
    fit_open_files(workspaces)
    deps = routed_deps(make_deps(settings, home, clock), workspaces)
    try:
        yield deps, workspaces
    finally:
        workspaces.close()
        home.close()


LATER = timedelta(days=4)  # the next leads fall due: the 3-day alerts of the July 31 deadline


def _rss_mb() -> float:
    """This process's resident memory now (Linux /proc; 0 elsewhere)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0.0
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _two_runs(home_path: Path) -> dict[str, tuple[float, ...]]:
    """Seconds and alerts of a per-workspace sweep run over every workspace of `home_path`
    with their databases just opened ("cold": each opens, loads its schema and starts its
    WAL file, as after a start or with more workspaces than stay open), then of the next run,
    when more alerts have fallen due, with the databases still open ("warm": a long-running
    scheduler keeping the shipped default number open); "rss" is the resident memory (MB)
    with every database open, then the open databases counted."""
    from handlers.tenancy import sweep_every_workspace

    timed: dict[str, tuple[float, ...]] = {}
    with _oauth_deps(home_path) as (deps, workspaces):
        for run in ("cold", "warm"):
            if run == "warm":
                deps.clock.advance(LATER)  # type: ignore[attr-defined]
            started, cpu = time.perf_counter(), time.process_time()
            runs = sweep_every_workspace(deps, workspaces, _AnyToken(), _instant_senders)
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
            assert all(r.error is None for r in runs.values()), runs
            timed[run] = (elapsed, sum(r.sent for r in runs.values()), cpu)
        timed["rss"] = (_rss_mb(), len(workspaces._open))
    return timed


def sweep_side_by_side(folder: Path, workspaces: int, repeats: int) -> dict[str, Any]:
    each = _template(folder / "each.sqlite3", CHANNELS_EACH)
    one = _template(folder / "one.sqlite3", CHANNELS_EACH * workspaces)
    times: dict[tuple[str, str], list[float]] = {}
    cpus: dict[tuple[str, str], list[float]] = {}
    sent: dict[tuple[str, str], int] = {}
    rss: dict[str, list[float]] = {}
    kept_open: dict[str, int] = {}
    for repeat in range(repeats + 1):  # the first pair warms up
        order = ("many", "one") if repeat % 2 == 0 else ("one", "many")
        for kind in order:
            home = _install(
                folder / kind, each if kind == "many" else one, workspaces if kind == "many" else 1
            )
            runs = _two_runs(home)
            rss_mb, still_open = runs.pop("rss")
            rss.setdefault(kind, []).append(rss_mb)
            kept_open[kind] = int(still_open)
            for run, (elapsed, alerts, cpu) in runs.items():
                sent[kind, run] = int(alerts)
                if repeat:
                    times.setdefault((kind, run), []).append(elapsed)
                    cpus.setdefault((kind, run), []).append(cpu)
    figures: dict[str, Any] = {
        "workspaces": workspaces,
        "channels": CHANNELS_EACH * workspaces,
        "samples": repeats,
        "goal": GOAL_RATIO,
        "open_workspaces": Settings().open_workspaces,
        "kept_open": kept_open,
        "rss_mb": {kind: round(statistics.median(rss[kind][1:] or rss[kind]), 1) for kind in rss},
    }
    for run in ("cold", "warm"):
        many, single = statistics.median(times["many", run]), statistics.median(times["one", run])
        per_many, per_one = many / max(sent["many", run], 1), single / max(sent["one", run], 1)
        cpu_many = statistics.median(cpus["many", run]) / max(sent["many", run], 1)
        cpu_one = statistics.median(cpus["one", run]) / max(sent["one", run], 1)
        figures[run] = {
            "alerts": {"many": sent["many", run], "one": sent["one", run]},
            "many_s": round(many, 3),
            "one_s": round(single, 3),
            "per_alert_many_ms": round(per_many * 1000, 3),
            "per_alert_one_ms": round(per_one * 1000, 3),
            "ratio": round(per_many / per_one, 2),
            "cpu_per_alert_many_ms": round(cpu_many * 1000, 3),
            "cpu_per_alert_one_ms": round(cpu_one * 1000, 3),
            "cpu_ratio": round(cpu_many / max(cpu_one, 1e-9), 2),
        }
    return figures


def sql_split(folder: Path, workspaces: int) -> dict[str, Any]:
    """Each side's next run once more, with its time inside SQLite counted apart (statements
    and fetches, every thread: bench/sql_time.py). Not timed in the pairs: the counting slows
    the run it splits; what it gives is each side's SQLite time per alert."""
    from bench.sql_time import sql_time
    from handlers.tenancy import sweep_every_workspace

    split: dict[str, Any] = {}
    for kind, count, template in (("many", workspaces, "each"), ("one", 1, "one")):
        home = _install(folder / kind, folder / f"{template}.sqlite3", count)
        with sql_time() as tally, _oauth_deps(home) as (deps, spaces):
            sweep_every_workspace(deps, spaces, _AnyToken(), _instant_senders)  # opens them all
            deps.clock.advance(LATER)
            tally.reset()
            runs = sweep_every_workspace(deps, spaces, _AnyToken(), _instant_senders)
            sent = max(sum(r.sent for r in runs.values()), 1)
            split[kind] = {
                "sql_per_alert_ms": round(tally.seconds / sent * 1000, 3),
                "statements_per_workspace": round(tally.statements / count, 1),
            }
    return split


def runner_only(home: Path, workspaces: int, repeats: int) -> float:
    """Microseconds per workspace of a run whose job does nothing: what the per-workspace job
    runner itself costs (bot/tenancy/jobs.py: a thread of the pool, the workspace entered, its
    token and senders, the registry's record of the run), the median of `repeats` runs, over
    the `workspaces` registered in `home` (sql_split's many: the job opens none of them)."""
    from bot.tenancy.jobs import WorkspaceRun, run_for_each_workspace

    samples = []
    with _oauth_deps(home) as (deps, spaces):
        for _ in range(repeats + 1):  # the first opens nothing but warms the pool up
            started = time.perf_counter()
            run_for_each_workspace(deps, spaces, _AnyToken(), lambda d, s: WorkspaceRun(), _instant_senders)
            samples.append(time.perf_counter() - started)
    return round(statistics.median(samples[1:]) / workspaces * 1e6, 1)


def bound(sweep: dict[str, Any]) -> dict[str, Any]:
    """The least any sweep of a database per workspace can cost per alert: the floor's SQL
    (the least a workspace's database needs) plus the app's own work per alert outside SQLite,
    as the one workspace spends it (its time per alert less its time in SQLite). The same code
    plans, claims, delivers and records each alert on both sides; a many-workspace sweep can
    only add to that work, never share it out (each workspace plans its own tracker)."""
    one = sweep["warm"]["per_alert_one_ms"]
    own_work = max(one - sweep["split"]["one"]["sql_per_alert_ms"], 0.0)
    least = sweep["floor"]["per_alert_ms"] + own_work
    # What a workspace's sweep may spend beyond the floor and that work, at the goal.
    each = sweep["warm"]["alerts"]["many"] / sweep["workspaces"]  # alerts per workspace
    room = (sweep["goal"] * one - least) * each * 1000
    return {
        "own_work_ms": round(own_work, 3),
        "least_ms": round(least, 3),
        "ratio": round(least / one, 2),
        "room_per_workspace_us": round(room, 1),
    }


def _sent_rows(template: Path, at: datetime) -> list[tuple[Any, ...]]:
    """The ledger rows a workspace's sweep at `at` claims and sends (planned on a copy)."""
    copy = shutil.copyfile(template, template.with_name("plan.sqlite3"))
    return limit_rows(copy, Settings(db_path=str(copy)), at, skipped=False)


# The claims as the sweep writes them: the planned values, claimed by this run.
_CLAIM = (
    f"INSERT OR IGNORE INTO alert_ledger ({LEDGER_VALUES}, status, attempts, claimed_at, claim_token, "
    f"created_at) VALUES ({placeholders(LEDGER_VALUES.split(','))}, 'claimed', 0, ?, 'bench', ?)"
)
_SENT = (
    "UPDATE alert_ledger SET status = 'sent', sent_at = ?, message_channel = ?, message_ts = ? WHERE key = ?"
)
_CURSOR = "UPDATE subscriptions SET swept_at = ? WHERE id = ?"


def _least_sweep(
    store: Any, rows: list[tuple[Any, ...]], days: list[str], stamp: str, run: int, checks: bool
) -> None:
    """One workspace's sweep by hand, the least SQL it needs (floor_side_by_side); with
    `checks`, also the two questions every run asks whatever the workspace holds (the real
    ones, storage/sweep_probe.py: retries, reminders and mutes due; corrections to make)."""
    db = store.db
    if checks:
        at, lease = NOW + LATER, timedelta(seconds=Settings().claim_lease)
        probe_sweep(db, at, lease, at.date())
        probe_updates(db, STATE_CURSOR, CORRECTED_ENTITIES, at, lease)
    subscriptions = db.execute("SELECT * FROM subscriptions ORDER BY id").fetchall()
    db.execute("SELECT * FROM deadlines WHERE due_date BETWEEN ? AND ?", days).fetchall()
    db.execute("SELECT * FROM models WHERE planned_release BETWEEN ? AND ?", days).fetchall()
    keyed = [(f"{row[0]}#{run}", row) for row in rows]  # new alerts each run
    marks = ", ".join("?" for _ in keyed)
    db.execute(f"SELECT key FROM alert_ledger WHERE key IN ({marks})", [k for k, _ in keyed]).fetchall()
    with db.atomic():
        db.conn.executemany(_CLAIM, [(key, *row[1:], stamp, stamp) for key, row in keyed])
        db.conn.executemany(_CURSOR, [(stamp, s[0]) for s in subscriptions])
    with db.atomic():
        db.conn.executemany(_SENT, [(stamp, row[7], "1.000000", key) for key, row in keyed])
        db.execute("INSERT OR REPLACE INTO app_state (key, value) VALUES ('last_sweep', ?)", [stamp])
    store.release()


def floor_side_by_side(folder: Path, template: Path, workspaces: int, repeats: int) -> dict[str, Any]:
    """The least SQL a workspace's sweep needs, written by hand, on `workspaces` databases kept
    open: its subscriptions, the deadlines and models due, which of its alerts the ledger has,
    the claims with the cursors in one commit, the outcomes with the summary in another; and
    the same with the two questions every run asks (`_least_sweep` checks), in turn. The
    median run of each (the first, which opens the databases, not counted); measured twice and
    the lower kept, as a floor is (the first time, right after the sweeps' pairs, ran up to
    60% slower in some runs, and not in others). What the per-workspace sweep costs above this
    is the app's own code, not SQLite's."""
    rows = _sent_rows(template, NOW + LATER)
    day = (NOW + LATER).date()
    days = [day.isoformat(), (day + timedelta(days=60)).isoformat()]
    stamp = (NOW + LATER).isoformat()
    alerts = len(rows) * workspaces
    best: dict[bool, float] = {}
    for _ in range(2):
        home = _install(folder / "floor", template, workspaces)
        stores = [open_store(path) for path in sorted((home.parent / "workspaces").glob("*.sqlite3"))]
        times: dict[bool, list[float]] = {False: [], True: []}
        try:
            for run in range(repeats + 1):
                for checks in (False, True):
                    started = time.perf_counter()
                    for store in stores:
                        _least_sweep(store, rows, days, stamp, 2 * run + checks, checks)
                    if run:
                        times[checks].append(time.perf_counter() - started)
        finally:
            for store in stores:
                store.close()
        for checks, samples in times.items():
            best[checks] = min(best.get(checks, float("inf")), statistics.median(samples))
    return {
        "alerts": alerts,
        "s": round(best[False], 3),
        "per_alert_ms": round(best[False] / max(alerts, 1) * 1000, 3),
        "checks_us": round((best[True] - best[False]) / workspaces * 1e6, 1),
    }


def _median_us(fn: Callable[[int], Any], runs: int) -> float:
    samples = []
    for n in range(runs):
        started = time.perf_counter()
        fn(n)
        samples.append(time.perf_counter() - started)
    return round(statistics.median(samples) * 1e6, 1)


def routing(folder: Path, workspaces: int, runs: int) -> dict[str, Any]:
    from handlers.tenancy import sweep_workspace  # noqa: F401 - loads what a request loads

    home = _install(folder / "routing", folder / "each.sqlite3", workspaces)
    with _oauth_deps(home) as (deps, spaces):
        keys = [_key(n) for n in range(workspaces)]
        lookup = _median_us(lambda n: spaces.ensure(team_id=keys[n % len(keys)], enterprise_id=None), runs)
        hot = keys[: min(50, len(keys))]

        def open_db(n: int) -> None:
            with in_workspace(hot[n % len(hot)]):
                deps.store.db.execute("SELECT 1")
                deps.store.release()

        for n in range(len(hot)):
            open_db(n)  # opened once: what follows finds them open
        hot_db = _median_us(open_db, runs)
        spaces.max_open = 1  # every request finds its database closed

        def reopen(n: int) -> None:
            with in_workspace(keys[n % len(keys)]):
                deps.store.db.execute("SELECT 1")
                deps.store.release()

        cold_db = _median_us(reopen, min(runs, 2 * len(keys)))
    requests = _requests_side_by_side(folder, home, keys, max(20, runs // 50))
    return {
        "workspaces": workspaces,
        "ensure_us": lookup,
        "open_db_us": hot_db,
        "reopen_db_us": cold_db,
        **requests,
    }


def _requests_side_by_side(folder: Path, home: Path, keys: list[str], runs: int) -> dict[str, Any]:
    """Median ack of a signed /holdouts: the OAuth app (a workspace in turn) against the
    single-workspace app on one copy of the same tracker, alternating."""
    from slack_sdk import WebClient

    from handlers import build_app
    from tests.support.slack_emulator import SlackEmulator
    from tests.support.slack_requests import SIGNING_SECRET, dispatch, slash_command_body
    from tests.support.tenants import DictBotTokens, authorizer, from_team

    single_path = shutil.copyfile(folder / "each.sqlite3", folder / "single.sqlite3")
    with SlackEmulator() as emu, _oauth_deps(home) as (deps, spaces):
        tokens = DictBotTokens({key: "xoxb-bench" for key in keys})
        client = WebClient(base_url=emu.api_url)
        oauth = build_app(
            deps,
            client=client,
            authorize=authorizer(tokens),
            workspaces=spaces,
            signing_secret=SIGNING_SECRET,
        )
        store = open_store(single_path)
        settings = Settings(
            slack_bot_token="xoxb-one", slack_signing_secret=SIGNING_SECRET, db_path=str(single_path)
        )
        single = build_app(
            make_deps(settings, store, FixedClock(NOW)),
            client=WebClient(token="xoxb-one", base_url=emu.api_url),
        )
        body = slash_command_body("/holdouts", "", response_url=emu.response_url("bench"))
        bodies = [from_team(body, key) for key in keys[: min(50, len(keys))]]
        times: dict[str, list[float]] = {"oauth": [], "single": []}
        warm = len(bodies)  # each workspace answered once first, as the single app is
        for n in range(runs + warm):
            for kind, app, sent in (("oauth", oauth, bodies[n % len(bodies)]), ("single", single, body)):
                started = time.perf_counter()
                assert dispatch(app, sent).status == 200
                if n >= warm:
                    times[kind].append(time.perf_counter() - started)
        store.close()
    oauth_ms, single_ms = (round(statistics.median(times[k]) * 1000, 2) for k in ("oauth", "single"))
    return {"request_samples": runs, "request_oauth_ms": oauth_ms, "request_single_ms": single_ms}


def measure(folder: Path, *, quick: bool = False, workspaces: int | None = None) -> dict[str, Any]:
    count = workspaces or (20 if quick else 1000)
    folder.mkdir(parents=True, exist_ok=True)
    sweep = sweep_side_by_side(folder, count, 1 if quick else 3)
    sweep["floor"] = floor_side_by_side(folder, folder / "each.sqlite3", count, 1 if quick else 5)
    sweep["split"] = sql_split(folder, count)
    sweep["bound"] = bound(sweep)
    sweep["bound"]["runner_us"] = runner_only(folder / "many" / "home.db", count, 1 if quick else 5)
    return {"sweep": sweep, "routing": routing(folder, count, 200 if quick else 5000)}


def report_rows(results: dict[str, Any]) -> list[str]:
    s, r = results["sweep"], results["routing"]
    rows = []
    for run, what in (
        ("cold", "databases just opened"),
        ("warm", f"the next run, up to {s['open_workspaces']:,} databases kept open (the default)"),
    ):
        f = s[run]
        met = "yes" if f["ratio"] <= s["goal"] else "**no**"
        many, one = f["alerts"]["many"], f["alerts"]["one"]
        rows.append(
            f"| Sweep per alert ({what}), {s['workspaces']:,} workspaces x {CHANNELS_EACH} channels "
            f"({many:,} alerts, {f['many_s']} s) vs 1 workspace x {s['channels']:,} channels "
            f"({one:,} alerts, {f['one_s']} s), median of {s['samples']} | {f['per_alert_many_ms']} ms "
            f"| {f['per_alert_one_ms']} ms | within {s['goal']}x | {f['ratio']}x {met} |"
        )
        cpu_met = "yes" if f["cpu_ratio"] <= s["goal"] else "**no**"
        rows.append(
            f"| The same in CPU time (the process's, all threads) | {f['cpu_per_alert_many_ms']} ms "
            f"| {f['cpu_per_alert_one_ms']} ms | within {s['goal']}x | {f['cpu_ratio']}x {cpu_met} |"
        )
    floor, warm = s["floor"], s["warm"]
    rows.append(
        f"| The least SQL a workspace's sweep needs, written by hand (subscriptions, due rows, the "
        f"ledger's keys, claims with cursors in one commit, outcomes with the summary in another), "
        f"{s['workspaces']:,} workspaces ({floor['alerts']:,} alerts, {floor['s']} s) | "
        f"{floor['per_alert_ms']} ms | the one workspace's real sweep {warm['per_alert_one_ms']} ms | "
        f"(the floor) | the real sweep is {round(warm['per_alert_many_ms'] / floor['per_alert_ms'], 1)}x it |"
    )
    split, least = s["split"], s["bound"]
    rows.append(
        f"| Time inside SQLite per alert, next run (statements per workspace), counted apart "
        f"| {split['many']['sql_per_alert_ms']} ms ({split['many']['statements_per_workspace']}) "
        f"| {split['one']['sql_per_alert_ms']} ms | | |"
    )
    reachable = "yes" if least["ratio"] <= s["goal"] else "**no**"
    rows.append(
        f"| The least a sweep of a database per workspace can cost per alert: the floor plus the "
        f"app's own work per alert outside SQLite ({least['own_work_ms']} ms, as the one workspace "
        f"spends it) | {least['least_ms']} ms | {warm['per_alert_one_ms']} ms | within {s['goal']}x "
        f"| {least['ratio']}x: goal reachable {reachable} |"
    )
    rows.append(
        f"| What that leaves a workspace's sweep for everything else, at the goal, against what the "
        f"per-workspace job runner costs with a job that does nothing, and the two questions every run "
        f"asks (retries, reminders and mutes; corrections) | {least['room_per_workspace_us']} µs "
        f"| runner {least['runner_us']} µs, questions {floor['checks_us']} µs | | |"
    )
    rss = s["rss_mb"]
    return rows + [
        f"| Process memory (RSS) with {s['kept_open']['many']:,} workspace databases open vs "
        f"{s['kept_open']['one']} | {rss['many']} MB | {rss['one']} MB | | |",
        f"| Finding a request's workspace among {r['workspaces']:,} (middleware lookup) "
        f"| {r['ensure_us']} µs | | | |",
        f"| Its database when open / when opened again "
        f"| {r['open_db_us']} µs / {r['reopen_db_us']} µs | | | |",
        f"| Signed `/holdouts` dispatched, OAuth app (a workspace in turn) vs single-workspace app, median "
        f"(n={r['request_samples']}) | {r['request_oauth_ms']} ms | {r['request_single_ms']} ms | | |",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.workspaces", description=__doc__.split("\n")[0])
    parser.add_argument("--workspaces", type=int, default=1000)
    parser.add_argument("--quick", action="store_true", help="20 workspaces: a smoke test, not figures")
    parser.add_argument("--json", metavar="PATH")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="reviewwatch-bench-workspaces-"))
    try:
        results = measure(folder, quick=args.quick, workspaces=None if args.quick else args.workspaces)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print("| Measure | Many workspaces | One workspace | Goal | Met |\n|---|---|---|---|---|")
    print("\n".join(report_rows(results)))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
