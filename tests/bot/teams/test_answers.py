"""Teams outgoing webhook: `POST /teams/messages` through the real WSGI route table, with
real HMAC-signed bodies; every card validated against the Adaptive Card 1.4 and 1.5
schemas and read for what a policy team would see."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from slack_bolt import App

from bot.blockkit import fmt_date
from bot.catalog import make_deps
from bot.clock import FixedClock
from bot.deps import Deps
from bot.read import answers
from bot.read.blocks import deadlines_reply
from bot.settings import Settings
from bot.teams.answers import command_text, split_command
from handlers.http.routes import build_wsgi_app
from storage.tracker import list_models
from tests.support import paths
from tests.support.app_process import AppProcess, clean_env, free_port
from tests.support.large_tracker import HOSTILE
from tests.support.slack_emulator import SlackEmulator
from tests.support.teams_requests import (
    MAX_TEAMS_MESSAGE_BYTES,
    SCHEMAS,
    TEAMS_SECRET,
    activity,
    card_lines,
    card_of,
    card_text,
    hmac_header,
    mention_body,
)
from tests.support.template_db import DatabaseTemplates

SHARED_SCHEMAS = paths.SHARED / "schemas"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return Settings(**{**settings.__dict__, "teams_outgoing_secret": TEAMS_SECRET})


def client_for(bolt_app: App, deps: Deps) -> httpx.Client:
    transport = httpx.WSGITransport(app=build_wsgi_app(bolt_app, deps))
    return httpx.Client(transport=transport, base_url="http://teams.test")


@pytest.fixture
def teams(bolt_app: App, deps: Deps) -> Iterator[httpx.Client]:
    with client_for(bolt_app, deps) as client:
        yield client


def ask(client: httpx.Client, command: str, **kwargs: object) -> httpx.Response:
    body = mention_body(command, **kwargs)  # type: ignore[arg-type]
    return client.post("/teams/messages", content=body, headers=hmac_header(body))


def card_for(client: httpx.Client, command: str) -> dict:
    answer = ask(client, command)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/json")
    return card_of(answer.json())


# ---------------------------------------------------------------- signatures


def test_a_correctly_signed_message_gets_a_card(teams: httpx.Client) -> None:
    body = mention_body("holdouts")

    answer = teams.post("/teams/messages", content=body, headers=hmac_header(body))

    assert answer.status_code == 200
    assert "Meta" in card_text(card_of(answer.json()))


@pytest.mark.parametrize("problem", ["missing", "wrong secret", "tampered body", "not HMAC", "garbage"])
def test_a_message_not_signed_by_teams_gets_401_and_no_answer(teams: httpx.Client, problem: str) -> None:
    body = mention_body("holdouts")
    headers = hmac_header(body)
    if problem == "missing":
        del headers["Authorization"]
    elif problem == "wrong secret":
        headers = hmac_header(body, secret="c29tZSBvdGhlciBzZWNyZXQgb2YgMzIgYnl0ZXMhISE=")
    elif problem == "tampered body":
        body = mention_body("status meta")  # signed one body, sent another
    elif problem == "not HMAC":
        headers["Authorization"] = headers["Authorization"].replace("HMAC ", "Bearer ")
    else:
        headers["Authorization"] = "HMAC !!not-base64!!"

    answer = teams.post("/teams/messages", content=body, headers=headers)

    assert answer.status_code == 401
    assert "Meta" not in answer.text
    assert "attachments" not in answer.text


def test_without_a_configured_secret_the_endpoint_is_404(bolt_app: App, deps: Deps) -> None:
    deps.settings = Settings(**{**deps.settings.__dict__, "teams_outgoing_secret": None})
    body = mention_body("holdouts")
    with client_for(bolt_app, deps) as client:
        answer = client.post("/teams/messages", content=body, headers=hmac_header(body))

    assert answer.status_code == 404
    assert "Meta" not in answer.text


def test_a_secret_that_is_not_base64_refuses_everything_and_says_why(
    bolt_app: App, deps: Deps, caplog: pytest.LogCaptureFixture
) -> None:
    deps.settings = Settings(**{**deps.settings.__dict__, "teams_outgoing_secret": "not base64!"})
    body = mention_body("holdouts")
    with client_for(bolt_app, deps) as client:
        answer = client.post("/teams/messages", content=body, headers=hmac_header(body))

    assert answer.status_code == 401
    assert "REVIEWWATCH_TEAMS_OUTGOING_SECRET is not valid base64" in caplog.text


def test_an_oversized_body_is_refused_before_it_is_read(teams: httpx.Client) -> None:
    body = mention_body("status " + "x" * 300_000)
    assert teams.post("/teams/messages", content=body, headers=hmac_header(body)).status_code == 413


def test_only_post_is_accepted(teams: httpx.Client) -> None:
    assert teams.get("/teams/messages").status_code == 405


def test_a_signed_body_that_is_not_json_gets_400(teams: httpx.Client) -> None:
    body = b"not json"
    assert teams.post("/teams/messages", content=body, headers=hmac_header(body)).status_code == 400


# ---------------------------------------------------------------- mention stripping


@pytest.mark.parametrize(
    "text",
    [
        "<at>Review Watch</at> deadlines 30",
        "<at>Review Watch</at> deadlines 30\n",
        "<at>Review Watch</at>&nbsp;deadlines&nbsp;30&nbsp;",
        "  <AT>Review Watch</AT>   Deadlines   30 \r\n",
        "<at>Review&amp;Watch</at> /deadlines 30",
        "deadlines 30 <at>Review Watch</at>",
        "<at>Review Watch</at> <at>Pat</at> aireview deadlines 30",
        '<at id="0">Review Watch</at>\u00a0deadlines\u00a030',
    ],
)
def test_the_command_is_the_text_around_the_mentions(text: str) -> None:
    assert split_command(command_text(activity(text))) == ("deadlines", "30")


def test_a_mention_with_entities_and_a_trailing_newline_answers_the_command(teams: httpx.Client) -> None:
    body = json.dumps(activity("<at>Review Watch</at>&nbsp;deadlines 30&nbsp;\n")).encode()

    answer = teams.post("/teams/messages", content=body, headers=hmac_header(body))

    assert card_lines(card_of(answer.json()))[0] == "Coming up in the next 30 days"


def test_examples_use_the_name_the_app_was_mentioned_by(teams: httpx.Client) -> None:
    answer = ask(teams, "help", mention="AI Review")

    text = card_text(card_of(answer.json()))
    assert "@AI Review deadlines 30" in text
    assert "Review Watch in Teams" in text


# ---------------------------------------------------------------- commands


def test_holdouts_card_lists_meta_with_status_since_note_and_source(teams: httpx.Client) -> None:
    lines = card_lines(card_for(teams, "holdouts"))

    assert lines[0] == "Holdouts: no review agreement yet"
    assert lines[1] == "5 of 6 tracked developers have signed a review agreement; 1 holdout"
    assert "Meta · Negotiating" in lines  # no "since": neither report dates it
    assert any("working through the details" in line for line in lines)
    assert (
        "Source: US Government Urges Meta to Conduct Security Reviews on AI Models (wire summary), "
        "June 2026; Stocktwits (citing The New York Times), June 2026 · as of June 2026" in lines
    )
    assert any(
        line.startswith("⚠ Contested: ") and "anticipates signing" in line and "has not yet indicated" in line
        for line in lines
    )
    assert lines[-1] == "As of Jul 24, 2026 10:00 EDT"
    assert not any("OpenAI" in line for line in lines)  # signed developers are not holdouts


def test_holdouts_share_is_accepted_and_other_words_get_usage(teams: httpx.Client) -> None:
    assert "Meta" in card_text(card_for(teams, "holdouts share"))
    assert card_lines(card_for(teams, "holdouts everyone")) == ["Usage: @Review Watch holdouts"]


def test_deadlines_card_gives_dates_countdowns_and_status(teams: httpx.Client) -> None:
    lines = card_lines(card_for(teams, "deadlines 30"))

    assert lines[0] == "Coming up in the next 30 days"
    assert lines[1] == "1 item in the next 30 days (dates in America/New_York)"
    assert (
        "Fri Jul 31, 2026 · in 7 days, 5 business days — Formal pre-release review process to be established"
        in lines
    )
    assert "Source: Stocktwits (citing The New York Times), June 2026 · as of June 2026" in lines
    assert "Deadline · Scheduled" in lines
    assert lines[-1].startswith("As of Jul 24, 2026 10:00 EDT · Dates in America/New_York")


@pytest.mark.parametrize("days", ["", "90", "90d", "90 days"])
def test_deadlines_days_follow_the_slack_rules(teams: httpx.Client, days: str) -> None:
    assert card_lines(card_for(teams, f"deadlines {days}".strip()))[0] == "Coming up in the next 90 days"


@pytest.mark.parametrize("days", ["soon", "-3", "731", "3.5"])
def test_bad_days_get_the_usage(teams: httpx.Client, days: str) -> None:
    lines = card_lines(card_for(teams, f"deadlines {days}"))

    assert lines == [
        "Usage: @Review Watch deadlines [days], where days is a whole number from 0 to 730 (default 90), "
        "e.g. @Review Watch deadlines 30."
    ]


def test_status_card_has_the_full_record(teams: httpx.Client) -> None:
    lines = card_lines(card_for(teams, "status meta"))

    assert lines[0] == "Meta"
    assert "Status: Negotiating" in lines
    assert "Since: not recorded" in lines
    assert "Agreement date: none" in lines
    assert "Contested: yes ⚠" in lines
    assert "As of: June 2026" in lines
    assert any("working through the details" in line for line in lines)
    assert any(line.startswith("Models (") for line in lines)
    assert any("Muse Spark" in line for line in lines)
    assert any(line.startswith("History: ") and "changes recorded since" in line for line in lines)
    assert lines[-1] == "As of Jul 24, 2026 10:00 EDT · Full history: /aireview history meta in Slack"


@pytest.mark.parametrize("typed", ["Google DeepMind", "google-deepmind", "deepmind", "GOOGLE DEEPMIND"])
def test_status_matches_names_like_slack(teams: httpx.Client, typed: str) -> None:
    assert card_lines(card_for(teams, f"status {typed}"))[0] == "Google DeepMind"


def test_status_tolerates_a_typo_and_says_so(teams: httpx.Client) -> None:
    lines = card_lines(card_for(teams, "status antropic"))
    assert lines[:2] == ["Showing Anthropic, the closest match to “antropic”.", "Anthropic"]


def test_status_of_an_unknown_name_offers_did_you_mean(teams: httpx.Client) -> None:
    [line] = card_lines(card_for(teams, "status metta corp"))

    assert line.startswith("No tracked developer matches “metta corp”. Did you mean Meta")
    assert "@Review Watch status meta" in line


def test_status_of_an_ambiguous_name_lists_the_candidates(teams: httpx.Client, deps: Deps) -> None:
    deps.store.db["developers"].insert(
        {**dict(deps.store.db["developers"].get("meta")), "id": "meta-labs", "name": "Meta Labs"}
    )
    deps.store.db["developers"].insert(
        {**dict(deps.store.db["developers"].get("meta")), "id": "meta-research", "name": "Meta Research"}
    )

    [line] = card_lines(card_for(teams, "status met"))
    assert line == (
        "“met” matches several developers: Meta, Meta Labs, Meta Research. "
        "Say which one, e.g. @Review Watch status meta."
    )


def test_status_without_a_name_gets_usage(teams: httpx.Client) -> None:
    assert card_lines(card_for(teams, "status")) == [
        "Usage: @Review Watch status <developer>, e.g. @Review Watch status meta."
    ]


def test_help_lists_every_command_with_an_example(teams: httpx.Client) -> None:
    text = card_text(card_for(teams, "help"))

    for usage, example in [
        ("@Review Watch holdouts", "@Review Watch holdouts"),
        ("@Review Watch deadlines [days]", "@Review Watch deadlines 30"),
        ("@Review Watch status <developer>", "@Review Watch status meta"),
        ("@Review Watch help", "@Review Watch help"),
    ]:
        assert usage in text
        assert f"e.g. {example}" in text


def test_an_unknown_command_gets_help_with_did_you_mean(teams: httpx.Client) -> None:
    lines = card_lines(card_for(teams, "deadlnes 30"))

    assert lines[0] == "Review Watch in Teams"
    assert lines[1] == "There is no command “deadlnes”. Did you mean @Review Watch deadlines 30?"
    assert any(line.startswith("@Review Watch status <developer>") for line in lines)


def test_a_bare_mention_gets_help(teams: httpx.Client) -> None:
    lines = card_lines(card_for(teams, ""))

    assert lines[0] == "Review Watch in Teams"
    assert not any("There is no command" in line for line in lines)


def test_slack_style_commands_work_too(teams: httpx.Client) -> None:
    assert card_lines(card_for(teams, "/aireview status meta"))[0] == "Meta"


# ---------------------------------------------------------------- a large tracker


@pytest.fixture
def large_deps(
    settings: Settings, tmp_path: Path, clock: FixedClock, database_templates: DatabaseTemplates
) -> Iterator[Deps]:
    store = database_templates.open_migrated(tmp_path / "large.db")  # open_store on a new file
    database_templates.large(store)  # make_large_tracker(store.db), copied from a template
    yield make_deps(settings, store, clock)
    store.close()


@pytest.mark.parametrize("command", ["holdouts", "deadlines", "deadlines 730", "status dev-000", "help"])
def test_a_large_tracker_stays_under_the_teams_message_limit(
    bolt_app: App, large_deps: Deps, command: str
) -> None:
    with client_for(bolt_app, large_deps) as client:
        started = time.monotonic()
        answer = ask(client, command)
        elapsed = time.monotonic() - started

    assert answer.status_code == 200
    assert len(answer.content) <= MAX_TEAMS_MESSAGE_BYTES, len(answer.content)
    assert elapsed < 5, f"Teams waits 5 seconds; took {elapsed:.1f}"
    text = card_text(card_of(answer.json()))
    if command != "help":
        assert "…and " in text and " more." in text
    if command != "help":
        assert HOSTILE in text  # tracker text is shown literally


def test_a_large_deadlines_card_shows_the_most_urgent_first_and_counts_the_rest(
    bolt_app: App, large_deps: Deps
) -> None:
    with client_for(bolt_app, large_deps) as client:
        lines = card_lines(card_of(ask(client, "deadlines 730").json()))

    upcoming = answers.upcoming_answer(large_deps, 730)
    slack = deadlines_reply(upcoming, large_deps.settings.tz)
    shown = [line for line in lines if " · " in line and " — " in line]
    first = upcoming.items[0]
    assert shown[0].startswith(f"⚠ {fmt_date(first.day)} · {first.countdown} — ")
    assert 5 <= len(shown) <= 40
    hidden = upcoming.total - len(shown)
    assert (
        f"…and {hidden} more. Ask for fewer days, e.g. @Review Watch deadlines 14, or see it in "
        "Slack or the App Home (/deadlines)." in lines
    )
    assert lines[1] == upcoming.summary
    assert slack.blocks  # the Slack reply is built from the same answer
    assert len(list_models(large_deps.store.db)) == 5000


def test_a_large_holdouts_card_counts_every_holdout(bolt_app: App, large_deps: Deps) -> None:
    with client_for(bolt_app, large_deps) as client:
        lines = card_lines(card_of(ask(client, "holdouts").json()))

    holdouts = answers.holdouts_answer(large_deps)
    shown = [line for line in lines if line.startswith("Developer ") and " · " in line]
    more = [line for line in lines if line.startswith("…and ")]
    assert more == [
        f"…and {len(holdouts.holdouts) - len(shown)} more. Ask about any one with @Review Watch status "
        "<developer>, or see it in Slack or the App Home (/holdouts)."
    ]
    assert (
        lines[1] == holdouts.summary == "40 of 200 tracked developers have signed a review agreement; "
        "160 holdouts"
    )


# ---------------------------------------------------------------- schemas


def test_vendored_card_schemas_match_the_shared_copies() -> None:
    for version in ("1.4.0", "1.5.0"):
        shared = SHARED_SCHEMAS / f"adaptive-card.{version}.json"
        if shared.exists():
            assert (SCHEMAS / f"adaptive-card.{version}.json").read_bytes() == shared.read_bytes()


def test_the_schema_check_rejects_a_card_teams_would_not_render() -> None:
    bad = {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "content": {
                    "type": "AdaptiveCard",
                    "version": "1.4",
                    "body": [{"type": "TextBlock", "txt": "x"}],
                },
            }
        ],
    }
    with pytest.raises(AssertionError):
        card_of(bad)


# ---------------------------------------------------------------- over real HTTP


def test_python_app_py_answers_teams_over_http(tmp_path: Path) -> None:
    with SlackEmulator() as emu:
        env = clean_env(
            SLACK_BOT_TOKEN="xoxb-teams-http-test",
            SLACK_SIGNING_SECRET="teams-http-signing-secret",
            SLACK_API_URL=emu.api_url,
            REVIEWWATCH_DB=str(tmp_path / "reviewwatch.db"),
            PORT=str(free_port()),
            REVIEWWATCH_TEAMS_OUTGOING_SECRET=TEAMS_SECRET,
        )
        app = AppProcess(env, tmp_path)
        try:
            app.wait_for_http()
            body = mention_body("status meta")  # the running app has the real clock
            good = httpx.post(app.url + "/teams/messages", content=body, headers=hmac_header(body), timeout=5)
            forged = httpx.post(
                app.url + "/teams/messages",
                content=body,
                headers={"Authorization": "HMAC " + TEAMS_SECRET},
                timeout=5,
            )
        finally:
            assert app.stop() == 0

    assert good.status_code == 200
    lines = card_lines(card_of(good.json()))
    assert lines[0] == "Meta"
    assert "Status: Negotiating" in lines
    assert forged.status_code == 401
    assert re.search(r" INFO reviewwatch\.teams: teams message status user=[\w-]+ request_id=", app.logs)
    assert re.search(
        r" WARNING reviewwatch\.http: POST /teams/messages 401 \d+ms refused: missing or wrong HMAC",
        app.logs,
    )
    assert TEAMS_SECRET not in app.logs
