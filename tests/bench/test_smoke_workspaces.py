"""The benchmark's many-workspaces part (bench/workspaces.py) runs end to end on 20
workspaces: both sides deliver the same alerts and every figure is taken. No timings are
asserted."""

from __future__ import annotations

from pathlib import Path

from bench.run import QUICK, report, run


def test_many_workspaces_against_one_and_finding_a_requests_workspace(tmp_path: Path) -> None:
    results = run(QUICK, tmp_path, parts=["workspaces"])

    sweep, routing = results["workspaces"]["sweep"], results["workspaces"]["routing"]
    assert sweep["workspaces"] == 20 and sweep["channels"] == 60
    for kind in ("cold", "warm"):  # the same alerts, both ways
        assert sweep[kind]["alerts"]["many"] == sweep[kind]["alerts"]["one"] > 0
        assert sweep[kind]["ratio"] > 0 and sweep[kind]["cpu_ratio"] > 0
    assert sweep["samples"] == 1
    # The hand-written floor writes the alerts the real sweep sends on the next run.
    assert sweep["floor"]["alerts"] == sweep["warm"]["alerts"]["many"] and sweep["floor"]["s"] > 0
    # Each side's time inside SQLite was counted (a timer that saw nothing would count none).
    assert (
        sweep["split"]["many"]["statements_per_workspace"] > 0
        and sweep["split"]["one"]["sql_per_alert_ms"] > 0
    )
    assert sweep["bound"]["least_ms"] >= sweep["floor"]["per_alert_ms"] and sweep["bound"]["runner_us"] > 0
    assert routing["ensure_us"] > 0 and routing["open_db_us"] > 0 and routing["reopen_db_us"] > 0
    assert routing["request_oauth_ms"] > 0 and routing["request_single_ms"] > 0
    table = report(results)
    measures = (
        "Sweep per alert",
        "The least SQL",
        "The least a sweep",
        "Finding a request's workspace",
        "Signed `/holdouts`",
    )
    for measure in measures:
        assert measure in table
