"""Questions by @mention and by direct message: signed Events API requests through the real
app, answered on the emulator in a thread under the mention or in the DM."""

from __future__ import annotations

from typing import Any

import pytest
from slack_bolt import App
from slack_sdk import WebClient

from bot.deps import Deps
from bot.replies import WORKING_TEXT
from handlers import build_app
from tests.conftest import ADMIN_ID, BOT_TOKEN
from tests.support.admin_forms import InlineExecutor
from tests.support.blockkit import visible_text
from tests.support.slack_emulator import BOT_ID, BOT_USER_ID, SlackEmulator
from tests.support.slack_requests import app_mention_event, direct_message_event, dispatch_event


@pytest.fixture
def app(deps: Deps, slack_emulator: SlackEmulator) -> App:
    # Inline listeners: when the request returns, the answer (or its absence) is final.
    client = WebClient(token=BOT_TOKEN, base_url=slack_emulator.api_url)
    return build_app(deps, client=client, listener_executor=InlineExecutor())


def posts(emulator: SlackEmulator) -> list[dict[str, Any]]:
    return [call.args for call in emulator.calls_to("chat.postMessage")]


def shown(message: dict[str, Any]) -> str:
    return message["text"] + "\n" + visible_text(message.get("blocks") or [])


def test_a_mention_is_answered_in_a_thread_under_it(app: App, slack_emulator: SlackEmulator) -> None:
    response = dispatch_event(app, app_mention_event("holdouts", channel="C0POLICY"))
    assert response.status == 200
    [post] = posts(slack_emulator)
    assert post["channel"] == "C0POLICY"
    assert post["thread_ts"] == "1515449522.000016"  # under the question, for everyone there
    text = shown(post)
    assert "5 of 6 tracked developers have signed a review agreement; 1 holdout" in text
    assert "Only you can see this" not in text  # a thread answer is visible, not private


def test_a_mention_inside_a_thread_answers_in_that_thread(app: App, slack_emulator: SlackEmulator) -> None:
    dispatch_event(app, app_mention_event("deadlines 30", thread_ts="1515449000.000001"))
    [post] = posts(slack_emulator)
    assert post["thread_ts"] == "1515449000.000001"
    assert "Formal pre-release review process to be established" in shown(post)


def test_a_direct_message_is_answered_in_the_dm(app: App, slack_emulator: SlackEmulator) -> None:
    dispatch_event(app, direct_message_event("status meta", channel="D0ANALYST"))
    [post] = posts(slack_emulator)
    assert post["channel"] == "D0ANALYST"
    assert "thread_ts" not in post  # a plain reply in the conversation
    assert "Negotiating" in shown(post) and "Meta" in shown(post)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("/deadlines 30", "Formal pre-release review process to be established"),
        ("aireview status meta", "Negotiating"),
        ("DEADLINES 30", "Formal pre-release review process to be established"),
        ("status antropic", "Showing Anthropic, the closest match to “antropic”"),
        ("status nosuchlab", "No tracked developer matches “nosuchlab”"),
        ("holdout", "There is no command “holdout”. Did you mean `holdouts`?"),
        ("stauts meta", "Did you mean `status`?"),
        ("", "Review Watch commands"),
        ("help", "mention me in a channel"),
    ],
)
def test_same_grammar_names_and_did_you_mean_as_aireview(
    app: App, slack_emulator: SlackEmulator, typed: str, expected: str
) -> None:
    dispatch_event(app, direct_message_event(typed))
    [post] = posts(slack_emulator)
    assert expected in shown(post)


def test_a_form_command_says_to_use_the_slash_command(app: App, slack_emulator: SlackEmulator) -> None:
    dispatch_event(app, direct_message_event("update meta", user=ADMIN_ID))
    [post] = posts(slack_emulator)
    assert "opens a form" in post["text"] and "`/aireview update meta`" in post["text"]
    assert slack_emulator.calls_to("views.open") == []


def test_links_in_the_message_reach_the_command_as_typed(app: App, slack_emulator: SlackEmulator) -> None:
    # Slack sends a typed URL as <url>; `feeds test` fetches it (slow: working first, then replaced).
    dispatch_event(app, direct_message_event("feeds test <http://127.0.0.1:9/feed.xml> CAISI", user=ADMIN_ID))
    [post] = posts(slack_emulator)
    assert post["text"] == WORKING_TEXT
    [update] = [call.args for call in slack_emulator.calls_to("chat.update")]
    assert update["channel"] == post["channel"]
    assert update["text"] != WORKING_TEXT and "http://127.0.0.1:9/feed.xml" in shown(update)


@pytest.mark.parametrize(
    "event",
    [
        direct_message_event("holdouts", bot_id=BOT_ID, user=BOT_USER_ID),  # our own message
        direct_message_event("holdouts", bot_id="B0OTHER", subtype="bot_message"),  # another bot
        direct_message_event("holdouts", subtype="message_changed"),  # an edit
        direct_message_event("holdouts", edited={"user": "U2147483697", "ts": "1355517524.000000"}),
        direct_message_event("holdouts", subtype="message_deleted"),
        direct_message_event("holdouts", channel_type="channel", channel="C0POLICY"),  # not a DM
        app_mention_event("holdouts", bot_id="B0OTHER"),
        app_mention_event("holdouts", edited={"user": "U061F7AUR", "ts": "1515449523.000000"}),
    ],
)
def test_bot_messages_edits_and_other_subtypes_are_ignored(
    app: App, slack_emulator: SlackEmulator, event: dict[str, Any]
) -> None:
    assert dispatch_event(app, event).status == 200
    assert posts(slack_emulator) == [] and slack_emulator.calls_to("chat.update") == []


def test_a_mention_in_our_dm_is_answered_once(app: App, slack_emulator: SlackEmulator) -> None:
    # Slack sends both events for `@Review Watch holdouts` typed in the DM; the DM one answers.
    dispatch_event(app, app_mention_event("holdouts", channel="D024BE91L"))
    dispatch_event(app, direct_message_event("<@U0BOTUSER> holdouts", channel="D024BE91L"), event_id="Ev2")
    [post] = posts(slack_emulator)
    assert post["channel"] == "D024BE91L" and "1 holdout" in shown(post)
