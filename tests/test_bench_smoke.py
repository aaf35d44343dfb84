"""The benchmark (bench/run.py) runs end to end on a tiny tracker. No timings are asserted:
the figures come from `python -m bench.run` (README, "Benchmarks")."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.run import QUICK, main, report, run


def test_the_benchmark_runs_on_a_tiny_tracker_and_reports_every_measure(tmp_path: Path) -> None:
    results = run(QUICK, tmp_path)

    assert results["round_trip"]["requests"] == QUICK.requests * 2
    assert [row["models"] for row in results["sweep"]] == list(QUICK.sweep_models)
    fan_out = results["fan_out"]
    assert fan_out["exactly_once"] is True
    assert fan_out["delivered"] == sum(QUICK.fanout)
    assert results["footprint"]["app_rss_mib"] > 0 and results["footprint"]["bare_rss_mib"] > 0
    table = report(results)
    for measure in ("Command ack", "Sweep computation", "Fan-out", "Resident memory", "Start to first"):
        assert measure in table


def test_only_runs_the_parts_asked_for(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    results = run(QUICK, tmp_path, parts=["fanout"])

    assert set(results) == {"machine", "fan_out"}
    assert results["fan_out"]["exactly_once"] is True
    table = report(results)
    assert "Fan-out" in table
    assert "Command ack" not in table and "Sweep computation" not in table and "Resident memory" not in table
    assert main(["--quick", "--only", "fanout", "--json", str(tmp_path / "r.json")]) == 0
    assert "Fan-out" in capsys.readouterr().out
    assert (tmp_path / "r.json").exists()
    with pytest.raises(SystemExit):
        main(["--only", "everything"])
