"""One development, one notice (issue 26, items 4 and 7): coming back from downtime just
before the delivery time never posts one reminder twice, and a date move edits the alerts
about that date and adds one thread reply, with no catch-up alert for the new date beside
them (Slack) and one card (Teams). The sweep and the updates run as the scheduler runs
them (updates after each sweep), on the emulator, with a travelled clock."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import httpx

from bot.alerts.sending import Sender
from bot.alerts.sweep import run_sweep
from bot.alerts.teams_sender import TeamsSender
from bot.alerts.updates import send_updates
from bot.deps import Deps
from bot.settings import Settings
from storage.tracker import list_deadlines, update_record
from tests.conftest import ADMIN_ID
from tests.support.alerts import CHANNEL, emulator_sender, ledger, subscribe
from tests.support.slack_emulator import SlackEmulator

JUNE_1 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
HOOK_URL = "https://example.webhook.office.com/workflows/policy"


def local(deps: Deps, day: date, hour: int = 9, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=deps.settings.tz)


def tick(deps: Deps, senders: dict[str, Sender], at: datetime) -> None:
    """One scheduler tick: the sweep, then the updates in place."""
    run_sweep(deps, now=at, senders=senders)
    send_updates(deps, now=at, senders=senders)


def top_level(emulator: SlackEmulator) -> list[dict[str, Any]]:
    return [m for m in emulator.messages.get(CHANNEL, []) if not m.get("thread_ts")]


def test_back_from_downtime_just_before_the_delivery_time_says_it_once(
    deps: Deps, slack_emulator: SlackEmulator
) -> None:
    subscribe(deps, JUNE_1, kinds=["deadline"], lead_days=[7, 3, 1])
    senders: dict[str, Sender] = {"slack": emulator_sender(slack_emulator, deps.settings)}
    tick(deps, senders, local(deps, date(2026, 7, 24)))  # "in 7 days"; then down from Jul 25
    back = local(deps, date(2026, 7, 30), 8, 55)  # Thursday, the day before the deadline
    for minutes in range(0, 30, 5):  # start-up, then every five minutes past 09:00
        tick(deps, senders, back + timedelta(minutes=minutes))

    texts = [m["text"] for m in slack_emulator.messages[CHANNEL]]
    assert len(texts) == 2 and "Deadline in 7 days" in texts[0]
    assert sum("Deadline tomorrow" in t for t in texts) == 1, texts
    rows = ledger(deps)
    one_day = next(r for r in rows.values() if r["lead_days"] == 1)
    assert one_day["status"] == "skipped" and "already" in one_day["last_error"]


def test_a_date_move_is_one_edit_and_one_reply_without_a_catch_up_alert(
    deps: Deps, slack_emulator: SlackEmulator, settings: Settings
) -> None:
    deps.settings = Settings(**{**settings.__dict__, "teams_webhooks": {"policy": HOOK_URL}})
    cards: list[dict[str, Any]] = []

    def hook(request: httpx.Request) -> httpx.Response:
        cards.append(json.loads(request.content))
        return httpx.Response(202)

    teams = TeamsSender(
        deps.settings.teams_webhooks,
        deps.settings,
        client=httpx.Client(transport=httpx.MockTransport(hook)),
        min_interval=0,
    )
    senders: dict[str, Sender] = {"slack": emulator_sender(slack_emulator, deps.settings), "teams": teams}
    tick(deps, senders, JUNE_1)  # Teams' default subscription starts
    subscribe(deps, JUNE_1, kinds=["deadline"], lead_days=[14, 7, 3, 1])
    tick(deps, senders, local(deps, date(2026, 7, 17)))  # "in 14 days"
    tick(deps, senders, local(deps, date(2026, 7, 24)))  # "in 7 days", in its thread
    before_cards, before_top = len(cards), len(top_level(slack_emulator))
    posts_before = len(slack_emulator.calls_to("chat.postMessage"))

    moved = local(deps, date(2026, 7, 27), 10)  # Mon: Jul 31 -> Aug 7; its 14-day alert was due Jul 24
    deadline = str(list_deadlines(deps.store.db)[0]["id"])
    update_record(deps.store.db, "deadline", deadline, {"due_date": "2026-08-07"}, actor=ADMIN_ID, at=moved)
    for minutes in range(5, 30, 5):
        tick(deps, senders, moved + timedelta(minutes=minutes))

    assert len(top_level(slack_emulator)) == before_top  # no new top-level post
    posts = slack_emulator.calls_to("chat.postMessage")[posts_before:]
    assert len(posts) == 1 and posts[0].args.get("thread_ts")  # the one thread reply
    assert "due date moved from Fri Jul 31, 2026 to Fri Aug 7, 2026" in posts[0].args["text"]
    assert len(slack_emulator.calls_to("chat.update")) == 2  # both alerts about Jul 31, edited
    assert len(cards) == before_cards + 1, [json.dumps(c)[:200] for c in cards[before_cards:]]
    assert "Updated: Deadline in 11 days" in json.dumps(cards[-1])
    # The next alert for the new date still comes, on its day, in the same thread.
    tick(deps, senders, local(deps, date(2026, 7, 31)))
    [later] = slack_emulator.calls_to("chat.postMessage")[posts_before + 1 :]
    assert "Deadline in 7 days" in later.args["text"] and later.args.get("thread_ts")
