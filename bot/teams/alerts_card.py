"""The `alerts` card in Teams: what this conversation receives through the bot, titled by
where it is asked (a personal chat, a group chat, a channel), built by the code that builds
Slack's `/aireview alerts`; for admins (Entra object id in REVIEWWATCH_TEAMS_ADMINS, checked
on the server at the answer and again at the press) an **Unmute** button per muted subject, an
`Action.Execute` whose press lifts the mute as Slack's Unmute does and refreshes the card for
the presser.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.deps import Deps
from bot.replies import Reply
from bot.teams.conversations import conversation_id
from bot.teams.from_blocks import card_from_blocks
from bot.teams.reply import subtle

TITLES = {
    "personal": "Alerts for this personal chat",
    "groupChat": "Alerts for this group chat",
    "channel": "Alerts for this channel",
}


def teams_text(text: str) -> str:
    """Slack's sentence as Teams reads it: commands typed to the bot, not /aireview."""
    return text.replace("`/aireview ", "`").replace("/aireview ", "")


def slack_reply_card(reply: Reply) -> dict[str, Any]:
    """A Slack answer as a card, its text saying what to type in Teams; its Slack buttons are
    dropped (the caller adds Teams' own)."""
    blocks = [_teams_block(b) for b in reply.blocks]
    return card_from_blocks(blocks, teams_text(reply.text))


def _teams_block(block: dict[str, Any]) -> dict[str, Any]:
    block = {k: v for k, v in block.items() if k != "accessory"}
    text = block.get("text")
    if isinstance(text, dict) and isinstance(text.get("text"), str):
        return {**block, "text": {**text, "text": teams_text(text["text"])}}
    return block


def _aad(activity: Mapping[str, Any]) -> str:
    return str((activity.get("from") or {}).get("aadObjectId") or "").lower()


def alerts_answer(deps: Deps, args: str, activity: Mapping[str, Any]) -> dict[str, Any]:
    from bot.alerts import bot_target, is_teams_admin, teams_alerts_overview, unmute_actions

    kind = (activity.get("conversation") or {}).get("conversationType") or "personal"
    title = TITLES.get(str(kind), "Alerts for this conversation")
    conversation = conversation_id(activity)
    reply = teams_alerts_overview(deps, bot_target(conversation), _aad(activity), title)
    card = slack_reply_card(reply)
    if is_teams_admin(deps, _aad(activity)):
        buttons = unmute_actions(deps, conversation)
        if buttons:
            card["actions"] = buttons
    return card


def unmute_answer(deps: Deps, activity: Mapping[str, Any], mute_id: Any) -> tuple[bool, dict[str, Any] | str]:
    """An Unmute press: (True, the refreshed `alerts` card) or (False, why not)."""
    from bot.alerts import is_teams_admin, unmute_from_teams

    admin = is_teams_admin(deps, _aad(activity))
    lifted, told = unmute_from_teams(
        deps, mute_id=mute_id, conversation_id=conversation_id(activity), admin=admin
    )
    if not lifted:
        return False, told
    card = alerts_answer(deps, "", activity)
    card["body"].insert(1, subtle("✅ " + told))
    return True, card
