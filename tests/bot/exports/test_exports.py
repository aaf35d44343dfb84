"""Exports: the iCalendar (file, feed) and the CSV tables, as their users receive them."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import threading
import zipfile
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, make_server

import httpx
import pytest
from icalendar import Calendar
from slack_bolt import App
from slack_sdk import WebClient

from bot.clock import FixedClock
from bot.deps import Deps
from bot.exports.commands import run_export
from bot.exports.files import calendar_bytes, calendar_http_response, csv_export, neutralise_cell
from bot.replies import WORKING_TEXT, CommandRequest, Reply
from handlers.commands import ResponseUrlSink, send_reply
from storage.tracker import create_record, remove_record, update_record
from tests.conftest import ADMIN_ID, BOT_TOKEN
from tests.support import paths
from tests.support.app_process import run_main
from tests.support.servers import shut_down_now
from tests.support.slack_emulator import SlackEmulator
from tests.support.slack_requests import dispatch_command

ROOT = paths.PROJECT_ROOT
REQUIRED = ("UID", "SUMMARY", "DESCRIPTION", "DTSTAMP", "DTSTART", "SEQUENCE")


def add_model(deps: Deps, name: str = "Llama 5", planned: str = "2026-09-15", **values: object) -> dict:
    return create_record(
        deps.store.db,
        "model",
        {
            "developer_id": "meta",
            "name": name,
            "planned_release": planned,
            "source": "https://example.org/meta-llama-5",
            **values,
        },
        actor=ADMIN_ID,
        at=deps.clock.now(),
    )


def add_deadline(deps: Deps, title: str, due: str = "2026-08-15", **values: object) -> dict:
    return create_record(
        deps.store.db,
        "deadline",
        {"title": title, "due_date": due, **values},
        actor=ADMIN_ID,
        at=deps.clock.now(),
    )


def events(ics: bytes) -> dict[str, dict]:
    """UID -> the event's properties, after a real parse."""
    cal = Calendar.from_ical(ics)
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


def client_for(emu: SlackEmulator) -> WebClient:
    return WebClient(token=BOT_TOKEN, base_url=emu.api_url)


# ---------------------------------------------------------------- iCalendar


def test_calendar_parses_and_every_event_has_the_required_properties(deps: Deps) -> None:
    model = add_model(deps)
    ics = calendar_bytes(deps)

    cal = Calendar.from_ical(ics)
    assert cal["VERSION"] == "2.0" and cal["PRODID"]
    assert str(cal["X-WR-TIMEZONE"]) == "America/New_York"
    found = events(ics)
    assert len(found) == 3  # the seeded deadline, Llama 5's window opening and its release
    for event in found.values():
        for prop in REQUIRED:
            assert prop in event, f"{prop} missing from {event.get('SUMMARY')}"
        start = event.decoded("DTSTART")
        assert type(start) is date  # all-day
        assert event.decoded("DTEND") == start + timedelta(days=1)
        assert event.decoded("DTSTAMP") == deps.clock.now()
        assert "Source: " in str(event["DESCRIPTION"]) and "tatus: " in str(event["DESCRIPTION"])

    by_summary = {str(e["SUMMARY"]): e for e in found.values()}
    deadline = by_summary["Formal pre-release review process to be established"]
    assert deadline.decoded("DTSTART") == date(2026, 7, 31)
    assert "Status: Scheduled" in str(deadline["DESCRIPTION"])
    assert "The New York Times" in str(deadline["DESCRIPTION"])

    due = by_summary["Meta Llama 5: submission due (review window opens)"]
    assert due.decoded("DTSTART") == date(2026, 8, 16)  # 30 days before September 15
    assert "Review status: Not submitted" in str(due["DESCRIPTION"])
    release = by_summary["Meta Llama 5: planned release"]
    assert release.decoded("DTSTART") == date(2026, 9, 15)
    assert str(release["URL"]) == "https://example.org/meta-llama-5"
    assert str(release["UID"]).startswith(f"model-{model['id']}-release-")
    assert str(due["UID"]).startswith(f"model-{model['id']}-submission-due-")


def test_uids_are_stable_and_sequence_rises_after_an_edit(deps: Deps, clock: FixedClock) -> None:
    model = add_model(deps)
    deadline = add_deadline(deps, "Comment period closes")
    first = events(calendar_bytes(deps))
    clock.advance(timedelta(hours=2))
    second = events(calendar_bytes(deps))
    assert set(first) == set(second)
    assert all(first[uid]["SEQUENCE"] == second[uid]["SEQUENCE"] for uid in first)

    clock.advance(timedelta(hours=1))
    update_record(
        deps.store.db, "deadline", deadline["id"], {"due_date": "2026-08-20"}, actor=ADMIN_ID, at=clock.now()
    )
    update_record(
        deps.store.db, "model", model["id"], {"planned_release": "2026-10-01"}, actor=ADMIN_ID, at=clock.now()
    )
    third = events(calendar_bytes(deps))

    assert set(third) == set(first)  # same items, same UIDs, new dates
    changed = {uid for uid in first if third[uid]["SEQUENCE"] > first[uid]["SEQUENCE"]}
    assert {str(third[uid]["SUMMARY"]) for uid in changed} == {
        "Comment period closes",
        "Meta Llama 5: submission due (review window opens)",
        "Meta Llama 5: planned release",
    }
    by_summary = {str(e["SUMMARY"]): e for e in third.values()}
    assert by_summary["Comment period closes"].decoded("DTSTART") == date(2026, 8, 20)
    assert by_summary["Meta Llama 5: planned release"].decoded("DTSTART") == date(2026, 10, 1)
    assert by_summary["Comment period closes"].decoded("DTSTAMP") == clock.now()


def test_a_removed_item_disappears_and_a_new_one_never_takes_its_uid(deps: Deps, clock: FixedClock) -> None:
    model = add_model(deps)
    deadline = add_deadline(deps, "Comment period closes")
    before = events(calendar_bytes(deps))
    assert len(before) == 4

    remove_record(deps.store.db, "deadline", deadline["id"], actor=ADMIN_ID, at=clock.now())
    remove_record(deps.store.db, "model", model["id"], actor=ADMIN_ID, at=clock.now())
    after = events(calendar_bytes(deps))
    assert [str(e["SUMMARY"]) for e in after.values()] == [
        "Formal pre-release review process to be established"
    ]

    # SQLite may hand the removed deadline's id to the next one; its UID must still be new.
    clock.advance(timedelta(minutes=5))
    replacement = add_deadline(deps, "Hearing on the review process")
    assert replacement["id"] == deadline["id"]
    again = events(calendar_bytes(deps))
    assert not set(again) & (set(before) - set(after))


def test_contested_items_are_marked_in_the_calendar(deps: Deps) -> None:
    add_deadline(deps, "Reported start of reviews", contested=1, source="Wire report, disputed")
    found = {str(e["SUMMARY"]): e for e in events(calendar_bytes(deps)).values()}
    event = found["[Contested] Reported start of reviews"]
    assert str(event["STATUS"]) == "TENTATIVE"
    assert "Contested: yes" in str(event["DESCRIPTION"])
    assert "URL" not in event  # a citation text is never turned into a link


# ---------------------------------------------------------------- CSV


def read_csv(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv_zip_holds_every_table_that_round_trips(deps: Deps) -> None:
    add_model(deps, note='Said "soon", then: later\nSecond line — with a dash; ünïcode')
    export = csv_export(deps)
    assert export.filename == "reviewwatch-csv-2026-07-24.zip"

    archive = zipfile.ZipFile(io.BytesIO(export.content))
    assert sorted(archive.namelist()) == [
        "deadlines.csv",
        "developers.csv",
        "events.csv",
        "history.csv",
        "models.csv",
        "sources.csv",
    ]
    tables = {name.removesuffix(".csv"): read_csv(archive.read(name)) for name in archive.namelist()}

    developers = {row["id"]: row for row in tables["developers"]}
    assert developers["meta"]["status"] == "negotiating"
    assert developers["openai"]["contested"] == "no"
    # Each fact's own sources, at its own precision; the competing claims side by side.
    assert (developers["xai"]["status"], developers["xai"]["status_since"]) == ("signed", "2026-05")
    assert developers["xai"]["agreement_date_source"] == (
        "US Government Urges Meta to Conduct Security Reviews on AI Models (wire summary), June 2026"
    )
    assert "Stocktwits" in developers["xai"]["status_source"]
    assert developers["meta"]["contested"] == "yes"
    assert "anticipates signing" in developers["meta"]["contested_claims"]
    assert "has not yet indicated" in developers["meta"]["contested_claims"]
    models = {row["name"]: row for row in tables["models"]}
    assert models["Llama 5"]["note"] == 'Said "soon", then: later\nSecond line — with a dash; ünïcode'
    assert models["Llama 5"]["developer"] == "Meta"
    assert models["Llama 5"]["submission_due"] == "2026-08-16"
    assert models["Muse Spark"]["review_status"] == "released"
    assert (models["Muse Spark"]["released"], models["Muse Spark"]["as_of"]) == ("2026-04", "2026-06")
    events = {row["kind"]: row for row in tables["events"]}
    assert events["order"]["effective"] == "2026-06-02" and "mandates" in events["order"]["contested_claims"]
    assert [row["publisher"] for row in tables["sources"]][:2] == ["", "Stocktwits"]
    assert [row["due_date"] for row in tables["deadlines"]] == ["2026-07-31"]
    history = tables["history"]
    assert history[0]["subject"] == "OpenAI"  # oldest first
    assert any(row["subject"] == "Meta / Llama 5" and row["field"] == "(created)" for row in history)
    assert history[-1]["at"] == "2026-07-24 10:00"  # team time, not UTC


def test_csv_neutralises_formula_cells(deps: Deps) -> None:
    dangerous = {
        '=HYPERLINK("http://evil.example","click")': '\'=HYPERLINK("http://evil.example","click")',
        "+1+1": "'+1+1",
        "-2+3": "'-2+3",
        "@SUM(A1:A2)": "'@SUM(A1:A2)",
        "\t=1+1": "'\t=1+1",
        "\r=1+1": "'\r=1+1",
    }
    for title in dangerous:
        add_deadline(deps, title, note=title)

    rows = read_csv(csv_export(deps, "deadlines").content)

    by_title = {row["title"]: row for row in rows}
    for neutral in dangerous.values():
        assert by_title[neutral]["note"] == neutral
    assert "Formal pre-release review process to be established" in by_title  # harmless text as is
    for row in rows:
        for cell in row.values():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert neutralise_cell("2026-07-31") == "2026-07-31"
    assert neutralise_cell(None) == "" and neutralise_cell(True) == "yes"


def test_single_table_csv_has_a_header_row(deps: Deps) -> None:
    export = csv_export(deps, "developers")
    assert export.filename == "reviewwatch-developers-2026-07-24.csv"
    assert export.content.startswith("\ufeffid,name,status,".encode())
    assert len(read_csv(export.content)) == 6


# ---------------------------------------------------------------- Slack upload


def export_in_slack(deps: Deps, emu: SlackEmulator, text: str, channel: str = "C0EXPORTS") -> Reply | None:
    """`/aireview export <text>`, with the Slack calls its reply asks for made as the
    listener makes them; the answer the person sees, if any besides the file."""
    request = CommandRequest(text=text, user_id="U0ANALYST", channel_id=channel)
    answered: list[Reply] = []
    send_reply(
        run_export(deps, request),
        ResponseUrlSink(lambda **kw: answered.append(Reply(text=kw["text"]))),  # type: ignore[arg-type]
        client_for(emu),
        request,
    )
    return answered[0] if answered else None


def answer_text(reply: Reply | None) -> str:
    assert reply is not None, "expected an answer besides the file"
    return reply.text


def test_export_ics_uploads_the_calendar_to_the_conversation(
    deps: Deps, slack_emulator: SlackEmulator
) -> None:
    add_model(deps)
    reply = export_in_slack(deps, slack_emulator, "ics")

    assert reply is None  # the posted file is the answer
    [upload] = slack_emulator.completed_uploads
    assert upload["channel_id"] == "C0EXPORTS"
    assert upload["files"][0]["name"] == "reviewwatch-2026-07-24.ics"
    assert "3 dated items" in upload["initial_comment"]
    content = slack_emulator.uploads[upload["files"][0]["id"]]
    assert len(events(content)) == 3


def test_export_csv_uploads_a_zip_or_one_table(deps: Deps, slack_emulator: SlackEmulator) -> None:
    assert export_in_slack(deps, slack_emulator, "csv") is None
    assert export_in_slack(deps, slack_emulator, "csv Models") is None

    zipped, single = slack_emulator.completed_uploads
    assert zipped["files"][0]["name"] == "reviewwatch-csv-2026-07-24.zip"
    archive = zipfile.ZipFile(io.BytesIO(slack_emulator.uploads[zipped["files"][0]["id"]]))
    assert len(archive.namelist()) == 6
    assert single["files"][0]["name"] == "reviewwatch-models-2026-07-24.csv"
    rows = read_csv(slack_emulator.uploads[single["files"][0]["id"]])
    assert [row["name"] for row in rows] == ["Muse Spark"]


def test_export_explains_bad_arguments_and_upload_failures(deps: Deps, slack_emulator: SlackEmulator) -> None:
    assert "/aireview export ics" in answer_text(export_in_slack(deps, slack_emulator, ""))
    assert "no table called `budgets`" in answer_text(export_in_slack(deps, slack_emulator, "csv budgets"))
    assert "don't know the export `pdf`" in answer_text(export_in_slack(deps, slack_emulator, "pdf"))

    slack_emulator.fail("files.completeUploadExternal", error="not_in_channel")
    reply = export_in_slack(deps, slack_emulator, "ics")
    assert reply is not None and "/invite @Review Watch" in reply.text
    assert slack_emulator.completed_uploads == []


def test_signed_aireview_export_ics_reaches_the_emulator(
    deps: Deps, bolt_app: App, slack_emulator: SlackEmulator
) -> None:
    add_model(deps)
    response = dispatch_command(
        bolt_app,
        "/aireview",
        "export ics",
        channel_id="C0POLICY",
        response_url=slack_emulator.response_url("r1"),
    )
    assert response.status == 200

    slack_emulator.wait_for_call("files.completeUploadExternal")  # the listener runs after its ack
    [upload] = slack_emulator.completed_uploads
    assert upload["channel_id"] == "C0POLICY"
    assert upload["files"][0]["name"].endswith(".ics")
    assert len(events(slack_emulator.uploads[upload["files"][0]["id"]])) == 3
    # "Working on it..." at once, then replaced (the file itself is the answer).
    working, done = slack_emulator.wait_for_responses("r1", 2)
    assert working == {"text": WORKING_TEXT, "response_type": "ephemeral"}
    assert done["replace_original"] is True
    assert done["text"] == f"Done: {upload['files'][0]['name']} is in this conversation."
    assert len(slack_emulator.responses) == 2


def test_a_failed_export_replaces_working_with_the_error(
    deps: Deps, bolt_app: App, slack_emulator: SlackEmulator
) -> None:
    slack_emulator.fail("files.getUploadURLExternal", error="not_in_channel")
    dispatch_command(
        bolt_app,
        "/aireview",
        "export csv",
        channel_id="C0SECRET",
        response_url=slack_emulator.response_url("r1"),
    )
    working, problem = slack_emulator.wait_for_responses("r1", 2)
    assert working["text"] == WORKING_TEXT
    assert problem["replace_original"] is True
    assert "I can't post files in this conversation (not_in_channel)" in problem["text"]
    assert slack_emulator.completed_uploads == []


def test_aireview_help_lists_export(deps: Deps, bolt_app: App) -> None:
    export = deps.subcommands.get("export")
    assert export is not None and export.example == "/aireview export ics"
    assert "export" in [sub.name for sub in deps.subcommands.all()]


# ---------------------------------------------------------------- HTTP feed


def test_calendar_feed_needs_the_right_token(deps: Deps) -> None:
    on = replace(deps, settings=replace(deps.settings, calendar_token="s3cret-feed-token"))

    for token in (None, "", "wrong", "s3cret-feed-token-and-more", "S3CRET-FEED-TOKEN", "sécret"):
        status, _, body = calendar_http_response(on, token)
        assert status == 404 and b"VEVENT" not in body

    status, headers, body = calendar_http_response(on, "s3cret-feed-token")
    assert status == 200
    assert headers["Content-Type"].startswith("text/calendar")
    assert len(events(body)) == 1


def test_calendar_feed_is_off_without_a_configured_token(deps: Deps) -> None:
    assert deps.settings.calendar_token is None
    for token in (None, "", "anything"):
        assert calendar_http_response(deps, token)[0] == 404


def test_calendar_feed_over_http(deps: Deps, slack_emulator: SlackEmulator) -> None:
    from handlers import build_app
    from handlers.http.routes import build_wsgi_app

    on = replace(deps, settings=replace(deps.settings, calendar_token="s3cret-feed-token"))
    app = build_app(on, client=client_for(slack_emulator))
    server = make_server("127.0.0.1", 0, build_wsgi_app(app, on), handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_port}/calendar.ics"
        for url in (base, base + "?token=", base + "?token=wrong"):
            assert httpx.get(url).status_code == 404
        feed = httpx.get(base + "?token=s3cret-feed-token")
        assert feed.status_code == 200
        assert feed.headers["content-type"].startswith("text/calendar")
        assert len(events(feed.content)) == 1
    finally:
        shut_down_now(server)
        thread.join(timeout=5)


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


# ---------------------------------------------------------------- command line


def run_cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "REVIEWWATCH_"))}
    env["REVIEWWATCH_DB"] = str(tmp_path / "cli.db")
    return subprocess.run(
        [sys.executable, str(ROOT / "app.py"), "export", *args, "--now", "2026-07-24T10:00"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        timeout=60,
    )


def run_cli_here(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`run_cli` as app.main in this process (tests/support/app_process.py `run_main`)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "REVIEWWATCH_"))}
    env["REVIEWWATCH_DB"] = str(tmp_path / "cli.db")
    return run_main(["export", *args, "--now", "2026-07-24T10:00"], env, tmp_path)


def test_cli_writes_the_calendar_and_the_csv_files(tmp_path: Path) -> None:
    done = run_cli(tmp_path, "ics")
    assert done.returncode == 0, done.stderr
    assert b"Wrote reviewwatch.ics" in done.stderr
    [event] = events((tmp_path / "reviewwatch.ics").read_bytes()).values()
    assert event.decoded("DTSTAMP") == datetime.fromisoformat("2026-07-24T14:00:00+00:00")
    # The deadline's own source (the Stocktwits story alone) and as-of, at month precision.
    description = event.decoded("DESCRIPTION").decode()
    assert "Source: Stocktwits (citing The New York Times), June 2026\nAs of: June 2026" in description

    # The CSV files from app.main in this process (`python app.py` itself ran just above).
    assert run_cli_here(tmp_path, "csv").returncode == 0
    assert len(zipfile.ZipFile(tmp_path / "reviewwatch-csv.zip").namelist()) == 6

    assert run_cli_here(tmp_path, "csv", "history", "changes.csv").returncode == 0
    assert read_csv((tmp_path / "changes.csv").read_bytes())[0]["entity"] == "developer"

    to_stdout = run_cli(tmp_path, "ics", "-")
    assert to_stdout.returncode == 0 and to_stdout.stdout.startswith(b"BEGIN:VCALENDAR")


def test_cli_reports_a_path_it_cannot_write(tmp_path: Path) -> None:
    done = run_cli(tmp_path, "ics", str(tmp_path / "missing" / "out.ics"))
    assert done.returncode == 1
    assert b"export failed" in done.stderr


@pytest.mark.parametrize("text", ["ics extra", "csv models extra"])
def test_export_rejects_extra_words(deps: Deps, slack_emulator: SlackEmulator, text: str) -> None:
    assert "don't know the export" in answer_text(export_in_slack(deps, slack_emulator, text))


def test_the_docs_document_the_exports() -> None:
    page = (ROOT / "docs" / "exports.md").read_text(encoding="utf-8")
    commands = (ROOT / "docs" / "commands.md").read_text(encoding="utf-8")
    assert page.startswith("# Exports and calendar\n")
    for text in ("`/aireview export ics`", "`/aireview export csv [table]`"):
        assert text in commands, text
    for text in (
        "`/aireview export ics`",
        "python app.py export ics",
        "REVIEWWATCH_CALENDAR_TOKEN",
        "/calendar.ics?token=",
    ):
        assert text in page, text
