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
from tests.support.app_process import clean_env, free_port, run_main, wait_until
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


def test_an_empty_default_window_widens_to_the_tracker_facts_instead_of_refusing(
    bolt_app: App, slack_emulator: SlackEmulator, deps: Deps, clock: FixedClock
) -> None:
    # December 2026: the next 90 days hold nothing (issue 26 saw "Nothing to draw" here).
    clock.set(datetime(2026, 12, 7, 15, 0, tzinfo=UTC))
    dispatch_command(
        bolt_app, "/aireview", "timeline", channel_id="C0POLICY01", response_url=slack_emulator.response_url()
    )
    slack_emulator.wait_for_call("files.completeUploadExternal")
    upload = slack_emulator.completed_uploads[-1]
    comment = upload["initial_comment"]
    assert comment.startswith("Nothing falls in the next 90 days, so this shows the tracker's dated facts.")
    assert "Mar 25 to Aug 7, 2026" in comment and "events" in comment  # April 2026's release to Jul 31
    alt = slack_emulator.calls_to("files.getUploadURLExternal")[-1].args["alt_txt"]
    assert "Order: President Trump signed" in alt and "Jun 2" in alt  # the June 2 order is drawn
    assert "Formal pre-release review process" in alt

    data = timeline.timeline_story(deps)
    assert data is not None and data.widened_from == 90 and not data.today_shown
    fig = timeline_draw.draw_timeline(data)
    fig.canvas.draw()
    texts = [t for t, _ in text_boxes(fig)]
    assert "Today" not in texts and any("(after this range)" in t for t in texts)
    assert any(t.startswith("Order: President Trump signed") for t in texts)


def test_events_are_marks_with_short_labels_and_undated_ones_are_left_out(
    deps: Deps, clock: FixedClock
) -> None:
    clock.set(datetime(2026, 6, 10, 14, 0, tzinfo=UTC))
    data = timeline.timeline_data(deps, 90)
    assert data is not None
    rows = {row.title: row for row in data.rows}
    general = rows["Framework and deadlines"]
    [order] = [i for i in general.items if i.kind == "event"]
    assert (order.start.isoformat(), order.end.isoformat()) == (
        "2026-06-02",
        "2026-06-02",
    )  # a mark on its day
    assert order.label.startswith("Order: President Trump signed")
    assert len(order.label.removesuffix(" (contested)")) <= timeline.MAX_EVENT_LABEL  # short
    assert order.contested  # the reports disagree on voluntary or mandatory: marked
    statement = next(i for i in rows["Meta"].items if i.label.startswith("Statement"))
    assert statement.label.endswith("(June 2026)")  # known to the month: drawn across it, and said
    assert (statement.start.isoformat(), statement.end.isoformat()) == ("2026-06-01", "2026-06-30")
    # Anthropic's restriction (June 2026) is in Anthropic's row.
    assert any(i.label.startswith("Restriction") for i in rows["Anthropic"].items)

    drawn = [{**e, "effective": None} for e in timeline.list_events(deps.store.db)]  # as if undated
    general_events, per_developer = timeline._event_items(drawn, data.first, data.last)
    assert general_events == [] and per_developer == {}


def legend_texts(fig: Any) -> list[str]:
    return [t.get_text() for legend in fig.legends for t in legend.get_texts()]


def test_labels_fit_the_space_and_the_legend_lists_only_what_is_drawn(deps: Deps) -> None:
    long_name = "Muse Atlas Extended Reasoning Preview for the Government Evaluation Programme"
    add_model(deps, long_name, "2026-09-30", developer="xai")  # its window opens Aug 31
    add_deadline(deps, "Comment period on the pre-release review framework closes", "2026-08-05")
    data = timeline.timeline_data(deps, 60)
    assert data is not None
    fig = timeline_draw.draw_timeline(data)
    fig.canvas.draw()
    texts = [t for t, _ in text_boxes(fig)]
    assert long_name in texts  # not cut at 30 characters: there is room for it
    assert "Comment period on the pre-release review framework closes" in texts
    legend = legend_texts(fig)
    assert "Released" not in legend and "Event (its day)" not in legend  # none in range
    assert "Overdue: window open, not submitted" not in legend and "Contested (dashed outline)" not in legend
    assert {"Review window (submission due to planned release)", "Deadline", "Today"} <= set(legend)
    statuses = {row.subtitle.split(" (")[0] for row in data.rows if row.status}
    assert {t for t in legend if t in ("Signed", "Negotiating", "Holdout", "Declined", "Unknown")} == statuses


def test_a_label_too_long_for_the_picture_is_cut_to_fit_not_to_a_count(deps: Deps) -> None:
    huge = "Frontier model " + " ".join(f"variant{n}" for n in range(30))
    add_model(deps, huge, "2026-09-30", developer="xai")
    data = timeline.timeline_data(deps, 60)
    assert data is not None
    fig = timeline_draw.draw_timeline(data)
    fig.canvas.draw()
    [(drawn, box)] = [(t, b) for t, b in text_boxes(fig) if t.startswith("Frontier model")]
    assert drawn.endswith("…") and len(drawn) > 60  # cut where the room ends, not at 30
    assert box.x1 <= fig.bbox.x1 and box.x0 >= 0  # inside the picture


def test_the_title_keeps_the_start_year(deps: Deps) -> None:
    data = timeline.timeline_data(deps, 365)
    assert data is not None
    fig = timeline_draw.draw_timeline(data)
    fig.canvas.draw()
    texts = [t for t, _ in text_boxes(fig)]
    assert "Review Watch timeline: Jul 10, 2026 to Jul 24, 2027" in texts
    short = timeline_draw.draw_timeline(timeline.timeline_data(deps, 30))  # type: ignore[arg-type]
    short.canvas.draw()
    assert "Review Watch timeline: Jul 10 to Aug 23, 2026" in [t for t, _ in text_boxes(short)]


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
    # The file itself says what it shows, too (alt text on every timeline upload).
    alt = slack_emulator.calls_to("files.getUploadURLExternal")[-1].args["alt_txt"]
    assert alt.startswith("Timeline from Jul 10 to Oct 22, 2026:") and "Llama 5 (overdue)" in alt
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

    later = tmp_path / "later.png"
    # In this process (app.main, as `python app.py` runs it): the real process is tested above.
    widened = run_main(["export", "timeline", str(later), "--now", "2031-03-02"], env, tmp_path)
    assert widened.returncode == 0, widened.stderr
    assert widened.stderr.startswith(
        f"Wrote {later}: Nothing falls in the next 90 days, so this shows the tracker's dated facts."
    )
    assert png_size(later.read_bytes())[0] == 2400


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
