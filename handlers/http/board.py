"""The web board's HTTP routes (bot/board): pages, stylesheets, calendar, feed, CSV, the
timeline picture and the sign-in link. Every page is GET or HEAD (the app answers 405
otherwise); only the sign-in link takes a POST, to turn a link into a session.
Where a client id is set, `/board/login` and its callback sign people in with Slack (OpenID
Connect, bot/board/slack_signin.py); this module makes the two Slack calls that needs
(`openid.connect.token`, and `auth.test` to learn the bot's workspace before the board has one).

A page read costs little when nothing changed: its ETag is made from the tracker's
generation, the team's day, the page and who reads it, so a matching If-None-Match gets
304 before anything is read or rendered; a page rendered once is kept until the
generation or the day moves. Every answer carries the security headers below.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from bot import domain
from bot.board import (
    CALLBACK_PATH,
    LOGIN_PATH,
    MODE_OFF,
    MODE_PUBLIC,
    NOT_OFFERED,
    SCOPE_PUBLIC,
    SIGN_IN_PATH,
    Refusal,
    link_is_usable,
    login_link,
    reader_scope,
    session_cookie,
    sign_in,
)
from bot.deps import AnswerCache, Deps
from bot.tenancy import current_workspace
from storage.generation import tracker_generation
from storage.tracker import get_developer

if TYPE_CHECKING:
    from jwt import PyJWKClient

log = logging.getLogger("reviewwatch.board")

Environ = dict[str, Any]
Response = tuple[int, dict[str, str], bytes]
Handler = Callable[[Environ], Response]
RouteSpec = tuple[str, tuple[str, ...], Handler]  # path (ending "/": every path under it), methods
# Raised when a template or its data changes shape, so cached pages and ETags move with it.
BOARD_RELEASE = "1"
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; frame-ancestors 'none'; "
        "base-uri 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # a sign-in link carries its token in the path
    "X-Frame-Options": "DENY",
}
HTML = "text/html; charset=utf-8"
DEVELOPERS_PATH = "/board/developers/"
CSV_PATH = "/board/csv/"
STATIC_PATH = "/board/static/"
ZIP_NAME = "tracker.zip"
SLACK_TIMEOUT = 10  # seconds, for the sign-in's calls to Slack
# openid.connect.token's errors for a code that is unknown, used or expired.
USED_CODE_ERRORS = frozenset({"invalid_code", "code_already_used", "code_expired", "invalid_grant"})


@dataclass(frozen=True)
class Made:
    """What a page handler produced: status, content type, body and any extra headers."""

    status: int
    content_type: str
    body: bytes
    headers: dict[str, str]


def _made(body: bytes, content_type: str = HTML, status: int = 200, disposition: str | None = None) -> Made:
    return Made(status, content_type, body, {"Content-Disposition": disposition} if disposition else {})


class BoardSite:
    """The board's routes over one Deps, with the rendered pages it keeps."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.rendered: AnswerCache[Made] = AnswerCache(max_entries=64)
        self._keys: PyJWKClient | None = None  # Slack's signing keys, kept between sign-ins
        self._keys_lock = threading.Lock()

    # ------------------------------------------------------------ plumbing

    def _stamp(self) -> tuple[int, str]:
        today = domain.today_in(self.deps.settings.tz, self.deps.clock.now())
        return tracker_generation(self.deps.store), today.isoformat()

    def _cache_control(self) -> dict[str, str]:
        if self.deps.settings.board_mode == MODE_PUBLIC:
            return {"Cache-Control": "public, no-cache"}
        return {"Cache-Control": "private, no-cache", "Vary": "Cookie"}

    def _message(
        self,
        status: int,
        heading: str,
        *lines: str,
        action: str | None = None,
        slack_login: str | None = None,
    ) -> Response:
        from bot.board.render import render

        body = render(
            "signin.html", title=heading, heading=heading, lines=lines, action=action, slack_login=slack_login
        )
        headers = {**SECURITY_HEADERS, "Content-Type": HTML, "Cache-Control": "no-store"}
        return status, headers, body

    def _must_sign_in(self, environ: Environ) -> Response:
        link_line = (
            "type /aireview board: Review Watch sends you a personal sign-in link (only you "
            "see it, and it works once, for 15 minutes). Then open this page again."
        )
        if not self.deps.settings.slack_sign_in:
            return self._message(
                403,
                "Sign in to read the board",
                "This board is private to its Slack workspace.",
                f"In Slack, {link_line}",
            )
        query = environ.get("QUERY_STRING", "")
        here = environ.get("PATH_INFO", "") + (f"?{query}" if query else "")
        return self._message(
            403,
            "Sign in to read the board",
            "This board is private to its Slack workspace. Sign in with your Slack account, and you "
            "come back to this page:",
            f"Or, in Slack, {link_line}",
            slack_login=login_link(here),
        )

    def _refusal(self, refusal: Refusal) -> Response:
        return self._message(refusal.status, refusal.heading, *refusal.lines)

    def in_workspace(self, environ: Environ, serve: Callable[[], Response]) -> Response:
        """In OAuth mode, `serve` inside the workspace the request names (bot/board/workspace.py)."""
        from bot.board.workspace import NO_WORKSPACE, in_request_workspace

        path, cookie = environ.get("PATH_INFO", ""), environ.get("HTTP_COOKIE")

        def refuse(refusal: Refusal) -> Response:
            # Sign in with Slack finds the workspace from the person's own account.
            offer = refusal is NO_WORKSPACE and self.deps.settings.slack_sign_in
            login = login_link(path) if offer and not path.startswith(SIGN_IN_PATH) else None
            return self._message(refusal.status, refusal.heading, *refusal.lines, slack_login=login)

        return in_request_workspace(self.deps, path, cookie, serve, refuse)

    def page(self, produce: Callable[[Environ], Made]) -> Handler:
        """A page behind the board's access rules, with its ETag, 304 and kept copy."""

        def handler(environ: Environ) -> Response:
            return self.in_workspace(environ, lambda: serve(environ))

        def serve(environ: Environ) -> Response:
            scope = reader_scope(self.deps, environ.get("HTTP_COOKIE"))
            if scope is None:
                return self._must_sign_in(environ)
            page_key = f"{environ.get('PATH_INFO', '')}?{environ.get('QUERY_STRING', '')}"
            stamp = self._stamp()
            made_for = (current_workspace(), SCOPE_PUBLIC if scope == SCOPE_PUBLIC else "signed-in")
            digest = hashlib.sha256(f"{BOARD_RELEASE}|{stamp}|{page_key}|{scope}".encode()).hexdigest()
            etag = f'"{digest[:32]}"'
            headers = {**SECURITY_HEADERS, **self._cache_control(), "ETag": etag}
            if etag in _etags(environ.get("HTTP_IF_NONE_MATCH")):
                return 304, headers, b""
            made = self.rendered.get((page_key, made_for), stamp)
            if made is None:
                made = produce(environ)
                if made.status == 200:
                    self.rendered.put((page_key, made_for), stamp, made)
            if made.status != 200:
                headers = {**SECURITY_HEADERS, "Cache-Control": "no-store"}
            return made.status, {**headers, **made.headers, "Content-Type": made.content_type}, made.body

        return handler

    # ------------------------------------------------------------ pages

    def board(self, environ: Environ) -> Made:
        from bot.board.pages import board_page
        from bot.board.render import render
        from bot.exports.choices import CSV_TABLES

        page = board_page(self.deps)
        downloads = [{"href": f"{CSV_PATH}{ZIP_NAME}", "label": "Every tracker table (CSV files in a zip)"}]
        downloads += [{"href": f"{CSV_PATH}{t}.csv", "label": f"The {t} table (CSV)"} for t in CSV_TABLES]
        downloads.append({"href": f"{CSV_PATH}compare.csv", "label": "Labs side by side (CSV)"})
        body = render("board.html", title="All developers", page=page, stamp=page.stamp, downloads=downloads)
        return _made(body)

    def developer(self, environ: Environ) -> Made:
        slug = environ.get("PATH_INFO", "")[len(DEVELOPERS_PATH) :]
        if slug.endswith(".ics"):
            return self._developer_calendar(slug.removesuffix(".ics"))
        developer = get_developer(self.deps.store.db, slug)
        if developer is None:
            return self._not_found()
        from bot.board.pages import developer_page
        from bot.board.render import render

        page = developer_page(self.deps, developer)
        window_days = self.deps.settings.review_window_days
        body = render("developer.html", title=page.name, page=page, stamp=page.stamp, window_days=window_days)
        return _made(body)

    def _developer_calendar(self, slug: str) -> Made:
        from bot.exports.files import calendar_bytes

        if get_developer(self.deps.store.db, slug) is None:
            return self._not_found()
        disposition = f'inline; filename="reviewwatch-{slug}.ics"'
        return _made(
            calendar_bytes(self.deps, slug),
            "text/calendar; charset=utf-8",
            disposition=disposition,
        )

    def _not_found(self) -> Made:
        status, _, body = self._message(404, "Not found", "There is no such page on the board.")
        return _made(body, status=status)

    def changes(self, environ: Environ) -> Made:
        from bot.board.listings import changes_page
        from bot.board.render import render

        page = changes_page(self.deps, (query_param(environ, "since") or "").strip()[:40])
        return _made(render("changes.html", title="What changed", page=page, stamp=page.stamp))

    def compare(self, environ: Environ) -> Made:
        from bot.board.listings import compare_page
        from bot.board.render import render

        page = compare_page(self.deps)
        return _made(render("compare.html", title="Labs side by side", page=page, stamp=page.stamp))

    def atom(self, environ: Environ) -> Made:
        from bot.board.listings import FEED_DAYS, changes_feed
        from bot.board.render import render

        feed = changes_feed(self.deps)
        body = render("changes.atom", feed=feed, days=FEED_DAYS, base=self.deps.settings.public_url or "")
        return _made(body, "application/atom+xml; charset=utf-8")

    def calendar(self, environ: Environ) -> Made:
        from bot.exports.files import calendar_bytes

        disposition = 'inline; filename="reviewwatch.ics"'
        return _made(calendar_bytes(self.deps), "text/calendar; charset=utf-8", disposition=disposition)

    def timeline(self, environ: Environ) -> Made:
        from bot.exports import timeline_file

        picture = timeline_file(self.deps)
        if picture is None:
            return self._not_found()
        return _made(picture.content, "image/png")

    def csv(self, environ: Environ) -> Made:
        from bot.exports.choices import CSV_TABLES, CSV_VIEWS
        from bot.exports.files import csv_export

        name = environ.get("PATH_INFO", "")[len(CSV_PATH) :]
        table = name.removesuffix(".csv")
        if name == ZIP_NAME:
            export = csv_export(self.deps)
            content_type = "application/zip"
        elif name.endswith(".csv") and table in (*CSV_TABLES, *CSV_VIEWS):
            export = csv_export(self.deps, table)
            content_type = "text/csv; charset=utf-8"
        else:
            return self._not_found()
        disposition = f'attachment; filename="{export.filename}"'
        return _made(export.content, content_type, disposition=disposition)

    # ------------------------------------------------------------ open to anyone

    def static(self, environ: Environ) -> Response:
        from bot.board.render import static_file

        found = static_file(environ.get("PATH_INFO", "")[len(STATIC_PATH) :])
        if found is None:
            return 404, {**SECURITY_HEADERS, "Content-Type": "text/plain"}, b"Not found\n"
        content, content_type = found
        etag = f'"{hashlib.sha256(content).hexdigest()[:32]}"'
        headers = {**SECURITY_HEADERS, "Cache-Control": "public, max-age=3600", "ETag": etag}
        if etag in _etags(environ.get("HTTP_IF_NONE_MATCH")):
            return 304, headers, b""
        return 200, {**headers, "Content-Type": content_type}, content

    def signin(self, environ: Environ) -> Response:
        return self.in_workspace(environ, lambda: self._signin(environ))

    def _signin(self, environ: Environ) -> Response:
        path = environ.get("PATH_INFO", "")
        token = path[len(SIGN_IN_PATH) :]
        if self.deps.settings.board_mode == MODE_PUBLIC:
            return 303, {**SECURITY_HEADERS, "Location": "/board", "Cache-Control": "no-store"}, b""
        refused = (
            "This sign-in link has expired or was already used",
            "A link works once, for 15 minutes. In Slack, type /aireview board for a new one.",
        )
        if environ.get("REQUEST_METHOD") != "POST":
            if not link_is_usable(self.deps, token):
                return self._message(403, *refused)
            lines = ("This link is yours alone: it opens the board in this browser for 7 days.",)
            return self._message(200, "Sign in to the Review Watch board", *lines, action=path)
        session = sign_in(self.deps, token)
        if session is None:
            return self._message(403, *refused)
        headers = {
            **SECURITY_HEADERS,
            "Location": "/board",
            "Cache-Control": "no-store",
            "Set-Cookie": session_cookie(self.deps, session),
        }
        return 303, headers, b""

    # ------------------------------------------------------------ Sign in with Slack

    def login(self, environ: Environ) -> Response:
        """Off to Slack's authorize URL, with the state and nonce in a cookie of their own."""
        from bot.board import start_login

        if not self.deps.settings.slack_sign_in:
            return self._refusal(NOT_OFFERED)
        if self.deps.settings.board_mode == MODE_PUBLIC:
            return 303, {**SECURITY_HEADERS, "Location": "/board", "Cache-Control": "no-store"}, b""
        start = start_login(self.deps, request_base(environ), query_param(environ, "next"))
        headers = {**SECURITY_HEADERS, "Location": start.location, "Cache-Control": "no-store"}
        return 302, {**headers, "Set-Cookie": start.cookie}, b""

    def callback(self, environ: Environ) -> Response:
        """Slack sends the browser back here: check the state, exchange the code, verify the
        id_token, check the workspace, then the session cookie and the page asked for."""
        from bot.board import CANCELLED, Refused, pending_login, redirect_uri, verified_claims
        from bot.board.workspace import slack_session_cookie

        if not self.deps.settings.slack_sign_in:
            return self._refusal(NOT_OFFERED)
        if self.deps.settings.board_mode == MODE_PUBLIC:
            return 303, {**SECURITY_HEADERS, "Location": "/board", "Cache-Control": "no-store"}, b""
        try:
            pending = pending_login(environ.get("HTTP_COOKIE"), query_param(environ, "state"))
            code = query_param(environ, "code")
            if query_param(environ, "error") is not None or not code:
                raise Refused(CANCELLED)
            id_token = self._exchange(code, redirect_uri(self.deps, request_base(environ)))
            claims = verified_claims(self.deps, id_token, pending.nonce, self._keys_client())
            cookie = slack_session_cookie(self.deps, claims, self._bot_team)
        except Refused as refused:
            log.info("board: Sign in with Slack refused: %s", refused.refusal.heading)
            return self._refusal(refused.refusal)
        headers = {
            **SECURITY_HEADERS,
            "Location": pending.next_path,
            "Cache-Control": "no-store",
            "Set-Cookie": cookie,
        }
        return 303, headers, b""

    def _exchange(self, code: str, redirect: str) -> str:
        """The id_token for `code` (openid.connect.token); Refused when Slack says no or is
        out of reach."""
        from slack_sdk import WebClient
        from slack_sdk.errors import SlackApiError, SlackClientError

        from bot.board import CODE_USED, SLACK_REFUSED, UNREACHABLE, Refused

        settings = self.deps.settings
        # No bot token here: the app authenticates with its client id and secret.
        client = WebClient(base_url=settings.slack_api_url, timeout=SLACK_TIMEOUT)
        try:
            answer = client.openid_connect_token(
                client_id=settings.slack_client_id or "",
                client_secret=settings.slack_client_secret or "",
                code=code,
                redirect_uri=redirect,
            )
        except SlackApiError as exc:
            status = exc.response.status_code if exc.response is not None else 0
            error = exc.response.get("error") if exc.response is not None else None
            if status >= 500 or status == 429:
                raise Refused(UNREACHABLE) from None
            raise Refused(CODE_USED if error in USED_CODE_ERRORS else SLACK_REFUSED) from None
        except (SlackClientError, OSError):
            raise Refused(UNREACHABLE) from None
        id_token = answer.get("id_token")
        if not isinstance(id_token, str):
            raise Refused(SLACK_REFUSED)
        return id_token

    def _bot_team(self) -> str | None:
        """The workspace the bot is installed in (auth.test), or None without a bot token."""
        from slack_sdk.errors import SlackApiError, SlackClientError

        from bot.board import UNREACHABLE, Refused
        from handlers import web_client

        if not self.deps.settings.slack_bot_token:
            return None
        try:
            team = web_client(self.deps.settings).auth_test().get("team_id")
        except SlackApiError:
            return None
        except (SlackClientError, OSError):
            raise Refused(UNREACHABLE) from None
        return team if isinstance(team, str) else None

    def _keys_client(self) -> PyJWKClient:
        from bot.board import keys_client

        with self._keys_lock:
            if self._keys is None:
                self._keys = keys_client(self.deps)
            return self._keys

    def routes(self) -> list[RouteSpec]:
        read = ("GET", "HEAD")
        pages: list[tuple[str, Callable[[Environ], Made]]] = [
            ("/board", self.board),
            ("/board/compare", self.compare),
            ("/board/changes", self.changes),
            ("/board/changes.atom", self.atom),
            ("/board/calendar.ics", self.calendar),
            ("/board/timeline.png", self.timeline),
            (DEVELOPERS_PATH, self.developer),
            (CSV_PATH, self.csv),
        ]
        routes: list[RouteSpec] = [(path, read, self.page(produce)) for path, produce in pages]
        routes.append((STATIC_PATH, read, self.static))
        routes.append((SIGN_IN_PATH, (*read, "POST"), self.signin))
        routes.append((LOGIN_PATH, ("GET",), self.login))
        routes.append((CALLBACK_PATH, ("GET",), self.callback))
        return routes


def request_base(environ: Environ) -> str:
    """The scheme and host this request came to (`http://127.0.0.1:8080`)."""
    host = environ.get("HTTP_HOST") or f"{environ.get('SERVER_NAME', '')}:{environ.get('SERVER_PORT', '')}"
    return f"{environ.get('wsgi.url_scheme', 'http')}://{host}"


def _etags(header: str | None) -> set[str]:
    """The entity tags an If-None-Match lists (weak ones compare as strong for a GET)."""
    if not header:
        return set()
    return {tag.strip().removeprefix("W/") for tag in header.split(",")}


def query_param(environ: Environ, name: str) -> str | None:
    values = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True).get(name)
    return values[0] if values else None


def board_routes(deps: Deps) -> list[RouteSpec]:
    """The board's routes for handlers/http/routes.py to serve; none when REVIEWWATCH_BOARD=off
    (every board path is then 404)."""
    if deps.settings.board_mode == MODE_OFF:
        return []
    return BoardSite(deps).routes()
