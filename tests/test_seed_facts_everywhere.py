"""The seed facts as every surface states them (Slack answers, the App Home, Teams cards,
alerts, the calendar and the CSV files): never a date neither report gives, each date at
its precision, and both claims of a contested fact with their reports."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import timedelta
from typing import Any

import pytest
from slack_bolt import App

from bot.alerts.alert import Alert
from bot.alerts.blocks import alert_message
from bot.alerts.cards import alert_card
from bot.deps import Deps
from bot.exports.files import calendar_bytes, csv_export
from bot.settings import Settings
from handlers.http.routes import build_wsgi_app
from storage.alerts import get_ledger
from storage.tracker import list_developers
from tests.bot.read.test_commands import ask, shown
from tests.bot.read.test_home import open_home
from tests.support.alerts import CHANNEL, subscribe, sweep
from tests.support.blockkit import visible_text
from tests.support.slack_emulator import SlackEmulator
from tests.support.teams_requests import TEAMS_SECRET, card_of, card_text, hmac_header, mention_body

MADE_UP = ("Jun 3", "2026-06-03", "June 3", "Apr 1", "2026-04-01", "20260603", "20260401")


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return Settings(**{**settings.__dict__, "teams_outgoing_secret": TEAMS_SECRET})


def plain(text: str) -> str:
    """What a reader sees: Slack's bold and italic marks and links' brackets removed."""
    return re.sub(r"[*_]", "", text)


def slack_answers(app: App, emu: SlackEmulator, deps: Deps) -> dict[str, str]:
    texts = {
        "/holdouts": shown(ask(app, emu, "/holdouts")),
        "/deadlines 730": shown(ask(app, emu, "/deadlines", "730")),
        "models": shown(ask(app, emu, "/aireview", "models")),
        "history": shown(ask(app, emu, "/aireview", "history")),
    }
    for dev in list_developers(deps.store.db):
        texts[f"status {dev['id']}"] = shown(ask(app, emu, "/aireview", f"status {dev['id']}"))
        texts[f"history {dev['id']}"] = shown(ask(app, emu, "/aireview", f"history {dev['id']}"))
    open_home(app, emu, "UMEMBER001")
    texts["home"] = visible_text(emu.wait_for_call("views.publish").args["view"]["blocks"])
    return {k: plain(v) for k, v in texts.items()}


def teams_answers(app: App, deps: Deps) -> dict[str, str]:
    import httpx

    texts = {}
    with httpx.Client(transport=httpx.WSGITransport(app=build_wsgi_app(app, deps)), base_url="http://t") as c:
        commands = ["holdouts", "deadlines 730"] + [
            f"status {d['id']}" for d in list_developers(deps.store.db)
        ]
        for command in commands:
            body = mention_body(command)
            answer = c.post("/teams/messages", content=body, headers=hmac_header(body))
            texts[command] = card_text(card_of(answer.json()))
    return texts


def exports(deps: Deps) -> dict[str, str]:
    texts = {"calendar": calendar_bytes(deps).decode()}
    archive = zipfile.ZipFile(io.BytesIO(csv_export(deps).content))
    for name in archive.namelist():
        texts[name] = archive.read(name).decode("utf-8-sig")
    return texts


def alerts(deps: Deps, emu: SlackEmulator) -> dict[str, str]:
    now = deps.clock.now()
    subscribe(deps, now - timedelta(days=60), kinds=["deadline"])
    result = sweep(deps, emu, now)
    assert result.sent
    texts = {}
    for key in result.sent:
        alert = Alert.from_ledger(get_ledger(deps.store.db, key))
        texts[f"slack {key}"] = plain(visible_text(alert_message(alert, now, deps.settings).blocks))
        texts[f"teams {key}"] = json.dumps(alert_card(alert, now, deps.settings), ensure_ascii=False)
    for message in emu.messages[CHANNEL]:
        texts["posted"] = plain(visible_text(message["blocks"]))
    return texts


def test_no_surface_states_a_date_neither_report_gives(
    bolt_app: App, slack_emulator: SlackEmulator, deps: Deps
) -> None:
    surfaces: dict[str, Any] = {
        **slack_answers(bolt_app, slack_emulator, deps),
        **{f"teams {k}": v for k, v in teams_answers(bolt_app, deps).items()},
        **exports(deps),
    }
    assert len(surfaces) > 20
    for name, text in surfaces.items():
        for made_up in MADE_UP:
            assert made_up not in text, (name, made_up)

    # Dates at the precision the reports give them.
    assert "Signed · May 2026" in surfaces["status xai"]
    assert "Status: Signed · May 2026" in surfaces["teams status xai"]
    assert "Muse Spark · released April 2026" in surfaces["models"]
    assert "Muse Spark · released April 2026" in surfaces["status meta"]
    assert "Muse Spark · released April 2026" in surfaces["teams status meta"]
    # Each contested fact: both claims and both reports, on Slack, Teams, the Home and the CSV.
    for name in ("/holdouts", "status meta", "home", "teams holdouts", "teams status meta"):
        text = surfaces[name]
        assert "Meta anticipates signing the agreement in the near future" in text, name
        assert "has not yet indicated whether it will comply" in text, name
        assert "(wire summary), June 2026 says" in text and "Stocktwits (citing The New York Times)" in text
    assert (
        "mandates tech companies" in surfaces["events.csv"]
        and "voluntary framework" in surfaces["events.csv"]
    )
    assert "foreign nationals" in surfaces["status anthropic"]
    assert "restrict access to its newest model" in surfaces["status anthropic"]
    # "Google" in one report, "Google DeepMind" in the other: both are on its record, and
    # asking by either name finds it.
    assert "“Google”" in surfaces["status google-deepmind"]
    for name in ("Google", "Google DeepMind"):
        answer = shown(ask(bolt_app, slack_emulator, "/aireview", f"status {name}"))
        assert answer.startswith("Google DeepMind") and "Signed · May 2026" in answer


def test_alerts_show_the_source_and_as_of_of_what_they_state(
    bolt_app: App, slack_emulator: SlackEmulator, deps: Deps
) -> None:
    texts = alerts(deps, slack_emulator)
    for name, text in texts.items():
        for made_up in MADE_UP:
            assert made_up not in text, (name, made_up)
        assert "Stocktwits (citing The New York Times), June 2026 · as of June 2026" in text, name
