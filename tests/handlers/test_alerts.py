"""Alerts in Slack: `/aireview subscribe|unsubscribe|alerts`, the subscribe form, the
Acknowledge button, status changes from the admin form, and delivery problems shown to
admins. Real Bolt App, signed requests, the emulator, a real SQLite file."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from slack_bolt import App
from slack_sdk import WebClient

from bot import ids
from bot.deps import Deps
from handlers import build_app
from storage.alerts import get_ledger, get_subscription
from tests.bot.read.test_home import open_home
from tests.conftest import ADMIN_ID, BOT_TOKEN
from tests.support.alerts import CHANNEL, alert_keys, subscribe, sweep
from tests.support.blockkit import message_errors, view_errors, visible_text
from tests.support.slack_emulator import SlackEmulator
from tests.support.slack_requests import (
    block_actions_payload,
    command_answer,
    dispatch_command,
    dispatch_payload,
    view_submission_payload,
)

READER = "U0READER1"
JUNE_1 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def app(deps: Deps, slack_emulator: SlackEmulator) -> App:
    client = WebClient(token=BOT_TOKEN, base_url=slack_emulator.api_url)
    return build_app(deps, client=client, process_before_response=True)


def aireview(app: App, emu: SlackEmulator, text: str, user_id: str = ADMIN_ID) -> dict[str, Any]:
    url = emu.response_url(f"r{len(emu.responses)}")
    before = len(emu.responses)
    response = dispatch_command(app, "/aireview", text, user_id=user_id, channel_id=CHANNEL, response_url=url)
    assert response.status == 200
    if response.body or len(emu.responses) > before:  # answered (in the ack, or at response_url)
        return command_answer(response, emu, emu.responses[-1][0] if len(emu.responses) > before else "")
    return {}  # a form opened instead


def form_values(
    kinds: list[str], leads: str, mode: str = "realtime", developers: list[str] | None = None
) -> dict[str, Any]:
    def options(values: list[str]) -> list[dict[str, Any]]:
        return [{"text": {"type": "plain_text", "text": v}, "value": v} for v in values]

    return {
        ids.BLOCK_SUBSCRIBE_KINDS: {
            ids.ACTION_FIELD: {"type": "checkboxes", "selected_options": options(kinds)}
        },
        ids.BLOCK_SUBSCRIBE_LEADS: {ids.ACTION_FIELD: {"type": "plain_text_input", "value": leads}},
        ids.BLOCK_SUBSCRIBE_MODE: {
            ids.ACTION_FIELD: {"type": "radio_buttons", "selected_option": options([mode])[0]}
        },
        ids.BLOCK_SUBSCRIBE_DEVELOPERS: {
            ids.ACTION_MENU_DEVELOPER: {
                "type": "multi_external_select",
                "selected_options": options(developers or []),
            }
        },
    }


def submit(app: App, values: dict[str, Any], user_id: str = ADMIN_ID) -> dict[str, Any]:
    payload = view_submission_payload(
        ids.VIEW_SUBSCRIBE, values, user_id=user_id, private_metadata=json.dumps({"channel_id": CHANNEL})
    )
    response = dispatch_payload(app, payload)
    assert response.status == 200
    return json.loads(response.body) if response.body else {}


def test_admin_subscribe_opens_the_form_prefilled_with_defaults(
    app: App, slack_emulator: SlackEmulator
) -> None:
    aireview(app, slack_emulator, "subscribe")
    view = slack_emulator.last("views.open").args["view"]
    assert view["callback_id"] == ids.VIEW_SUBSCRIBE and view_errors(view) == []
    assert json.loads(view["private_metadata"]) == {"channel_id": CHANNEL}
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert blocks[ids.BLOCK_SUBSCRIBE_LEADS]["element"]["initial_value"] == "30,14,7,3,1,0"
    assert len(blocks[ids.BLOCK_SUBSCRIBE_KINDS]["element"]["initial_options"]) == 7  # with developments


def test_non_admins_cannot_subscribe_or_unsubscribe(
    deps: Deps, app: App, slack_emulator: SlackEmulator
) -> None:
    subscribe(deps, JUNE_1)
    assert "Only Review Watch admins" in aireview(app, slack_emulator, "subscribe", READER)["text"]
    assert "Only Review Watch admins" in aireview(app, slack_emulator, "unsubscribe", READER)["text"]
    assert slack_emulator.calls_to("views.open") == []
    assert get_subscription(deps.store.db, "slack", CHANNEL) is not None
    forged = submit(app, form_values(["deadline"], "7"), user_id=READER)
    assert forged["response_action"] == "errors"


def test_subscribe_form_shows_errors_inline(deps: Deps, app: App) -> None:
    answer = submit(app, form_values([], "30, soon, 400"))
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {ids.BLOCK_SUBSCRIBE_KINDS, ids.BLOCK_SUBSCRIBE_LEADS}
    assert get_subscription(deps.store.db, "slack", CHANNEL) is None


def test_saving_the_form_subscribes_the_channel_and_says_so(
    deps: Deps, app: App, slack_emulator: SlackEmulator
) -> None:
    assert submit(app, form_values(["deadline", "status"], "14, 3,0", "weekly", ["meta"])) == {}
    sub = get_subscription(deps.store.db, "slack", CHANNEL)
    assert sub is not None
    assert (sub["kinds"], sub["lead_days"], sub["digest"], sub["developer_filter"], sub["created_by"]) == (
        ["deadline", "status"],
        [14, 3, 0],
        "weekly",
        ["meta"],
        ADMIN_ID,
    )
    [message] = slack_emulator.messages[CHANNEL]
    assert "alerts are on" in message["text"] and message_errors(message) == []

    aireview(app, slack_emulator, "subscribe")  # reopening shows the saved choices
    view = slack_emulator.last("views.open").args["view"]
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert blocks[ids.BLOCK_SUBSCRIBE_LEADS]["element"]["initial_value"] == "14,3,0"
    assert blocks[ids.BLOCK_SUBSCRIBE_MODE]["element"]["initial_option"]["value"] == "weekly"
    chosen = blocks[ids.BLOCK_SUBSCRIBE_DEVELOPERS]["element"]["initial_options"]
    assert [(o["value"], o["text"]["text"]) for o in chosen] == [("meta", "Meta")]


def test_a_developer_filter_naming_no_tracked_developer_is_refused_inline(deps: Deps, app: App) -> None:
    answer = submit(app, form_values(["status"], "7", developers=["meta", "no-such-lab"]))
    assert answer["errors"] == {ids.BLOCK_SUBSCRIBE_DEVELOPERS: "Choose developers from the menu."}
    assert get_subscription(deps.store.db, "slack", CHANNEL) is None


def test_subscribing_where_the_bot_is_not_a_member_tells_the_admin(
    deps: Deps, app: App, slack_emulator: SlackEmulator
) -> None:
    slack_emulator.fail("chat.postMessage", error="not_in_channel", channel=CHANNEL)
    assert submit(app, form_values(["deadline"], "7")) == {}
    [dm] = slack_emulator.messages[ADMIN_ID]
    assert "/invite @Review Watch" in dm["text"] and "not_in_channel" in dm["text"]


def test_alerts_shows_what_the_channel_receives_and_the_next_ten(
    deps: Deps, app: App, slack_emulator: SlackEmulator
) -> None:
    answer = aireview(app, slack_emulator, "alerts", READER)
    assert "no alert subscription" in answer["text"]

    subscribe(deps, JUNE_1)  # now is Fri Jul 24, 10:00 New York; the July 31 deadline is next
    answer = aireview(app, slack_emulator, "alerts", READER)
    text = json.dumps(answer["blocks"])
    assert message_errors(answer) == []
    assert "Jul 28, 2026 09:00 EDT" in text and "Deadline in 3 days" in text
    assert "Jul 31, 2026 09:00 EDT" in text and "Deadline today" in text
    assert "Jul 24, 2026 09:00" not in text  # already due, not upcoming
    assert "delivery problems" not in text  # admins only


def test_permanent_failure_is_shown_to_admins_in_alerts_and_on_the_home(
    deps: Deps, app: App, slack_emulator: SlackEmulator
) -> None:
    subscribe(deps, JUNE_1)
    slack_emulator.fail("chat.postMessage", error="channel_not_found")
    sweep(deps, slack_emulator, datetime.combine(date(2026, 7, 24), time(9), tzinfo=deps.settings.tz))

    admin_view = json.dumps(aireview(app, slack_emulator, "alerts", ADMIN_ID)["blocks"])
    assert "Alert delivery problems" in admin_view and "channel_not_found" in admin_view
    assert f"<#{CHANNEL}>" in admin_view and "Last alert sweep" in admin_view
    reader_view = json.dumps(aireview(app, slack_emulator, "alerts", READER)["blocks"])
    assert "channel_not_found" not in reader_view

    open_home(app, slack_emulator, ADMIN_ID)
    home = json.dumps(slack_emulator.last("views.publish").args["view"])
    assert "Alert delivery problems" in home and "channel_not_found" in home
    open_home(app, slack_emulator, READER)
    assert "channel_not_found" not in json.dumps(slack_emulator.last("views.publish").args["view"])


def test_unsubscribe_stops_alerts(deps: Deps, app: App, slack_emulator: SlackEmulator) -> None:
    subscribe(deps, JUNE_1)
    assert "are off" in aireview(app, slack_emulator, "unsubscribe")["text"]
    assert get_subscription(deps.store.db, "slack", CHANNEL) is None
    assert sweep(deps, slack_emulator, deps.clock.now()).sent == []


def test_acknowledge_updates_the_message_and_the_ledger(
    deps: Deps, app: App, slack_emulator: SlackEmulator
) -> None:
    subscribe(deps, JUNE_1)
    sweep(deps, slack_emulator, deps.clock.now())
    [key] = alert_keys(slack_emulator)
    message = slack_emulator.messages[CHANNEL][0]
    assert message_errors(message) == []
    button = next(b for b in message["blocks"] if b.get("block_id") == ids.BLOCK_ALERT_ACTIONS)["elements"][0]
    assert (button["action_id"], button["value"]) == (ids.ACTION_ALERT_ACKNOWLEDGE, key)

    deps.clock.advance(timedelta(minutes=3))
    payload = block_actions_payload(
        ids.ACTION_ALERT_ACKNOWLEDGE,
        key,
        user_id=READER,
        channel_id=CHANNEL,
        block_id=ids.BLOCK_ALERT_ACTIONS,
        message=message,
    )
    assert dispatch_payload(app, payload).status == 200

    update = slack_emulator.last("chat.update").args
    assert (update["channel"], update["ts"]) == (CHANNEL, message["ts"])
    updated = slack_emulator.messages[CHANNEL][0]
    text = json.dumps(updated["blocks"])
    assert f"Acknowledged by <@{READER}> on Jul 24, 2026 10:03 EDT" in text
    assert ids.ACTION_ALERT_ACKNOWLEDGE not in text  # the button is gone
    row = get_ledger(deps.store.db, key)
    assert (row["acknowledged_by"], row["acknowledged_at"]) == (READER, "2026-07-24T14:03:00+00:00")


def test_status_change_from_the_admin_form_reaches_the_channel(
    deps: Deps, app: App, slack_emulator: SlackEmulator
) -> None:
    from tests.support.admin_forms import submit_view

    subscribe(deps, JUNE_1, kinds=["status"])
    aireview(app, slack_emulator, "update meta")
    form = slack_emulator.last("views.open").args["view"]
    assert submit_view(app, form, ADMIN_ID, status="signed", effective_date="2026-07-20").status == 200
    slack_emulator.reset()
    result = sweep(deps, slack_emulator, deps.clock.now() + timedelta(minutes=5))
    assert len(result.sent) == 1
    [message] = slack_emulator.messages[CHANNEL]
    assert "Meta: agreement status changed from Negotiating to Signed" in message["text"]
    assert f"<@{ADMIN_ID}>" in json.dumps(message["blocks"])
    # When the change took effect (the source's date) and when it was recorded (the save).
    text = visible_text(message["blocks"])
    assert "*When:* Took effect Mon Jul 20, 2026; recorded Jul 24, 2026 10:00 EDT by" in text
    # Meta's intent is contested: the alert shows both claims with their reports.
    assert "Contested: " in text and "anticipates signing" in text and "has not yet indicated" in text


def test_the_form_sets_delivery_days_and_quiet_hours(
    deps: Deps, app: App, slack_emulator: SlackEmulator
) -> None:
    values = form_values(["deadline", "status"], "7")
    values[ids.BLOCK_SUBSCRIBE_QUIET_START] = {
        ids.ACTION_FIELD: {"type": "timepicker", "selected_time": "19:00"}
    }
    answer = submit(app, values)
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {ids.BLOCK_SUBSCRIBE_QUIET_END}

    values[ids.BLOCK_SUBSCRIBE_QUIET_END] = {
        ids.ACTION_FIELD: {"type": "timepicker", "selected_time": "07:30"}
    }
    every_day = {"text": {"type": "plain_text", "text": "Every day"}, "value": "every_day"}
    values[ids.BLOCK_SUBSCRIBE_DELIVERY_DAYS] = {
        ids.ACTION_FIELD: {"type": "radio_buttons", "selected_option": every_day}
    }
    values[ids.BLOCK_SUBSCRIBE_THREADS] = {ids.ACTION_FIELD: {"type": "checkboxes", "selected_options": []}}
    assert submit(app, values) == {}
    sub = get_subscription(deps.store.db, "slack", CHANNEL)
    assert sub is not None
    assert (sub["delivery_days"], sub["quiet_start"], sub["quiet_end"]) == ("every_day", "19:00", "07:30")
    assert sub["threads"] == 0

    aireview(app, slack_emulator, "subscribe")  # reopening shows the saved choices
    view = slack_emulator.last("views.open").args["view"]
    assert view_errors(view) == []
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert blocks[ids.BLOCK_SUBSCRIBE_DELIVERY_DAYS]["element"]["initial_option"]["value"] == "every_day"
    assert blocks[ids.BLOCK_SUBSCRIBE_QUIET_START]["element"]["initial_time"] == "19:00"
    assert blocks[ids.BLOCK_SUBSCRIBE_QUIET_END]["element"]["initial_time"] == "07:30"
    assert "initial_options" not in blocks[ids.BLOCK_SUBSCRIBE_THREADS]["element"]


def test_alerts_shows_delivery_days_quiet_hours_and_shifted_times(
    deps: Deps, app: App, slack_emulator: SlackEmulator
) -> None:
    # Now is Fri Jul 24. A deadline on Mon Aug 3 has its 2- and 1-day alerts due on the weekend:
    # both come on Fri Jul 31, shown once.
    from tests.bot.alerts.test_delivery_days import add_deadline

    add_deadline(deps, "2026-08-03")  # Monday: the 1- and 2-day alerts fall on the weekend
    subscribe(deps, JUNE_1, kinds=["deadline"], lead_days=[2, 1], quiet_hours=("20:00", "07:00"))
    answer = aireview(app, slack_emulator, "alerts", READER)
    text = json.dumps(answer["blocks"])
    assert message_errors(answer) == []
    assert "*Delivery days:* Business days (Monday to Friday, not on US federal holidays)" in text
    assert "*Quiet time:* Saturdays and Sundays, and 20:00 to 07:00 every day" in text
    assert "except deadlines, review windows and releases today or tomorrow" in text
    assert "Jul 31, 2026 09:00 EDT" in text
    assert "moved from Sun Aug 2, 2026: not a business day" in text
    assert "moved from Sat Aug 1" not in text  # collapsed into the more urgent one that day


def test_alerts_shows_real_time_alerts_held_for_quiet_hours(
    deps: Deps, app: App, slack_emulator: SlackEmulator
) -> None:
    from storage.tracker import update_record

    subscribe(deps, JUNE_1, kinds=["status"], quiet_hours=("18:00", "08:00"))
    evening = datetime(2026, 7, 24, 20, 0, tzinfo=deps.settings.tz)
    update_record(
        deps.store.db, "developer", "meta", {"status": "signed"}, actor=ADMIN_ID, at=evening, source="x"
    )
    assert len(sweep(deps, slack_emulator, evening + timedelta(minutes=5)).held) == 1
    deps.clock.set(evening + timedelta(minutes=10))  # type: ignore[attr-defined]
    text = json.dumps(aireview(app, slack_emulator, "alerts", READER)["blocks"], ensure_ascii=False)
    # Friday evening: quiet hours, then the weekend (business days), until Monday's delivery time.
    assert "Jul 27, 2026 09:00 EDT — 1 alert(s) held for the quiet time" in text


def briefing_box(on: bool) -> dict[str, Any]:
    option = {"text": {"type": "plain_text", "text": "Weekly briefing (Mondays)"}, "value": "briefing"}
    return {ids.ACTION_FIELD: {"type": "checkboxes", "selected_options": [option] if on else []}}


def test_the_forms_weekly_briefing_box_turns_the_briefing_on_and_off(
    deps: Deps, app: App, slack_emulator: SlackEmulator
) -> None:
    aireview(app, slack_emulator, "subscribe")
    view = slack_emulator.last("views.open").args["view"]
    box = {b.get("block_id"): b for b in view["blocks"]}[ids.BLOCK_SUBSCRIBE_BRIEFING]
    assert box["label"]["text"] == "Weekly briefing" and box["optional"] is True
    assert [o["text"]["text"] for o in box["element"]["options"]] == ["Weekly briefing (Mondays)"]
    assert "initial_options" not in box["element"]  # off for a new subscription

    values = {**form_values(["deadline", "status"], "7"), ids.BLOCK_SUBSCRIBE_BRIEFING: briefing_box(True)}
    assert submit(app, values) == {}
    sub = get_subscription(deps.store.db, "slack", CHANNEL)
    assert sub is not None and sub["briefing_since"] == "2026-07-24T14:00:00+00:00"
    assert "*Weekly briefing:* Mondays" in json.dumps(slack_emulator.messages[CHANNEL][-1]["blocks"])
    aireview(app, slack_emulator, "subscribe")  # reopening shows it ticked
    view = slack_emulator.last("views.open").args["view"]
    assert view_errors(view) == []
    box = {b.get("block_id"): b for b in view["blocks"]}[ids.BLOCK_SUBSCRIBE_BRIEFING]
    assert [o["value"] for o in box["element"]["initial_options"]] == ["briefing"]

    monday = datetime(2026, 7, 27, 9, 0, tzinfo=deps.settings.tz)
    sweep(deps, slack_emulator, monday)
    assert [k for k in alert_keys(slack_emulator) if k.startswith("briefing|")] == [
        f"briefing|briefing:2026-W31|2026-07-27|-|slack:{CHANNEL}"
    ]
    sub = get_subscription(deps.store.db, "slack", CHANNEL)

    # A bad submission changes nothing: neither the briefing nor the rest.
    bad = {**form_values(["news"], "7, soon"), ids.BLOCK_SUBSCRIBE_BRIEFING: briefing_box(False)}
    assert set(submit(app, bad)["errors"]) == {ids.BLOCK_SUBSCRIBE_LEADS}
    assert get_subscription(deps.store.db, "slack", CHANNEL) == sub

    # Unticked: off, with the rest of the form, and no briefing the next Monday.
    deps.clock.set(monday + timedelta(hours=2))  # type: ignore[attr-defined]
    values = {**form_values(["news"], "3"), ids.BLOCK_SUBSCRIBE_BRIEFING: briefing_box(False)}
    assert submit(app, values) == {}
    sub = get_subscription(deps.store.db, "slack", CHANNEL)
    assert sub is not None
    assert (sub["briefing_since"], sub["kinds"], sub["lead_days"]) == (None, ["news"], [3])
    sweep(deps, slack_emulator, monday + timedelta(days=7))
    assert len([k for k in alert_keys(slack_emulator) if k.startswith("briefing|")]) == 1


def test_the_briefing_command_still_works_beside_the_form(
    deps: Deps, app: App, slack_emulator: SlackEmulator
) -> None:
    subscribe(deps, JUNE_1)
    assert aireview(app, slack_emulator, "briefing on")["text"].startswith("The weekly briefing is on")
    turned_on = get_subscription(deps.store.db, "slack", CHANNEL)
    assert turned_on is not None and turned_on["briefing_since"] == "2026-07-24T14:00:00+00:00"
    deps.clock.set(datetime(2026, 7, 25, 12, 0, tzinfo=UTC))  # type: ignore[attr-defined]
    # A form opened before the box existed (no such block) leaves the briefing as it is; ticked
    # again, it keeps the first moment (no briefing is re-sent).
    assert submit(app, form_values(["deadline"], "7")) == {}
    sub = get_subscription(deps.store.db, "slack", CHANNEL)
    assert sub is not None and sub["briefing_since"] == turned_on["briefing_since"]
    values = {**form_values(["deadline"], "7"), ids.BLOCK_SUBSCRIBE_BRIEFING: briefing_box(True)}
    assert submit(app, values) == {}
    sub = get_subscription(deps.store.db, "slack", CHANNEL)
    assert sub is not None and sub["briefing_since"] == turned_on["briefing_since"]
    off = aireview(app, slack_emulator, "briefing off")["text"]
    assert off == "The weekly briefing is off for this channel."
    sub = get_subscription(deps.store.db, "slack", CHANNEL)
    assert sub is not None and sub["briefing_since"] is None
