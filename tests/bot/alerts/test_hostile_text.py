"""Every text field escaped (issue 26, item 17): tracker, source and news text carrying
`<!here>`, `<!channel>`, `<@U...>`, a link and Markdown goes through every field into every
alert kind (date alerts, overdue, status, development, news, digest, reminder, the weekly
briefing, the "Updated" edit and its thread reply) and the mute/unmute confirmations, and
comes out inert: no mention or link of its making in any `text` or mrkdwn block Slack
receives, and only literal text runs in the Teams cards. Real sweeps on the emulator, a
travelled clock, the mute form and Unmute through a real Bolt app with signed requests."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import httpx
import pytest
from slack_bolt import App
from slack_sdk import WebClient

from bot import ids
from bot.alerts.blocks import metadata_key
from bot.alerts.slack_sender import SlackSender
from bot.alerts.sweep import run_sweep
from bot.alerts.teams_sender import TeamsSender
from bot.alerts.updates import send_updates
from bot.clock import FixedClock
from bot.deps import Deps
from bot.settings import Settings
from handlers import build_app
from storage import news as store_news
from storage.alerts import TARGET_SLACK, save_subscription
from storage.briefing import set_briefing
from storage.facts import create_event
from storage.snooze import active_mutes
from storage.tracker import create_record, list_deadlines, update_record
from tests.conftest import ADMIN_ID, BOT_TOKEN
from tests.support.alerts import CHANNEL, OTHER_CHANNEL, emulator_sender
from tests.support.blockkit import mrkdwn_texts, special_mentions
from tests.support.slack_emulator import SlackEmulator
from tests.support.slack_requests import block_actions_payload, dispatch_payload, view_submission_payload

HOSTILE = "<!here> <!channel> <@U0HOSTILE> <https://evil.example|click> *bold* _it_ `code` [x](https://evil.example)"
JUNE_1 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
HOOK_URL = "https://example.webhook.office.com/workflows/policy"
READER = "U0READER1"
# The mentions an alert may make (ids from the app itself): who recorded a change, and
ALLOWED = {f"@{ADMIN_ID}", f"#{CHANNEL}"}  # and the channel a reminder was asked in


def local(deps: Deps, day: date, hour: int = 9, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=deps.settings.tz)


class Webhook:
    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.bodies.append(json.loads(request.content))
        return httpx.Response(202)


def hostile_tracker(deps: Deps, at: datetime) -> str:
    """Hostile text in every field an alert shows; returns the deadline's id."""
    db = deps.store.db
    deadline = str(list_deadlines(db)[0]["id"])
    changes = {"title": f"Review process {HOSTILE}", "note": HOSTILE, "source": HOSTILE}
    update_record(db, "deadline", deadline, changes, actor=ADMIN_ID, at=at, note=HOSTILE, source=HOSTILE)
    update_record(db, "developer", "xai", {"note": HOSTILE, "source": HOSTILE}, actor=ADMIN_ID, at=at)
    create_record(
        db,
        "model",
        {
            "developer_id": "xai",
            "name": f"Grok {HOSTILE}",
            "planned_release": "2026-07-10",  # the window opens Jun 10
            "note": HOSTILE,
            "source": HOSTILE,
        },
        actor=ADMIN_ID,
        at=at,
    )
    return deadline


def real_time_changes(deps: Deps, at: datetime) -> None:
    db = deps.store.db
    update_record(
        db, "developer", "meta", {"status": "signed"}, actor=ADMIN_ID, at=at, note=HOSTILE, source=HOSTILE
    )
    create_event(
        db,
        kind="statement",
        effective="2026-06-02",
        summary=HOSTILE,
        developer_ids=["meta"],
        source_ids=[],
        actor=ADMIN_ID,
        at=at,
        note=HOSTILE,
    )
    feed = store_news.add_feed(
        db, "https://news.example/feed", "rss", ["review"], created_by=ADMIN_ID, now=at
    )
    link = "https://news.example/2026/06/01/review"
    item = {"keys": [link], "title": HOSTILE, "link": link, "published": "2026-06-01T13:00:00+00:00"}
    item.update(summary=HOSTILE, terms=["review"], developers=["meta"], alert=True)
    store_news.save_items(db, feed, [item], at, prime=False)


def slack_payloads(emulator: SlackEmulator) -> Iterator[tuple[str, str]]:
    """(where, mrkdwn text) for every message Slack was asked to post or edit."""
    for method in ("chat.postMessage", "chat.update", "chat.postEphemeral"):
        for n, call in enumerate(emulator.calls_to(method)):
            yield f"{method}#{n} text", str(call.args.get("text") or "")
            for text in mrkdwn_texts(call.args.get("blocks") or []):
                yield f"{method}#{n} blocks", text


def literal_only(element: Any, where: str = "card") -> Iterator[str]:
    """Places in a card where hostile text is read as Markdown (not inside a TextRun)."""
    if isinstance(element, dict):
        if element.get("type") == "TextRun":
            return
        for key, value in element.items():
            if isinstance(value, str) and "<!here>" in value:
                yield f"{where}.{key}"
            else:
                yield from literal_only(value, f"{where}.{key}")
    elif isinstance(element, list):
        for n, item in enumerate(element):
            yield from literal_only(item, f"{where}[{n}]")


@pytest.fixture
def app(deps: Deps, slack_emulator: SlackEmulator) -> App:
    client = WebClient(token=BOT_TOKEN, base_url=slack_emulator.api_url)
    return build_app(deps, client=client, process_before_response=True)


def test_hostile_text_in_every_field_is_inert_in_every_alert_kind(
    deps: Deps, app: App, slack_emulator: SlackEmulator, settings: Settings, clock: FixedClock
) -> None:
    deps.settings = Settings(**{**settings.__dict__, "teams_webhooks": {"policy": HOOK_URL}})
    hook = Webhook()
    teams = TeamsSender(
        deps.settings.teams_webhooks,
        deps.settings,
        client=httpx.Client(transport=httpx.MockTransport(hook)),
        min_interval=0,
    )
    slack: SlackSender = emulator_sender(slack_emulator, deps.settings)
    senders = {"slack": slack, "teams": teams}
    db = deps.store.db
    deadline = hostile_tracker(deps, JUNE_1 - timedelta(hours=1))
    every = dict(
        actor=ADMIN_ID, now=JUNE_1, lead_days=[30, 1], delivery_days="every_day", developer_filter=None
    )
    kinds = ["deadline", "window_opens", "release", "overdue", "status", "development", "news"]
    save_subscription(db, target_type=TARGET_SLACK, target=CHANNEL, kinds=kinds, digest="realtime", **every)
    save_subscription(
        db, target_type=TARGET_SLACK, target=OTHER_CHANNEL, kinds=kinds, digest="daily", **every
    )
    set_briefing(db, TARGET_SLACK, CHANNEL, JUNE_1)
    run_sweep(deps, now=JUNE_1, senders=senders)  # Teams' default subscription starts now
    real_time_changes(deps, JUNE_1 + timedelta(minutes=30))

    moments = [
        JUNE_1 + timedelta(hours=1),  # status, development, news
        local(deps, date(2026, 6, 2)),  # the daily digest; the window's 30-day alert is past
        local(deps, date(2026, 6, 8)),  # Monday: the weekly briefing
        local(deps, date(2026, 6, 9)),  # the window opens tomorrow
        local(deps, date(2026, 6, 11)),  # overdue
        local(deps, date(2026, 7, 1)),  # the deadline in 30 days
        local(deps, date(2026, 7, 9)),  # release tomorrow
    ]
    for at in moments:
        clock.set(at)
        run_sweep(deps, now=at, senders=senders)
        send_updates(deps, now=at, senders=senders)

    # A reminder, asked for through the overflow menu, sent by the sweep as a DM.
    moved = local(deps, date(2026, 7, 1), 11)
    clock.set(moved)
    alert = next(
        m for m in slack_emulator.messages[CHANNEL] if (metadata_key(m) or "").startswith("deadline|")
    )
    press_menu(app, alert, "Remind me in 1 day", READER)
    # The deadline moves: the edit and its thread reply carry the source and the note.
    update_record(
        db,
        "deadline",
        deadline,
        {"due_date": "2026-08-14"},
        actor=ADMIN_ID,
        at=moved,
        note=HOSTILE,
        source=HOSTILE,
    )
    send_updates(deps, now=moved + timedelta(minutes=5), senders=senders)
    clock.set(local(deps, date(2026, 7, 2), 12))
    run_sweep(deps, now=clock.now(), senders=senders)
    # Mute and unmute, by an admin, through the real app.
    mute_and_unmute(deps, app, slack_emulator, alert)

    assert_every_kind_sent_and_inert(slack_emulator, hook)


def assert_every_kind_sent_and_inert(slack_emulator: SlackEmulator, hook: Webhook) -> None:
    """Every kind of alert went out, and no hostile text in them pings, links or formats."""
    posted = [m.get("text", "") for ms in slack_emulator.messages.values() for m in ms]
    for wanted in (
        "Status changed",
        "Development",
        "News",
        "digest",
        "Weekly briefing",
        "Review window opens",
    ):
        assert any(wanted in text for text in posted), wanted
    for wanted in ("Not submitted", "Planned release", "Reminder", "Updated", "muted in", "come to"):
        assert any(wanted in text for text in posted) or wanted in all_ephemeral(slack_emulator), wanted
    assert slack_emulator.calls_to("chat.update"), "the moved deadline edited its alerts"

    found = [(where, m) for where, text in slack_payloads(slack_emulator) for m in special_mentions(text)]
    assert [(w, m) for w, m in found if m not in ALLOWED] == []
    links = [w for w, text in slack_payloads(slack_emulator) if "<https://evil.example" in text]
    assert links == []
    assert len(hook.bodies) >= 5
    assert [where for body in hook.bodies for where in literal_only(body)] == []
    assert any("<!here>" in json.dumps(body) for body in hook.bodies)  # shown, as literal text


def all_ephemeral(emulator: SlackEmulator) -> str:
    return " ".join(str(c.args.get("text")) for c in emulator.calls_to("chat.postEphemeral"))


def press_menu(app: App, message: dict[str, Any], label: str, user_id: str) -> None:
    actions = next(b for b in message["blocks"] if b.get("block_id") == ids.BLOCK_ALERT_ACTIONS)
    more = next(e for e in actions["elements"] if e.get("action_id") == ids.ACTION_ALERT_MORE)
    option = next(o for o in more["options"] if o["text"]["text"] == label)
    payload = block_actions_payload(
        ids.ACTION_ALERT_MORE,
        user_id=user_id,
        channel_id=CHANNEL,
        block_id=ids.BLOCK_ALERT_ACTIONS,
        message=message,
    )
    payload["actions"][0] = {
        "type": "overflow",
        "action_id": ids.ACTION_ALERT_MORE,
        "block_id": ids.BLOCK_ALERT_ACTIONS,
        "selected_option": option,
        "action_ts": "1548426417.840180",
    }
    assert dispatch_payload(app, payload).status == 200


def mute_and_unmute(deps: Deps, app: App, emulator: SlackEmulator, message: dict[str, Any]) -> None:
    press_menu(app, message, "Mute this subject here…", ADMIN_ID)
    view = emulator.last("views.open").args["view"]
    values = {ids.BLOCK_MUTE_UNTIL: {ids.ACTION_FIELD: {"type": "datepicker", "selected_date": None}}}
    payload = view_submission_payload(
        ids.VIEW_MUTE, values, user_id=ADMIN_ID, private_metadata=view["private_metadata"]
    )
    assert dispatch_payload(app, payload).status == 200
    assert "muted in" in emulator.messages[ADMIN_ID][-1]["text"]
    [mute] = active_mutes(deps.store.db, date(2026, 7, 2))
    mute_id = str(mute["id"])
    payload = block_actions_payload(ids.ACTION_ALERT_UNMUTE, mute_id, user_id=ADMIN_ID, channel_id=CHANNEL)
    assert dispatch_payload(app, payload).status == 200
    assert "come to" in emulator.last("chat.postEphemeral").args["text"]
