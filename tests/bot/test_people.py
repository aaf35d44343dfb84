"""Names, not ids: people's names from Slack's users.info (the emulator), cached on the
injected clock, with the id when Slack cannot answer, in the Teams answers, the Teams alert
card, the iCal description and CSV."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from icalendar import Calendar
from slack_sdk import WebClient

from bot.alerts.sweep import run_sweep
from bot.alerts.teams_sender import TeamsSender
from bot.clock import FixedClock
from bot.deps import DIRECTORY_CACHE_LIFETIME, Deps
from bot.exports.files import calendar_bytes, csv_export
from bot.people import names_for, person_name
from bot.settings import Settings
from bot.teams.answers import answer_activity
from handlers.directory import SlackDirectory
from storage.alerts import save_subscription
from storage.tracker import update_record
from tests.conftest import BOT_TOKEN
from tests.support.alerts import SleepRecorder
from tests.support.slack_emulator import SlackEmulator

AUDITOR = "U0AUDIT"
AUDITOR_NAME = "Ada Auditor"
HOOK_URL = "https://example.webhook.office.com/workflows/policy"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return Settings(**{**settings.__dict__, "teams_webhooks": {"policy": HOOK_URL}})


@pytest.fixture
def named(deps: Deps, slack_emulator: SlackEmulator) -> Deps:
    """Deps with the directory the running app builds from the bot token, and one named person."""
    slack_emulator.users[AUDITOR] = {"profile": {"display_name": AUDITOR_NAME, "real_name": "Ada A. Auditor"}}
    deps.directory = SlackDirectory(WebClient(token=BOT_TOKEN, base_url=slack_emulator.api_url))
    return deps


def meta_changed_by_auditor(deps: Deps) -> None:
    update_record(
        deps.store.db, "developer", "meta", {"status": "signed"}, actor=AUDITOR, at=deps.clock.now()
    )


def lookups(emulator: SlackEmulator) -> int:
    return len(emulator.calls_to("users.info"))


# ---------------------------------------------------------------- the lookup


def test_names_are_looked_up_once_per_lifetime(
    named: Deps, slack_emulator: SlackEmulator, clock: FixedClock
) -> None:
    assert names_for(named, [AUDITOR, AUDITOR, "seed", None]) == {AUDITOR: AUDITOR_NAME, "seed": "seed"}
    assert person_name(named, AUDITOR) == AUDITOR_NAME
    assert lookups(slack_emulator) == 1  # cached; `seed` is not a user id and is never looked up

    clock.set(clock.now() + DIRECTORY_CACHE_LIFETIME)
    slack_emulator.users[AUDITOR] = {"profile": {"display_name": "Ada (Policy)"}}
    assert person_name(named, AUDITOR) == "Ada (Policy)"  # expired: asked again, the new name
    assert lookups(slack_emulator) == 2


def test_when_slack_fails_the_id_or_the_last_known_name_is_shown(
    named: Deps, slack_emulator: SlackEmulator, clock: FixedClock
) -> None:
    slack_emulator.fail("users.info", error="fatal_error", times=5)
    assert names_for(named, [AUDITOR, "U0OTHER", "U0THIRD"]) == {
        AUDITOR: AUDITOR,
        "U0OTHER": "U0OTHER",
        "U0THIRD": "U0THIRD",
    }
    assert lookups(slack_emulator) == 1  # one failed lookup per answer, not one per person

    slack_emulator.reset()
    assert person_name(named, AUDITOR) == AUDITOR_NAME  # Slack is back
    clock.set(clock.now() + DIRECTORY_CACHE_LIFETIME + timedelta(minutes=1))
    slack_emulator.fail("users.info", status=500)
    assert person_name(named, AUDITOR) == AUDITOR_NAME  # expired, Slack down: the last known name


def test_an_unreachable_slack_never_fails_an_answer(deps: Deps) -> None:
    closed = WebClient(token=BOT_TOKEN, base_url="http://127.0.0.1:9/api/", timeout=2)
    deps.directory = SlackDirectory(closed)
    assert person_name(deps, AUDITOR) == AUDITOR


# ---------------------------------------------------------------- where people read names


def teams_status_card(deps: Deps) -> str:
    activity = {"type": "message", "text": "<at>Review Watch</at> status meta"}
    return json.dumps(answer_activity(deps, activity).activity, ensure_ascii=False)


def test_teams_status_card_shows_names(named: Deps, slack_emulator: SlackEmulator) -> None:
    meta_changed_by_auditor(named)
    card = teams_status_card(named)
    assert f"by {AUDITOR_NAME}" in card and f" · {AUDITOR_NAME} · " in card  # last update, history
    assert AUDITOR not in card


def test_teams_status_card_falls_back_to_the_id(named: Deps, slack_emulator: SlackEmulator) -> None:
    meta_changed_by_auditor(named)
    slack_emulator.fail("users.info", error="ratelimited", times=3)
    card = teams_status_card(named)
    assert f"by {AUDITOR}" in card and AUDITOR_NAME not in card


def test_teams_status_change_alert_card_says_who_by_name(named: Deps, clock: FixedClock) -> None:
    save_subscription(
        named.store.db,
        target_type="teams",
        target="policy",
        kinds=["status"],
        lead_days=[7],
        digest="realtime",
        developer_filter=None,
        actor="REVIEWWATCH_TEAMS_WEBHOOKS",
        now=datetime(2026, 6, 1, tzinfo=UTC),
        delivery_days="every_day",
    )
    meta_changed_by_auditor(named)
    bodies: list[dict[str, Any]] = []

    def webhook(request: httpx.Request) -> httpx.Response:
        bodies.append(json.loads(request.content))
        return httpx.Response(202)

    client = httpx.Client(transport=httpx.MockTransport(webhook))
    sender = TeamsSender(
        named.settings.teams_webhooks, named.settings, client=client, min_interval=0, sleep=SleepRecorder()
    )
    result = run_sweep(named, now=clock.now() + timedelta(minutes=5), senders={"teams": sender})
    assert len(result.sent) == 1, result
    card = json.dumps(bodies[0], ensure_ascii=False)
    assert "Status changed: Meta" in card
    assert f"by {AUDITOR_NAME}" in card and AUDITOR not in card


def test_ical_description_names_who_changed_it(named: Deps) -> None:
    update_record(named.store.db, "deadline", 1, {"note": "Confirmed"}, actor=AUDITOR, at=named.clock.now())
    descriptions = [str(e["DESCRIPTION"]) for e in Calendar.from_ical(calendar_bytes(named)).walk("VEVENT")]
    assert any(d.endswith(f"by {AUDITOR_NAME}") for d in descriptions), descriptions
    assert not any(AUDITOR in d for d in descriptions)


def read_csv(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv_keeps_the_id_and_adds_the_name(named: Deps, slack_emulator: SlackEmulator) -> None:
    meta_changed_by_auditor(named)
    developers = read_csv(csv_export(named, "developers").content)
    meta = next(r for r in developers if r["id"] == "meta")
    assert (meta["updated_by_id"], meta["updated_by_name"]) == (AUDITOR, AUDITOR_NAME)
    assert "updated_by" not in meta
    seeded = next(r for r in developers if r["id"] != "meta")
    assert seeded["updated_by_id"] == seeded["updated_by_name"] == "seed"

    archive = zipfile.ZipFile(io.BytesIO(csv_export(named).content))
    history = read_csv(archive.read("history.csv"))
    change = history[-1]
    assert (change["actor_id"], change["actor_name"], change["new"]) == (AUDITOR, AUDITOR_NAME, "signed")

    slack_emulator.users.clear()
    named.user_names = type(named.user_names)(DIRECTORY_CACHE_LIFETIME)
    slack_emulator.fail("users.info", error="fatal_error")
    meta = next(r for r in read_csv(csv_export(named, "developers").content) if r["id"] == "meta")
    assert (meta["updated_by_id"], meta["updated_by_name"]) == (AUDITOR, AUDITOR)  # the id stands in


def test_teams_changes_answer_names_who_recorded_each_change(named: Deps) -> None:
    meta_changed_by_auditor(named)
    activity = {"type": "message", "text": "<at>Review Watch</at> changes 7d"}
    card = json.dumps(answer_activity(named, activity).activity, ensure_ascii=False)
    assert f"recorded by {AUDITOR_NAME}" in card
    assert AUDITOR not in card


def test_teams_weekly_briefing_card_names_who_recorded_each_change(named: Deps) -> None:
    from datetime import date

    from tests.bot.alerts.test_briefing import teams_briefing, teams_deps

    meta_changed_by_auditor(named)  # Friday Jul 24; the briefing goes out Monday Jul 27
    card = json.dumps(teams_briefing(teams_deps(named), date(2026, 7, 27)), ensure_ascii=False)
    assert f"recorded by {AUDITOR_NAME}" in card
    assert AUDITOR not in card
