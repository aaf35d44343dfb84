"""/holdouts, /deadlines and /aireview help|status|models|history through a real Bolt App:
signed slash-command requests in Slack's documented shape, answers read back from the
response_url on the Slack emulator."""

from __future__ import annotations

import json
from datetime import timedelta
from itertools import count
from typing import Any

import pytest
from slack_bolt import App

from bot.catalog import make_deps
from bot.deps import Deps
from storage.tracker import create_record, update_record
from tests.support.blockkit import message_errors, special_mentions, visible_text
from tests.support.slack_emulator import SlackEmulator
from tests.support.slack_requests import command_answer, dispatch_command

_names = count(1)


# The response_urls whose command was acked empty and answered there instead (see `ask`).
_followed_up: set[str] = set()


def ask(app: App, emulator: SlackEmulator, command: str, text: str = "", **kwargs: Any) -> dict[str, Any]:
    """Run one slash command; return what Slack would show: the answer in the ack (quick
    work) or, when the answer took longer than the ack's budget (handlers/commands.py
    ACK_BUDGET: a first answer on a loaded machine), the one the app posts to the command's
    response_url right after, waited for. Nothing else is ever posted to a response_url."""
    name = f"r{next(_names)}"
    response = dispatch_command(app, command, text, response_url=emulator.response_url(name), **kwargs)
    assert response.status == 200
    if not response.body:  # acked empty: the answer follows through response_url
        _followed_up.add(name)
    body = command_answer(response, emulator, name, timeout=60)
    posted = [n for n, _ in emulator.responses]
    assert len(posted) == len(set(posted)) and set(posted) <= _followed_up, emulator.responses
    assert message_errors(body) == []
    return body


def shown(body: dict[str, Any]) -> str:
    return visible_text(body.get("blocks") or []) or body["text"]


# ---------------------------------------------------------------- /holdouts


def test_holdouts_lists_meta_privately(bolt_app: App, slack_emulator: SlackEmulator) -> None:
    body = ask(bolt_app, slack_emulator, "/holdouts")
    assert body["response_type"] == "ephemeral"
    text = shown(body)
    assert "5 of 6 tracked developers have signed a review agreement; 1 holdout" in text
    # Neither report dates Meta's status: no "since" is made up.
    assert "*Meta* · Negotiating\n" in text
    assert "working through the details" in text
    assert "Stocktwits (citing The New York Times), June 2026" in text
    assert "as of June 2026" in text
    # The two accounts of Meta's intent, side by side, each with its report.
    assert (
        "Contested: US Government Urges Meta to Conduct Security Reviews on AI Models (wire summary), "
        "June 2026 says “Meta anticipates signing the agreement in the near future”; Stocktwits (citing "
        "The New York Times), June 2026 says “Meta has not yet indicated whether it will comply"
    ) in text
    assert "OpenAI" not in text
    assert body["text"].startswith("5 of 6 tracked developers")


def test_holdouts_share_posts_in_channel(bolt_app: App, slack_emulator: SlackEmulator) -> None:
    body = ask(bolt_app, slack_emulator, "/holdouts", "share")
    assert body["response_type"] == "in_channel"
    assert "1 holdout" in shown(body)
    assert "Only you can see this" not in shown(body)


def meta_signs(deps: Deps) -> None:
    """An admin records that Meta, the seeded tracker's one holdout, has signed."""
    update_record(
        deps.store.db,
        "developer",
        "meta",
        {"status": "signed"},
        actor="UADMIN0001",
        at=deps.clock.now(),
        source="https://example.org/meta-signs",
    )


def test_holdouts_when_everyone_signed(bolt_app: App, slack_emulator: SlackEmulator, deps: Deps) -> None:
    meta_signs(deps)
    text = shown(ask(bolt_app, slack_emulator, "/holdouts"))
    assert "All 6 tracked developers have signed a review agreement; there are no holdouts." in text


def test_holdouts_bad_argument(bolt_app: App, slack_emulator: SlackEmulator) -> None:
    body = ask(bolt_app, slack_emulator, "/holdouts", "everyone")
    assert body["text"].startswith("Usage: `/holdouts`")
    assert "\n" not in body["text"]


def test_mrkdwn_in_a_note_notifies_no_one(bolt_app: App, slack_emulator: SlackEmulator, deps: Deps) -> None:
    update_record(
        deps.store.db,
        "developer",
        "meta",
        {"note": "Tell <!channel> and <@U123ABC> & <!here>", "source": "<https://x.example|trust me>"},
        actor="UADMIN0001",
        at=deps.clock.now(),
    )
    body = ask(bolt_app, slack_emulator, "/holdouts", "share")
    text = shown(body)
    assert "Tell &lt;!channel&gt; and &lt;@U123ABC&gt; &amp; &lt;!here&gt;" in text
    assert "&lt;https://x.example|trust me&gt;" in text
    assert special_mentions(text) == []
    assert special_mentions(body["text"]) == []
    # The only mention left is the admin who made the change (history's "who").
    status = ask(bolt_app, slack_emulator, "/aireview", "status meta")
    assert set(special_mentions(shown(status))) == {"@UADMIN0001"} and "&lt;!channel&gt;" in shown(status)
    history = ask(bolt_app, slack_emulator, "/aireview", "history meta")
    assert set(special_mentions(shown(history))) == {"@UADMIN0001"} and "&lt;!channel&gt;" in shown(history)


# ---------------------------------------------------------------- /deadlines


def test_deadlines_default_shows_the_july_deadline(bolt_app: App, slack_emulator: SlackEmulator) -> None:
    body = ask(bolt_app, slack_emulator, "/deadlines")
    text = shown(body)
    assert "Coming up in the next 90 days" in text
    assert (
        "*Fri Jul 31, 2026* · *in 7 days, 5 business days* — "
        "Formal pre-release review process to be established" in text
    )
    assert "Deadline · Scheduled" in text
    # The end-of-July deadline is stated only in the Stocktwits story: it cites only that.
    assert "_Source: Stocktwits (citing The New York Times), June 2026 · as of June 2026_" in text
    assert "wire summary" not in text
    assert "Dates in America/New_York" in text
    assert body["response_type"] == "ephemeral"


def test_deadlines_with_models_overdue_first(
    bolt_app: App, slack_emulator: SlackEmulator, deps: Deps
) -> None:
    db, now = deps.store.db, deps.clock.now()
    # Window opened Jul 4 (release Aug 3), not submitted: overdue.
    create_record(
        db,
        "model",
        {"developer_id": "meta", "name": "Muse Next", "planned_release": "2026-08-03"},
        actor="UADMIN0001",
        at=now,
        source="https://example.org/muse-next",
    )
    # Submission due Aug 5 (release Sep 4).
    create_record(
        db,
        "model",
        {
            "developer_id": "openai",
            "name": "GPT-Next",
            "planned_release": "2026-09-04",
            "review_status": "not_submitted",
        },
        actor="UADMIN0001",
        at=now,
    )
    # A deadline three days ago: shown as passed.
    create_record(
        db,
        "deadline",
        {"title": "Comment period closes", "due_date": "2026-07-21"},
        actor="UADMIN0001",
        at=now,
    )
    # Long gone: not shown.
    create_record(
        db, "deadline", {"title": "Old hearing", "due_date": "2026-06-01"}, actor="UADMIN0001", at=now
    )
    text = shown(ask(bolt_app, slack_emulator, "/deadlines", "30"))
    lines = [line for line in text.splitlines() if " — " in line]
    assert lines[0].startswith(":warning: *Sat Jul 4, 2026* · *20 days ago* — Meta Muse Next: submission due")
    assert "Overdue: not submitted" in text
    assert lines[1].startswith("*Tue Jul 21, 2026* · *3 days ago* — Comment period closes")
    assert "Passed · outcome not recorded" in text
    assert "*Fri Jul 31, 2026* · *in 7 days, 5 business days*" in lines[2]
    assert "*Mon Aug 3, 2026* · *in 10 days* — Meta Muse Next: planned release" in lines[3]
    assert lines[4].startswith(
        "*Wed Aug 5, 2026* · *in 12 days, 8 business days* — OpenAI GPT-Next: submission due"
    )
    assert "Sep 4" not in text  # beyond 30 days
    assert "Old hearing" not in text
    assert "1 overdue" in text


def test_deadlines_today(bolt_app: App, slack_emulator: SlackEmulator, deps: Deps) -> None:
    create_record(
        deps.store.db,
        "deadline",
        {"title": "Hearing", "due_date": "2026-07-24"},
        actor="UADMIN0001",
        at=deps.clock.now(),
    )
    assert "*Fri Jul 24, 2026* · *today* — Hearing" in shown(ask(bolt_app, slack_emulator, "/deadlines", "0"))


@pytest.mark.parametrize("arg", ["soon", "-4", "99999", "3.5", "30 weeks"])
def test_deadlines_bad_argument_gets_usage(bolt_app: App, slack_emulator: SlackEmulator, arg: str) -> None:
    body = ask(bolt_app, slack_emulator, "/deadlines", arg)
    assert body["text"].startswith("Usage: `/deadlines [days]`")
    assert "\n" not in body["text"]
    assert len(body["blocks"]) == 1


def test_deadlines_nothing_due(bolt_app: App, slack_emulator: SlackEmulator) -> None:
    text = shown(ask(bolt_app, slack_emulator, "/deadlines", "3"))
    assert "Nothing is due in the next 3 days" in text


# ---------------------------------------------------------------- /aireview


@pytest.mark.parametrize("text", ["", "help", "frobnicate"])
def test_aireview_help_lists_every_subcommand(
    bolt_app: App, slack_emulator: SlackEmulator, deps: Deps, text: str
) -> None:
    body = ask(bolt_app, slack_emulator, "/aireview", text)
    help_text = shown(body)
    for sub in deps.subcommands.all():
        assert f"`/aireview {sub.usage}`" in help_text.replace("&lt;", "<").replace("&gt;", ">")
        assert sub.example in help_text
    assert "/holdouts" in help_text and "/deadlines" in help_text
    if text == "frobnicate":
        assert "There is no `/aireview frobnicate`." in help_text


def test_aireview_typo_in_subcommand_suggests(bolt_app: App, slack_emulator: SlackEmulator) -> None:
    text = shown(ask(bolt_app, slack_emulator, "/aireview", "statsu meta"))
    assert "Did you mean `/aireview status`?" in text


def test_status_full_record(bolt_app: App, slack_emulator: SlackEmulator) -> None:
    text = shown(ask(bolt_app, slack_emulator, "/aireview", "status Meta"))
    assert "*Status*\nNegotiating" in text
    assert "*Since*\nnot recorded" in text
    assert "*As of*\nJune 2026" in text
    assert "working through the details" in text
    assert "Stocktwits (citing The New York Times), June 2026" in text
    assert "*Models* (1)" in text and "• *Muse Spark* · released April 2026" in text
    assert "Contested: " in text and "has not yet indicated whether it will comply" in text
    # Events on Meta's record: the officials' emails and Brennan's statement, in full.
    assert "June 2026 · Formal request: Federal officials asked Meta in confidential emails" in text
    assert "“While we are working through the details, we hope to sign the agreement soon.”" in text
    assert "*History*: 6 changes recorded since Jul 24, 2026 10:00 EDT." in text
    assert "`/aireview history meta`" in text


@pytest.mark.parametrize(
    "typed",
    [
        "meta",
        "META",
        "Google DeepMind",
        "google-deepmind",
        "googledeepmind",
        "antropic",
        "Anthropc",
        "xai",
        "deepmind",
    ],
)
def test_status_name_matching(bolt_app: App, slack_emulator: SlackEmulator, typed: str) -> None:
    expected = {
        "meta": "Meta",
        "google": "Google DeepMind",
        "antr": "Anthropic",
        "anth": "Anthropic",
        "xai": "xAI",
        "deep": "Google DeepMind",
    }
    want = next(v for k, v in expected.items() if typed.lower().replace("-", "").startswith(k))
    body = ask(bolt_app, slack_emulator, "/aireview", f"status {typed}")
    header = {"type": "header", "text": {"type": "plain_text", "text": want, "emoji": True}}
    assert next(b for b in body["blocks"] if b["type"] == "header") == header
    # A corrected typo says so first, so nobody mistakes the answer for the name they typed.
    corrected = typed.lower() in ("antropic", "anthropc")
    note = f"Showing {want}, the closest match to “{typed}”."
    assert (note in json.dumps(body["blocks"][0], ensure_ascii=False)) == corrected
    assert body["text"].startswith(note) == corrected


def test_status_unknown_name_did_you_mean(bolt_app: App, slack_emulator: SlackEmulator) -> None:
    text = shown(ask(bolt_app, slack_emulator, "/aireview", "status Metta Platforms"))
    assert "No tracked developer matches “Metta Platforms”. Did you mean *Meta*?" in text


def test_status_nothing_close(bolt_app: App, slack_emulator: SlackEmulator) -> None:
    text = shown(ask(bolt_app, slack_emulator, "/aireview", "status qqqqqqqq"))
    assert "No tracked developer matches “qqqqqqqq”." in text


def test_status_ambiguous_name_lists_candidates(
    bolt_app: App, slack_emulator: SlackEmulator, deps: Deps
) -> None:
    create_record(
        deps.store.db,
        "developer",
        {"name": "Meta Superintelligence Labs", "status": "unknown"},
        actor="UADMIN0001",
        at=deps.clock.now(),
        record_id="meta-msl",
    )
    # "meta" is exact; "met" fits both.
    assert shown(ask(bolt_app, slack_emulator, "/aireview", "status meta")).startswith("Meta\n")
    text = shown(ask(bolt_app, slack_emulator, "/aireview", "status met"))
    assert "“met” matches several developers: *Meta*, *Meta Superintelligence Labs*." in text
    assert "`/aireview status meta`" in text


def test_status_without_a_name(bolt_app: App, slack_emulator: SlackEmulator) -> None:
    assert shown(ask(bolt_app, slack_emulator, "/aireview", "status")).startswith("Usage: `/aireview status")


def test_models_all_and_one_developer(bolt_app: App, slack_emulator: SlackEmulator, deps: Deps) -> None:
    create_record(
        deps.store.db,
        "model",
        {"developer_id": "openai", "name": "GPT-Next", "planned_release": "2026-09-04"},
        actor="UADMIN0001",
        at=deps.clock.now(),
    )
    text = shown(ask(bolt_app, slack_emulator, "/aireview", "models"))
    assert "2 models tracked for all tracked developers" in text
    assert "*Meta*\n• *Muse Spark* · released April 2026" in text
    # Each model's source and as-of: Muse Spark's release is stated only in the wire summary.
    wire = "US Government Urges Meta to Conduct Security Reviews on AI Models (wire summary)"
    assert f"_Source: {wire}, " in text
    assert "June 2026 · as of June 2026_" in text
    assert (
        "• *GPT-Next* · Not submitted · window opens Wed Aug 5, 2026 (in 12 days, 8 business days) · "
        "release Fri Sep 4, 2026 (in 42 days)"
    ) in text
    one = shown(ask(bolt_app, slack_emulator, "/aireview", "models open ai"))
    assert "1 model tracked for OpenAI" in one and "Muse Spark" not in one


def test_history_of_developer_model_and_deadline(
    bolt_app: App, slack_emulator: SlackEmulator, deps: Deps
) -> None:
    update_record(
        deps.store.db,
        "developer",
        "meta",
        {"status": "signed"},
        actor="UADMIN0001",
        at=deps.clock.now(),
        note="Signed today",
        source="https://example.org/meta",
    )
    text = shown(ask(bolt_app, slack_emulator, "/aireview", "history meta"))
    assert "The last 7 changes to Meta" in text
    first = text.split("\n*")[2]
    assert first.startswith("Jul 24, 2026 10:00 EDT* · <@UADMIN0001> · Meta\nstatus: negotiating → signed")
    assert "> Signed today" in text and "_Source: https://example.org/meta_" in text
    model = shown(ask(bolt_app, slack_emulator, "/aireview", "history muse spark"))
    assert "History: Meta / Muse Spark" in model and "The last change to Meta / Muse Spark" in model
    deadline = shown(ask(bolt_app, slack_emulator, "/aireview", "history formal review"))
    assert "History: Formal pre-release review process to be established" in deadline
    everything = shown(ask(bolt_app, slack_emulator, "/aireview", "history"))
    assert "History: latest changes" in everything and "(of 21)" in everything
    assert "The last 20 changes to the tracker" in everything


def test_history_keeps_only_the_last_20(bolt_app: App, slack_emulator: SlackEmulator, deps: Deps) -> None:
    for day in range(1, 26):
        update_record(
            deps.store.db,
            "developer",
            "meta",
            {"as_of": f"2026-07-{day:02d}"},
            actor="UADMIN0001",
            at=deps.clock.now() + timedelta(minutes=day),  # 25 saves, a minute apart
        )
    body = ask(bolt_app, slack_emulator, "/aireview", "history meta")
    assert "The last 20 changes to Meta (of 31)" in shown(body)
    assert shown(body).count("facts as of:") == 20
    assert "facts as of: Fri Jul 24, 2026 → Sat Jul 25, 2026" in shown(body)


def test_history_unknown_subject(bolt_app: App, slack_emulator: SlackEmulator) -> None:
    text = shown(ask(bolt_app, slack_emulator, "/aireview", "history Musee Sparc"))
    assert "Did you mean *Meta / Muse Spark*?" in text or "History: Meta / Muse Spark" in text
    text = shown(ask(bolt_app, slack_emulator, "/aireview", "history zzzzzz"))
    assert "No tracked developer, model or deadline matches “zzzzzz”." in text


# ---------------------------------------------------------------- empty tracker


@pytest.fixture
def empty_deps(settings: Any, store: Any, clock: Any) -> Deps:
    return make_deps(settings, store, clock)


def test_empty_tracker(empty_deps: Deps, slack_emulator: SlackEmulator) -> None:
    from slack_sdk import WebClient

    from handlers import build_app
    from tests.conftest import BOT_TOKEN

    app = build_app(empty_deps, client=WebClient(token=BOT_TOKEN, base_url=slack_emulator.api_url))
    assert "No developers are tracked yet" in shown(ask(app, slack_emulator, "/holdouts"))
    assert "Nothing is due in the next 90 days" in shown(ask(app, slack_emulator, "/deadlines"))

    def aireview(text: str) -> str:
        return shown(ask(app, slack_emulator, "/aireview", text))

    assert "No models are tracked for all tracked developers." in aireview("models")
    assert "No tracked developer matches “meta”." in aireview("status meta")
    assert "No changes are recorded for the tracker." in aireview("history")


def test_errors_become_an_ephemeral_message(bolt_app: App, slack_emulator: SlackEmulator, deps: Deps) -> None:
    deps.store.db.execute("DROP TABLE deadlines")  # something unexpected breaks mid-answer
    body = ask(bolt_app, slack_emulator, "/deadlines")
    assert body["response_type"] == "ephemeral"
    assert body["text"].startswith("Sorry, something went wrong")
