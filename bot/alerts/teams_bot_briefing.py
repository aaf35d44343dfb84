"""The weekly briefing in a Teams conversation the bot is in, as in a Slack channel.

- `briefing` shows the briefing as it stands now: the card the Monday post carries (the
  holdouts, the week's changes, the next 30 days, the contested facts with each claim's
  source, and the timeline picture with its alt text), drawn by the same code. Nothing is
  recorded: it is a look, not the week's post.
- `briefing on|off` (admins, by Entra object id, checked here on the server) turns the Monday
  post on or off for the conversation's subscription, as `/aireview briefing on|off` does for
  a Slack channel. The post is then an alert like any other of that subscription: one ledger
  key a week, held through quiet time, sent by the bot (bot/alerts/teams_bot_sender.py) with
  the picture inside the card.
"""

from __future__ import annotations

from typing import Any

from bot.alerts.alert import KIND_BRIEFING
from bot.alerts.briefing import CARD_LIMITS, BriefingAlert, briefing_card, briefing_content, week_picture
from bot.alerts.teams_bot_subscriptions import bot_target, is_teams_admin
from bot.blockkit import fmt_datetime
from bot.cardkit import text_block
from bot.clock import utc_iso
from bot.deps import Deps
from bot.domain import today_in
from storage.alerts import TARGET_TEAMS, get_subscription
from storage.briefing import set_briefing

NOT_ADMIN = (
    "Only admins can turn the weekly briefing on or off: their Entra object ids are in "
    "REVIEWWATCH_TEAMS_ADMINS."
)
USAGE = "Usage: “briefing” shows this week's briefing as it stands; admins: “briefing on” or “briefing off”."


def briefing_now_card(deps: Deps, conversation_id: str) -> dict[str, Any]:
    """This week's briefing as it stands now, as the Monday card shows it (no buttons)."""
    now = deps.clock.now()
    facts: dict[str, Any] = {**briefing_content(deps, now, CARD_LIMITS), "prepared_at": utc_iso(now)}
    _upload, preview, facts["picture"] = week_picture(deps, now)
    alert = BriefingAlert(
        kind=KIND_BRIEFING,
        subject_type="briefing",
        subject_id="now",
        subject_date=today_in(deps.settings.tz, now).isoformat(),
        lead_days=None,
        target_type=TARGET_TEAMS,
        target=bot_target(conversation_id),
        subscription_id=0,
        due_at=now,
        title=f"Weekly briefing as of {fmt_datetime(now, deps.settings.tz)}",
        facts=facts,
        preview=preview,
    )
    card: dict[str, Any] = briefing_card(alert, now, deps.settings)["attachments"][0]["content"]
    sub = get_subscription(deps.store.db, TARGET_TEAMS, bot_target(conversation_id))
    when = f"Mondays at {deps.settings.alert_time:%H:%M} ({deps.settings.timezone_name})"
    if sub is not None and sub.get("briefing_since"):
        footer = f"It is posted here {when}."
    else:
        footer = f"Admins: “briefing on” posts it here {when}."
    card["body"].append(text_block(footer, subtle=True, size="Small"))
    return card


def set_conversation_briefing(deps: Deps, conversation_id: str, word: str, aad_object_id: str) -> str:
    """`briefing on|off` in a Teams conversation: what the admin is told."""
    if word not in ("on", "off"):
        return USAGE
    if not is_teams_admin(deps, aad_object_id):
        return NOT_ADMIN
    target = bot_target(conversation_id)
    on = word == "on"
    db = deps.store.db
    if get_subscription(db, TARGET_TEAMS, target) is None or not set_briefing(
        db, TARGET_TEAMS, target, deps.clock.now() if on else None
    ):
        return "This conversation has no alert subscription yet: “subscribe” first (admins)."
    if not on:
        return "The weekly briefing is off for this conversation."
    return (
        f"The weekly briefing is on for this conversation: Mondays at {deps.settings.alert_time:%H:%M} "
        f"({deps.settings.timezone_name}), from the next Monday on, held through quiet time like "
        "the other alerts here."
    )
