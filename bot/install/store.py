"""slack_sdk's InstallationStore and OAuthStateStore, on the app's home database.

Bolt's OAuth flow saves an installation here after `oauth.v2.access`; its authorize step
finds one for each request; its token-revocation listeners delete one. Tokens are encrypted
on the way in and decrypted on the way out (crypto.py): the database never holds one.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from slack_sdk.oauth.installation_store import Bot, Installation, InstallationStore
from slack_sdk.oauth.state_store import OAuthStateStore

from bot.clock import Clock
from bot.install.crypto import TokenCipher
from storage import installations as rows
from storage.db import Store

log = logging.getLogger("reviewwatch.install")


def install_key(enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None) -> str:
    """What an installation is known by: the enterprise id for an org-wide install, else the team id."""
    key = enterprise_id if is_enterprise_install else team_id
    if not key:
        raise ValueError("an installation needs a team id (or an enterprise id when org-wide)")
    return key


class DatabaseInstallationStore(InstallationStore):
    """Installations in `slack_installations`, one per workspace or organization."""

    def __init__(self, store: Store, cipher: TokenCipher, clock: Clock) -> None:
        self.store = store
        self.cipher = cipher
        self.clock = clock
        # Called after each install is saved, with its key and installer (bot/tenancy: the
        # installer of a workspace with no admin becomes its admin).
        self.on_save: list[Callable[[str, str | None], None]] = []

    @property
    def logger(self) -> logging.Logger:
        return log

    # -- saving ---------------------------------------------------------------------------

    def save(self, installation: Installation) -> None:
        org = bool(installation.is_enterprise_install)
        key = install_key(installation.enterprise_id, installation.team_id, org)
        enc = self.cipher.encrypt
        row: dict[str, Any] = {
            "install_key": key,
            "enterprise_id": installation.enterprise_id,
            "enterprise_name": installation.enterprise_name,
            # An org-wide install has no team of its own, whatever Slack's answer named
            # (python-slack-sdk #1639): that team is one it was granted.
            "team_id": None if org else installation.team_id,
            "team_name": installation.enterprise_name if org else installation.team_name,
            "is_enterprise_install": 1 if org else 0,
            "app_id": installation.app_id,
            "bot_id": installation.bot_id,
            "bot_user_id": installation.bot_user_id,
            "bot_scopes": ",".join(installation.bot_scopes or []),
            "bot_token": enc(installation.bot_token),
            "bot_refresh_token": enc(installation.bot_refresh_token),
            "bot_token_expires_at": installation.bot_token_expires_at,
            "user_id": installation.user_id,
            "user_scopes": ",".join(installation.user_scopes or []),
            "user_token": enc(installation.user_token),
            "user_refresh_token": enc(installation.user_refresh_token),
            "user_token_expires_at": installation.user_token_expires_at,
            "token_type": installation.token_type,
        }
        db = self.store.db
        now = self.clock.now()
        with db.atomic():
            rows.save_installation(db, row, now)
            if org and installation.team_id:
                rows.change_granted_teams(db, key, add=[installation.team_id], at=now)
        log.info("installed in %s %s", "organization" if org else "workspace", key)
        for hook in self.on_save:
            hook(key, installation.user_id)

    def save_bot(self, bot: Bot) -> None:
        key = install_key(bot.enterprise_id, bot.team_id, bot.is_enterprise_install)
        self.save_tokens(key, bot.bot_token, bot.bot_refresh_token, bot.bot_token_expires_at)

    def save_tokens(self, key: str, token: str | None, refresh: str | None, expires_at: int | None) -> None:
        """A refreshed bot token (and its new refresh token) for installation `key`."""
        fields = {
            "bot_token": self.cipher.encrypt(token),
            "bot_refresh_token": self.cipher.encrypt(refresh),
            "bot_token_expires_at": expires_at,
        }
        rows.update_tokens(self.store.db, key, fields, self.clock.now())

    # -- finding --------------------------------------------------------------------------

    def installation_from_row(self, row: dict[str, Any]) -> Installation:
        dec = self.cipher.decrypt
        org = bool(row["is_enterprise_install"])
        return Installation(
            app_id=row["app_id"],
            enterprise_id=row["enterprise_id"],
            enterprise_name=row["enterprise_name"],
            team_id=row["team_id"],
            team_name=row["team_name"],
            bot_token=dec(row["bot_token"]),
            bot_id=row["bot_id"],
            bot_user_id=row["bot_user_id"],
            bot_scopes=row["bot_scopes"] or "",
            bot_refresh_token=dec(row["bot_refresh_token"]),
            bot_token_expires_at=row["bot_token_expires_at"],
            user_id=row["user_id"] or "",
            user_token=dec(row["user_token"]),
            user_scopes=row["user_scopes"] or "",
            user_refresh_token=dec(row["user_refresh_token"]),
            user_token_expires_at=row["user_token_expires_at"],
            is_enterprise_install=org,
            token_type=row["token_type"],
        )

    def check_key(self) -> None:
        """Decrypt one stored token, so that a wrong REVIEWWATCH_TOKEN_KEY stops start-up
        (TokenKeyError) instead of every request."""
        for row in rows.list_installations(self.store.db)[:1]:
            self.cipher.decrypt(row["bot_token"] or row["user_token"])

    def find_row(
        self, enterprise_id: str | None, team_id: str | None, org_first: bool = False
    ) -> dict[str, Any] | None:
        return rows.find_installation_row(self.store.db, enterprise_id, team_id, org_first=org_first)

    def find_by_key(self, key: str) -> Installation | None:
        row = rows.installation_by_key(self.store.db, key)
        return None if row is None else self.installation_from_row(row)

    def find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        # `is_enterprise_install` false is not trusted: some events say false for an org-wide
        # install (bolt-python #639, bolt-js #1778); the ids decide (storage/installations.py).
        # True puts the organization's install before a workspace's own.
        row = self.find_row(enterprise_id, team_id, org_first=bool(is_enterprise_install))
        if row is None or row["status"] != rows.STATUS_ACTIVE:
            return None  # never installed, or needs reinstalling: Bolt refuses the request
        if user_id is not None and row["user_id"] != user_id:
            return None  # only the installer's own token is kept
        return self.installation_from_row(row)

    def find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        installation = self.find_installation(enterprise_id=enterprise_id, team_id=team_id)
        return None if installation is None or installation.bot_token is None else installation.to_bot()

    # -- deleting -------------------------------------------------------------------------

    def _key_of(self, enterprise_id: str | None, team_id: str | None) -> str | None:
        row = self.find_row(enterprise_id, team_id)
        return None if row is None else str(row["install_key"])

    def delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        self.delete_all(enterprise_id=enterprise_id, team_id=team_id)

    def delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        key = self._key_of(enterprise_id, team_id)
        if key is None:
            return
        if user_id is None:
            rows.delete_installation_row(self.store.db, key)
        else:
            rows.clear_user_token(self.store.db, key, user_id, self.clock.now())

    def delete_all(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        key = self._key_of(enterprise_id, team_id)
        if key is not None and rows.delete_installation_row(self.store.db, key):
            log.info("credentials deleted for %s", key)


class DatabaseOAuthStateStore(OAuthStateStore):
    """The `state` of each install started at /slack/install, used up at the redirect."""

    def __init__(self, store: Store, clock: Clock, expiration_seconds: int = 600) -> None:
        self.store = store
        self.clock = clock
        self.expiration_seconds = expiration_seconds

    @property
    def logger(self) -> logging.Logger:
        return log

    def issue(self, *args: Any, **kwargs: Any) -> str:
        state = secrets.token_urlsafe(24)
        expires = self.clock.now() + timedelta(seconds=self.expiration_seconds)
        rows.issue_state(self.store.db, state, expires)
        return state

    def consume(self, state: str) -> bool:
        return rows.consume_state(self.store.db, state, self.clock.now())
