"""The benchmark's sweep, fan-out, type-ahead menus and hardening parts run end to end on a
tiny tracker, and `--only` runs only the parts asked for. No timings are asserted."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.run import PARTS, QUICK, main, report, run


def test_the_sweep_fan_out_menus_and_hostile_inputs(tmp_path: Path) -> None:
    results = run(QUICK, tmp_path, parts=["sweep", "fanout", "options", "hardening"])

    assert [row["models"] for row in results["sweep"]] == list(QUICK.sweep_models)
    for row in results["sweep"]:
        assert row["samples"] == QUICK.sweep_repeats and row["sent"] > 0 and row["whole_ratio"] > 0
    fan_out = results["fan_out"]
    assert fan_out["exactly_once"] is True
    assert fan_out["delivered"] == sum(QUICK.fanout)
    assert results["options"]["options_shown"]["developers:Develper 149 Labs"] > 0  # a typo answered
    assert results["hardening"]["oversized"]["statuses"] == {"413": 3}
    assert results["hardening"]["dripping"]["outcome"].startswith("timed out")
    table = report(results)
    for measure in (
        "Whole sweep",
        "SQLite limit",
        "Sweep planning step",
        "Fan-out",
        "Type-ahead menu options",
        "Peak RSS while",
        "dripping header bytes",
        "Machine:",
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


def test_the_smoke_files_cover_every_part() -> None:
    """Every part `--only` knows is run by one of tests/bench/'s smoke files."""
    here = Path(__file__).parent
    runs = "".join(p.read_text() for p in here.glob("test_smoke_*.py"))
    assert [part for part in PARTS if f'"{part}"' not in runs] == []
