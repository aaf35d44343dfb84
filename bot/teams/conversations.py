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


def personal_chat_request(activity: Mapping[str, Any]) -> dict[str, Any]:
    """The body of the Bot Connector's "create conversation" (`POST /v3/conversations`) that
    opens the bot's personal chat with whoever sent the verified `activity`: the bot, the
    member by their Teams user id, and the tenant (as Microsoft's proactive-messaging docs
    give it)."""
    tenant = str((activity.get("conversation") or {}).get("tenantId") or "")
    return {
        "bot": {"id": str((activity.get("recipient") or {}).get("id") or "")},
        "isGroup": False,
        "members": [{"id": str((activity.get("from") or {}).get("id") or "")}],
        "tenantId": tenant,
        "channelData": {"tenant": {"id": tenant}},
    }


def remember_personal_chat(deps: Deps, activity: Mapping[str, Any], created: str) -> None:
    """Keep the personal chat the bot just created with the activity's sender, reachable at the
    verified activity's service URL."""
    tenant = (activity.get("conversation") or {}).get("tenantId") or deps.settings.teams_tenant_id
    save_conversation(
        deps.store.db,
        conversation_id=created,
        service_url=str(activity["serviceUrl"]),
        tenant_id=str(tenant or ""),
        conversation_type="personal",
        bot_id=str((activity.get("recipient") or {}).get("id") or ""),
        now=deps.clock.now(),
        user_aad=str((activity.get("from") or {}).get("aadObjectId") or "").lower() or None,
    )
