"""Review Watch benchmarks (issues 9 and 17): one command, every figure beside its baseline.

    python -m bench.run --json bench-results.json   # the full run; figures in docs/benchmarks.md
    python -m bench.run --quick    # a tiny tracker, well under a minute (tests/bench/test_smoke_*.py)
    python -m bench.run --only sweep --only imports   # some parts alone (repeatable)

Everything runs on 127.0.0.1 in a temporary folder: the Slack emulator (tests/), the real
app (`python app.py`, HTTP mode, scheduler on) and a bare Bolt app (bench/bare_app.py) on
the same server stack, answering each command with a reply of the same size. Method:
paired runs in alternating order after a warm-up, medians and p99 (or min-max) with the
number of samples, the machine and its load average printed with the figures.

1. commands: what the user sees (the answer's arrival at response_url, or the ack carrying
   it) for /holdouts, /deadlines 90 and /aireview status meta on the 200-developer /
   5,000-model tracker, with 1 and 8 concurrent clients, against the bare app answering
   the same replies through response_url and in the ack; the app's acks; and
   `/aireview models` in-process.
2. sweep: the whole sweep (plan, claims, cursors, delivery by a sender that answers at once,
   outcomes) against its physical limit, the same work done by hand in SQLite (the raw
   SELECT, one executemany INSERT of the ledger rows, one executemany UPDATE of their
   outcomes); and the planning step against the SELECT; at 1k, 10k and 100k models.
3. fanout: alerts due at once over several channels, delivered by the real sweep to the
   emulator holding each channel to one message a second (429 + Retry-After beyond it).
4. footprint: idle resident memory after start and after the commands' requests, and start
   to first answered request (paired, alternating starts), against the bare app.
5. imports: what the app imports at start, and what each lazily imported module costs.
6. options: type-ahead menus' options requests (bench/options.py).
7. hardening: oversized unsigned posts and a dripping feed (bench/hardening.py).
8. runtime: the App Home after a change, memory around a drawn picture, and answers after
   a tracker change at 8 clients (bench/runtime.py).
9. workspaces: a sweep over 1,000 workspaces against one workspace with 3,000 channels, and
   finding a request's workspace (bench/workspaces.py).

This module runs the parts and prints the table; each part lives in a module of its own:
bench/answers.py (1, 4), bench/sweeps.py (2, 3), bench/imports.py (5 and the timeline),
bench/options.py, bench/hardening.py, bench/runtime.py, bench/workspaces.py; what they share
(sizes, the timed emulator, settings, figures) is bench/common.py, the processes they start
bench/processes.py.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import threading
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.answers import answer_rows, answers_and_footprint, footprint_rows
from bench.common import FULL, QUICK, Size, TimedEmulator, met
from bench.imports import import_costs, import_rows, timeline_draw_times, timeline_rows
from bench.sweeps import fan_out, fan_out_rows, sweep_cost, sweep_rows

# The parts `--only` picks; footprint's memory figures are taken around the answers under
# load, so footprint runs that too.
PARTS = (
    "commands",
    "sweep",
    "fanout",
    "footprint",
    "imports",
    "options",
    "hardening",
    "timeline",
    "runtime",
    "workspaces",
)


def machine() -> dict[str, Any]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    try:
        load = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        load = []
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "system": platform.platform(),
        "load_before": load,
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def run(size: Size, folder: Path, parts: Iterable[str] = PARTS) -> dict[str, Any]:
    chosen = set(parts)
    results: dict[str, Any] = {"machine": machine(), "size": size.__dict__}
    with TimedEmulator() as emu:
        if chosen & {"commands", "footprint"}:
            results.update(answers_and_footprint(emu, folder, size, "footprint" in chosen))
        if "fanout" in chosen:
            results["fan_out"] = fan_out(emu, folder, size.fanout)
        if "options" in chosen:
            from bench.options import measure_options

            results["options"] = measure_options(emu, folder, size.models, 3 if size is QUICK else 30)
        if "hardening" in chosen:  # bench/hardening.py: oversized posts, a dripping feed
            from bench import hardening

            results["hardening"] = hardening.measure(folder, quick=size == QUICK, emu=emu)
        if "runtime" in chosen:  # bench/runtime.py: the App Home, a picture's memory, cold answers
            from bench import runtime

            results["runtime"] = runtime.measure(folder, quick=size == QUICK, emu=emu)
    if "workspaces" in chosen:  # bench/workspaces.py: many workspaces against one
        from bench import workspaces

        results["workspaces"] = workspaces.measure(folder / "workspaces", quick=size is QUICK)
    if "sweep" in chosen:
        results["sweep"] = sweep_cost(folder, size.sweep_models, size.channels, size.sweep_repeats)
    if "imports" in chosen:
        results["imports"] = import_costs(max(1, size.start_runs), in_turn=size is QUICK)
    if "timeline" in chosen:
        quick = size is QUICK  # the quick run: one round of fresh processes, not a median of 3
        results["timeline"] = timeline_draw_times(folder, size.models, 2 if quick else 7, 1 if quick else 7)
    try:
        results["machine"]["load_after"] = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        pass
    return results


def report(results: dict[str, Any]) -> str:
    """The table of the parts that ran: each figure with its goal and whether it was met."""
    lines = ["| Measure | Review Watch | Baseline | Goal | Met |", "|---|---|---|---|---|"]
    for level in results.get("answers", {}).values():
        lines += answer_rows(level)
    if "models_answer" in results:
        ma = results["models_answer"]
        lines.append(
            f"| `/aireview models` answer in-process, {ma['models']:,} models, median / p99 (n={ma['n']}) | "
            f"{ma['median_ms']} / {ma['p99_ms']} ms | | < 10 ms | {met(ma['median_ms'] < 10)} |"
        )
    for row in results.get("sweep", []):
        lines += sweep_rows(row)
    if "workspaces" in results:
        from bench.workspaces import report_rows

        lines += report_rows(results["workspaces"])
    if "fan_out" in results:
        lines += fan_out_rows(results["fan_out"])
    if "options" in results:
        from bench.options import report_rows

        lines += report_rows(results["options"])
    if "footprint" in results:
        lines += footprint_rows(results["footprint"])
    if "imports" in results:
        lines += import_rows(results["imports"])
    if "timeline" in results:
        lines += timeline_rows(results["timeline"], results["size"]["models"])
    if "hardening" in results:
        from bench.hardening import report_rows as hardening_rows

        lines += hardening_rows(results["hardening"])
    if "runtime" in results:
        from bench.runtime import report_rows as runtime_rows

        lines += runtime_rows(results["runtime"])
    m = results["machine"]
    lines.append(
        f"\nMachine: {m['cores']} cores, {m['cpu']}, Python {m['python']}, {m['system']}; load average "
        f"{m.get('load_before')} before, {m.get('load_after')} after ({m['at']})"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a tiny tracker: a smoke test, not figures")
    parser.add_argument(
        "--only",
        action="append",
        choices=PARTS,
        metavar="PART",
        help=f"run only this part (repeatable): {', '.join(PARTS)}; footprint also runs "
        "the commands under load, its workload",
    )
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON to PATH")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (databases, logs)")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="reviewwatch-bench-"))
    try:
        results = run(QUICK if args.quick else FULL, folder, args.only or PARTS)
    finally:
        if args.keep:
            print(f"kept {folder}", file=sys.stderr)
        else:
            shutil.rmtree(folder, ignore_errors=True)
    print(report(results))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    threading.current_thread().name = "bench"
    sys.exit(main())
