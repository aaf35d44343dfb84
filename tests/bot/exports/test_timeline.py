"""The timeline picture: the PNG as people receive it (Slack upload, App Home, a file from
the shell), its layout rules checked on the drawn figure, and a start-up that never loads
the plotting library."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from itertools import combinations
from pathlib import Path
from typing import Any

from slack_bolt import App

from bot.clock import FixedClock
from bot.deps import Deps
from bot.exports import home_timeline, painter, timeline, timeline_draw
from handlers.home import wait_for_home_pictures
from storage.tracker import create_record, update_record
from tests.bot.read.test_home import open_home
from tests.conftest import ADMIN_ID, BOT_TOKEN
from tests.support import paths
from tests.support.app_process import clean_env, free_port, wait_until
from tests.support.blockkit import view_errors, visible_text
from tests.support.slack_emulator import SlackEmulator
from tests.support.slack_requests import SIGNING_SECRET, dispatch_command

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE, "not a PNG"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def add_model(deps: Deps, name: str, planned: str, developer: str = "meta", **values: Any) -> dict[str, Any]:
    return create_record(
        deps.store.db,
        "model",
        {"developer_id": developer, "name": name, "planned_release": planned, **values},
        actor=ADMIN_ID,
        at=deps.clock.now(),
    )


def add_deadline(deps: Deps, title: str, due: str, **values: Any) -> dict[str, Any]:
    return create_record(
        deps.store.db,
        "deadline",
        {"title": title, "due_date": due, "source": "https://example.org/rule", **values},
        actor=ADMIN_ID,
        at=deps.clock.now(),
    )


def busy_tracker(deps: Deps) -> None:
    """Today is 2026-07-24: an overdue window, four items sharing days, contested facts."""
    add_model(deps, "Llama 5", "2026-08-10")  # window opened July 11: overdue
    for name in ("Muse Atlas", "Muse Atlas Pro", "Muse Atlas Mini"):
        add_model(deps, name, "2026-09-15")  # three windows on the same days
    add_model(deps, "Grok 6", "2026-09-15", developer="xai", contested=1)
    add_model(deps, "Gemini 4", "2026-09-01", developer="google-deepmind", submitted="2026-07-20")
    for title in ("Comment period closes", "Hearing on the review process", "Agency guidance due"):
        add_deadline(deps, title, "2026-08-20")
    add_deadline(deps, "Disputed reporting date", "2026-08-20", contested=1)


def text_boxes(fig: Any) -> list[tuple[str, Any]]:
    renderer = fig.canvas.get_renderer()
    boxes = []
    for text in fig.findobj(lambda a: type(a).__name__ == "Text"):
        if text.get_visible() and text.get_text().strip():
            boxes.append((text.get_text(), text.get_window_extent(renderer)))
    return boxes


def test_png_is_phone_sized_and_nothing_overlaps(deps: Deps) -> None:
    busy_tracker(deps)
    data = timeline.timeline_data(deps, 90)
    assert data is not None

    fig = timeline_draw.draw_timeline(data)
    fig.canvas.draw()
    boxes = text_boxes(fig)
    assert len(boxes) > 20
    overlapping = [(a, b) for (a, box_a), (b, box_b) in combinations(boxes, 2) if box_a.overlaps(box_b)]
    assert overlapping == []
    sizes = {t.get_fontsize() for t in fig.findobj(lambda a: type(a).__name__ == "Text") if t.get_text()}
    # At least 12 px at a 2x screen: points * dpi / 72 / 2.
    assert min(sizes) * timeline_draw.DPI / 72 / 2 >= 12

    png = timeline_draw.timeline_png(data)
    width, height = png_size(png)
    assert width >= 2 * 1200 and height > 600


def test_labels_say_overdue_contested_and_status_in_words(deps: Deps) -> None:
    busy_tracker(deps)
    data = timeline.timeline_data(deps, 90)
    assert data is not None
    rows = {row.title: row for row in data.rows}
    assert list(rows)[:2] == ["Deadlines", "Meta"]  # deadlines, then holdouts before signed
    assert rows["Meta"].subtitle == "Negotiating (contested)"  # the reports disagree on its intent
    labels = {item.label for row in data.rows for item in row.items}
    assert "Llama 5 (overdue)" in labels
    assert "Grok 6 (contested)" in labels
    assert "Disputed reporting date (contested)" in labels
    assert "Gemini 4" in labels  # submitted: a window, not overdue
    window = next(i for i in rows["Meta"].items if i.label == "Llama 5 (overdue)")
    assert (window.start.isoformat(), window.end.isoformat()) == ("2026-07-11", "2026-08-10")
    assert window.overdue


def test_large_tracker_is_bounded_and_says_what_is_left_out(deps: Deps) -> None:
    from tests.support.large_tracker import make_large_tracker

    deps.store.db.execute("DELETE FROM models")
    deps.store.db.execute("DELETE FROM deadlines")
    deps.store.db.execute("DELETE FROM event_developers")  # the seed's events name developers
    deps.store.db.execute("DELETE FROM developers")
    make_large_tracker(deps.store.db)
    data = timeline.timeline_data(deps, 90)
    assert data is not None
    assert len(data.rows) == timeline.MAX_ROWS + 1
    assert data.hidden_developers == 200 - timeline.MAX_ROWS and data.hidden_with_items > 0
    fig = timeline_draw.draw_timeline(data)
    fig.canvas.draw()
    texts = [t for t, _ in text_boxes(fig)]
    assert any(t.startswith(f"{data.hidden_developers} more developer(s) not shown") for t in texts)
    assert any("+" in t and "more" in t for t in texts)  # rows past MAX_LANES count the rest
    width, _ = png_size(timeline_draw.timeline_png(data))
    assert width == 2400


def test_slash_command_uploads_the_png(bolt_app: App, slack_emulator: SlackEmulator, deps: Deps) -> None:
    busy_tracker(deps)
    response = dispatch_command(
        bolt_app,
        "/aireview",
        "timeline 30",
        channel_id="C0POLICY01",
        response_url=slack_emulator.response_url(),
    )
    assert response.status == 200
    # The first picture in a process starts the drawing worker (matplotlib's import, several
    # seconds on a busy machine): waited for as long as the app itself waits for a picture.
    call = slack_emulator.wait_for_call("files.completeUploadExternal", timeout=painter.DRAW_TIMEOUT_SECONDS)
    upload = slack_emulator.completed_uploads[-1]
    assert upload["channel_id"] == "C0POLICY01"
    (shared,) = upload["files"]
    assert shared["name"] == "reviewwatch-timeline-2026-07-24.png"
    assert shared["mimetype"] == "image/png"
    assert "Jul 10 to Aug 23, 2026" in upload["initial_comment"]
    width, _ = png_size(slack_emulator.uploads[shared["id"]])
    assert width == 2400
    assert call.args


def test_empty_range_is_one_line_not_a_picture(
    bolt_app: App, slack_emulator: SlackEmulator, deps: Deps, clock: FixedClock
) -> None:
    clock.set(datetime(2031, 3, 2, 15, 0, tzinfo=UTC))
    dispatch_command(
        bolt_app, "/aireview", "timeline", channel_id="C0POLICY01", response_url=slack_emulator.response_url()
    )
    working, answer = slack_emulator.wait_for_responses("r1", 2)  # slow: "Working on it..." first
    assert working["text"] == "Working on it..." and answer["replace_original"] is True
    assert answer["text"] == (
        "Nothing to draw: no deadline, review window or release falls between Feb 16, 2031 and May 31, 2031."
    )
    assert slack_emulator.completed_uploads == []


def test_bad_days_get_the_usage(deps: Deps) -> None:
    from bot.exports.commands import run_timeline
    from bot.replies import CommandRequest

    for text in ("soon", "0", "400"):
        reply = run_timeline(deps, CommandRequest(text=text, user_id="U1", channel_id="C1"))
        assert reply.upload is None and reply.text.startswith("Usage: `/aireview timeline [days]`")


def published_views(emulator: SlackEmulator, count: int) -> list[dict[str, Any]]:
    """The App Home views published once the listener (a Bolt thread) has published `count`
    and every fresh picture asked for is drawn and shown."""
    wait_until(lambda: len(emulator.calls_to("views.publish")) >= count, what=f"{count} views.publish")
    wait_for_home_pictures()
    return [c.args["view"] for c in emulator.calls_to("views.publish")]


def test_app_home_shows_the_uploaded_picture_and_redraws_only_after_a_change(
    bolt_app: App, slack_emulator: SlackEmulator, deps: Deps, clock: FixedClock
) -> None:
    busy_tracker(deps)
    open_home(bolt_app, slack_emulator, "UMEMBER001")
    first, fresh = published_views(slack_emulator, 2)
    # Published at once without waiting for a picture (none was drawn yet), then again with it.
    assert [b for b in first["blocks"] if b["type"] == "image"] == []
    assert view_errors(fresh) == []
    (upload,) = slack_emulator.completed_uploads
    file_id = upload["files"][0]["id"]
    assert upload["channels"] == []  # the app's own file, not posted anywhere
    images = [b for b in fresh["blocks"] if b["type"] == "image"]
    assert images == [
        {"type": "image", "slack_file": {"id": file_id}, "alt_text": home_timeline.HOME_ALT_TEXT}
    ]
    assert "redrawn when the tracker changes" in visible_text(fresh["blocks"])
    first_picture = slack_emulator.uploads[file_id]
    assert png_size(first_picture)[0] == 2400

    slack_emulator.reset()
    open_home(bolt_app, slack_emulator, "UOTHER0002")  # another open, nothing changed: no upload
    (view,) = published_views(slack_emulator, 1)
    assert slack_emulator.completed_uploads == []
    assert [b["slack_file"]["id"] for b in view["blocks"] if b["type"] == "image"] == [file_id]

    meta = deps.store.db.execute("SELECT version FROM developers WHERE id = 'meta'").fetchone()[0]
    clock.advance(timedelta(minutes=5))
    update_record(
        deps.store.db,
        "developer",
        "meta",
        {"status": "signed"},
        actor=ADMIN_ID,
        at=clock.now(),
        expected_version=meta,
        source="https://example.org/meta-signs",
    )
    slack_emulator.reset()
    open_home(bolt_app, slack_emulator, "UMEMBER001")
    stale, fresh = published_views(slack_emulator, 2)
    # At once: the previous picture, saying it is as of when it was drawn.
    assert [b["slack_file"]["id"] for b in stale["blocks"] if b["type"] == "image"] == [file_id]
    assert "As of Jul 24, 2026 10:00 EDT: the tracker or the day has changed since" in visible_text(
        stale["blocks"]
    )
    (upload,) = slack_emulator.completed_uploads  # redrawn: Meta's row is now "Signed"
    new_id = upload["files"][0]["id"]
    assert slack_emulator.uploads[new_id] != first_picture
    assert [b["slack_file"]["id"] for b in fresh["blocks"] if b["type"] == "image"] == [new_id]
    assert "As of" not in visible_text([b for b in fresh["blocks"] if b["type"] == "context"][-1:])


def test_the_drawing_worker_exits_when_idle_and_starts_again(deps: Deps) -> None:
    """The picture is drawn in a worker process that leaves after `idle_seconds` without
    work (here 0: at once), and a new one draws the next picture."""
    busy_tracker(deps)
    data = timeline.timeline_data(deps, 90)
    assert data is not None
    worker = painter.PictureWorker(idle_seconds=3600)
    try:
        png, small = worker.draw(data, fit=1024)
        assert png_size(png)[0] == 2400 and small is not None and max(png_size(small)) <= 1024
        assert worker.running
        worker._close_if_idle()  # the idle timer's work, run now: not idle long enough yet
        assert worker.running
        worker.idle_seconds = 0
        worker._close_if_idle()
        assert not worker.running
        assert worker.draw(data, idle_seconds=5)[0] == png  # a new worker, the same picture
        assert worker.idle_seconds == 5  # REVIEWWATCH_PICTURE_WORKER_IDLE, as the app passes it
    finally:
        worker.close()


def test_export_timeline_from_the_shell(tmp_path: Path) -> None:
    env = clean_env(REVIEWWATCH_DB=str(tmp_path / "rw.db"))
    app = str(paths.PROJECT_ROOT / "app.py")
    out = tmp_path / "timeline.png"
    done = subprocess.run(
        [sys.executable, app, "export", "timeline", str(out), "--now", "2026-07-24", "--days", "30"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith(f"Wrote {out}: Timeline of deadlines")
    assert png_size(out.read_bytes())[0] == 2400

    empty = subprocess.run(
        [sys.executable, app, "export", "timeline", str(tmp_path / "none.png"), "--now", "2031-03-02"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert empty.returncode == 1
    assert empty.stderr.strip() == (
        "review-watch: Nothing to draw: no deadline, review window or release falls between "
        "Feb 16, 2031 and May 31, 2031."
    )
    assert not (tmp_path / "none.png").exists()


# Loaded on first use only (issue 17): the picture, the calendar and CSV files, the admin
# forms, the news watch and the Teams answers. Their front doors load at start.
DEFERRED = (
    "bot.exports.timeline",
    "bot.exports.files",
    "bot.admin.edits",
    "bot.admin.forms",
    "bot.news.watch",
    "bot.news.parse",
    "bot.news.feed_client",
    "bot.teams.answers",
)
FRONT_DOORS = ("bot.exports.commands", "bot.admin.commands", "bot.news.commands")


def test_app_start_up_loads_no_plotting_library_and_no_feature_before_it_is_used(
    tmp_path: Path, slack_emulator: SlackEmulator
) -> None:
    """The real `python app.py` start (HTTP mode, scheduler, start-up sweep, the news job with
    no source to fetch) in a fresh process, then its sys.modules."""
    port = free_port()
    env = clean_env(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=slack_emulator.api_url,
        REVIEWWATCH_DB=str(tmp_path / "rw.db"),
        PORT=str(port),
        PYTHONPATH=str(paths.PROJECT_ROOT),
    )
    script = textwrap.dedent(
        f"""
        import json, os, sys, threading, time, urllib.request
        import app

        app.prepare_process()  # what app.main() does first; the hook below imports storage
        def report_once_started():
            deadline = time.monotonic() + 60
            while True:
                try:
                    urllib.request.urlopen("http://127.0.0.1:{port}/healthz", timeout=2).read()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        os._exit(3)
                    time.sleep(0.05)
            while True:  # until the start-up sweep and the news job's first run are done
                health = json.loads(urllib.request.urlopen("http://127.0.0.1:{port}/healthz").read())
                if health.get("last_sweep") and news_ran.is_set():
                    break
                if time.monotonic() > deadline:
                    os._exit(4)
                time.sleep(0.05)
            heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("matplotlib", "PIL", "numpy")
                           and sys.modules[m] is not None)
            print(json.dumps({{"heavy": heavy, "loaded": sorted(m for m in {DEFERRED + FRONT_DOORS!r}
                                                                if m in sys.modules)}}))
            sys.stdout.flush()
            os._exit(0)

        import bot.news.commands as news_commands
        news_ran, news_job = threading.Event(), news_commands.news_fetch_job

        def noted_news_job(deps):
            news_job(deps)
            news_ran.set()

        news_commands.news_fetch_job = noted_news_job  # add_news_job schedules it by this name
        threading.Thread(target=report_once_started, daemon=True).start()
        app.main(["run"])  # the main thread, as `python app.py` runs it (signal handlers)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found == {"heavy": [], "loaded": sorted(FRONT_DOORS)}
    assert os.path.exists(tmp_path / "rw.db")
