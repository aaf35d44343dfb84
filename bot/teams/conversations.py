"""Where the bot can reach each conversation it was spoken to in (for alerts it sends later).

Called with verified activities only: the service URL kept is one the Bot Connector's
signed token vouched for. A channel is kept by its channel id (without the thread part).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.deps import Deps
from storage.teams import save_conversation


def conversation_id(activity: Mapping[str, Any]) -> str:
    return str((activity.get("conversation") or {}).get("id") or "").split(";messageid=", 1)[0]


def remember_conversation(deps: Deps, activity: Mapping[str, Any]) -> None:
    conversation = activity.get("conversation") or {}
    if not conversation_id(activity) or not activity.get("serviceUrl"):
        return
    save_conversation(
        deps.store.db,
        conversation_id=conversation_id(activity),
        service_url=str(activity["serviceUrl"]),
        tenant_id=str(conversation.get("tenantId") or deps.settings.teams_tenant_id or ""),
        conversation_type=str(conversation.get("conversationType") or "personal"),
        bot_id=str((activity.get("recipient") or {}).get("id") or ""),
        now=deps.clock.now(),
        user_aad=_personal_user(activity),
    )


def _personal_user(activity: Mapping[str, Any]) -> str | None:
    """Whose personal chat this is (None for a group chat or a channel)."""
    if (activity.get("conversation") or {}).get("conversationType") not in (None, "personal"):
        return None
    aad = (activity.get("from") or {}).get("aadObjectId")
    return str(aad).lower() if aad else None
