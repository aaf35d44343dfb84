"""One typed settings object, read from the environment and an optional `.env` file.

Every setting a user can touch is listed in SETTINGS_DOC (and docs/settings.md's table; a test
keeps them in step). A bad value stops start-up with one line naming the variable, the
value and the expected form; secret values are never echoed.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_LEAD_DAYS: tuple[int, ...] = (30, 14, 7, 3, 1, 0)

# name -> (default shown in docs, description); docs/settings.md's table mirrors this.
SETTINGS_DOC: dict[str, tuple[str, str]] = {
    "SLACK_BOT_TOKEN": ("(none)", "Bot token `xoxb-...`; needed to talk to Slack"),
    "SLACK_APP_TOKEN": ("(none)", "App-level token `xapp-...`; when set, runs in Socket Mode"),
    "SLACK_SIGNING_SECRET": ("(none)", "Signing secret; when set (and no app token), runs HTTP mode"),
    "SLACK_API_URL": ("https://slack.com/api/", "Slack Web API base URL (point it at an emulator)"),
    "REVIEWWATCH_DB": ("reviewwatch.db", "SQLite database file"),
    "REVIEWWATCH_DATABASE_URL": (
        "(none)",
        "`postgresql://user:pass@host:5432/db` runs on PostgreSQL 15+; `sqlite:///path` is the file",
    ),
    "REVIEWWATCH_TIMEZONE": ("America/New_York", "Team timezone (IANA name) for dates and alerts"),
    "REVIEWWATCH_ALERT_TIME": ("09:00", "Daily delivery time for date-based alerts (HH:MM, 24h)"),
    "REVIEWWATCH_ADMINS": ("(none)", "Comma-separated Slack user ids allowed to change facts"),
    "REVIEWWATCH_ADMIN_GROUP": ("(none)", "Slack user group id whose members are admins"),
    "REVIEWWATCH_TEAMS_WEBHOOKS": ("(none)", "Teams Workflows webhooks for alerts: `name=url,...`"),
    "REVIEWWATCH_TEAMS_OUTGOING_SECRET": ("(none)", "Teams outgoing-webhook secret (base64)"),
    "REVIEWWATCH_TEAMS_APP_ID": ("(none)", "Teams bot: the Entra app registration's application (client) id"),
    "REVIEWWATCH_TEAMS_APP_PASSWORD": ("(none)", "Teams bot: that app registration's client secret"),
    "REVIEWWATCH_TEAMS_TENANT_ID": (
        "(none)",
        "Teams bot: the Entra tenant (directory) id; with the app id and password set, the bot answers "
        "at `POST /api/messages`",
    ),
    "REVIEWWATCH_TEAMS_ADMINS": ("(none)", "Teams bot: Entra object ids of admins, comma-separated"),
    "REVIEWWATCH_TEAMS_LOGIN_URL": (
        "https://login.microsoftonline.com",
        "Teams bot: where its connector tokens are requested (a sovereign cloud's, or a local stand-in)",
    ),
    "REVIEWWATCH_TEAMS_OPENID_URL": (
        "https://login.botframework.com/v1/.well-known/openidconfiguration",
        "Teams bot: the Bot Framework OpenID metadata whose keys sign inbound activities",
    ),
    "REVIEWWATCH_REVIEW_WINDOW_DAYS": ("30", "Days before a planned release the review window opens"),
    "REVIEWWATCH_LEAD_DAYS": ("30,14,7,3,1,0", "Default alert lead days for new subscriptions"),
    "REVIEWWATCH_CALENDAR_TOKEN": ("(none)", "Token for `GET /calendar.ics?token=...`; unset: off"),
    "REVIEWWATCH_FEDERAL_REGISTER": ("on", "Default Federal Register search (`on` or `off`)"),
    "REVIEWWATCH_FEEDS_ALLOW_PRIVATE": (
        "(off)",
        "`1`: news sources may be on loopback, private or link-local addresses (intranet feeds)",
    ),
    "REVIEWWATCH_LOG_LEVEL": ("INFO", "Log level: DEBUG, INFO, WARNING or ERROR"),
    "REVIEWWATCH_HOST": (
        "0.0.0.0",
        "Listening address for HTTP mode and the health port (`127.0.0.1` behind a local proxy)",
    ),
    "PORT": ("3000", "HTTP mode listening port"),
    "REVIEWWATCH_SOCKET_SILENCE_LIMIT": (
        "120",
        "Seconds without a message or pong from Slack before a Socket Mode connection is reopened "
        "and `/healthz` turns 503",
    ),
    "REVIEWWATCH_CLAIM_LEASE": (
        "900",
        "Seconds an alert claimed by an instance that died mid-delivery waits before another sends it",
    ),
    "REVIEWWATCH_SWEEP_STALE_LIMIT": (
        "600",
        "Seconds since the last alert sweep after which `/healthz` turns 503 (two sweep intervals)",
    ),
    "REVIEWWATCH_OPEN_WORKSPACES": (
        "2000",
        "OAuth mode: workspace databases kept open (the least recently used beyond it is closed)",
    ),
    "REVIEWWATCH_DB_BUSY_TIMEOUT": (
        "10",
        "Seconds a database write waits for another program holding the SQLite file's lock "
        "before start-up stops (or the request fails) with `database ... is locked`",
    ),
    "REVIEWWATCH_PICTURE_WORKER_IDLE": (
        "30",
        "Seconds without a picture to draw after which the drawing worker process exits (and its "
        "memory with it); the next picture starts a new one (about a second)",
    ),
    "REVIEWWATCH_HEALTH_PORT": ("(none)", "Socket Mode: also serve `GET /healthz` on this port"),
    "REVIEWWATCH_PUBLIC_URL": (
        "(none)",
        "The https base URL at which Teams reaches this app's HTTP server "
        "(`https://reviewwatch.example.org`); when set, Teams briefing cards show the timeline "
        "picture and link to the full briefing",
    ),
    "REVIEWWATCH_BOARD": (
        "private",
        "The web board at `/board`: `off`, `private` (signed-in people of this workspace, with a link "
        "from `/aireview board`) or `public` (anyone)",
    ),
    "SLACK_CLIENT_ID": (
        "(none)",
        "The Slack app's client id (Basic Information); with `SLACK_CLIENT_SECRET`, the private board "
        'offers "Sign in with Slack" (OpenID Connect) beside the sign-in link',
    ),
    "SLACK_CLIENT_SECRET": ("(none)", "The Slack app's client secret; set together with `SLACK_CLIENT_ID`"),
    "REVIEWWATCH_TOKEN_KEY": (
        "(none)",
        "Fernet key(s) encrypting installed workspaces' tokens; with the client id and secret it turns "
        "on OAuth mode (many workspaces, docs/install.md). `new,old` while rotating",
    ),
    "SLACK_SCOPES": ("(the manifest's)", "OAuth mode: the bot scopes the Add to Slack link asks for"),
    "REVIEWWATCH_SLACK_AUTHORIZE_URL": (
        "https://slack.com/oauth/v2/authorize",
        "OAuth mode: where the Add to Slack link sends the browser (point it at an emulator)",
    ),
    "REVIEWWATCH_SLACK_OPENID_AUTHORIZE_URL": (
        "https://slack.com/openid/connect/authorize",
        'Where "Sign in with Slack" sends the browser (point it at an emulator)',
    ),
    "REVIEWWATCH_SLACK_OPENID_KEYS_URL": (
        "https://slack.com/openid/connect/keys",
        'Slack\'s signing keys (JWKS) for the id_token of "Sign in with Slack"',
    ),
    "REVIEWWATCH_SLACK_OPENID_ISSUER": (
        "https://slack.com",
        'The issuer an id_token of "Sign in with Slack" must name',
    ),
    "REVIEWWATCH_SHARED_TRACKER_EDITOR": (
        "(none)",
        "OAuth mode: the team id (`T...`, or `E...` for an org) of the one workspace whose admins edit "
        "a tracker every other workspace reads ([Workspaces](workspaces.md)); unset, each keeps its own",
    ),
}

SECRET_NAMES = frozenset(
    {
        "SLACK_BOT_TOKEN",
        "SLACK_APP_TOKEN",
        "SLACK_SIGNING_SECRET",
        "REVIEWWATCH_TEAMS_WEBHOOKS",
        "REVIEWWATCH_TEAMS_OUTGOING_SECRET",
        "REVIEWWATCH_TEAMS_APP_PASSWORD",
        "REVIEWWATCH_CALENDAR_TOKEN",
        "SLACK_CLIENT_SECRET",
        "REVIEWWATCH_TOKEN_KEY",
    }
)
# The bot scopes the app needs, each with the feature needing it in docs/scopes.md; manifest.yml
# lists the same (tests/test_scopes.py keeps the three in step).
DEFAULT_SCOPES: tuple[str, ...] = tuple(
    "commands app_mentions:read im:history chat:write usergroups:read users:read files:write "
    "channels:history groups:history im:write".split()
)
_SCOPE = re.compile(r"^[a-z][a-z_.]*:?[a-z_.]*$")

_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_GROUP_ID = re.compile(r"^S[A-Z0-9]{2,}$")
_ENTRA_ID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
TEAMS_LOGIN_URL = "https://login.microsoftonline.com"
TEAMS_OPENID_URL = "https://login.botframework.com/v1/.well-known/openidconfiguration"
_TEAMS_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,40}$")
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
BOARD_MODES = ("off", "private", "public")


class SettingsError(ValueError):
    """A setting has a value we cannot use; the message is one line, safe to print."""


@dataclass(frozen=True)
class Settings:
    slack_bot_token: str | None = None
    slack_app_token: str | None = None
    slack_signing_secret: str | None = None
    slack_api_url: str = "https://slack.com/api/"
    db_path: str = "reviewwatch.db"  # a SQLite file, or a postgresql:// URL
    timezone_name: str = "America/New_York"
    alert_time: time = time(9, 0)
    admins: tuple[str, ...] = ()
    admin_group: str | None = None
    teams_webhooks: dict[str, str] = field(default_factory=dict)
    teams_outgoing_secret: str | None = None
    teams_app_id: str | None = None  # the Teams bot is on when app id, password and tenant are set
    teams_app_password: str | None = None
    teams_tenant_id: str | None = None
    teams_admins: tuple[str, ...] = ()  # Entra object ids
    teams_login_url: str = TEAMS_LOGIN_URL
    teams_openid_url: str = TEAMS_OPENID_URL
    review_window_days: int = 30
    lead_days: tuple[int, ...] = DEFAULT_LEAD_DAYS
    calendar_token: str | None = None
    federal_register_default: bool = True
    feeds_allow_private: bool = False  # news sources may resolve to non-public addresses
    log_level: str = "INFO"
    host: str = "0.0.0.0"
    port: int = 3000
    socket_silence_limit: int = 120  # seconds
    sweep_stale_limit: int = 600  # seconds
    open_workspaces: int = 2000  # OAuth mode: SQLite workspace databases kept open
    claim_lease: int = 900  # seconds (bot/alerts/sweep_plan.py CLAIM_LEASE; docs/postgresql.md)
    picture_worker_idle: int = 30  # seconds before the idle drawing worker exits
    db_busy_timeout: int = 10  # seconds a SQLite write waits for another connection's lock
    health_port: int | None = None
    public_url: str | None = None  # no trailing slash
    board_mode: str = "private"  # the web board: off | private | public
    # "Sign in with Slack" on the board (OpenID Connect), on when both are set.
    slack_client_id: str | None = None
    slack_client_secret: str | None = None
    slack_openid_authorize_url: str = "https://slack.com/openid/connect/authorize"
    slack_openid_keys_url: str = "https://slack.com/openid/connect/keys"
    slack_openid_issuer: str = "https://slack.com"
    # OAuth mode (many workspaces, bot/install/): on with the client id and secret and a key.
    token_keys: tuple[str, ...] = ()  # Fernet keys, the first encrypts (REVIEWWATCH_TOKEN_KEY)
    slack_scopes: tuple[str, ...] = DEFAULT_SCOPES
    slack_authorize_url: str = "https://slack.com/oauth/v2/authorize"
    shared_tracker_editor: str | None = None  # OAuth mode: edits the one tracker (bot/tenancy/shared.py)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone_name)

    @property
    def teams_bot_enabled(self) -> bool:
        return bool(self.teams_app_id and self.teams_app_password and self.teams_tenant_id)

    @property
    def slack_sign_in(self) -> bool:
        """Whether the board offers "Sign in with Slack" (a client id and secret are set)."""
        return bool(self.slack_client_id and self.slack_client_secret)

    @property
    def oauth_mode(self) -> bool:
        """Whether the app installs in many workspaces through Add to Slack (docs/install.md)."""
        return self.slack_sign_in and bool(self.token_keys)

    @property
    def admins_configured(self) -> bool:
        return bool(self.admins or self.admin_group)

    def __repr__(self) -> str:  # never print secrets, even by accident
        where = re.sub(r"://[^@/]*@", "://***@", self.db_path)  # a URL's password stays out
        return f"Settings(db_path={where!r}, timezone={self.timezone_name!r})"


def _bad(name: str, value: str, expected: str) -> SettingsError:
    shown = "(hidden)" if name in SECRET_NAMES else repr(value)
    return SettingsError(f"{name}={shown} is not valid: expected {expected}")


def read_env_file(path: Path) -> dict[str, str]:
    """A `.env` file's values, read by python-dotenv as every other tool reads it: `#`
    comments (also after a value), quotes, `export` prefixes, blank lines."""
    if not path.is_file():
        return {}
    from dotenv import dotenv_values

    # A bare `KEY` line has no value (None): it sets nothing.
    return {k: v for k, v in dotenv_values(path, encoding="utf-8").items() if v is not None}


def _parse_alert_time(value: str) -> time:
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", value.strip())
    if match and int(match[1]) < 24 and int(match[2]) < 60:
        return time(int(match[1]), int(match[2]))
    raise _bad("REVIEWWATCH_ALERT_TIME", value, "a 24-hour time HH:MM such as 09:00")


def _parse_int(name: str, value: str, low: int, high: int) -> int:
    if not re.fullmatch(r"\d+", value.strip()) or not low <= int(value) <= high:
        raise _bad(name, value, f"a whole number from {low} to {high}")
    return int(value)


def _parse_lead_days(value: str) -> tuple[int, ...]:
    parts = [p.strip() for p in value.split(",") if p.strip()]
    if not parts or not all(re.fullmatch(r"\d{1,3}", p) and int(p) <= 365 for p in parts):
        raise _bad("REVIEWWATCH_LEAD_DAYS", value, "comma-separated days from 0 to 365, e.g. 30,7,1")
    return tuple(sorted({int(p) for p in parts}, reverse=True))


def _parse_teams_webhooks(value: str) -> dict[str, str]:
    hooks: dict[str, str] = {}
    for pair in (p.strip() for p in value.split(",")):
        if not pair:
            continue
        name, sep, url = pair.partition("=")
        parsed = urlparse(url.strip())
        good_url = parsed.scheme in ("http", "https") and parsed.netloc
        if not sep or not _TEAMS_NAME.match(name.strip()) or not good_url:
            raise _bad("REVIEWWATCH_TEAMS_WEBHOOKS", value, "name=https://... pairs, comma-separated")
        hooks[name.strip()] = url.strip()
    return hooks


def _parse_host(value: str) -> str:
    """An IP address to listen on (waitress takes names too, but an address says exactly which
    interface; `::` and `::1` for IPv6)."""
    import ipaddress

    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        raise _bad("REVIEWWATCH_HOST", value, "an IP address such as 0.0.0.0 or 127.0.0.1") from None


def _parse_public_url(value: str) -> str:
    """Where Teams fetches briefing pictures from (this app's HTTP server, as the world sees it)."""
    try:
        parsed = urlparse(value)
        port_ok = parsed.port is None or parsed.port > 0
    except ValueError:  # a bad port or IPv6 address
        port_ok = False
    if (
        not port_ok
        or parsed.scheme not in ("http", "https")
        or not parsed.hostname
        or parsed.query
        or parsed.fragment
        or parsed.username
        or any(c.isspace() for c in value)
    ):
        raise _bad(
            "REVIEWWATCH_PUBLIC_URL", value, "an http(s) base URL such as https://reviewwatch.example.org"
        )
    return value.rstrip("/")


# What load_settings reads a setting with: its value, stripped, or None when unset or blank.
Getter = Callable[[str], str | None]


def _team(get: Getter) -> dict[str, Any]:
    timezone_name = get("REVIEWWATCH_TIMEZONE") or "America/New_York"
    try:
        ZoneInfo(timezone_name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: "America" is a tzdata folder
        raise _bad(
            "REVIEWWATCH_TIMEZONE", timezone_name, "an IANA timezone name such as America/New_York"
        ) from None
    admins_raw = get("REVIEWWATCH_ADMINS") or ""
    admins = tuple(a.strip() for a in admins_raw.split(",") if a.strip())
    for admin in admins:
        if not _USER_ID.match(admin):
            raise _bad("REVIEWWATCH_ADMINS", admin, "Slack user ids such as U012ABCDEF, comma-separated")
    admin_group = get("REVIEWWATCH_ADMIN_GROUP")
    if admin_group and not _GROUP_ID.match(admin_group):
        raise _bad("REVIEWWATCH_ADMIN_GROUP", admin_group, "a Slack user group id such as S012ABCDEF")
    return {"timezone_name": timezone_name, "admins": admins, "admin_group": admin_group}


def _slack(get: Getter) -> dict[str, Any]:
    api_url = get("SLACK_API_URL") or "https://slack.com/api/"
    parsed = urlparse(api_url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise _bad("SLACK_API_URL", api_url, "an http(s) URL such as https://slack.com/api/")
    if not api_url.endswith("/"):
        api_url += "/"
    for name, prefix in (("SLACK_BOT_TOKEN", "xoxb-"), ("SLACK_APP_TOKEN", "xapp-")):
        token = get(name)
        if token and not token.startswith(prefix):
            raise _bad(name, token, f"a token starting with {prefix}")
    return {
        "slack_api_url": api_url,
        "slack_bot_token": get("SLACK_BOT_TOKEN"),
        "slack_app_token": get("SLACK_APP_TOKEN"),
        "slack_signing_secret": get("SLACK_SIGNING_SECRET"),
    }


def _switches(get: Getter) -> dict[str, Any]:
    log_level = (get("REVIEWWATCH_LOG_LEVEL") or "INFO").upper()
    if log_level not in _LOG_LEVELS:
        raise _bad("REVIEWWATCH_LOG_LEVEL", log_level, "one of " + ", ".join(_LOG_LEVELS))
    federal_register = (get("REVIEWWATCH_FEDERAL_REGISTER") or "on").lower()
    if federal_register not in ("on", "off"):
        raise _bad("REVIEWWATCH_FEDERAL_REGISTER", federal_register, "on or off")
    allow_private = (get("REVIEWWATCH_FEEDS_ALLOW_PRIVATE") or "0").lower()
    if allow_private not in ("0", "1", "off", "on", "false", "true", "no", "yes"):
        raise _bad("REVIEWWATCH_FEEDS_ALLOW_PRIVATE", allow_private, "1 to allow, 0 (the default) to refuse")
    return {
        "log_level": log_level,
        "federal_register_default": federal_register == "on",
        "feeds_allow_private": allow_private in ("1", "on", "true", "yes"),
    }


def _teams_outgoing_secret(get: Getter) -> dict[str, Any]:
    teams_secret = get("REVIEWWATCH_TEAMS_OUTGOING_SECRET")
    if teams_secret:
        try:
            base64.b64decode(teams_secret, validate=True)
        except (binascii.Error, ValueError):
            raise _bad(
                "REVIEWWATCH_TEAMS_OUTGOING_SECRET",
                teams_secret,
                "the base64 security token Teams showed when the outgoing webhook was created",
            ) from None
    return {"teams_outgoing_secret": teams_secret}


def _endpoint(name: str, value: str) -> str:
    """An https URL, or http on the loopback interface (a local stand-in in tests)."""
    parsed = urlparse(value)
    loopback = parsed.scheme == "http" and parsed.hostname in ("127.0.0.1", "localhost", "::1")
    if not (parsed.scheme == "https" or loopback) or not parsed.hostname or parsed.query:
        raise _bad(name, value, "an https URL")
    return value.rstrip("/")


def _teams_bot(get: Getter) -> dict[str, Any]:
    ids = {name: get(name) for name in ("REVIEWWATCH_TEAMS_APP_ID", "REVIEWWATCH_TEAMS_TENANT_ID")}
    for name, value in ids.items():
        if value and not _ENTRA_ID.match(value):
            raise _bad(name, value, "a GUID such as 00000000-0000-0000-0000-000000000000")
    admins = tuple(a.strip().lower() for a in (get("REVIEWWATCH_TEAMS_ADMINS") or "").split(",") if a.strip())
    for admin in admins:
        if not _ENTRA_ID.match(admin):
            raise _bad("REVIEWWATCH_TEAMS_ADMINS", admin, "Entra object ids (GUIDs), comma-separated")
    trio = {**ids, "REVIEWWATCH_TEAMS_APP_PASSWORD": get("REVIEWWATCH_TEAMS_APP_PASSWORD")}
    missing = [name for name, value in trio.items() if not value]
    if 0 < len(missing) < len(trio):
        raise SettingsError(f"{missing[0]} is not set: the Teams bot needs " + ", ".join(trio) + " together")
    return {
        "teams_app_id": ids["REVIEWWATCH_TEAMS_APP_ID"],
        "teams_app_password": get("REVIEWWATCH_TEAMS_APP_PASSWORD"),
        "teams_tenant_id": ids["REVIEWWATCH_TEAMS_TENANT_ID"],
        "teams_admins": admins,
        "teams_login_url": _endpoint(
            "REVIEWWATCH_TEAMS_LOGIN_URL", get("REVIEWWATCH_TEAMS_LOGIN_URL") or TEAMS_LOGIN_URL
        ),
        "teams_openid_url": _endpoint(
            "REVIEWWATCH_TEAMS_OPENID_URL", get("REVIEWWATCH_TEAMS_OPENID_URL") or TEAMS_OPENID_URL
        ),
    }


def _board(get: Getter) -> dict[str, Any]:
    board_mode = (get("REVIEWWATCH_BOARD") or "private").lower()
    if board_mode not in BOARD_MODES:
        raise _bad("REVIEWWATCH_BOARD", board_mode, "off, private or public")
    return {"board_mode": board_mode}


def _http_url(name: str, value: str) -> str:
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc or any(c.isspace() for c in value):
        raise _bad(name, value, "an http(s) URL such as https://slack.com/...")
    return value


def _slack_sign_in(get: Getter) -> dict[str, Any]:
    """ "Sign in with Slack" on the board: the app's client id and secret (Bolt's own names),
    and Slack's OpenID Connect addresses (settable, so tests point them at an emulator)."""
    client_id, client_secret = get("SLACK_CLIENT_ID"), get("SLACK_CLIENT_SECRET")
    if bool(client_id) != bool(client_secret):
        missing = "SLACK_CLIENT_SECRET" if client_id else "SLACK_CLIENT_ID"
        raise SettingsError(f"{missing} is not set: set SLACK_CLIENT_ID and SLACK_CLIENT_SECRET together")
    urls = {
        "slack_openid_authorize_url": (
            "REVIEWWATCH_SLACK_OPENID_AUTHORIZE_URL",
            "https://slack.com/openid/connect/authorize",
        ),
        "slack_openid_keys_url": (
            "REVIEWWATCH_SLACK_OPENID_KEYS_URL",
            "https://slack.com/openid/connect/keys",
        ),
        "slack_openid_issuer": ("REVIEWWATCH_SLACK_OPENID_ISSUER", "https://slack.com"),
    }
    fields: dict[str, Any] = {"slack_client_id": client_id, "slack_client_secret": client_secret}
    for key, (name, default) in urls.items():
        fields[key] = _http_url(name, get(name) or default)
    return fields


def _oauth(get: Getter) -> dict[str, Any]:
    """OAuth mode's settings: the token keys (Fernet: 32 url-safe base64 bytes each), the
    scopes the install asks for, Slack's authorize page, and the shared tracker's editor."""
    keys = tuple(k.strip() for k in (get("REVIEWWATCH_TOKEN_KEY") or "").split(",") if k.strip())
    for key in keys:
        if not re.fullmatch(r"[A-Za-z0-9_-]{43}=", key):  # 32 bytes, url-safe base64
            raise _bad("REVIEWWATCH_TOKEN_KEY", key, "Fernet keys (rotate-token-key --new prints one)")
    scopes = tuple(s.strip() for s in (get("SLACK_SCOPES") or "").split(",") if s.strip()) or DEFAULT_SCOPES
    if not all(_SCOPE.match(scope) for scope in scopes):
        raise _bad(
            "SLACK_SCOPES", get("SLACK_SCOPES") or "", "comma-separated Slack scopes (commands,chat:write)"
        )
    name = "REVIEWWATCH_SLACK_AUTHORIZE_URL"
    url = _http_url(name, get(name) or "https://slack.com/oauth/v2/authorize")
    editor = get("REVIEWWATCH_SHARED_TRACKER_EDITOR")  # bot/tenancy/shared.py
    if editor is not None and not re.fullmatch(r"[TE][A-Z0-9]{2,31}", editor):
        raise _bad("REVIEWWATCH_SHARED_TRACKER_EDITOR", editor, "a team id T... or enterprise id E...")
    return dict(token_keys=keys, slack_scopes=scopes, slack_authorize_url=url, shared_tracker_editor=editor)


def _health_port(get: Getter) -> dict[str, Any]:
    text = get("REVIEWWATCH_HEALTH_PORT")
    return {"health_port": _parse_int("REVIEWWATCH_HEALTH_PORT", text, 1, 65535) if text else None}


def _database_location(url: str | None, path: str | None) -> str:
    """Where the database is: a postgresql URL as given; `sqlite:///path` as its path; else
    REVIEWWATCH_DB's file (default reviewwatch.db)."""
    if not url:
        return path or "reviewwatch.db"
    if url.startswith(("postgresql://", "postgres://")):
        return url
    if url.startswith("sqlite:///") and len(url) > len("sqlite:///"):
        return url.removeprefix("sqlite:///")
    scheme = url.split("://", 1)[0] if "://" in url else "(no scheme)"
    raise SettingsError(
        f"REVIEWWATCH_DATABASE_URL must be postgresql://... or sqlite:///PATH, not a {scheme} URL"
    )


def _tracker_and_alerts(get: Getter) -> dict[str, Any]:
    return {
        "db_path": _database_location(get("REVIEWWATCH_DATABASE_URL"), get("REVIEWWATCH_DB")),
        "alert_time": _parse_alert_time(get("REVIEWWATCH_ALERT_TIME") or "09:00"),
        "teams_webhooks": _parse_teams_webhooks(get("REVIEWWATCH_TEAMS_WEBHOOKS") or ""),
        "review_window_days": _parse_int(
            "REVIEWWATCH_REVIEW_WINDOW_DAYS", get("REVIEWWATCH_REVIEW_WINDOW_DAYS") or "30", 1, 365
        ),
        "lead_days": _parse_lead_days(get("REVIEWWATCH_LEAD_DAYS") or "30,14,7,3,1,0"),
        "calendar_token": get("REVIEWWATCH_CALENDAR_TOKEN"),
        "db_busy_timeout": _parse_int(
            "REVIEWWATCH_DB_BUSY_TIMEOUT", get("REVIEWWATCH_DB_BUSY_TIMEOUT") or "10", 1, 3600
        ),
    }


def _server(get: Getter) -> dict[str, Any]:
    public_url = get("REVIEWWATCH_PUBLIC_URL")
    return {
        "host": _parse_host(get("REVIEWWATCH_HOST") or "0.0.0.0"),
        "port": _parse_int("PORT", get("PORT") or "3000", 1, 65535),
        "socket_silence_limit": _parse_int(
            "REVIEWWATCH_SOCKET_SILENCE_LIMIT", get("REVIEWWATCH_SOCKET_SILENCE_LIMIT") or "120", 1, 86400
        ),
        "sweep_stale_limit": _parse_int(
            "REVIEWWATCH_SWEEP_STALE_LIMIT", get("REVIEWWATCH_SWEEP_STALE_LIMIT") or "600", 60, 604800
        ),
        "picture_worker_idle": _parse_int(
            "REVIEWWATCH_PICTURE_WORKER_IDLE", get("REVIEWWATCH_PICTURE_WORKER_IDLE") or "30", 1, 86400
        ),
        "public_url": _parse_public_url(public_url) if public_url else None,
        "open_workspaces": _parse_int(
            "REVIEWWATCH_OPEN_WORKSPACES", get("REVIEWWATCH_OPEN_WORKSPACES") or "2000", 1, 100000
        ),
        "claim_lease": _parse_int(
            "REVIEWWATCH_CLAIM_LEASE", get("REVIEWWATCH_CLAIM_LEASE") or "900", 3, 86400
        ),
    }


# Each reads one group of settings. They run in this order, so that with several bad values
# the one reported is the one it always was.
SETTING_GROUPS: tuple[Callable[[Getter], dict[str, Any]], ...] = (
    _team,
    _slack,
    _switches,
    _teams_outgoing_secret,
    _teams_bot,
    _board,
    _slack_sign_in,
    _oauth,
    _health_port,
    _tracker_and_alerts,
    _server,
)


def load_settings(environ: Mapping[str, str] | None = None, env_file: str | Path | None = ".env") -> Settings:
    """Build Settings from `.env` (if present) overlaid by the real environment."""
    values: dict[str, str] = {}
    if env_file is not None:
        values.update(read_env_file(Path(env_file)))
    values.update(os.environ if environ is None else environ)

    def get(name: str) -> str | None:
        value = values.get(name)
        return value.strip() if value and value.strip() else None

    fields: dict[str, Any] = {}
    for read_group in SETTING_GROUPS:
        fields.update(read_group(get))
    return Settings(**fields)
