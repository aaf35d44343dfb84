"""The Teams bot's listeners, registered on the SDK app by `register(app, deps)`.

They run after the SDK has authenticated the activity (handlers/http/teams_bot.py). Each
reads the activity, asks bot/teams/ for the answer (on a worker thread: the tracker is
read synchronously), and sends it through the SDK's context, which replies to the
conversation and service URL of the verified activity. An activity from another tenant
than ours is answered with nothing.

A message in a personal chat, a group chat or a channel (standard, private or shared),
with or without an @mention, is a command; an answer not ready within `typing_after`
seconds shows the typing indicator first.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx

from bot.deps import Deps
from bot.teams.reply import reply_activity

log = logging.getLogger("reviewwatch.teams")


def activity_json(activity: Any) -> dict[str, Any]:
    """The SDK's activity model as the JSON Teams sent (camelCase names)."""
    data: dict[str, Any] = activity.model_dump(by_alias=True, exclude_none=True, mode="json")
    return data


def from_our_tenant(deps: Deps, activity: dict[str, Any]) -> bool:
    tenant = (activity.get("conversation") or {}).get("tenantId") or (
        (activity.get("channelData") or {}).get("tenant") or {}
    ).get("id")
    ours = (deps.settings.teams_tenant_id or "").lower()
    if str(tenant or "").lower() != ours:
        log.warning("Teams bot: an activity from another tenant was ignored")
        return False
    return True


def message_input(reply: dict[str, Any]) -> Any:
    """Our reply Activity (a dict carrying Adaptive Cards) as the SDK's message input."""
    from microsoft_teams.api.activities.message.message import MessageActivityInput
    from microsoft_teams.api.models.attachment.attachment import Attachment

    message = MessageActivityInput(text=reply.get("text") or "")
    for item in reply.get("attachments") or []:
        message.add_attachments(Attachment(content_type=item["contentType"], content=item["content"]))
    return message


def register(app: Any, deps: Deps, *, typing_after: float) -> None:
    from microsoft_teams.api.activities.typing import TypingActivityInput

    from bot.teams.chat import chat_answer
    from bot.teams.conversations import remember_conversation

    def answer_and_remember(activity: dict[str, Any]) -> Any:
        try:
            remember_conversation(deps, activity)  # where alerts can reach it later
            return chat_answer(deps, activity)
        finally:
            deps.store.release()

    async def on_message(ctx: Any) -> None:
        activity = activity_json(ctx.activity)
        if not from_our_tenant(deps, activity):
            return
        work = asyncio.ensure_future(asyncio.to_thread(answer_and_remember, activity))
        done, _ = await asyncio.wait({work}, timeout=typing_after)
        if not done:
            await ctx.send(TypingActivityInput())
        answer = await work
        log.info("Teams bot: answered %s", answer.command)
        await ctx.send(message_input(answer.activity))

    app.on_message(on_message)
    app.on_card_action(card_action_listener(deps))
    dialog_open, dialog_submit = dialog_listeners(deps)
    app.on_dialog_open(dialog_open)
    app.on_dialog_submit(dialog_submit)


def dialog_listeners(deps: Deps) -> tuple[Any, Any]:
    """The admin forms as Teams dialogs: `task/fetch` opens one, `task/submit` saves it."""
    from bot.alerts import is_teams_admin
    from bot.teams.dialogs import open_dialog, submit_dialog, user_of

    def released(work: Any, *args: Any) -> Any:
        try:
            return work(*args)
        finally:
            deps.store.release()

    def data_of(activity: dict[str, Any]) -> dict[str, Any]:
        data = (activity.get("value") or {}).get("data")
        return data if isinstance(data, dict) else {}

    async def on_open(ctx: Any) -> dict[str, Any]:
        activity = activity_json(ctx.activity)
        if not from_our_tenant(deps, activity):
            return {"task": {"type": "message", "value": "Not this app's tenant."}}
        admin = is_teams_admin(deps, user_of(activity)[0])
        data = data_of(activity)
        result: dict[str, Any] = await asyncio.to_thread(released, open_dialog, deps, data, admin)
        return result

    async def on_submit(ctx: Any) -> dict[str, Any]:
        activity = activity_json(ctx.activity)
        if not from_our_tenant(deps, activity):
            return {"task": {"type": "message", "value": "Not this app's tenant."}}
        aad, name = user_of(activity)
        admin = is_teams_admin(deps, aad)
        answer, confirmation = await asyncio.to_thread(
            released, submit_dialog, deps, data_of(activity), name, admin
        )
        if confirmation is not None:
            await ctx.send(message_input(reply_activity(confirmation)))
        result: dict[str, Any] = answer
        return result

    return on_open, on_submit


def _told(text: str) -> dict[str, Any]:
    """An invoke's answer: a message shown to the presser."""
    return {"statusCode": 200, "type": "application/vnd.microsoft.activity.message", "value": text}


def _refreshed(card: dict[str, Any]) -> dict[str, Any]:
    """An invoke's answer: the card, refreshed for the presser."""
    return {"statusCode": 200, "type": "application/vnd.microsoft.card.adaptive", "value": card}


def _invoke_error(message: str) -> dict[str, Any]:
    return {
        "statusCode": 400,
        "type": "application/vnd.microsoft.error",
        "value": {"code": "BadRequest", "message": message},
    }


def card_action_listener(deps: Deps) -> Any:
    """A press of a card's Action.Execute button (`adaptiveCard/action` invoke)."""
    from bot.alerts import acknowledge_from_teams, is_teams_admin, mute_from_teams
    from bot.teams.conversations import conversation_id

    remind = remind_listener(deps)

    def acknowledge(activity: dict[str, Any], key: str) -> Any:
        try:
            return acknowledge_from_teams(
                deps,
                key=key,
                conversation_id=conversation_id(activity),
                user_name=str((activity.get("from") or {}).get("name") or "someone in Teams"),
            )
        finally:
            deps.store.release()

    def mute(activity: dict[str, Any], verb: str, key: str, until: Any) -> Any:
        sender = activity.get("from") or {}
        try:
            return mute_from_teams(
                deps,
                verb=verb,
                key=key,
                conversation_id=conversation_id(activity),
                admin=is_teams_admin(deps, str(sender.get("aadObjectId") or "")),
                until=until if isinstance(until, str) and until else None,
                actor=str(sender.get("name") or "someone in Teams"),
            )
        finally:
            deps.store.release()

    def unmute(activity: dict[str, Any], mute_id: Any) -> tuple[bool, Any]:
        from bot.teams.alerts_card import unmute_answer

        try:
            return unmute_answer(deps, activity, mute_id)
        finally:
            deps.store.release()

    async def on_card_action(ctx: Any) -> dict[str, Any]:
        activity = activity_json(ctx.activity)
        if not from_our_tenant(deps, activity):
            return _invoke_error("Not this app's tenant.")
        action = (activity.get("value") or {}).get("action") or {}
        data = action.get("data") or {}
        key = data.get("key")
        if action.get("verb") == "unmute":
            lifted, shown = await asyncio.to_thread(unmute, activity, data.get("mute_id"))
            return _refreshed(shown) if lifted else _told(shown)
        if action.get("verb") == "remind" and isinstance(key, str):
            return _told(await remind(ctx, activity, key, str(data.get("choice") or "")))
        if action.get("verb") in ("mute_form", "mute") and isinstance(key, str):
            shown = await asyncio.to_thread(mute, activity, str(action["verb"]), key, data.get("mute_until"))
            return _told(shown) if isinstance(shown, str) else _refreshed(shown)
        if action.get("verb") != "acknowledge" or not isinstance(key, str):
            return _invoke_error("Unknown action.")
        result = await asyncio.to_thread(acknowledge, activity, key)
        if isinstance(result, str):
            return _told(result)
        envelope, _row = result
        if activity.get("replyToId"):  # everyone sees who acknowledged: the posted card is replaced
            update = message_input(envelope)
            update.id = activity["replyToId"]
            await ctx.send(update)
        return _refreshed(envelope["attachments"][0]["content"])

    return on_card_action


def remind_listener(deps: Deps) -> Any:
    """ "Remind me" on a bot card: the reminder goes to the presser's personal chat with the
    bot. Someone who never wrote to the bot has none yet: the bot creates it (the Bot
    Connector's `POST {serviceUrl}/v3/conversations` with the member and the tenant, at the
    verified activity's service URL) and remembers it; if Teams refuses, the presser is told."""
    from bot.alerts import remind_from_teams
    from bot.teams.conversations import conversation_id, personal_chat_request, remember_personal_chat

    def remind(activity: dict[str, Any], key: str, choice: str) -> str | None:
        try:
            return remind_from_teams(
                deps,
                key=key,
                choice=choice,
                conversation_id=conversation_id(activity),
                user_aad=str((activity.get("from") or {}).get("aadObjectId") or "").lower(),
            )
        finally:
            deps.store.release()

    def remember(activity: dict[str, Any], created: str) -> None:
        try:
            remember_personal_chat(deps, activity, created)
        finally:
            deps.store.release()

    async def on_remind(ctx: Any, activity: dict[str, Any], key: str, choice: str) -> str:
        told = await asyncio.to_thread(remind, activity, key, choice)
        if told is not None:
            return told
        url = f"{str(activity['serviceUrl']).rstrip('/')}/v3/conversations"
        try:
            response = await ctx.api.conversations.http.post(url, json=personal_chat_request(activity))
            created = str(response.json().get("id") or "")
        except httpx.HTTPStatusError as exc:
            log.warning("Teams bot: creating a personal chat was refused (%s)", exc.response.status_code)
            return refused_chat_text(f"HTTP {exc.response.status_code}")
        except httpx.HTTPError as exc:
            log.warning("Teams bot: creating a personal chat failed (%s)", type(exc).__name__)
            return refused_chat_text(type(exc).__name__)
        if not created:
            return refused_chat_text("no conversation id")
        await asyncio.to_thread(remember, activity, created)
        return await asyncio.to_thread(remind, activity, key, choice) or refused_chat_text("not kept")

    return on_remind


def refused_chat_text(why: str) -> str:
    return (
        f"Teams would not let me open a personal chat with you ({why}), so I cannot remind you. "
        "Open Review Watch in Teams (Apps, then Review Watch), say hello, and press Remind me again."
    )
