"""Part 5 (imports) and part 8 (timeline): what the app imports at start and what each
lazily imported module costs, in fresh processes; and drawing the timeline picture."""

from __future__ import annotations

import functools
import json
import statistics
from pathlib import Path
from typing import Any

from bench.common import met, python_json, settings_for, spread, timed
from bench.tracker import bench_now, build_bench_db
from bot.clock import FixedClock

# What the running app imports at start (HTTP mode, with every listener registered), and
# what it imports only when used.
LISTENERS = (
    "handlers.actions, handlers.alerts, handlers.commands, handlers.events, handlers.feeds, "
    "handlers.menus, handlers.views"
)
PREPARE = "import bot.ops.memory; bot.ops.memory.prepare_process()"  # what app.main() does first
START_IMPORTS = f"{PREPARE}; import app, handlers.http.runtime, handlers.http.routes, {LISTENERS}"
BARE_IMPORTS = "import slack_bolt, slack_bolt.adapter.wsgi, slack_sdk, waitress"
LAZY_IMPORTS = (
    "bot.teams.answers",
    "bot.admin.edits",
    "bot.news.watch",
    "bot.exports.files",
    "httpx",
    "feedparser",
    "icalendar",
    "holidays",
    "bot.exports.timeline",
)
# What each part of the app adds at start, imported one after another in a fresh process (the
# order the app's own imports need): the bare app's libraries first, then the design's base
# libraries, then ours.
START_CHAIN = (
    ("Bolt, slack_sdk and waitress (all the bare app imports)", BARE_IMPORTS),
    (
        "sqlite-utils (with click, dateutil, pluggy)",
        f"{PREPARE}; import sqlite_utils",
    ),
    (
        "APScheduler (background scheduler, thread pool, interval trigger)",
        "import apscheduler.schedulers.background, apscheduler.executors.pool, apscheduler.triggers.interval",
    ),
    (
        "storage/ (queries, migrations)",
        "import storage.db, storage.migrations, storage.tracker, storage.alerts",
    ),
    (
        "the kernel (settings, deps, Block Kit, lookup)",
        "import bot.deps, bot.blockkit, bot.lookup, bot.menus",
    ),
    ("bot/read (answers, App Home)", "import bot.read"),
    ("bot/admin's commands (the forms load on first use)", "import bot.admin"),
    ("bot/exports' commands (the files and the picture load on first use)", "import bot.exports"),
    ("bot/news' commands and schedule (the watch loads on first use)", "import bot.news"),
    ("bot/alerts (plan, sweep, delivery, briefing, follows)", "import bot.alerts, bot.catalog"),
    ("handlers/ and app.py", f"import app, handlers.http.runtime, handlers.http.routes, {LISTENERS}"),
)
_CHAIN_PROBE = """
import json, sys, time
def rss():
    return next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmRSS:"))
steps = []
for statement in json.loads(sys.argv[1]):
    started, before = time.perf_counter(), rss()
    exec(statement)
    steps.append({"ms": (time.perf_counter() - started) * 1000, "kib": rss() - before})
print(json.dumps(steps))
"""
_PROBE = """
import importlib, json, sys, time
def rss():
    return next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmRSS:"))
started, before = time.perf_counter(), rss()
{base}
base_ms, base_kib = (time.perf_counter() - started) * 1000, rss() - before
loaded = {module!r} in sys.modules
started, before = time.perf_counter(), rss()
importlib.import_module({module!r})
print(json.dumps({{"base_ms": base_ms, "base_kib": base_kib, "loaded_at_start": loaded,
                  "ms": (time.perf_counter() - started) * 1000, "kib": rss() - before}}))
"""


# The quick run's shortcut: every lazy module imported in turn in one fresh process after the
# start imports (each figure then leaves out what an earlier one loaded: a smoke check, not figures).
_PROBE_IN_TURN = """
import importlib, json, sys, time
def rss():
    return next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmRSS:"))
started, before = time.perf_counter(), rss()
{base}
rows = {{"": {{"base_ms": (time.perf_counter() - started) * 1000, "base_kib": rss() - before}}}}
modules = json.loads(sys.argv[1])
at_start = {{module: module in sys.modules for module in modules}}
for module in modules:
    started, before = time.perf_counter(), rss()
    importlib.import_module(module)
    rows[module] = {{"loaded_at_start": at_start[module], "ms": (time.perf_counter() - started) * 1000,
                    "kib": rss() - before}}
print(json.dumps(rows))
"""


def import_costs(runs: int, in_turn: bool = False) -> dict[str, Any]:
    """Each lazily imported module's cost (median of `runs` fresh processes): milliseconds and
    resident KiB on top of what the app imports at start; and the start imports themselves.
    `in_turn` (the quick run): one process imports the lazy modules one after another."""

    def probe(base: str, module: str) -> list[dict[str, Any]]:
        return [python_json(_PROBE.format(base=base, module=module)) for _ in range(runs)]

    def med(rows: list[dict[str, Any]], key: str) -> float:
        return round(statistics.median(r[key] for r in rows), 1)

    statements = json.dumps([statement for _, statement in START_CHAIN])
    chains = [python_json(_CHAIN_PROBE, statements) for _ in range(runs)]
    chain = [
        {
            "what": what,
            "ms": round(statistics.median(c[i]["ms"] for c in chains), 1),
            "kib": round(statistics.median(c[i]["kib"] for c in chains)),
        }
        for i, (what, _) in enumerate(START_CHAIN)
    ]
    in_turn_rows = (
        python_json(_PROBE_IN_TURN.format(base=START_IMPORTS), json.dumps(LAZY_IMPORTS)) if in_turn else {}
    )
    start = [in_turn_rows[""]] if in_turn else probe(START_IMPORTS, "json")
    bare = probe(BARE_IMPORTS, "json")
    costs: dict[str, Any] = {
        "start": {"ms": med(start, "base_ms"), "mib": round(med(start, "base_kib") / 1024, 1)},
        "chain": chain,
    }
    costs["bare_start"] = {"ms": med(bare, "base_ms"), "mib": round(med(bare, "base_kib") / 1024, 1)}
    for module in LAZY_IMPORTS:
        rows = [in_turn_rows[module]] if in_turn else probe(START_IMPORTS, module)
        costs[module] = {
            "loaded_at_start": any(r["loaded_at_start"] for r in rows),
            "ms": med(rows, "ms"),
            "kib": med(rows, "kib"),
        }
    return costs


def timeline_draw_times(folder: Path, models: int, runs: int, import_runs: int = 7) -> dict[str, Any]:
    """Drawing `/aireview timeline` (90 days: the query, the layout and the PNG, as the
    listener uploads it), in-process after one warm-up draw (which imports matplotlib), on
    the seeded tracker and on the large one; the first draw in a fresh process; and the
    start-up imports with and without issue 16's modules (`import_runs` paired processes)."""
    from bot.catalog import make_deps
    from bot.exports import timeline_file
    from storage.db import open_store
    from storage.seed import seed

    now = bench_now()
    trackers = {"seeded": folder / "timeline-seeded.db", "large": folder / "timeline-large.db"}
    store = open_store(trackers["seeded"])
    seed(store.db, at=now)
    store.close()
    build_bench_db(trackers["large"], settings_for(trackers["large"]), now=now, models=models)
    out: dict[str, Any] = {}
    for name, db in trackers.items():
        store = open_store(db)
        try:
            deps = make_deps(settings_for(db), store, FixedClock(now))
            picture = timeline_file(deps)
            assert picture is not None and picture.content.startswith(b"\x89PNG")
            times = [timed(functools.partial(timeline_file, deps)) for _ in range(runs)]
            out[name] = {**spread(times), "n": runs, "kib": len(picture.content) // 1024}
        finally:
            store.close()
    out["first_draw"] = python_json(_FIRST_DRAW, str(trackers["seeded"]))
    out["feature_imports"] = feature_imports(import_runs)
    return out


# Issue 16's modules (the picture, what changed, the briefing, labs side by side, follows).
GLANCE_MODULES = (
    "bot.read.changes",
    "bot.read.compare",
    "bot.alerts.briefing",
    "bot.alerts.follows",
    "bot.exports.timeline",
    "storage.timeline",
    "storage.changes",
    "storage.compare",
    "storage.follows",
    "storage.briefing",
)
# The app's start-up imports in a fresh process, with those modules, or with each replaced by
# an empty stand-in (whatever is asked of it is another stand-in): what they add at start.
_FEATURE_PROBE = """
import json, sys, time, types
class StandIn:
    def __call__(self, *args, **kwargs): return self
    def __iter__(self): return iter(())
    def __getattr__(self, name): return self
    def __mro_entries__(self, bases): return (object,)
class StandInModule(types.ModuleType):
    def __getattr__(self, name):
        if name.startswith("__"): raise AttributeError(name)
        return StandIn()
def rss():
    return next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmRSS:"))
started, before = time.perf_counter(), rss()
if sys.argv[1] == "without":
    for name in json.loads(sys.argv[2]):
        sys.modules[name] = StandInModule(name)
import bot.ops.memory; bot.ops.memory.prepare_process()
import app, handlers.http.runtime, handlers.http.routes
print(json.dumps({"ms": (time.perf_counter() - started) * 1000, "kib": rss() - before,
                  "plotting": any(m in sys.modules for m in ("matplotlib", "PIL"))}))
"""


def feature_imports(runs: int) -> dict[str, Any]:
    """Start-up imports with and without GLANCE_MODULES: fresh processes, alternating."""
    seen: dict[str, list[dict[str, Any]]] = {"with": [], "without": []}
    for run in range(runs + 1):  # run 0: the warm-up (the OS file cache)
        for side in ("with", "without") if run % 2 == 0 else ("without", "with"):
            done = python_json(_FEATURE_PROBE, side, json.dumps(GLANCE_MODULES))
            if run:
                seen[side].append(done)
    return {
        side: {
            "ms": round(statistics.median(r["ms"] for r in rows), 1),
            "mib": round(statistics.median(r["kib"] for r in rows) / 1024, 1),
            "plotting": any(r["plotting"] for r in rows),
        }
        for side, rows in seen.items()
    } | {"runs": runs}


# The first picture in a fresh process: importing matplotlib (numpy, PIL) and drawing.
_FIRST_DRAW = """
import json, sys, time
import bot.ops.memory; bot.ops.memory.prepare_process()
from bench.common import settings_for
from bench.tracker import bench_now
from bot.catalog import make_deps
from bot.clock import FixedClock
from bot.exports import timeline_file
from storage.db import open_store
def rss():
    return next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmRSS:"))
store = open_store(sys.argv[1])
deps = make_deps(settings_for(sys.argv[1]), store, FixedClock(bench_now()))
started, before = time.perf_counter(), rss()
timeline_file(deps)
print(json.dumps({"ms": round((time.perf_counter() - started) * 1000, 1), "kib": rss() - before}))
"""


def import_rows(costs: dict[str, Any]) -> list[str]:
    start, bare = costs["start"], costs["bare_start"]
    rows = [
        f"| Imports at start (HTTP mode) | {start['ms']} ms, {start['mib']} MiB | "
        f"Bolt + waitress {bare['ms']} ms, {bare['mib']} MiB | | |"
    ]
    for step in costs.get("chain", []):
        rows.append(f"| At start, in order: {step['what']} | +{step['ms']} ms, +{step['kib']:,} KiB | | | |")
    for module, cost in costs.items():
        if module in ("start", "bare_start", "chain"):
            continue
        where = "loaded at start" if cost["loaded_at_start"] else "imported when used"
        rows.append(f"| Import `{module}` ({where}) | +{cost['ms']} ms, +{cost['kib']:.0f} KiB | | | |")
    return rows


def timeline_rows(tl: dict[str, Any], models: int) -> list[str]:
    lines: list[str] = []
    for name, label in (
        ("seeded", "the seeded tracker"),
        ("large", f"{models:,} models"),
    ):
        row = tl[name]
        goal = "< 1 s" if name == "large" else ""
        verdict = met(row["median_ms"] < 1000) if name == "large" else ""
        lines.append(
            f"| Timeline picture, 90 days, {label} (query, layout, PNG of {row['kib']} KiB), median "
            f"[min-max] (n={row['n']}) | {row['median_ms']} [{row['min_ms']}-{row['max_ms']}] ms | | "
            f"{goal} | {verdict} |"
        )
    fi = tl["feature_imports"]
    lines.append(
        f"| Start-up imports with issue 16's modules (picture, changes, briefing, compare, follows), "
        f"median of {fi['runs']} fresh processes | {fi['with']['ms']} ms, {fi['with']['mib']} MiB | "
        f"without them {fi['without']['ms']} ms, {fi['without']['mib']} MiB | no growth at start | "
        f"plotting loaded at start: {'yes' if fi['with']['plotting'] else 'no'} |"
    )
    first = tl["first_draw"]
    lines.append(
        f"| The first picture in a process (imports matplotlib), seeded tracker | {first['ms']} ms, "
        f"+{first['kib'] / 1024:.1f} MiB resident | | not at start | (only when drawn) |"
    )
    return lines
