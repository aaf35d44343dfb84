"""The benchmark (bench/run.py) runs end to end on a tiny tracker. No timings are asserted:
the figures come from `python -m bench.run` (README, "Benchmarks")."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.run import LEVELS, QUICK, main, report, run


def test_the_benchmark_runs_on_a_tiny_tracker_and_reports_every_measure(tmp_path: Path) -> None:
    results = run(QUICK, tmp_path)

    assert set(results["answers"]) == {str(n) for n in LEVELS}
    for level in results["answers"].values():
        for side in ("app", "app_cold", "bare_respond", "bare_ack"):
            assert level[side]["n"] == QUICK.blocks * (QUICK.requests // level["clients"]) * level["clients"]
    assert results["footprint"]["app_requests"] > 0 and results["footprint"]["bare_idle_mib"] > 0
    assert [row["models"] for row in results["sweep"]] == list(QUICK.sweep_models)
    for row in results["sweep"]:
        assert row["samples"] == QUICK.sweep_repeats and row["sent"] > 0 and row["whole_ratio"] > 0
    fan_out = results["fan_out"]
    assert fan_out["exactly_once"] is True
    assert fan_out["delivered"] == sum(QUICK.fanout)
    assert results["imports"]["httpx"]["loaded_at_start"] is False
    assert results["timeline"]["large"]["kib"] > 0 and results["timeline"]["first_draw"]["ms"] > 0
    assert results["timeline"]["feature_imports"]["with"]["plotting"] is False  # not at start
    assert results["options"]["options_shown"]["developers:Develper 149 Labs"] > 0  # a typo answered
    table = report(results)
    assert results["hardening"]["oversized"]["statuses"] == {"413": 3}
    assert results["hardening"]["dripping"]["outcome"].startswith("timed out")
    for measure in (
        "Answer seen by the user, 8 client(s)",
        "`/aireview models` answer",
        "Whole sweep",
        "SQLite limit",
        "Fan-out",
        "Idle resident memory after start",
        "Start to first answered request",
        "Import `httpx`",
        "Type-ahead menu options",
        "Machine:",
        "Peak RSS while",
        "dripping header bytes",
        "a tracker change before every question",
        "Timeline picture, 90 days",
        "Start-up imports with issue 16's modules",
    ):
        assert measure in table


def test_only_runs_the_parts_asked_for(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    results = run(QUICK, tmp_path, parts=["fanout"])

    assert set(results) == {"machine", "size", "fan_out"}
    assert results["fan_out"]["exactly_once"] is True
    table = report(results)
    assert "Fan-out" in table
    assert "Answer seen" not in table and "Whole sweep" not in table and "Idle resident" not in table
    assert main(["--quick", "--only", "fanout", "--json", str(tmp_path / "r.json")]) == 0
    assert "Fan-out" in capsys.readouterr().out
    assert (tmp_path / "r.json").exists()
    with pytest.raises(SystemExit):
        main(["--only", "everything"])
