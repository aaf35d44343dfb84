"""Web API methods about who is calling: api.test, auth.test, apps.connections.open, and
the token exchanges of Add to Slack (oauth.v2.access) and Sign in with Slack
(openid.connect.token)."""

from __future__ import annotations

from tests.support.slack_emulator.state import EmulatorState
from tests.support.slack_emulator.wire import BOT_ID, BOT_USER_ID, TEAM_DOMAIN, TEAM_ID, Json, error, ok


class AuthMethods(EmulatorState):
    """api.test, auth.test, apps.connections.open, oauth.v2.access, openid.connect.token."""

    def _api_api_test(self, args: Json, token: str | None) -> Json:
        return ok(args={k: v for k, v in args.items() if k != "token"})

    def _api_auth_test(self, args: Json, token: str | None) -> Json:
        installed = self.oauth.identity(token)  # a token an "Add to Slack" install got
        if installed is not None:
            return installed
        url = f"https://{TEAM_DOMAIN}.slack.com/"
        return ok(
            url=url,
            team="Review Watch Test",
            user="reviewwatch",
            team_id=TEAM_ID,
            user_id=BOT_USER_ID,
            bot_id=BOT_ID,
            is_enterprise_install=False,
        )

    def _api_apps_connections_open(self, args: Json, token: str | None) -> Json:
        if not (token or "").startswith("xapp-"):
            return error("not_allowed_token_type")
        return ok(url=self.socket_url)

    def _api_oauth_v2_access(self, args: Json, token: str | None) -> Json:
        return self.oauth.access(args, self.calls[-1].headers.get("authorization", ""))

    def _api_openid_connect_token(self, args: Json, token: str | None) -> Json:
        # The client's credentials come as HTTP Basic auth (slack_sdk) or as form fields.
        headers = self.calls[-1].headers  # this call's, recorded under the lock just now
        return self.openid.exchange(args, headers.get("authorization", ""), self.base_url)
