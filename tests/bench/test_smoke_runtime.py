"""The benchmark's weight at run time (bench/runtime.py, `--only runtime`) runs end to end on
a tiny tracker: the App Home after a change, memory around a drawn picture (the drawing
worker, told to leave after 1 s, is seen leaving), answers after a tracker change. No timings
are asserted."""

from __future__ import annotations

from pathlib import Path

from bench.run import QUICK, report, run


def test_the_app_home_a_pictures_memory_and_answers_after_a_change(tmp_path: Path) -> None:
    results = run(QUICK, tmp_path, parts=["runtime"])

    runtime = results["runtime"]
    assert runtime["home"]["runs"] == 2 and runtime["home"]["background"] is True
    memory = runtime["memory"]
    assert memory["worker_processes"] == 1 and memory["worker_exited"] is True
    assert memory["idle_mib"] > 0 and memory["picture_s"] > 0
    assert runtime["cold"]["app_cold"]["n"] == runtime["cold"]["bare_ack"]["n"] > 0
    table = report(results)
    for measure in (
        "App Home published right after a tracker change",
        "after the drawing worker exits",
        "(worker exited: True)",
        "Answers, 8 clients, a tracker change before every question",
        "Machine:",
    ):
        assert measure in table
