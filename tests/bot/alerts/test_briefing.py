"""The weekly briefing: Mondays at the delivery time, one per week per target (a missed week
is sent once, late, marked late; a crash between post and ledger does not post it twice), its
content in Slack with a fresh timeline picture uploaded at delivery (and a line when there is
none), the Teams card (valid, under 28 KB on the large tracker) with the picture and the full
text served by the app's HTTP server under a token, the dry run, and /aireview briefing on|off."""

from __future__ import annotations

import dataclasses
import logging
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from slack_bolt import App

from bench.tracker import build_bench_db
from bot.alerts.briefing import (
    ELSEWHERE_LINE,
    PICTURE_ALT,
    UNAVAILABLE_LINE,
    BriefingAlert,
    fill_briefing,
)
from bot.alerts.cards import alert_card
from bot.alerts.digests import briefing_alert
from bot.alerts.sending import Outcome
from bot.alerts.slack_sender import SlackSender
from bot.alerts.sweep import run_sweep
from bot.cardkit import MAX_TEAMS_BYTES, envelope_size
from bot.catalog import make_deps
from bot.clock import FixedClock
from bot.deps import Deps
from bot.ops.console import console_answer
from bot.ops.reports import sweep_report
from bot.replies import CommandRequest, Reply
from bot.settings import Settings
from handlers.http.routes import build_health_app
from handlers.http.runtime import bind_http_server
from storage.alerts import STATUS_CLAIMED, STATUS_SENT, get_subscription
from storage.briefing import set_briefing
from storage.db import open_store
from storage.tracker import create_record, get_record, update_record
from tests.bot.alerts.test_sweep import CrashAfterPost, SimulatedCrash
from tests.bot.alerts.test_teams_delivery import HOOK_URL, Webhook, card_validator, teams_sender
from tests.bot.exports.test_timeline import PNG_SIGNATURE, png_size
from tests.conftest import ADMIN_ID
from tests.support.alerts import CHANNEL, SleepRecorder, alert_keys, emulator_sender, ledger, subscribe, sweep
from tests.support.app_process import free_port
from tests.support.blockkit import message_errors, visible_text
from tests.support.slack_emulator import SlackEmulator
from tests.support.teams_requests import card_lines

JUNE_1 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def local(deps: Deps, day: date, hour: int = 9, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=deps.settings.tz)


def briefed(deps: Deps, **overrides: object) -> None:
    """CHANNEL subscribed since June 1 with the weekly briefing; no other alert kind, so the
    channel's messages are briefings."""
    subscribe(deps, JUNE_1, kinds=[], **overrides)
    assert set_briefing(deps.store.db, "slack", CHANNEL, JUNE_1)


def briefing_keys(emulator: SlackEmulator) -> list[str]:
    return [k for k in alert_keys(emulator) if k.startswith("briefing|")]


def images(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [b for b in message["blocks"] if b["type"] == "image"]


def uploaded_ids(emulator: SlackEmulator) -> list[str]:
    return [f["id"] for upload in emulator.completed_uploads for f in upload["files"]]


def stored_pictures(deps: Deps) -> int:
    return int(deps.store.db.execute("SELECT COUNT(*) FROM briefing_pictures").fetchone()[0])


def test_one_per_week_a_missed_week_is_sent_once_and_late(deps: Deps, slack_emulator: SlackEmulator) -> None:
    briefed(deps)
    # The app's first sweep, on a Sunday: the week's briefing is late, and the weekend is quiet
    # (business days): it waits until Monday's delivery time, when the next week's is due and
    # replaces it (issue 26: quiet time is a calendar).
    sunday = sweep(deps, slack_emulator, local(deps, date(2026, 7, 19), 10))
    assert sunday.sent == [] and len(sunday.held) == 1 and briefing_keys(slack_emulator) == []

    monday = local(deps, date(2026, 7, 20))
    assert sweep(deps, slack_emulator, monday - timedelta(minutes=1)).sent == []
    assert len(sweep(deps, slack_emulator, monday).sent) == 1
    held = ledger(deps)["briefing|briefing:2026-W29|2026-07-13|-|slack:C0ALERTS1"]
    assert held["status"] == "skipped"  # never posted: the new week's briefing replaced it
    assert sweep(deps, slack_emulator, monday + timedelta(minutes=5)).sent == []
    assert sweep(deps, slack_emulator, local(deps, date(2026, 7, 24), 15)).sent == []
    [on_time] = slack_emulator.messages[CHANNEL]
    assert on_time["blocks"][0]["text"]["text"] == "Weekly briefing, week of Jul 20, 2026"

    # Down from Saturday to Wednesday: Monday Jul 27's briefing comes once, marked late.
    wednesday = local(deps, date(2026, 7, 29), 11)
    assert len(sweep(deps, slack_emulator, wednesday).sent) == 1
    assert sweep(deps, slack_emulator, wednesday + timedelta(hours=1)).sent == []
    late = slack_emulator.messages[CHANNEL][-1]
    assert late["blocks"][0]["text"]["text"] == "Weekly briefing, week of Jul 27, 2026 (late)"
    assert "Sent late: this briefing was due Jul 27, 2026 09:00 EDT" in visible_text(late["blocks"])
    assert briefing_keys(slack_emulator) == [
        "briefing|briefing:2026-W30|2026-07-20|-|slack:C0ALERTS1",
        "briefing|briefing:2026-W31|2026-07-27|-|slack:C0ALERTS1",
    ]


def test_a_briefing_held_through_quiet_hours_goes_out_in_full_when_they_end_and_not_late(
    deps: Deps, slack_emulator: SlackEmulator
) -> None:
    briefed(deps, quiet_hours=("07:00", "10:00"))
    monday = date(2026, 7, 20)
    held = sweep(deps, slack_emulator, local(deps, monday, 9, 5))
    assert held.sent == [] and len(held.held) == 1 and briefing_keys(slack_emulator) == []
    assert len(sweep(deps, slack_emulator, local(deps, monday, 10, 5)).sent) == 1
    [message] = slack_emulator.messages[CHANNEL]
    assert message["blocks"][0]["text"]["text"] == "Weekly briefing, week of Jul 20, 2026"
    text = visible_text(message["blocks"])
    assert "Sent late" not in text and "Nothing changed this week" in text
    assert "Holdouts · 5 of 6" in text and "says “" in text  # the content, prepared when it fell due
    assert len(images(message)) == 1


def test_a_crash_between_post_and_ledger_does_not_post_it_twice(
    deps: Deps, slack_emulator: SlackEmulator
) -> None:
    briefed(deps)
    sweep(deps, slack_emulator, local(deps, date(2026, 7, 19), 10))  # the first week
    slack_emulator.reset()
    monday = local(deps, date(2026, 7, 20))
    crashing = CrashAfterPost(
        emulator_sender(slack_emulator, deps.settings).client, deps.settings, min_interval=0
    )
    with pytest.raises(SimulatedCrash):
        run_sweep(deps, now=monday, senders={"slack": crashing})
    [key] = briefing_keys(slack_emulator)
    assert ledger(deps)[key]["status"] == STATUS_CLAIMED
    result = sweep(deps, slack_emulator, monday + timedelta(minutes=20))
    assert result.already_posted == [key] and result.sent == []
    assert briefing_keys(slack_emulator) == [key]
    assert ledger(deps)[key]["status"] == STATUS_SENT
    # The one post shows the one picture; the retry found the post and uploaded nothing more.
    [message] = slack_emulator.messages[CHANNEL]
    assert [i["slack_file"]["id"] for i in images(message)] == uploaded_ids(slack_emulator)
    assert len(uploaded_ids(slack_emulator)) == 1


class CrashBeforePost(SlackSender):
    """The process dies after the picture was uploaded, before the message was posted."""

    def _post(self, channel: str, key: str, message: Reply, in_thread: dict[str, Any]) -> Outcome:
        raise SimulatedCrash


def test_a_crash_after_the_upload_uploads_again_and_posts_once(
    deps: Deps, slack_emulator: SlackEmulator
) -> None:
    briefed(deps)
    sweep(deps, slack_emulator, local(deps, date(2026, 7, 19), 10))
    slack_emulator.reset()
    monday = local(deps, date(2026, 7, 20))
    crashing = CrashBeforePost(emulator_sender(slack_emulator, deps.settings).client, deps.settings)
    with pytest.raises(SimulatedCrash):
        run_sweep(deps, now=monday, senders={"slack": crashing})
    assert slack_emulator.messages == {} and len(uploaded_ids(slack_emulator)) == 1

    # Restarted: the claim is retried with the picture drawn at the claim, uploaded again.
    result = sweep(deps, slack_emulator, monday + timedelta(minutes=20))
    assert len(result.sent) == 1 and result.already_posted == []
    first, second = uploaded_ids(slack_emulator)
    assert slack_emulator.uploads[first] == slack_emulator.uploads[second]  # the same picture
    [message] = slack_emulator.messages[CHANNEL]
    assert [i["slack_file"]["id"] for i in images(message)] == [second]


def test_content_holdouts_week_next_30_days_contested(deps: Deps, slack_emulator: SlackEmulator) -> None:
    briefed(deps)
    sweep(deps, slack_emulator, local(deps, date(2026, 7, 19), 10))
    slack_emulator.reset()
    db = deps.store.db
    meta = get_record(db, "developer", "meta")
    assert meta is not None
    update_record(
        db,
        "developer",
        "meta",
        {"status": "holdout", "contested": 1},
        actor=ADMIN_ID,
        at=datetime(2026, 7, 16, 15, 0, tzinfo=UTC),
        source="https://example.org/meta-stalls",
        expected_version=meta["version"],
    )
    create_record(
        db,
        "model",
        {"developer_id": "meta", "name": "Llama 5", "planned_release": "2026-08-25"},
        actor=ADMIN_ID,
        at=datetime(2026, 7, 10, 15, 0, tzinfo=UTC),
    )
    sweep(deps, slack_emulator, local(deps, date(2026, 7, 20)))
    [message] = slack_emulator.messages[CHANNEL]
    assert message_errors(message) == []
    text = visible_text(message["blocks"])
    assert "Holdouts · 5 of 6 tracked developers have signed a review agreement; 1 holdout" in text
    assert "• Meta: Holdout\n" in text  # the re-done seed records no "since" for Meta
    assert "What changed this week" in text
    assert (
        "Meta · Jul 16, 2026 11:00 EDT · Meta: status negotiating → holdout · recorded by UADMIN0001" in text
    )
    assert "Llama 5: added" not in text  # July 10: more than a week before
    assert "The next 30 days · 2 items in the next 30 days" in text
    assert (
        "2026-07-26 (in 6 days, 4 business days) · Meta Llama 5: submission due (review window opens)" in text
    )
    assert (
        "2026-07-31 (in 11 days, 9 business days) · Formal pre-release review process to be established"
        in text
    )
    assert "Contested facts" in text and "• Meta (developer): The reports give two accounts" in text
    assert [i["slack_file"]["id"] for i in images(message)] == uploaded_ids(slack_emulator)


# ---------------------------------------------------------------- the picture in Slack


def test_each_slack_briefing_uploads_a_fresh_picture_and_shows_it(
    deps: Deps, slack_emulator: SlackEmulator
) -> None:
    briefed(deps)
    sweep(deps, slack_emulator, local(deps, date(2026, 7, 19), 10))
    slack_emulator.reset()
    sweep(deps, slack_emulator, local(deps, date(2026, 7, 20)))
    [message] = slack_emulator.messages[CHANNEL]
    assert message_errors(message) == []
    [upload] = slack_emulator.completed_uploads
    assert upload["channels"] == []  # a file of the app's own, shared nowhere but in the message
    [shared] = upload["files"]
    assert shared["name"] == "reviewwatch-timeline-2026-07-20.png" and shared["mimetype"] == "image/png"
    assert images(message) == [{"type": "image", "slack_file": {"id": shared["id"]}, "alt_text": PICTURE_ALT}]
    picture = slack_emulator.uploads[shared["id"]]
    assert picture[:8] == PNG_SIGNATURE and png_size(picture)[0] == 2400
    methods = [c.method for c in slack_emulator.calls]
    assert methods.index("files.completeUploadExternal") < methods.index("chat.postMessage")

    # Next Monday's is drawn again, from the tracker as it is then (its "today" has moved).
    slack_emulator.reset()
    sweep(deps, slack_emulator, local(deps, date(2026, 7, 27)))
    [message] = slack_emulator.messages[CHANNEL]
    [shared] = slack_emulator.completed_uploads[0]["files"]
    assert shared["name"] == "reviewwatch-timeline-2026-07-27.png"
    assert slack_emulator.uploads[shared["id"]] != picture
    assert [i["slack_file"]["id"] for i in images(message)] == [shared["id"]]


def test_a_failed_upload_still_sends_the_briefing_with_a_line(
    deps: Deps, slack_emulator: SlackEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    briefed(deps)
    sweep(deps, slack_emulator, local(deps, date(2026, 7, 19), 10))
    slack_emulator.reset()
    slack_emulator.fail("files.getUploadURLExternal", status=500)
    with caplog.at_level(logging.WARNING, logger="bot.alerts.slack_sender"):
        result = sweep(deps, slack_emulator, local(deps, date(2026, 7, 20)))
    assert len(result.sent) == 1
    [message] = slack_emulator.messages[CHANNEL]
    assert message_errors(message) == [] and images(message) == []
    assert UNAVAILABLE_LINE in visible_text(message["blocks"])
    assert "Holdouts · " in visible_text(message["blocks"])
    assert any("uploading the briefing picture for briefing|" in r.getMessage() for r in caplog.records)


def test_a_file_slack_is_still_readying_is_waited_for_then_left_out(
    deps: Deps, slack_emulator: SlackEmulator
) -> None:
    briefed(deps)
    sweep(deps, slack_emulator, local(deps, date(2026, 7, 19), 10))
    slack_emulator.reset()

    # Refused once (the new file is not ready): posted again after a wait, with the picture.
    waits = SleepRecorder()
    slack_emulator.fail("chat.postMessage", error="invalid_blocks")
    sweep(
        deps,
        slack_emulator,
        local(deps, date(2026, 7, 20)),
        senders={"slack": emulator_sender(slack_emulator, deps.settings, sleep=waits)},
    )
    [message] = slack_emulator.messages[CHANNEL]
    assert [i["slack_file"]["id"] for i in images(message)] == uploaded_ids(slack_emulator)
    assert waits.waits == [1.0]

    # Refused every time: after the waits it goes out without the picture, once.
    slack_emulator.reset()
    slack_emulator.fail("chat.postMessage", error="invalid_blocks", times=3)
    result = sweep(deps, slack_emulator, local(deps, date(2026, 7, 27)))
    assert len(result.sent) == 1
    [message] = slack_emulator.messages[CHANNEL]
    assert images(message) == [] and UNAVAILABLE_LINE in visible_text(message["blocks"])


def test_nothing_in_range_gets_the_one_line_answer_and_no_upload(
    deps: Deps, slack_emulator: SlackEmulator
) -> None:
    briefed(deps)
    result = sweep(deps, slack_emulator, local(deps, date(2031, 3, 3)))
    assert len(result.sent) == 1
    [message] = slack_emulator.messages[CHANNEL]
    assert images(message) == [] and slack_emulator.completed_uploads == []
    assert (
        "Nothing to draw: no deadline, review window, release or event falls between "
        "Feb 17, 2031 and Jun 1, 2031." in visible_text(message["blocks"])
    )


# ---------------------------------------------------------------- the picture in Teams

PUBLIC_URL = "https://reviewwatch.example.org"  # a proxy in front of the app: never contacted


def teams_deps(deps: Deps, public_url: str | None = PUBLIC_URL) -> Deps:
    """`deps` with the Teams webhook `policy` (taking the briefing since June 1) and the public URL."""
    settings = dataclasses.replace(
        deps.settings,
        teams_webhooks={"policy": HOOK_URL},
        public_url=public_url,
        host="127.0.0.1",
        port=free_port(),
    )
    teams = dataclasses.replace(deps, settings=settings)
    teams.store.db.execute(
        "INSERT INTO subscriptions (target_type, target, kinds, lead_days, created_by, created_at, "
        "updated_at, briefing_since) VALUES ('teams', 'policy', '[]', '[]', 'U1', "
        "'2026-06-01T00:00:00+00:00', '2026-06-01T00:00:00+00:00', '2026-06-01T00:00:00+00:00')"
    )
    return teams


def teams_briefing(deps: Deps, monday: date) -> dict[str, Any]:
    """The card the webhook received from a sweep on `monday` at the delivery time."""
    hook = Webhook()
    result = run_sweep(
        deps, now=local(deps, monday), senders={"teams": teams_sender(deps, hook, SleepRecorder())}
    )
    assert len(result.sent) == 1, result.summary()
    [envelope] = hook.bodies
    assert envelope_size(envelope) < MAX_TEAMS_BYTES
    card: dict[str, Any] = envelope["attachments"][0]["content"]
    assert list(card_validator().iter_errors(card)) == []
    return card


@contextmanager
def app_http_server(deps: Deps, bolt_app: App) -> Iterator[str]:
    """The app's own HTTP server (waitress, HTTP mode's routes) on 127.0.0.1; yields its base URL."""
    server = bind_http_server(deps, bolt_app)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{deps.settings.port}"
    finally:
        server.trigger.pull_trigger(server.close)  # closed in its own loop, which then ends
        thread.join(timeout=10)
        server.task_dispatcher.shutdown()
        assert not thread.is_alive()


def served(base: str, public: str) -> httpx.Response:
    """GET the path of `public` (a URL under PUBLIC_URL) from the app's server at `base`."""
    assert public.startswith(PUBLIC_URL + "/briefings/")
    return httpx.get(base + urlsplit(public).path, timeout=10)


def test_teams_card_shows_the_picture_the_app_serves(
    deps: Deps, bolt_app: App, caplog: pytest.LogCaptureFixture
) -> None:
    deps = teams_deps(deps)
    card = teams_briefing(deps, date(2026, 7, 27))
    body = card["body"]
    [image] = [e for e in body if e["type"] == "Image"]
    assert body.index(image) == 2  # under the title, where trimming never reaches
    assert image["altText"] == PICTURE_ALT
    assert image["url"].endswith(".png") and image["selectAction"]["url"].endswith(".full.png")
    assert "actions" not in card  # the whole briefing fits: no "Full briefing" button
    token = urlsplit(image["url"]).path.removeprefix("/briefings/").removesuffix(".png")
    assert len(token) >= 43  # secrets.token_urlsafe(32)

    with caplog.at_level(logging.INFO, logger="reviewwatch.http"), app_http_server(deps, bolt_app) as base:
        picture = served(base, image["url"])
        full = served(base, image["selectAction"]["url"])
        page = httpx.get(f"{base}/briefings/{token}", timeout=10)
        unknown = httpx.get(f"{base}/briefings/{'A' * 43}.png", timeout=10)
        listing = [
            httpx.get(f"{base}{path}", timeout=10).status_code for path in ("/briefings/", "/briefings")
        ]
        deeper = httpx.get(f"{base}/briefings/{token}/x.png", timeout=10)
    assert picture.status_code == 200 and picture.headers["content-type"] == "image/png"
    width, height = png_size(picture.content)
    assert max(width, height) <= 1024 and width >= 1000  # Teams: card images within 1024 x 1024
    assert full.status_code == 200 and png_size(full.content)[0] == 2400
    assert (
        picture.headers["referrer-policy"] == "no-referrer" and "noindex" in picture.headers["x-robots-tag"]
    )
    assert page.status_code == 200 and page.headers["content-type"] == "text/plain; charset=utf-8"
    assert "Weekly briefing, week of Jul 27, 2026" in page.text
    assert f"Timeline picture: {image['selectAction']['url']}" in page.text
    assert unknown.status_code == 404 and listing == [404, 404] and deeper.status_code == 404
    assert unknown.text == "Not found\n"
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "GET /briefings/ 200" in logged and token not in logged  # the token is a secret

    # 90 days on, the page is gone (404), and the next briefing prunes it from the database.
    later = dataclasses.replace(deps, clock=FixedClock(local(deps, date(2026, 7, 27)) + timedelta(days=91)))
    with app_http_server(later, bolt_app) as base:
        assert served(base, image["url"]).status_code == 404
        assert httpx.get(f"{base}/briefings/{token}", timeout=10).status_code == 404
    teams_briefing(later, date(2026, 10, 26))
    tokens = [r["token"] for r in deps.store.db.query("SELECT token FROM briefing_pages")]
    assert len(tokens) == 1 and token not in tokens


def test_without_a_public_url_the_card_says_where_the_picture_is(deps: Deps) -> None:
    deps = teams_deps(deps, public_url=None)
    card = teams_briefing(deps, date(2026, 7, 27))
    assert [e for e in card["body"] if e["type"] == "Image"] == [] and "actions" not in card
    assert ELSEWHERE_LINE in card_lines(card)
    assert stored_pictures(deps) == 0  # nothing drawn for a card that cannot show it
    assert deps.store.db.execute("SELECT COUNT(*) FROM briefing_pages").fetchone()[0] == 0


def test_an_http_public_url_links_the_picture_instead_of_showing_it(deps: Deps) -> None:
    deps = teams_deps(deps, public_url="http://reviewwatch.example.org")
    card = teams_briefing(deps, date(2026, 7, 27))
    assert [e for e in card["body"] if e["type"] == "Image"] == []  # Teams shows HTTPS images only
    [run] = card["body"][2]["inlines"]
    assert run["text"] == "Open the timeline picture"
    assert run["selectAction"]["url"].startswith("http://reviewwatch.example.org/briefings/")


def test_teams_card_on_the_bench_tracker_fits_shows_the_picture_and_links_the_full_text(
    tmp_path: Path, settings: Settings, bolt_app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    monday = datetime(2026, 7, 27, 13, 0, tzinfo=UTC)  # 09:00 in New York
    build_bench_db(tmp_path / "bench.db", settings, now=monday, channels=0)  # 200 developers, 5,000 models
    store = open_store(tmp_path / "bench.db")
    try:
        deps = teams_deps(make_deps(settings, store, FixedClock(monday)))
        card = teams_briefing(deps, date(2026, 7, 27))
        [image] = [e for e in card["body"] if e["type"] == "Image"]
        # The lists are cut short (160 holdouts, 1,557 items in 30 days): the rest is a button away.
        [action] = card["actions"]
        assert action == {"type": "Action.OpenUrl", "title": "Full briefing", "url": action["url"]}
        lines = card_lines(card)
        assert "• …and 145 more: Full briefing" in lines
        with app_http_server(deps, bolt_app) as base:
            picture = served(base, image["url"])
            page = served(base, action["url"])
        assert picture.headers["content-type"] == "image/png" and max(png_size(picture.content)) <= 1024
        assert page.status_code == 200
        text = page.text.splitlines()
        holdouts = text[text.index(next(t for t in text if t.startswith("Holdouts · "))) + 1 :]
        assert len([t for t in holdouts[:161] if t.startswith("• ") and "…and" not in t]) == 160  # all
        assert "• …and 1257 more: /deadlines 30" in text  # the page stops at 300 a list
        assert text[-1].startswith("Prepared Jul 27, 2026 09:00 EDT")

        # With room for longer lists the card outgrows 28 KB: trimmed from the end, it says
        # so, keeps the picture and the button, and stays valid.
        monkeypatch.setattr("bot.alerts.briefing.CARD_LIMITS", (60, 60, 60, 60))
        sub = get_subscription(store.db, "teams", "policy")
        assert sub is not None
        alert = briefing_alert(sub, monday, deps.settings)
        assert alert is not None
        envelope = alert_card(fill_briefing(deps, alert, monday), monday, deps.settings)
        assert envelope_size(envelope) < MAX_TEAMS_BYTES
        card = envelope["attachments"][0]["content"]
        assert list(card_validator().iter_errors(card)) == []
        assert re.fullmatch(r"…\d+ more item\(s\) not shown: Full briefing", card_lines(card)[-1])
        assert [e["type"] for e in card["body"]].count("Image") == 1
        [action] = card["actions"]
        with app_http_server(deps, bolt_app) as base:
            page = served(base, action["url"])
        assert page.status_code == 200 and "Contested facts" in page.text
        assert "Contested facts" not in card_lines(card)  # trimmed off the card, on the page
    finally:
        store.close()


def test_dry_run_shows_the_briefing(deps: Deps) -> None:
    briefed(deps)
    result = run_sweep(deps, now=local(deps, date(2026, 7, 20), 9, 1), dry_run=True)
    lines = sweep_report(result)
    assert any(
        line.startswith("  would send to slack:C0ALERTS1: [briefing] Weekly briefing, week of Jul 20, 2026")
        for line in lines
    )
    assert ledger(deps) == {}
    assert stored_pictures(deps) == 0  # a dry run draws nothing


def test_socket_modes_health_port_serves_the_pages_when_teams_reaches_it(deps: Deps) -> None:
    teams = teams_deps(deps)
    sub = get_subscription(teams.store.db, "teams", "policy")
    assert sub is not None
    now = local(teams, date(2026, 7, 27))
    alert = briefing_alert(sub, now, teams.settings)
    assert alert is not None
    filled = fill_briefing(teams, alert, now)
    assert isinstance(filled, BriefingAlert)
    path = urlsplit(filled.facts["page"]["url"]).path

    def get(app: Any) -> str:
        seen: list[str] = []
        environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": ""}
        b"".join(app(environ, lambda status, headers: seen.append(status)))
        return seen[0]

    assert get(build_health_app(teams)) == "200 OK"
    assert get(build_health_app(deps)) == "404 Not Found"  # no public URL: /healthz only


def test_briefing_on_and_off(deps: Deps) -> None:
    def ask(text: str, user: str = ADMIN_ID, channel: str | None = CHANNEL) -> str:
        sub = deps.subcommands.get("briefing")
        assert sub is not None
        reply = sub.run(deps, CommandRequest(text=text, user_id=user, channel_id=channel))
        return reply.text if reply else ""

    assert ask("on").startswith("This channel has no alert subscription yet")
    subscribe(deps, JUNE_1)
    assert (
        ask("on", user="UMEMBER001") != ""
        and not get_subscription(deps.store.db, "slack", CHANNEL)["briefing_since"]
    )
    assert ask("on") == (
        "The weekly briefing is on for this channel: Mondays at 09:00 (America/New_York), from the next "
        "Monday on."
    )
    assert get_subscription(deps.store.db, "slack", CHANNEL)["briefing_since"] == "2026-07-24T14:00:00+00:00"
    assert ask("off") == "The weekly briefing is off for this channel."
    assert ask("sometimes").startswith("Usage: `/aireview briefing on|off`")
    reply = console_answer(deps, "/aireview help")
    assert reply is not None and "briefing on|off" in visible_text(reply.blocks)
