"""The benchmark's timeline picture and import costs (bench/run.py `--only timeline --only
imports`) run end to end on a tiny tracker: each starts fresh Python processes. No timings
are asserted."""

from __future__ import annotations

from pathlib import Path

from bench.run import QUICK, report, run


def test_the_timeline_picture_and_what_the_app_imports(tmp_path: Path) -> None:
    results = run(QUICK, tmp_path, parts=["timeline", "imports"])

    assert results["imports"]["httpx"]["loaded_at_start"] is False
    assert results["imports"]["bot.exports.timeline"]["loaded_at_start"] is False
    assert results["timeline"]["large"]["kib"] > 0 and results["timeline"]["first_draw"]["ms"] > 0
    assert results["timeline"]["feature_imports"]["with"]["plotting"] is False  # not at start
    table = report(results)
    for measure in (
        "Imports at start (HTTP mode)",
        "Import `httpx`",
        "Timeline picture, 90 days",
        "Start-up imports with issue 16's modules",
        "The first picture in a process",
        "Machine:",
    ):
        assert measure in table
