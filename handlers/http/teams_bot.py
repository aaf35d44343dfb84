"""`POST /api/messages`: the Teams bot, on Microsoft's Teams SDK for Python, inside our server.

The SDK (`microsoft-teams-apps`) is asynchronous and brings its own FastAPI server; we keep
our one waitress server instead. The SDK lets an app plug in any HTTP framework through an
`HttpServerAdapter`: ours (`_WsgiAdapter`) keeps the SDK's route handler, and the WSGI route
hands each request to it on one asyncio loop running in a thread of its own. Everything the
SDK does to a request is its own code: the Bot Framework JWT check (signature against the
keys the OpenID metadata publishes, issuer `https://api.botframework.com`, audience our app
id, the token's `serviceurl` equal to the activity's), then routing to our listeners
(handlers/teams_bot.py). A request that fails the check gets 401 before any listener runs.

Settings decide the endpoints, never the process environment: the SDK would otherwise read
`DANGEROUSLY_ALLOW_UNAUTHENTICATED_REQUESTS`, `CLOUD` and `SERVICE_URL`, and we pass each
explicitly (unauthenticated requests: never).

Outbound tokens: the SDK asks MSAL for them, and MSAL accepts only an https authority it
has checked against login.microsoftonline.com. We give the SDK a token provider instead
(its `token` option): the OAuth client-credentials request Microsoft documents for bots,
to REVIEWWATCH_TEAMS_LOGIN_URL for our tenant, cached until five minutes before expiry.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections.abc import Awaitable
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TYPE_CHECKING, Any

import httpx

from bot.deps import Deps
from handlers.http.bodies import BodyTooLarge, note_refusal, read_capped_body

log = logging.getLogger("reviewwatch.teams")

PATH_API_MESSAGES = "/api/messages"
MAX_BODY_BYTES = 512 * 1024  # an activity is at most about 40 KB with its card; leave room
REQUEST_TIMEOUT = 25.0  # seconds; Teams waits 15 for an invoke's answer, a message's is not shown
BOT_SCOPE = "https://api.botframework.com/.default"

if TYPE_CHECKING:
    from microsoft_teams.apps.http.adapter import HttpMethod, HttpRouteHandler

Response = tuple[int, dict[str, str], bytes]


def _response(status: int, body: Any) -> Response:
    payload = b"" if body is None else json.dumps(body).encode()
    headers = {"Cache-Control": "no-store"}
    if body is not None:
        headers["Content-Type"] = "application/json; charset=utf-8"
    return status, headers, payload


class _WsgiAdapter:
    """The SDK's HttpServerAdapter, for our server: it only keeps the route the SDK registers."""

    def __init__(self) -> None:
        self.routes: dict[str, HttpRouteHandler] = {}

    def register_route(self, method: HttpMethod, path: str, handler: HttpRouteHandler) -> None:
        self.routes[path] = handler

    def serve_static(self, path: str, directory: str) -> None:  # no tabs or pages served
        pass

    async def start(self, port: int) -> None:
        raise NotImplementedError("our waitress server serves /api/messages")

    async def stop(self) -> None:
        pass


class ConnectorTokens:
    """The bot's outbound token (client credentials for the Bot Framework scope), cached."""

    def __init__(self, login_url: str, tenant_id: str, app_id: str, password: str) -> None:
        self._url = f"{login_url}/{tenant_id}/oauth2/v2.0/token"
        self._form = {
            "grant_type": "client_credentials",
            "client_id": app_id,
            "client_secret": password,
            "scope": BOT_SCOPE,
        }
        self._token: str | None = None
        self._expires = 0.0
        self._lock = asyncio.Lock()

    async def __call__(self, scope: str | list[str], tenant_id: str | None = None) -> str:
        async with self._lock:
            if self._token is None or time.monotonic() >= self._expires:
                async with httpx.AsyncClient(timeout=httpx.Timeout(10.0)) as client:
                    response = await client.post(self._url, data=self._form)
                if response.status_code != 200:
                    log.error("Teams bot: the token request was refused (%s)", response.status_code)
                    response.raise_for_status()
                payload = response.json()
                self._token = str(payload["access_token"])
                self._expires = time.monotonic() + max(60, int(payload.get("expires_in", 3600)) - 300)
            return self._token


class TeamsBot:
    """The SDK app and the loop it runs on; `response(environ)` answers one POST."""

    def __init__(self, deps: Deps, *, typing_after: float = 0.4) -> None:
        from microsoft_teams.api.auth.cloud_environment import PUBLIC, with_overrides
        from microsoft_teams.apps import App

        from handlers.teams_bot import register

        settings = deps.settings
        assert settings.teams_app_id and settings.teams_app_password and settings.teams_tenant_id
        self.deps = deps
        self._adapter = _WsgiAdapter()
        cloud = with_overrides(
            PUBLIC, login_endpoint=settings.teams_login_url, openid_metadata_url=settings.teams_openid_url
        )
        self.tokens = ConnectorTokens(
            settings.teams_login_url,
            settings.teams_tenant_id,
            settings.teams_app_id,
            settings.teams_app_password,
        )
        self.app = App(
            client_id=settings.teams_app_id,
            tenant_id=settings.teams_tenant_id,
            token=self.tokens,
            cloud=cloud,
            http_server_adapter=self._adapter,
            messaging_endpoint=PATH_API_MESSAGES,
            dangerously_allow_unauthenticated_requests=False,
            service_url="https://smba.trafficmanager.net/teams",
            state=False,
        )
        register(self.app, deps, typing_after=typing_after)
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="teams-bot", daemon=True)
        self._thread.start()
        self.run(self.app.initialize())

    def run(self, coroutine: Awaitable[Any], timeout: float = REQUEST_TIMEOUT) -> Any:
        """Run a coroutine on the bot's loop from a server thread, and wait for it."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)  # type: ignore[arg-type]

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)

    def response(self, environ: dict[str, Any]) -> Response:
        try:
            raw = read_capped_body(environ, MAX_BODY_BYTES)
        except BodyTooLarge:
            note_refusal(environ, f"body over {MAX_BODY_BYTES:,} bytes")
            return _response(413, {"error": "Request too large"})
        try:
            body = json.loads(raw)
        except (UnicodeDecodeError, ValueError):
            body = None
        if not isinstance(body, dict):
            note_refusal(environ, "not a JSON activity")
            return _response(400, {"error": "Bad request"})
        if not isinstance(body.get("serviceUrl"), str) or not body["serviceUrl"]:
            # Replies go only to the service URL the token vouches for: an activity must name one.
            note_refusal(environ, "Teams activity without a serviceUrl")
            return _response(401, {"error": "Unauthorized"})
        headers = {"authorization": environ.get("HTTP_AUTHORIZATION", "")}
        handler = self._adapter.routes[PATH_API_MESSAGES]
        try:
            result = self.run(handler({"body": body, "headers": headers}))
            status = int(result.get("status", 200))
        except FutureTimeout:
            log.error("Teams bot: an activity took over %ss", REQUEST_TIMEOUT)
            return _response(504, {"error": "Timed out"})
        if status == 401:
            note_refusal(environ, "Teams activity without a valid Bot Framework token")
        return _response(status, result.get("body"))
