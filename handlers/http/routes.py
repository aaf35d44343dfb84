"""HTTP mode: one WSGI app with a small route table, served by waitress.

Every path the app answers is listed in `build_routes`; a feature adds its endpoint
there (a `Route` with a WSGI callable, or `plain(fn)` for a function returning
`(status, headers, body)`). A route whose path ends with `/` answers every path under it
(`/briefings/TOKEN`); its log lines show only that prefix, as the rest may be a token.
Each request is logged on one line with its request id.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs

from slack_bolt import App

from bot.deps import Deps
from bot.ops.health import health_report
from bot.ops.logging_setup import log_context
from handlers.http.board import board_routes
from handlers.http.bodies import REFUSAL_ENVIRON
from handlers.http.slack_events import SlackEvents
from handlers.http.teams import PATH_TEAMS_MESSAGES, teams_messages_response
from storage.db import Store

log = logging.getLogger("reviewwatch.http")

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WsgiApp = Callable[[Environ, StartResponse], Iterable[bytes]]
PlainHandler = Callable[[Environ], tuple[int, dict[str, str], bytes]]

PATH_SLACK_EVENTS = "/slack/events"
PATH_HEALTHZ = "/healthz"
PATH_CALENDAR = "/calendar.ics"
PATH_BRIEFINGS = "/briefings/"  # a weekly briefing's picture and full text, by token
# Bolt sees the request id in this header (so its middleware can log it).
REQUEST_ID_HEADER = "X-Request-Id"
_REQUEST_ID_ENVIRON = "HTTP_X_REQUEST_ID"
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


@dataclass(frozen=True)
class Route:
    path: str  # ending with "/": every path under it
    methods: tuple[str, ...]
    app: WsgiApp

    @property
    def prefix(self) -> bool:
        return self.path.endswith("/")


def _status_line(status: int) -> str:
    return f"{status} {HTTPStatus(status).phrase}"


def plain(handler: PlainHandler) -> WsgiApp:
    """Adapt `handler(environ) -> (status, headers, body)` to WSGI."""

    def wsgi(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        status, headers, body = handler(environ)
        headers = {"Content-Length": str(len(body)), **headers}
        start_response(_status_line(status), list(headers.items()))
        return [b"" if environ.get("REQUEST_METHOD") == "HEAD" else body]

    return wsgi


def json_response(status: int, payload: Any) -> tuple[int, dict[str, str], bytes]:
    body = (json.dumps(payload, indent=2, sort_keys=True) + "\n").encode()
    return status, {"Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store"}, body


def query_param(environ: Environ, name: str) -> str | None:
    values = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True).get(name)
    return values[0] if values else None


def healthz_route(deps: Deps) -> Route:
    def healthz(environ: Environ) -> tuple[int, dict[str, str], bytes]:
        healthy, report = health_report(deps)
        return json_response(200 if healthy else 503, report)

    return Route(PATH_HEALTHZ, ("GET", "HEAD"), plain(healthz))


def _calendar(deps: Deps, environ: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
    from bot.exports.files import calendar_http_response  # loaded when a calendar is fetched

    return calendar_http_response(deps, query_param(environ, "token"))


def _briefing(deps: Deps, environ: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
    from bot.alerts import briefing_http_response  # loaded when a briefing page is fetched

    return briefing_http_response(deps, environ.get("PATH_INFO", ""))


def briefings_route(deps: Deps) -> Route:
    return Route(PATH_BRIEFINGS, ("GET", "HEAD"), plain(lambda environ: _briefing(deps, environ)))


def teams_bot_routes(deps: Deps) -> list[Route]:
    """`POST /api/messages` when the Teams bot's app id, password and tenant are set."""
    if not deps.settings.teams_bot_enabled:
        return []
    from handlers.http.teams_bot import PATH_API_MESSAGES, TeamsBot  # the SDK loads only for the bot

    bot = TeamsBot(deps)
    return [Route(PATH_API_MESSAGES, ("POST",), plain(bot.response))]


def build_routes(bolt_app: App, deps: Deps) -> list[Route]:
    """Every endpoint of HTTP mode. Add new ones here."""
    return [
        Route(
            PATH_SLACK_EVENTS,
            ("POST",),
            plain(SlackEvents(bolt_app, deps.settings.slack_signing_secret or "")),
        ),
        healthz_route(deps),
        Route(
            PATH_CALENDAR,
            ("GET", "HEAD"),
            plain(lambda environ: _calendar(deps, environ)),
        ),
        Route(
            PATH_TEAMS_MESSAGES,
            ("POST",),
            plain(lambda environ: teams_messages_response(deps, environ)),
        ),
        briefings_route(deps),
        *(Route(path, methods, plain(handler)) for path, methods, handler in board_routes(deps)),
        *teams_bot_routes(deps),
        *install_routes_of(bolt_app),
    ]


def install_routes_of(bolt_app: App) -> list[Route]:
    """OAuth mode's /slack/install and /slack/oauth_redirect (handlers/install.py)."""
    if bolt_app.oauth_flow is None:
        return []
    from handlers.install import install_routes

    return [
        Route(path, methods, plain(handler)) for path, methods, handler in install_routes(bolt_app.oauth_flow)
    ]


class HttpApp:
    """The WSGI application: route by path, log one line per request."""

    def __init__(self, routes: Iterable[Route], store: Store | None = None) -> None:
        self.store = store  # each request gives its thread's connection back (storage/db.py)
        self.routes: dict[str, Route] = {}
        for route in routes:
            self.add(route)

    def route(self, path: str) -> Route | None:
        """The route for `path`: its own, else the prefix route it is under ("/briefings/"
        itself, with nothing after it, is not a page: no listing)."""
        route = self.routes.get(path)
        if route is not None and not route.prefix:
            return route
        head, slash, rest = path.rpartition("/")
        prefix = self.routes.get(head + slash) if rest else None
        return prefix if prefix is not None and prefix.prefix else None

    def add(self, route: Route) -> None:
        if route.path in self.routes:
            raise ValueError(f"two routes for {route.path}")
        self.routes[route.path] = route

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        given = environ.get(_REQUEST_ID_ENVIRON, "")
        request_id = given if _SAFE_REQUEST_ID.match(given) else secrets.token_hex(6)
        environ[_REQUEST_ID_ENVIRON] = request_id
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO", "") or "/"
        started = time.monotonic()
        seen: dict[str, str] = {}

        def recording_start_response(status: str, headers: list[tuple[str, str]], *rest: Any) -> Any:
            seen["status"] = status.split(" ", 1)[0]
            return start_response(status, [*headers, (REQUEST_ID_HEADER, request_id)], *rest)

        route = self.route(path)
        # Under a prefix route (routed or not) the rest of the path may be a token.
        shown = next((r.path for r in self.routes.values() if r.prefix and path.startswith(r.path)), path)
        with log_context(request_id=request_id):
            try:
                if route is None:
                    result = plain(lambda _: (404, {"Content-Type": "text/plain"}, b"Not found\n"))(
                        environ, recording_start_response
                    )
                elif method not in route.methods:
                    allow = {"Allow": ", ".join(route.methods), "Content-Type": "text/plain"}
                    result = plain(lambda _: (405, allow, b"Method not allowed\n"))(
                        environ, recording_start_response
                    )
                else:
                    result = route.app(environ, recording_start_response)
            except Exception:
                log.exception("%s %s failed", method, shown)
                raise
            finally:
                if self.store is not None:
                    self.store.release()
            # The path only: a query string may carry a token (the calendar feed), and so may
            # the rest of a prefix route's path (a briefing page). A refused request's reason
            # is in our words; nothing from the request is quoted.
            refusal = environ.get(REFUSAL_ENVIRON)
            log.log(
                logging.WARNING if refusal else logging.INFO,
                "%s %s %s %dms%s",
                method,
                shown,
                seen.get("status", "-"),
                (time.monotonic() - started) * 1000,
                f" refused: {refusal}" if refusal else "",
            )
        return result


def build_wsgi_app(bolt_app: App, deps: Deps) -> HttpApp:
    return HttpApp(build_routes(bolt_app, deps), deps.store)


def build_health_app(deps: Deps) -> HttpApp:
    """Socket Mode's optional health server (REVIEWWATCH_HEALTH_PORT): GET /healthz, the
    weekly briefings' pages when REVIEWWATCH_PUBLIC_URL says Teams reaches the app here, and
    the Teams bot's /api/messages when it is configured."""
    routes = [healthz_route(deps)]
    if deps.settings.public_url:
        routes.append(briefings_route(deps))
    routes += [Route(path, methods, plain(handler)) for path, methods, handler in board_routes(deps)]
    routes += teams_bot_routes(deps)
    return HttpApp(routes, deps.store)
