"""The benchmark (bench/run.py) runs end to end on a tiny tracker, one group of parts per file
so that the test workers share it (tests/bench/): here the answers under load and the
footprint around them. No timings are asserted: the figures come from `python -m bench.run`
([Benchmarks](../../docs/benchmarks.md))."""

from __future__ import annotations

from pathlib import Path

from bench.answers import LEVELS
from bench.run import QUICK, report, run


def test_answers_under_load_and_the_footprint_around_them(tmp_path: Path) -> None:
    results = run(QUICK, tmp_path, parts=["commands", "footprint"])

    assert set(results["answers"]) == {str(n) for n in LEVELS}
    for level in results["answers"].values():
        for side in ("app", "app_cold", "bare_respond", "bare_ack"):
            assert level[side]["n"] == QUICK.blocks * (QUICK.requests // level["clients"]) * level["clients"]
    assert results["footprint"]["app_requests"] > 0 and results["footprint"]["bare_idle_mib"] > 0
    assert results["footprint"]["start"]["runs"] == QUICK.start_runs
    assert results["models_answer"]["models"] > 0
    table = report(results)
    for measure in (
        "Answer seen by the user, 1 client(s)",
        "Answer seen by the user, 8 client(s)",
        "`/aireview models` answer",
        "a tracker change before every question",
        "Idle resident memory after start",
        "Idle resident memory after",
        "Start to first answered request",
        "Machine:",
    ):
        assert measure in table
