"""Alerts through the Teams bot: proactive posts to the conversations it is in, edits in place.

A subscription whose target is `bot:<conversation id>` (target type `teams`, beside the
Workflows webhooks' names) is delivered by the bot through the Bot Connector REST API, the
calls the Teams SDK makes for a proactive message (`POST /v3/conversations/{id}/activities`)
and an update (`PUT /v3/conversations/{id}/activities/{activityId}`). Alert delivery runs on
the sweep's worker threads, synchronously, so it makes those two calls itself with httpx
rather than through the SDK's asyncio app, which lives with the HTTP server.

The service URL is the one stored from the conversation's latest verified activity
(storage/teams.py), never one from configuration or a request. The bot's token comes from
the Entra token endpoint for its tenant (client credentials), cached until near expiry.
The posted activity's id is the outcome's `ts`, so the ledger can find the card to edit and
the reply chain to follow up in. Teams cannot be read back: as with the webhooks, a retry
after a post whose answer was lost cannot check for it first.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.alerts.alert import Alert
from bot.alerts.sending import OUTCOME_FAILED, OUTCOME_PERMANENT, OUTCOME_SENT, Outcome, Pacer, Sleep, Thread
from bot.alerts.teams_bot_subscriptions import BOT_TARGET_PREFIX, is_bot_target
from bot.settings import Settings

if TYPE_CHECKING:
    import httpx

BOT_SCOPE = "https://api.botframework.com/.default"
USER_AGENT = "ReviewWatch/0.1 (+teams-bot)"
Lookup = Callable[[str], dict[str, Any] | None]


class BotTokens:
    """The bot's outbound token (thread-safe), as handlers/http/teams_bot.py's for the SDK."""

    def __init__(self, settings: Settings, client: httpx.Client) -> None:
        self._url = f"{settings.teams_login_url}/{settings.teams_tenant_id}/oauth2/v2.0/token"
        self._form = {
            "grant_type": "client_credentials",
            "client_id": settings.teams_app_id or "",
            "client_secret": settings.teams_app_password or "",
            "scope": BOT_SCOPE,
        }
        self._client = client
        self._token: str | None = None
        self._expires = 0.0
        self._lock = threading.Lock()

    def get(self) -> str:
        with self._lock:
            if self._token is None or time.monotonic() >= self._expires:
                response = self._client.post(self._url, data=self._form)
                response.raise_for_status()
                payload = response.json()
                self._token = str(payload["access_token"])
                self._expires = time.monotonic() + max(60, int(payload.get("expires_in", 3600)) - 300)
            return self._token


class TeamsBotSender:
    """Posts alert cards to the conversations the bot is in, and edits them in place."""

    target_type = "teams"

    def __init__(
        self,
        settings: Settings,
        lookup: Lookup,
        *,
        client: httpx.Client | None = None,
        min_interval: float = 1.0,
        sleep: Sleep = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        import httpx

        self.settings = settings
        self._lookup = lookup
        self._own_client = client is None
        self.client = client or httpx.Client(
            timeout=httpx.Timeout(15.0, connect=5.0), headers={"User-Agent": USER_AGENT}
        )
        self.tokens = BotTokens(settings, self.client)
        self._pacer = Pacer(min_interval, sleep, monotonic)

    def close(self) -> None:
        if self._own_client:
            self.client.close()

    def send(
        self, alert: Alert, now: datetime, *, check_existing: bool, thread: Thread | None = None
    ) -> Outcome:
        conversation = alert.target.removeprefix(BOT_TARGET_PREFIX)
        in_chain = self.reply_chain(conversation, thread.ts) if thread is not None else None
        from bot.alerts.teams_bot_actions import bot_alert_card

        outcome = self.post(conversation, bot_alert_card(alert, now, self.settings), in_chain=in_chain)
        return outcome

    def _call(self, method: str, url: str, activity: dict[str, Any]) -> Outcome:
        import httpx

        try:
            token = self.tokens.get()
            response = self.client.request(
                method, url, json=activity, headers={"Authorization": f"Bearer {token}"}
            )
        except httpx.HTTPStatusError as exc:  # the token request was refused
            return Outcome(OUTCOME_PERMANENT, f"token refused: HTTP {exc.response.status_code}")
        except httpx.TransportError as exc:
            return Outcome(OUTCOME_FAILED, f"connection error: {type(exc).__name__}")
        status = response.status_code
        if 200 <= status < 300:
            body = response.json() if response.content else {}
            return Outcome(OUTCOME_SENT, ts=str(body.get("id") or "") or None)
        error = f"HTTP {status}: {response.text[:200]}".strip()
        if status in (408, 429) or status >= 500:
            header = response.headers.get("Retry-After")
            retry = float(header) if header and header.strip().isdigit() else None
            return Outcome(OUTCOME_FAILED, error, retry_after=retry)
        return Outcome(OUTCOME_PERMANENT, error)  # removed from the conversation, or forbidden

    def _base(self, conversation: str) -> str | None:
        ref = self._lookup(conversation)
        return str(ref["service_url"]).rstrip("/") if ref else None

    def post(self, conversation: str, envelope: dict[str, Any], *, in_chain: str | None = None) -> Outcome:
        """Post a card to the conversation (or into a reply chain of it)."""
        base = self._base(conversation)
        if base is None:
            return Outcome(OUTCOME_PERMANENT, "the bot has no record of this Teams conversation")
        target = in_chain or conversation
        self._pacer.wait(conversation)
        try:
            outcome = self._call("POST", f"{base}/v3/conversations/{target}/activities", envelope)
        finally:
            self._pacer.done(conversation)
        if outcome.status == OUTCOME_SENT:
            return Outcome(OUTCOME_SENT, channel=BOT_TARGET_PREFIX + conversation, ts=outcome.ts)
        return outcome

    def reply_chain(self, conversation: str, root: str) -> str | None:
        """Where a follow-up to the post `root` goes: its reply chain in a channel; in a chat
        (no reply chains), None: after it."""
        ref = self._lookup(conversation)
        return f"{conversation};messageid={root}" if ref and ref["conversation_type"] == "channel" else None

    def edit(self, conversation: str, activity_id: str, envelope: dict[str, Any]) -> Outcome:
        """Replace a posted card (doing it twice is harmless)."""
        base = self._base(conversation.split(";messageid=", 1)[0])
        if base is None:
            return Outcome(OUTCOME_PERMANENT, "the bot has no record of this Teams conversation")
        activity = {**envelope, "id": activity_id}
        self._pacer.wait(conversation)
        try:
            return self._call(
                "PUT", f"{base}/v3/conversations/{conversation}/activities/{activity_id}", activity
            )
        finally:
            self._pacer.done(conversation)


class TeamsRouter:
    """The `teams` sender: bot conversations to the bot, named webhooks to the webhook sender."""

    target_type = "teams"

    def __init__(self, bot: TeamsBotSender, webhooks: Any | None) -> None:
        self.bot = bot
        self.webhooks = webhooks

    def send(
        self, alert: Alert, now: datetime, *, check_existing: bool, thread: Thread | None = None
    ) -> Outcome:
        if is_bot_target(alert.target):
            return self.bot.send(alert, now, check_existing=check_existing, thread=thread)
        if self.webhooks is None:
            return Outcome(OUTCOME_PERMANENT, f"Teams webhook {alert.target!r} is not configured")
        result: Outcome = self.webhooks.send(alert, now, check_existing=check_existing)
        return result

    def close(self) -> None:
        self.bot.close()
        if self.webhooks is not None:
            self.webhooks.close()


def teams_senders(settings: Settings, store: Any, webhooks: Any | None) -> TeamsRouter:
    """The `teams` sender when the bot is on: it reads each conversation's stored reference."""
    from storage.teams import get_conversation

    def lookup(conversation: str) -> dict[str, Any] | None:
        try:
            return get_conversation(store.db, conversation)
        finally:
            store.release()  # a delivery thread's connection goes back after each read

    return TeamsRouter(TeamsBotSender(settings, lookup), webhooks)
