"""Each installed workspace's bot token, refreshed once when token rotation is on.

With rotation on (the manifest's `token_rotation_enabled`), a bot token lasts 12 hours and
comes with a refresh token that works once. When the scheduler and a listener (or two
processes) find the token about to expire at the same moment, only one may spend the
refresh token: the refresh happens under a lock (storage/installations.py refresh_lock),
and whoever waited reads the stored token again instead of refreshing it a second time.

A refused refresh (`invalid_grant`: the app was reinstalled or its tokens revoked) marks the
installation as needing reinstall, tells its installer by direct message while the old token
still works, and leaves the stored tokens as they were.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.oauth.installation_store import Installation

from bot.clock import Clock
from bot.install.store import DatabaseInstallationStore, install_key
from storage import installations as rows
from storage.installations import refresh_lock

log = logging.getLogger("reviewwatch.install")

# Refresh this long before a token expires (Bolt's default: token_rotation_expiration_minutes).
REFRESH_AHEAD_MINUTES = 120
# oauth.v2.access errors that mean the refresh token will never work again.
REFUSED = frozenset({"invalid_grant", "invalid_refresh_token", "token_revoked", "invalid_client_id"})
REINSTALL_NOTE = "Slack refused to refresh the bot token ({error}): reinstall from /slack/install"
REINSTALL_MESSAGE = (
    "Review Watch can no longer refresh its access to this workspace (Slack said `{error}`), so "
    "alerts and commands will stop when the current token expires. Please install it again from "
    "the app's Add to Slack page; subscriptions and settings are kept."
)


class InstalledTokens:
    """bot/tenancy/tokens.py's BotTokens from the installation store, refreshing a token
    about to expire once."""

    def __init__(
        self,
        installations: DatabaseInstallationStore,
        client: WebClient,
        *,
        client_id: str,
        client_secret: str,
        clock: Clock,
        ahead_minutes: int = REFRESH_AHEAD_MINUTES,
        notify: Callable[[Installation, str], None] | None = None,
    ) -> None:
        self.installations = installations
        self.client = client  # for oauth.v2.access (SLACK_API_URL)
        self.client_id = client_id
        self.client_secret = client_secret
        self.clock = clock
        self.ahead_minutes = ahead_minutes
        self.notify = notify or self.tell_installer

    def bot_token(self, *, team_id: str | None, enterprise_id: str | None) -> str | None:
        installation = self.installations.find_installation(enterprise_id=enterprise_id, team_id=team_id)
        if installation is None or installation.bot_token is None:
            return None
        fresh = self.fresh(installation)
        return None if fresh is None else fresh.bot_token

    def expiring(self, installation: Installation) -> bool:
        expires_at = installation.bot_token_expires_at
        if installation.bot_refresh_token is None or expires_at is None:
            return False
        return int(expires_at) <= self.clock.now().timestamp() + self.ahead_minutes * 60

    def fresh(self, installation: Installation) -> Installation | None:
        """`installation` itself when its bot token is good for a while; else the stored one
        after a refresh (this caller's or another's); None when Slack refused to refresh."""
        if not self.expiring(installation):
            return installation
        key = install_key(
            installation.enterprise_id, installation.team_id, installation.is_enterprise_install
        )
        with refresh_lock(self.installations.store, key):
            current = self.installations.find_by_key(key)  # another may have refreshed it meanwhile
            if current is None:
                return None
            if not self.expiring(current):
                return current
            return self._refresh(key, current)

    def _refresh(self, key: str, current: Installation) -> Installation | None:
        try:
            answer = self.client.oauth_v2_access(
                client_id=self.client_id,
                client_secret=self.client_secret,
                grant_type="refresh_token",
                refresh_token=current.bot_refresh_token,
            )
        except SlackApiError as exc:
            error = str(exc.response.get("error") if exc.response is not None else "unknown")
            if error not in REFUSED:
                log.warning("token refresh for %s failed (%s); will try again", key, error)
                return current
            self._needs_reinstall(key, current, error)
            return None
        except (SlackClientError, OSError) as exc:
            log.warning("token refresh for %s failed (%s); will try again", key, type(exc).__name__)
            return current
        now = int(self.clock.now().timestamp())
        expires_in = answer.get("expires_in")
        expires_at = now + int(expires_in) if expires_in is not None else None
        token, refresh = answer.get("access_token"), answer.get("refresh_token")
        self.installations.save_tokens(key, token, refresh, expires_at)
        log.info("bot token refreshed for %s", key)
        return self.installations.find_by_key(key)

    def _needs_reinstall(self, key: str, current: Installation, error: str) -> None:
        db = self.installations.store.db
        rows.set_status(
            db, key, rows.STATUS_NEEDS_REINSTALL, REINSTALL_NOTE.format(error=error), self.clock.now()
        )
        log.warning("Slack refused to refresh the bot token of %s (%s): it needs reinstalling", key, error)
        try:
            self.notify(current, error)
        except (SlackApiError, SlackClientError, OSError) as exc:
            log.warning("could not tell the installer of %s (%s)", key, type(exc).__name__)

    def tell_installer(self, installation: Installation, error: str) -> None:
        """A direct message to whoever installed the app, with the token that still works."""
        if installation.user_id and installation.bot_token:
            self.client.chat_postMessage(
                token=installation.bot_token,
                channel=installation.user_id,
                text=REINSTALL_MESSAGE.format(error=error),
            )
