"""The Slack emulator's "Add to Slack": the OAuth v2 authorize page and oauth.v2.access.

    emu.oauth.add_workspace("T0AAA", "Team A")
    emu.oauth.add_org("E0ORG", "The Org", first_team="T0ORG1")

GET /oauth/v2/authorize answers at once as if the person agreed: a 302 back to the
`redirect_uri` (or `redirect_url` when the link names none, as Slack uses the app's one
configured URL) with a fresh code and the `state`; the `team` query parameter picks the
workspace or organization that installs (`deny` answers error=access_denied instead).
oauth.v2.access turns a code into that installation's bot token, or, with
grant_type=refresh_token, a refresh token into a new pair (each refresh token works once;
`refused` ones answer invalid_grant). Tokens are told apart by team, so auth.test answers
for the installation a token belongs to, and a test can see which token a call used.
"""

from __future__ import annotations

import base64
import dataclasses
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

Json = dict[str, Any]

OAUTH_AUTHORIZE_PATH = "/oauth/v2/authorize"
OAUTH_CLIENT_ID = "3333.4444"
OAUTH_CLIENT_SECRET = "emulated-oauth-secret"
TOKEN_LIFETIME = 43_200  # seconds: Slack's rotating bot tokens last 12 hours


@dataclass
class Installer:
    """A workspace (or an organization, `org=True`) that can install the app."""

    key: str  # team id, or enterprise id for an organization
    name: str
    installer: str
    org: bool = False
    enterprise_id: str | None = None
    enterprise_name: str | None = None
    first_team: str | None = None  # for an org: the team Slack's answer names (#1639)

    @property
    def bot_user(self) -> str:
        return f"U0BOT{self.key[-4:]}"

    @property
    def bot_id(self) -> str:
        return f"B0BOT{self.key[-4:]}"


@dataclass
class OAuthProvider:
    client_id: str = OAUTH_CLIENT_ID
    client_secret: str = OAUTH_CLIENT_SECRET
    redirect_url: str | None = None
    rotation: bool = False  # token rotation on: tokens expire and come with refresh tokens
    deny: bool = False
    now: Any = None  # () -> seconds; None: time.time
    installers: dict[str, Installer] = field(default_factory=dict)
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    tokens: dict[str, Installer] = field(default_factory=dict)  # every bot token issued
    refresh_tokens: dict[str, Installer] = field(default_factory=dict)  # unused ones
    refused: set[str] = field(default_factory=set)  # installers whose refresh Slack refuses
    refreshes: list[str] = field(default_factory=list)  # refresh tokens spent, in order

    def add_workspace(
        self, team_id: str, name: str, installer: str = "U0INSTALL1", enterprise_id: str | None = None
    ) -> Installer:
        self.installers[team_id] = Installer(team_id, name, installer, enterprise_id=enterprise_id)
        return self.installers[team_id]

    def add_org(
        self, enterprise_id: str, name: str, first_team: str, installer: str = "W0ORGADMIN"
    ) -> Installer:
        org = Installer(
            enterprise_id,
            name,
            installer,
            org=True,
            enterprise_id=enterprise_id,
            enterprise_name=name,
            first_team=first_team,
        )
        self.installers[enterprise_id] = org
        return org

    def _seconds(self) -> int:
        import time

        return int(self.now() if self.now is not None else time.time())

    def authorize(self, query: dict[str, str]) -> tuple[int, dict[str, str], Json]:
        redirect = query.get("redirect_uri") or self.redirect_url or ""
        if query.get("client_id") != self.client_id:
            return 400, {}, {"ok": False, "error": "invalid_client_id"}
        installer = self.installers.get(query.get("team", ""))
        if installer is None or not redirect.startswith(("http://", "https://")):
            return 400, {}, {"ok": False, "error": "bad_request"}
        if self.deny:
            answer = {"error": "access_denied", "state": query.get("state", "")}
        else:
            code = f"{secrets.token_hex(4)}.{secrets.token_urlsafe(16)}"
            self.codes[code] = {
                "installer": installer,
                "redirect_uri": query.get("redirect_uri"),
                "scope": query.get("scope", ""),
                "used": False,
            }
            answer = {"code": code, "state": query.get("state", "")}
        separator = "&" if "?" in redirect else "?"
        return 302, {"Location": f"{redirect}{separator}{urlencode(answer)}"}, {}

    def _issue(self, installer: Installer) -> Json:
        token = f"xoxb-{installer.key}-{secrets.token_hex(8)}"
        self.tokens[token] = installer
        fields: Json = {"access_token": token, "token_type": "bot"}
        if self.rotation:
            refresh = f"xoxe-1-{installer.key}-{secrets.token_hex(8)}"
            self.refresh_tokens[refresh] = installer
            fields.update(refresh_token=refresh, expires_in=TOKEN_LIFETIME)
        return fields

    def access(self, args: Json, authorization: str) -> Json:
        client_id, client_secret = args.get("client_id"), args.get("client_secret")
        if authorization.startswith("Basic "):
            decoded = base64.b64decode(authorization[len("Basic ") :]).decode()
            client_id, _, client_secret = decoded.partition(":")
        if client_id != self.client_id or client_secret != self.client_secret:
            return {
                "ok": False,
                "error": "invalid_client_id" if client_id != self.client_id else "bad_client_secret",
            }
        if args.get("grant_type") == "refresh_token":
            return self._refresh(str(args.get("refresh_token")))
        grant = self.codes.get(str(args.get("code")))
        if grant is None or grant["used"]:
            return {"ok": False, "error": "invalid_code"}
        if args.get("redirect_uri") != grant["redirect_uri"]:
            return {"ok": False, "error": "bad_redirect_uri"}
        grant["used"] = True
        installer: Installer = grant["installer"]
        enterprise = (
            {"id": installer.enterprise_id, "name": installer.enterprise_name or installer.enterprise_id}
            if installer.enterprise_id
            else None
        )
        team_id = installer.first_team if installer.org else installer.key
        return {
            "ok": True,
            **self._issue(installer),
            "scope": grant["scope"],
            "bot_user_id": installer.bot_user,
            "app_id": "A0APPID",
            "team": {"id": team_id, "name": installer.name} if team_id else None,
            "enterprise": enterprise,
            "is_enterprise_install": installer.org,
            "authed_user": {"id": installer.installer},
        }

    def _refresh(self, refresh_token: str) -> Json:
        installer = self.refresh_tokens.pop(refresh_token, None)
        if installer is None or installer.key in self.refused:
            return {"ok": False, "error": "invalid_grant"}
        self.refreshes.append(refresh_token)
        return {"ok": True, **self._issue(installer), "team": {"id": installer.key}}

    def identity(self, token: str | None) -> Json | None:
        """auth.test's answer for a token this provider issued (None: not one of ours)."""
        installer = self.tokens.get(token or "")
        if installer is None:
            return None
        return {
            "ok": True,
            "url": f"https://{installer.key.lower()}.slack.com/",
            "team": installer.name,
            "user": "reviewwatch",
            "team_id": None if installer.org else installer.key,
            "user_id": installer.bot_user,
            "bot_id": installer.bot_id,
            "enterprise_id": installer.enterprise_id,
            "is_enterprise_install": installer.org,
        }


def oauth_mode_settings(settings: Any, api_url: str, token_key: str, **more: Any) -> Any:
    """`settings` switched to OAuth mode against the emulator at `api_url`: no bot token, the
    emulator's client id and secret, `token_key` for the stored tokens (and any `more`)."""
    return dataclasses.replace(
        settings,
        slack_bot_token=None,
        slack_client_id=OAUTH_CLIENT_ID,
        slack_client_secret=OAUTH_CLIENT_SECRET,
        token_keys=(token_key,),
        slack_api_url=api_url,
        **more,
    )
