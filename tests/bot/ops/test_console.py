"""`python app.py console`: the slash commands answered from standard input, as text rendered
from the same Block Kit Slack gets."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

from bot.deps import Deps
from bot.ops.console import console_answer, mrkdwn_to_text, render_reply, run_console
from bot.replies import Reply
from storage.tracker import update_record
from tests.support import paths

PROJECT_ROOT = paths.PROJECT_ROOT


def test_console_reads_standard_input(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "REVIEWWATCH_"))}
    env["REVIEWWATCH_DB"] = str(tmp_path / "console.db")
    lines = "/holdouts\n/deadlines 30\n/aireview status meta\n\n# a comment\ndeadlines soon\n/nope\n"
    result = subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "app.py"), "console", "--now", "2026-07-24"],
        input=lines,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "review-watch> " not in out  # no prompt when stdin is not a terminal
    assert "Holdouts: no review agreement yet\n=================================" in out
    assert "5 of 6 tracked developers have signed a review agreement; 1 holdout" in out
    assert "Meta · Negotiating\n" in out
    assert "Jun 3" not in out and "2026-06-03" not in out
    assert (
        "Fri Jul 31, 2026 · in 7 days, 5 business days — Formal pre-release review process to be established"
        in out
    )
    assert "Status: Negotiating" in out
    assert "Full history: /aireview history meta" in out
    assert "Usage: /deadlines [days]" in out
    assert "Unknown command." in out


def test_run_console_with_text_streams(deps: Deps) -> None:
    out = io.StringIO()
    assert run_console(deps, io.StringIO("/aireview history\nhelp\nexit\n/holdouts\n"), out) == 0
    text = out.getvalue()
    assert "History: latest changes" in text
    assert "/aireview status <developer> — a developer's full record" in text
    assert "Holdouts" not in text  # stopped at exit


def test_console_shows_tracker_text_literally(deps: Deps) -> None:
    update_record(
        deps.store.db,
        "developer",
        "meta",
        {"note": "Ping <!channel> & <@U123>"},
        actor="UADMIN0001",
        at=deps.clock.now(),
    )
    text = render_reply(console_answer(deps, "/holdouts share"))
    assert "Ping <!channel> & <@U123>" in text


def test_console_speaks_console(deps: Deps) -> None:
    holdouts = render_reply(console_answer(deps, "/holdouts"))
    assert "1 holdout" in holdouts
    shared = render_reply(console_answer(deps, "/holdouts share"))
    for text in (holdouts, shared):
        assert "Only you can see this" not in text and "posts it in the channel" not in text
        assert "in Slack" not in text

    help_text = render_reply(console_answer(deps, "help"))
    for offered in (
        "/holdouts —",
        "/deadlines [days]",
        "/aireview status",
        "/aireview models",
        "/aireview history",
    ):
        assert offered in help_text
    # Only what the console can do: no uploads, forms or channel alerts, no `share`.
    for absent in (
        "/holdouts [share]",
        "/aireview export",
        "/aireview admin",
        "/aireview subscribe",
        "/aireview alerts",
    ):
        assert absent not in help_text
    # Those are still answered, by saying where they work.
    assert "available in Slack, not here" in render_reply(console_answer(deps, "/aireview alerts"))


def test_slack_only_subcommands_say_so(deps: Deps) -> None:
    from bot.replies import SURFACE_SLACK, Subcommand

    deps.subcommands.add(
        Subcommand(
            "upload",
            "upload",
            "uploads a file",
            "/aireview upload",
            lambda d, r: Reply(text="uploaded"),
            surfaces=(SURFACE_SLACK,),
        )
    )
    assert render_reply(console_answer(deps, "/aireview upload")) == (
        "/aireview upload is available in Slack, not here."
    )


def test_mrkdwn_to_text() -> None:
    assert mrkdwn_to_text("*Bold* _it_ <https://x.org|X> <@U1> &lt;b&gt; &amp; snake_case") == (
        "Bold it X (https://x.org) @U1 <b> & snake_case"
    )


def test_the_console_knows_every_subcommand_slack_does(deps: Deps, bolt_app: object) -> None:
    from bot.ops.console import console_answer, render_reply
    from bot.replies import SURFACE_CONSOLE

    help_text = render_reply(console_answer(deps, "/aireview help"))
    for sub in deps.subcommands.all():
        answer = render_reply(console_answer(deps, f"/aireview {sub.name}"))
        if SURFACE_CONSOLE in sub.surfaces:
            assert f"/aireview {sub.usage}" in help_text
            assert "not here" not in answer
        else:  # known, and the answer says where it works; help does not offer it
            assert f"/aireview {sub.name}" not in help_text
            assert answer == f"/aireview {sub.name} is available in Slack, not here."
