"""The weekly briefing in Teams, at the connector stand-in: `briefing` shows the card Slack's
briefing carries (the timeline picture with its alt text, the contested facts with each
claim's source), and `briefing on|off` (admins) makes the Monday post come to the
conversation through the bot, once, held through quiet time as in Slack."""

from __future__ import annotations

import base64
import json
from datetime import date, datetime, time

from bot.alerts.briefing import CARD_LIMITS, PICTURE_ALT, BriefingAlert, briefing_content, briefing_sections
from bot.alerts.delivery import build_senders, close_senders
from bot.alerts.sweep import run_sweep
from bot.clock import FixedClock
from bot.deps import Deps
from storage.alerts import get_subscription, save_subscription
from tests.bot.teams.conftest import ADMIN_AAD, OTHER_AAD
from tests.support.teams_connector import BotServer, Sent, TeamsConnector, message_activity

CHANNEL = "19:policy0001@thread.tacv2"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def local(deps: Deps, day: date, hour: int = 9, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=deps.settings.tz)


def say(bot: BotServer, connector: TeamsConnector, text: str, user: str = ADMIN_AAD, **shape: object) -> Sent:
    connector.clear()
    activity = message_activity(connector, text, user_aad=user, **shape)  # type: ignore[arg-type]
    assert bot.post(activity, connector.inbound_token()).status_code == 200
    [sent] = connector.sent("message")
    return sent


def in_channel(bot: BotServer, connector: TeamsConnector, text: str, user: str = ADMIN_AAD) -> str:
    sent = say(bot, connector, text, user, conversation_type="channel", mention_bot=True)
    return json.dumps(sent.cards, ensure_ascii=False)


def card_picture(card: dict[str, object]) -> tuple[bytes, str]:
    [image] = [e for e in card["body"] if isinstance(e, dict) and e.get("type") == "Image"]  # type: ignore[attr-defined]
    url = str(image["url"])
    assert url.startswith("data:image/png;base64,")
    return base64.b64decode(url.removeprefix("data:image/png;base64,")), str(image["altText"])


def test_briefing_shows_slacks_briefing_card_with_its_picture_and_contested_sources(
    admin_bot: BotServer, connector: TeamsConnector, deps: Deps
) -> None:
    assert isinstance(deps.clock, FixedClock)
    deps.clock.set(local(deps, date(2026, 7, 22), 11))
    sent = say(admin_bot, connector, "briefing", OTHER_AAD)  # anyone may look
    [card] = sent.cards
    png, alt = card_picture(card)
    assert png.startswith(PNG_MAGIC) and alt == PICTURE_ALT
    shown = json.dumps(card, ensure_ascii=False)
    assert "in Slack for now" not in shown
    # The same sections as Slack's briefing message, the contested facts with each claim's source.
    now = deps.clock.now()
    reference = BriefingAlert(
        kind="briefing",
        subject_type="briefing",
        subject_id="now",
        subject_date=None,
        lead_days=None,
        target_type="slack",
        target="C0SAME",
        subscription_id=0,
        due_at=now,
        title="",
        facts=briefing_content(deps, now, CARD_LIMITS),
    )
    sections = dict(briefing_sections(reference, now, deps.settings))
    contested = next(lines for title, lines in sections.items() if title == "Contested facts")
    assert any("says “" in line for line in contested), "the seed has contested facts with sources"
    for title, lines in sections.items():
        assert json.dumps(title, ensure_ascii=False)[1:-1] in shown
        for line in lines:
            assert json.dumps("• " + line, ensure_ascii=False)[1:-1] in shown, line
    assert "“briefing on”" in shown  # how it comes every Monday


def test_briefing_on_posts_the_monday_card_once_through_the_bot_after_quiet_time(
    admin_bot: BotServer, connector: TeamsConnector, deps: Deps
) -> None:
    assert isinstance(deps.clock, FixedClock)
    deps.clock.set(local(deps, date(2026, 7, 22), 11))  # a Wednesday
    assert "has no alert subscription" in in_channel(admin_bot, connector, "briefing on")
    assert "Subscribed" in in_channel(admin_bot, connector, "subscribe")
    assert "Only admins" in in_channel(admin_bot, connector, "briefing on", OTHER_AAD)
    assert "briefing is on" in in_channel(admin_bot, connector, "briefing on")
    sub = get_subscription(deps.store.db, "teams", f"bot:{CHANNEL}")
    assert sub is not None and sub["briefing_since"]
    save_subscription(  # quiet hours 07:00 to 10:00, as the alert settings would set them
        deps.store.db,
        target_type="teams",
        target=f"bot:{CHANNEL}",
        kinds=sub["kinds"],
        lead_days=sub["lead_days"],
        digest=sub["digest"],
        developer_filter=None,
        actor="teams:" + ADMIN_AAD,
        now=deps.clock.now(),
        quiet_hours=("07:00", "10:00"),
    )
    monday = date(2026, 7, 27)

    def briefings() -> list[Sent]:
        return [s for s in connector.sent("message") if "Weekly briefing" in json.dumps(s.cards)]

    senders = build_senders(deps.settings, deps.store)
    try:
        connector.clear()
        run_sweep(deps, now=local(deps, monday, 9, 5), senders=senders)
        assert briefings() == []  # quiet time: held
        run_sweep(deps, now=local(deps, monday, 10, 5), senders=senders)
        run_sweep(deps, now=local(deps, monday, 11), senders=senders)
    finally:
        close_senders(senders)
    [posted] = briefings()
    assert posted.conversation_id == CHANNEL
    [card] = posted.cards
    png, alt = card_picture(card)
    assert png.startswith(PNG_MAGIC) and alt == PICTURE_ALT
    shown = json.dumps(card, ensure_ascii=False)
    assert "Contested facts" in shown and "says “" in shown  # each claim with its source
    assert "Holdouts · " in shown and "late" not in shown  # held through quiet time, then in full
    assert any(a.get("verb") == "acknowledge" for a in card["actions"])

    assert "briefing is off" in in_channel(admin_bot, connector, "briefing off")
    sub = get_subscription(deps.store.db, "teams", f"bot:{CHANNEL}")
    assert sub is not None and not sub["briefing_since"]
