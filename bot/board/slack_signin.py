"""Sign in with Slack (OpenID Connect) for the private board, where a client id is set.

`/board/login` sends the browser to Slack's authorize URL (scope `openid profile`) with a
random `state` and a `nonce`; both, and the board page to return to, travel in a cookie of
their own (HttpOnly, 10 minutes, `Path=/board/login`, SameSite=Lax since Slack's redirect
back is a top-level navigation). The callback (handlers/http/board.py) checks the `state`
against that cookie, exchanges the code with `openid.connect.token`, and hands the id_token
here: its signature is checked against Slack's keys (JWKS, through PyJWT's client), then the
issuer, the audience (the client id), the expiry (by the app's clock) and the nonce. The
person's team must be the workspace the board belongs to. Then the session is the one a
sign-in link gives. A refused sign-in writes nothing.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from http.cookies import CookieError, SimpleCookie
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote, urlencode

from bot.board.access import NewSession, secure_flag, start_session
from bot.deps import Deps
from storage.board import BoardPerson, board_team, claim_board_team

if TYPE_CHECKING:
    from jwt import PyJWKClient

LOGIN_PATH = "/board/login"
CALLBACK_PATH = "/board/login/callback"
LOGIN_COOKIE = "reviewwatch_board_login"
LOGIN_LIFETIME = timedelta(minutes=10)
SCOPE = "openid profile"
CLOCK_LEEWAY = timedelta(seconds=60)  # between Slack's clock and ours
TEAM_CLAIM = "https://slack.com/team_id"
USER_CLAIM = "https://slack.com/user_id"
KEYS_TIMEOUT = 10  # seconds, fetching Slack's keys
HOME = "/board"


@dataclass(frozen=True)
class Refusal:
    """Why a sign-in was refused: the page that says so (status, heading, lines)."""

    status: int
    heading: str
    lines: tuple[str, ...]


class Refused(Exception):
    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.heading)
        self.refusal = refusal


AGAIN = "Start again from the board's sign-in page, or in Slack type /aireview board for a personal link."
BAD_STATE = Refusal(
    403,
    "This sign-in could not be checked",
    (
        "The answer from Slack does not belong to a sign-in started in this browser, or it took "
        "longer than 10 minutes.",
        AGAIN,
    ),
)
CODE_USED = Refusal(
    403,
    "This sign-in was already used",
    ("Slack's answer works once, and it was used or has expired.", AGAIN),
)
NOT_VERIFIED = Refusal(
    403,
    "Slack's answer could not be verified",
    ("The sign-in Slack sent back did not pass the checks (signature, issuer, audience, nonce).", AGAIN),
)
EXPIRED = Refusal(403, "This sign-in has expired", ("Slack's answer is too old to use.", AGAIN))
WRONG_WORKSPACE = Refusal(
    403,
    "This board belongs to another Slack workspace",
    (
        "You signed in to a Slack workspace whose people cannot read this board.",
        "If you are also in the board's workspace, sign in again and choose that workspace.",
    ),
)
CANCELLED = Refusal(403, "Sign-in cancelled", ("Slack did not sign you in.", AGAIN))
UNREACHABLE = Refusal(
    502,
    "Slack could not be reached",
    ("The board could not reach Slack to finish signing you in. Try again in a few minutes.",),
)
SLACK_REFUSED = Refusal(
    502,
    "Slack refused the sign-in",
    (
        "Slack did not accept this app's credentials: the administrator should check "
        "SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and the redirect URL registered in the Slack app.",
    ),
)
NOT_OFFERED = Refusal(404, "Not found", ("Sign in with Slack is not set up for this board.",))


def safe_next(path: str | None) -> str:
    """A board page to return to after signing in; anything else (another site) is the board."""
    if not path or not path.startswith(HOME) or "//" in path or "\\" in path:
        return HOME
    if not path.isprintable() or path.startswith(LOGIN_PATH):
        return HOME
    return path


def redirect_uri(deps: Deps, request_base: str) -> str:
    """The callback's full address, as registered in the Slack app: REVIEWWATCH_PUBLIC_URL's,
    else the one this request came to."""
    return f"{deps.settings.public_url or request_base}{CALLBACK_PATH}"


def login_link(next_path: str) -> str:
    """The "Sign in with Slack" link for a page that asked for a session."""
    return f"{LOGIN_PATH}?{urlencode({'next': safe_next(next_path)})}"


@dataclass(frozen=True)
class LoginStart:
    location: str  # Slack's authorize URL
    cookie: str  # the Set-Cookie value holding state, nonce and the page to return to


def start_login(deps: Deps, request_base: str, next_path: str | None) -> LoginStart:
    settings = deps.settings
    state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    params = {
        "response_type": "code",
        "scope": SCOPE,
        "client_id": settings.slack_client_id or "",
        "redirect_uri": redirect_uri(deps, request_base),
        "state": state,
        "nonce": nonce,
    }
    # In OAuth mode the home database holds no board: Slack asks which workspace.
    team = board_team(deps.store.db) if deps.runtime.workspaces is None else None
    if team is not None:
        params["team"] = team  # Slack opens the board's workspace
    value = f"{state}.{nonce}.{quote(safe_next(next_path), safe='')}"
    max_age = int(LOGIN_LIFETIME.total_seconds())
    cookie = (
        f"{LOGIN_COOKIE}={value}; Max-Age={max_age}; Path={LOGIN_PATH}; HttpOnly; SameSite=Lax"
        f"{secure_flag(deps)}"
    )
    return LoginStart(f"{settings.slack_openid_authorize_url}?{urlencode(params)}", cookie)


@dataclass(frozen=True)
class PendingLogin:
    """What the login cookie remembers of a sign-in started in this browser."""

    state: str
    nonce: str
    next_path: str


def pending_login(cookie_header: str | None, state: str | None) -> PendingLogin:
    """The sign-in this callback answers; BAD_STATE when the cookie is missing or its state
    is not the one Slack sent back."""
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(cookie_header or "")
    except CookieError:
        raise Refused(BAD_STATE) from None
    morsel = jar.get(LOGIN_COOKIE)
    parts = morsel.value.split(".", 2) if morsel is not None else []
    if len(parts) != 3 or not state or not secrets.compare_digest(parts[0], state):
        raise Refused(BAD_STATE)
    return PendingLogin(parts[0], parts[1], safe_next(unquote(parts[2])))


def keys_client(deps: Deps) -> PyJWKClient:
    """A client for Slack's signing keys (JWKS), keeping them between sign-ins."""
    from jwt import PyJWKClient

    return PyJWKClient(deps.settings.slack_openid_keys_url, cache_keys=True, timeout=KEYS_TIMEOUT)


def verified_claims(deps: Deps, id_token: str, nonce: str, keys: PyJWKClient) -> dict[str, Any]:
    """The id_token's claims once its signature, issuer, audience, expiry and nonce hold."""
    import jwt

    try:
        key = keys.get_signing_key_from_jwt(id_token)
    except jwt.PyJWKClientConnectionError:
        raise Refused(UNREACHABLE) from None
    except (jwt.PyJWKClientError, jwt.InvalidTokenError):
        raise Refused(NOT_VERIFIED) from None
    try:
        claims: dict[str, Any] = jwt.decode(
            id_token,
            key.key,
            algorithms=["RS256"],
            audience=deps.settings.slack_client_id,
            issuer=deps.settings.slack_openid_issuer,
            # Time is checked below by the app's clock, not the system's.
            options={
                "verify_exp": False,
                "verify_iat": False,
                "verify_nbf": False,
                "require": ["iss", "aud", "exp", "sub", "nonce"],
            },
        )
    except jwt.InvalidTokenError:
        raise Refused(NOT_VERIFIED) from None
    expires = claims["exp"]
    if not isinstance(expires, int | float):
        raise Refused(NOT_VERIFIED)
    if expires + CLOCK_LEEWAY.total_seconds() <= deps.clock.now().timestamp():
        raise Refused(EXPIRED)
    if not secrets.compare_digest(str(claims["nonce"]), nonce):
        raise Refused(NOT_VERIFIED)
    if not isinstance(claims.get(TEAM_CLAIM), str) or not isinstance(claims.get(USER_CLAIM), str):
        raise Refused(NOT_VERIFIED)
    return claims


def finish_sign_in(deps: Deps, claims: dict[str, Any], bot_team: Callable[[], str | None]) -> NewSession:
    """A session for the person the claims name, when their team is the board's workspace.
    Before anyone asked `/aireview board`, the board's workspace is the one the bot is
    installed in (`bot_team`, auth.test), recorded only when this person belongs to it."""
    person = BoardPerson(claims[USER_CLAIM], claims[TEAM_CLAIM])
    team = board_team(deps.store.db)
    if team is None:
        if bot_team() != person.team_id:
            raise Refused(WRONG_WORKSPACE)
        team = claim_board_team(deps.store.db, person.team_id)
    if person.team_id != team:
        raise Refused(WRONG_WORKSPACE)
    return start_session(deps, person)
