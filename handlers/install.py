"""OAuth mode's Bolt side: the "Add to Slack" flow, in the app's own words.

`build_oauth(deps, client)` makes the pieces Bolt's App takes in OAuth mode: an OAuthFlow
(Bolt's default paths /slack/install and /slack/oauth_redirect, state checked against the
browser's cookie and the database), an authorize step that refreshes tokens once
(tokens.py), and the installed tokens for jobs. `register_install_listeners` handles the
events that change an installation: app_uninstalled and tokens_revoked (Bolt's own
credential deletion, then the `on_uninstall` callback), team_access_granted/revoked.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse
from slack_bolt.authorization.authorize import InstallationStoreAuthorize
from slack_bolt.listener.builtins import TokenRevocationListeners
from slack_bolt.oauth import OAuthFlow
from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import Installation

from bot.deps import Deps
from bot.install.crypto import TokenCipher, TokenKeyError
from bot.install.store import DatabaseInstallationStore, DatabaseOAuthStateStore, install_key
from bot.install.tokens import InstalledTokens
from bot.ops.startup import StartupError
from bot.tenancy import home_store
from storage import installations as rows

log = logging.getLogger("reviewwatch.install")

OnUninstall = Callable[[str | None, str | None], None]  # (team_id, enterprise_id)
NOT_INSTALLED = (
    "Review Watch is not installed in this workspace (or needs installing again). "
    "Ask a workspace admin to add it with the app's Add to Slack link."
)
STATE_SECONDS = 600  # an install started at /slack/install must finish within ten minutes


def no_uninstall_work(team_id: str | None, enterprise_id: str | None) -> None:
    """The default on_uninstall: nothing beyond deleting the credentials."""


def _page(title: str, paragraphs: list[str], status: int) -> BoltResponse:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    text = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)} - Review Watch</title></head>"
        f"<body><main><h1>{html.escape(title)}</h1>{body}</main></body></html>"
    )
    return BoltResponse(status=status, body=text, headers={"Content-Type": "text/html; charset=utf-8"})


def install_page(url: str) -> str:
    link = html.escape(url, quote=True)
    return _page(
        "Add Review Watch to Slack",
        [
            "Review Watch tracks which frontier AI developers signed pre-release review "
            "agreements, their deadlines and review windows, and posts alerts to your channels.",
            f'<a href="{link}">Add to Slack</a>',
            "Slack asks you to pick the workspace and to allow what Review Watch needs; "
            "you come back here when it is done.",
        ],
        200,
    ).body


def success_page(args: SuccessArgs) -> BoltResponse:
    installation = args.installation
    where = installation.enterprise_name if installation.is_enterprise_install else installation.team_name
    return _page(
        "Review Watch is installed",
        [
            f"Review Watch is now in {html.escape(where or 'your workspace')}. What happens next:",
            "1. Invite the bot to a channel that should hear about deadlines and status changes: "
            "type <code>/invite @Review Watch</code> there.",
            "2. In that channel, run <code>/aireview subscribe</code> to choose its alerts.",
            "3. Try <code>/holdouts</code> or <code>/deadlines</code>, or open Review Watch's App Home.",
            "You are the first admin of Review Watch in this workspace: you can change its tracker and "
            "add other admins with <code>/aireview admins add @someone</code>.",
        ],
        200,
    )


FAILURE_REASONS = {
    "access_denied": "the install was cancelled in Slack, so nothing changed.",
    "invalid_browser": "this browser did not start the install (its install cookie is missing).",
    "invalid_state": "the install link had expired or was already used.",
    "invalid_code": "Slack did not accept the install code.",
    "storage_error": "the installation could not be saved.",
}


def failure_page(args: FailureArgs) -> BoltResponse:
    reason = FAILURE_REASONS.get(args.reason, "Slack reported a problem.")
    return _page(
        "Review Watch was not installed",
        [
            f"Review Watch was not installed: {html.escape(reason)}",
            '<a href="/slack/install">Start again from the install page</a>; it takes a minute.',
        ],
        args.suggested_status_code,
    )


class ReviewWatchOAuthFlow(OAuthFlow):
    """Bolt's OAuthFlow with the install page in our words."""

    def build_install_page_html(self, url: str, request: BoltRequest) -> str:
        return install_page(url)


class SingleFlightAuthorize(InstallationStoreAuthorize):
    """Bolt's installation-store authorize step; a token about to expire is refreshed
    through InstalledTokens (once, under a lock), not by each request on its own."""

    def __init__(self, tokens: InstalledTokens, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.tokens = tokens

    def _rotate_and_save_tokens_if_necessary(self, installation: Installation | None) -> Installation | None:
        if installation is None or installation.bot_refresh_token is None:
            return None
        fresh = self.tokens.fresh(installation)
        return None if fresh is None or fresh is installation else fresh


@dataclass
class OAuthParts:
    flow: ReviewWatchOAuthFlow
    authorize: SingleFlightAuthorize
    installations: DatabaseInstallationStore
    tokens: InstalledTokens


def build_oauth(deps: Deps, client: WebClient) -> OAuthParts:
    """Everything Bolt needs for OAuth mode (settings.oauth_mode must be on)."""
    settings = deps.settings
    assert settings.slack_client_id and settings.slack_client_secret and settings.token_keys
    home = home_store(deps.store)  # installations are the home database's, whichever workspace asks
    installations = DatabaseInstallationStore(home, TokenCipher(settings.token_keys), deps.clock)
    try:
        installations.check_key()
    except TokenKeyError as exc:
        raise StartupError(str(exc)) from None
    tokens = InstalledTokens(
        installations,
        client,
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        clock=deps.clock,
    )
    oauth_settings = OAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        scopes=list(settings.slack_scopes),
        redirect_uri=f"{settings.public_url}/slack/oauth_redirect" if settings.public_url else None,
        authorization_url=settings.slack_authorize_url,
        installation_store=installations,
        state_store=DatabaseOAuthStateStore(home, deps.clock, STATE_SECONDS),
        state_expiration_seconds=STATE_SECONDS,
        callback_options=CallbackOptions(success=success_page, failure=failure_page),
        logger=logging.getLogger("reviewwatch.bolt.oauth"),
    )
    flow = ReviewWatchOAuthFlow(
        client=client, logger=logging.getLogger("reviewwatch.bolt.oauth"), settings=oauth_settings
    )
    authorize = SingleFlightAuthorize(
        tokens,
        logger=logging.getLogger("reviewwatch.bolt.authorize"),
        installation_store=installations,
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        client=client,
        # One auth.test per token, not per request: a deleted installation is not found
        # before the cache is looked at, and a refreshed token is a new key.
        cache_enabled=True,
    )
    return OAuthParts(flow, authorize, installations, tokens)


def register_install_listeners(
    app: App, installations: DatabaseInstallationStore, on_uninstall: OnUninstall
) -> None:
    """Uninstall and revocation delete the credentials, then call `on_uninstall`; an
    org-wide install's granted workspaces are kept in step."""
    builtin = TokenRevocationListeners(installations)

    def app_uninstalled(ack: Callable[[], None], context: BoltContext) -> None:
        ack()
        if context.is_enterprise_install and context.enterprise_id:
            # An org-wide uninstall may name one of its workspaces too: that workspace's own
            # install (if it has one) stays.
            rows.delete_installation_row(installations.store.db, context.enterprise_id)
            on_uninstall(None, context.enterprise_id)
            return
        builtin.handle_app_uninstalled_events(context)
        on_uninstall(context.team_id, context.enterprise_id)

    def tokens_revoked(ack: Callable[[], None], event: dict[str, Any], context: BoltContext) -> None:
        ack()
        builtin.handle_tokens_revoked_events(event, context)
        if (event.get("tokens") or {}).get("bot"):  # without its bot the workspace is gone
            on_uninstall(context.team_id, context.enterprise_id)

    def team_access(ack: Callable[[], None], event: dict[str, Any], context: BoltContext) -> None:
        ack()
        row = installations.find_row(context.enterprise_id, None)
        if row is None or not row["is_enterprise_install"]:
            return
        teams = [str(t) for t in event.get("team_ids") or []]
        key = install_key(context.enterprise_id, None, True)
        granted = event.get("type") == "team_access_granted"
        change = {"add": teams} if granted else {"remove": teams}
        rows.change_granted_teams(installations.store.db, key, at=installations.clock.now(), **change)
        log.info("organization %s %s workspaces %s", key, "granted" if granted else "lost", ",".join(teams))

    app.event("app_uninstalled")(app_uninstalled)
    app.event("tokens_revoked")(tokens_revoked)
    app.event("team_access_granted")(team_access)
    app.event("team_access_revoked")(team_access)


def install_routes(flow: OAuthFlow) -> list[tuple[str, tuple[str, ...], Callable[[dict[str, Any]], Any]]]:
    """GET /slack/install (the page with the Add to Slack link, setting the state cookie)
    and GET /slack/oauth_redirect (where Slack sends the browser back), for
    handlers/http/routes.py: (path, methods, environ -> (status, headers, body))."""
    from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest

    def answer(environ: dict[str, Any], handle: Callable[[BoltRequest], BoltResponse]) -> Any:
        request = WsgiHttpRequest(environ)
        bolt_request = BoltRequest(body="", query=request.query_string, headers=request.get_headers())
        response = handle(bolt_request)
        headers = {name: values[0] for name, values in response.headers.items() if values}
        headers["Cache-Control"] = "no-store"
        return response.status, headers, response.body.encode("utf-8")

    return [
        (flow.install_path, ("GET",), lambda environ: answer(environ, flow.handle_installation)),
        (flow.redirect_uri_path, ("GET",), lambda environ: answer(environ, flow.handle_callback)),
    ]
