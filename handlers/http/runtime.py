"""Running the bot for real: Socket Mode or HTTP mode, the scheduler, and clean shutdown.

`run(deps)` checks the Slack token (auth.test), builds the Bolt app, binds the HTTP port
or opens the Socket Mode connection, starts the scheduler once, and serves until SIGTERM
or SIGINT. Then it stops taking requests, lets a running sweep finish its current
delivery and record it, closes the database and returns 0. Every start-up failure is a
StartupError with one line naming what to fix.
"""

from __future__ import annotations

import errno
import logging
import secrets
import signal
import threading
from collections.abc import Callable
from typing import Any

from slack_bolt import App
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.business_days import warm_up
from bot.deps import Deps
from bot.domain import today_in
from bot.ops.logging_setup import log_context
from bot.ops.startup import MODE_HTTP, MODE_SOCKET, StartupError, choose_mode, raise_open_files_limit
from bot.settings import Settings
from handlers import build_app, slack_client, web_client
from handlers.directory import SlackDirectory

log = logging.getLogger("reviewwatch.run")

SHUTDOWN_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def _slack_error(exc: SlackApiError) -> str:
    return str(exc.response.get("error")) if exc.response is not None else str(exc)


def _quiet_logger() -> logging.Logger:
    """For the start-up check's client: slack_sdk logs every failed attempt itself, and the
    one StartupError line says it all."""
    quiet = logging.getLogger("reviewwatch.startup.slack")
    quiet.propagate = False
    quiet.disabled = True
    return quiet


def check_bot_token(settings: Settings) -> dict[str, Any]:
    """auth.test with the bot token; a rejection stops start-up with Slack's reason. Runs
    before the database is opened, so a start that cannot reach Slack leaves no file."""
    client = web_client(settings, logger=_quiet_logger())
    try:
        answer = client.auth_test()
    except SlackApiError as exc:
        raise StartupError(
            f"Slack rejected SLACK_BOT_TOKEN (auth.test: {_slack_error(exc)}): "
            "copy the Bot User OAuth Token (xoxb-...) from the app's OAuth & Permissions page"
        ) from None
    except (SlackClientError, OSError) as exc:
        raise StartupError(f"cannot reach Slack at {settings.slack_api_url} for auth.test: {exc}") from None
    return dict(answer.data) if isinstance(answer.data, dict) else {}


def log_slack_requests(body: dict[str, Any], request: Any, next: Callable[[], None]) -> None:
    """Bolt global middleware: one line per incoming Slack request, with its request id."""
    header = request.headers.get("x-request-id") if request is not None else None
    request_id = (header[0] if header else None) or secrets.token_hex(6)
    event: dict[str, Any] = body["event"] if isinstance(body.get("event"), dict) else {}
    kind = body.get("type") or ("slash_command" if "command" in body else "unknown")
    what = (
        body.get("command")
        or event.get("type")
        or (body.get("view") or {}).get("callback_id")
        or ",".join(a.get("action_id", "") for a in body.get("actions") or [])
        or "-"
    )
    user = body.get("user_id") or (body.get("user") or {}).get("id") or event.get("user") or "-"
    with log_context(request_id=request_id):
        log.info("slack %s %s user=%s", kind, what, user)
        next()


class _DropClientTokenNotice(logging.Filter):
    """Bolt warns that a given client makes SLACK_BOT_TOKEN unused; our client holds that token."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("As you gave `client` as well")


def contact_recorder(deps: Deps) -> Callable[..., None]:
    """Bolt global middleware: every request from Slack is contact (/healthz reports its age)."""

    def record_contact(next: Callable[[], None]) -> None:
        deps.runtime.last_contact = deps.clock.now()
        next()

    return record_contact


def build_bolt_app(deps: Deps) -> App:
    bolt_logger = logging.getLogger("reviewwatch.bolt")
    bolt_logger.addFilter(_DropClientTokenNotice())
    app = build_app(deps, client=slack_client(deps), logger=bolt_logger)
    app.use(log_slack_requests)
    app.use(contact_recorder(deps))
    return app


# ---------------------------------------------------------------- the scheduler


def start_scheduler(deps: Deps) -> Any:
    """The alert scheduler: one sweep now, then every few minutes (bot/alerts/scheduler.py)."""
    from bot.alerts.scheduler import start_scheduler as start
    from bot.news import add_news_job  # the news watch's 30-minute fetch

    if deps.runtime.workspaces is not None:  # OAuth mode: each job for every workspace, its own token
        from handlers.tenancy import start_workspace_scheduler

        return start_workspace_scheduler(deps, deps.runtime.workspaces, deps.runtime.bot_tokens)
    return start(deps, more_jobs=[add_news_job])


def stop_scheduler(deps: Deps, scheduler: Any) -> None:
    """Stop scheduling; a sweep in progress finishes its deliveries and records them."""
    from bot.alerts.scheduler import stop_scheduler as stop

    if scheduler is not None:
        stop(deps, scheduler)


# ---------------------------------------------------------------- HTTP mode

# Held-open or half-sent connections must not starve real requests (waitress's defaults, 100
# connections and 120 s idle, let 100 silent sockets shut the server out for two minutes).
# A connection costs no worker thread until its request has fully arrived, so many can wait;
# poll() instead of select() because select() cannot watch more than 1,024 sockets.
CONNECTION_LIMIT = 1000
IDLE_TIMEOUT_S = 10  # a connection with no complete request, silent this long, is closed
IDLE_CHECK_S = 2  # how often the idle ones are looked for
_SPARE_FILES = 64  # the database, logs and outbound connections besides the sockets


def connection_limits() -> dict[str, Any]:
    """Waitress's connection settings, raising the open-files limit if it is too low for them
    (or, where it cannot be raised, lowering the connection limit to fit)."""
    soft = raise_open_files_limit(CONNECTION_LIMIT + _SPARE_FILES)
    limit = CONNECTION_LIMIT
    if soft is not None:
        limit = max(16, min(limit, soft - _SPARE_FILES))
    return {
        "connection_limit": limit,
        "channel_timeout": IDLE_TIMEOUT_S,
        "cleanup_interval": IDLE_CHECK_S,
        "asyncore_use_poll": True,
    }


def bind_http_server(deps: Deps, bolt_app: App) -> Any:
    """A waitress server bound to PORT (not yet serving)."""
    from waitress import create_server

    from handlers.http.routes import build_wsgi_app
    from handlers.http.slack_events import MAX_BODY_BYTES

    host, port = deps.settings.host, deps.settings.port
    try:
        return create_server(
            build_wsgi_app(bolt_app, deps),
            host=host,
            port=port,
            threads=8,
            ident="review-watch",
            clear_untrusted_proxy_headers=True,
            # The largest body any route takes (/slack/events; /teams/messages caps lower).
            # Waitress answers 413 itself from Content-Length before reading, and cuts a
            # chunked body there; it refuses a body of exactly this size, hence the + 1.
            max_request_body_size=MAX_BODY_BYTES + 1,
            **connection_limits(),
        )
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise StartupError(
                f"port {port} is in use: stop the other program or set PORT to a free port"
            ) from None
        raise StartupError(f"cannot listen on {host} port {port}: {exc.strerror or exc}") from None


class ShutdownSignals:
    """SIGTERM/SIGINT handling for the whole run.

    Installed first thing, so a signal during start-up also ends in a clean exit. While
    waitress serves on the main thread the handler raises SystemExit, which waitress
    expects: its loop ends and in-flight requests get to finish.
    """

    def __init__(self) -> None:
        self.requested = threading.Event()
        self.raise_in_main = False
        self._previous: dict[int, Any] = {}

    def install(self) -> None:
        self._previous = {sig: signal.signal(sig, self._handle) for sig in SHUTDOWN_SIGNALS}

    def restore(self) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        self._previous = {}

    def _handle(self, signum: int, frame: Any) -> None:
        if self.requested.is_set():
            return  # already stopping: a second signal must not interrupt the cleanup
        log.info("received %s: shutting down", signal.Signals(signum).name)
        self.requested.set()
        if self.raise_in_main:
            self.raise_in_main = False
            raise SystemExit(0)


def serve_http(deps: Deps, bolt_app: App, signals: ShutdownSignals) -> int:
    server = bind_http_server(deps, bolt_app)
    scheduler = None
    try:
        deps.runtime.started_at = deps.clock.now()
        scheduler = start_scheduler(deps)
        log.info(
            "HTTP mode: listening on http://%s:%s (POST /slack/events, GET /healthz, "
            "GET /calendar.ics, POST /teams/messages, GET /briefings/%s)",
            deps.settings.host,
            deps.settings.port,
            ", POST /api/messages: the Teams bot" if deps.settings.teams_bot_enabled else "",
        )
        signals.raise_in_main = True
        try:
            if not signals.requested.is_set():
                server.run()
        except SystemExit:
            pass  # the signal came just before the loop started
        finally:
            signals.raise_in_main = False
    finally:
        server.close()  # stop taking requests before anything else
        stop_scheduler(deps, scheduler)
    return 0


# ---------------------------------------------------------------- Socket Mode


def bind_health_server(deps: Deps) -> Any:
    """Socket Mode with REVIEWWATCH_HEALTH_PORT: a waitress server for GET /healthz only."""
    from waitress import create_server

    from handlers.http.routes import build_health_app

    port = deps.settings.health_port
    try:
        return create_server(
            build_health_app(deps),
            host=deps.settings.host,
            port=port,
            threads=2,
            ident="review-watch",
            **connection_limits(),
        )
    except OSError as exc:
        raise StartupError(
            f"cannot listen on REVIEWWATCH_HEALTH_PORT {port}: {exc.strerror or exc}"
        ) from None


def serve_socket_mode(deps: Deps, bolt_app: App, signals: ShutdownSignals) -> int:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from handlers.http.watchdog import SocketWatchdog, ping_interval

    app_token = deps.settings.slack_app_token
    assert app_token is not None
    if deps.settings.teams_bot_enabled and not deps.settings.health_port:
        raise StartupError(
            "in Socket Mode the Teams bot listens at /api/messages on the health port: "
            "set REVIEWWATCH_HEALTH_PORT"
        )
    health = bind_health_server(deps) if deps.settings.health_port else None
    # apps.connections.open is a Web API call: this client sends it to SLACK_API_URL.
    handler = SocketModeHandler(
        bolt_app,
        app_token,
        web_client=slack_client(deps, token=app_token),
        logger=logging.getLogger("reviewwatch.socket_mode"),
        ping_interval=ping_interval(deps.settings.socket_silence_limit),
    )
    watchdog = SocketWatchdog(handler.client, deps)
    try:
        handler.connect()  # type: ignore[no-untyped-call]  # slack_bolt's SocketModeHandler is untyped
    except SlackApiError as exc:
        raise StartupError(
            f"Slack rejected SLACK_APP_TOKEN (apps.connections.open: {_slack_error(exc)}): "
            "create an app-level token (xapp-...) with connections:write under Basic Information"
        ) from None
    except (SlackClientError, OSError) as exc:
        raise StartupError(
            f"cannot open a Socket Mode connection via {deps.settings.slack_api_url}: {exc}"
        ) from None
    scheduler = None
    health_thread = None
    try:
        deps.runtime.started_at = deps.clock.now()
        watchdog.start()
        scheduler = start_scheduler(deps)
        if health is not None:
            health_thread = threading.Thread(target=health.run, name="healthz", daemon=True)
            health_thread.start()
        log.info(
            "Socket Mode: connected; reopened if Slack is silent for %s s%s%s",
            deps.settings.socket_silence_limit,
            f"; GET /healthz on port {deps.settings.health_port}" if health is not None else "",
            "; POST /api/messages there: the Teams bot" if deps.settings.teams_bot_enabled else "",
        )
        signals.requested.wait()
    finally:
        watchdog.stop()
        handler.close()  # type: ignore[no-untyped-call]  # stop taking requests
        if health is not None:
            health.close()
        stop_scheduler(deps, scheduler)
    return 0


def run(deps: Deps, identity: dict[str, Any] | None = None) -> int:
    """Run the bot in the mode the settings choose, until SIGTERM or SIGINT. `identity` is
    auth.test's answer when the caller checked the token already (app.py, before the database)."""
    mode = choose_mode(deps.settings)
    deps.runtime.mode = mode
    signals = ShutdownSignals()
    signals.install()
    try:
        with log_context(mode=mode):
            # The holiday calendar, computed off the request path (bot/business_days.py).
            warm_up(today_in(deps.settings.tz, deps.clock.now()))
            if deps.settings.oauth_mode:
                from bot.tenancy import enable_workspaces

                enable_workspaces(deps)  # a database per workspace (docs/workspaces.md)
                log.info("OAuth mode: workspaces install at /slack/install (docs/install.md)")
            else:
                identity = identity if identity is not None else check_bot_token(deps.settings)
                log.info("signed in to Slack team %s as %s", identity.get("team"), identity.get("user"))
            # People's names for alerts, Teams answers and the calendar feed (bot/people.py).
            deps.directory = SlackDirectory(slack_client(deps))
            bolt_app = build_bolt_app(deps)
            deps.store.release()  # start-up's connection: this thread now only serves
            if mode == MODE_SOCKET:
                code = serve_socket_mode(deps, bolt_app, signals)
            else:
                assert mode == MODE_HTTP
                code = serve_http(deps, bolt_app, signals)
    finally:
        signals.restore()
    log.info("stopped cleanly")
    return code
