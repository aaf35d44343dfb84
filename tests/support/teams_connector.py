"""A local stand-in for Microsoft's side of a Teams bot, on 127.0.0.1.

It plays three services the bot talks to, each at the paths Microsoft documents:
- the Bot Framework OpenID metadata and its signing keys (`/v1/.well-known/openidconfiguration`,
  `/v1/.well-known/keys`), which publish the public half of a local RSA key; inbound
  activities carry tokens signed with it (`inbound_token`), with the claims the Bot Connector
  service puts in them (iss `https://api.botframework.com`, aud the bot's app id, `serviceurl`);
- the Entra token endpoint (`/<tenant>/oauth2/v2.0/token`), which checks the client
  credentials and issues the bot's outbound tokens;
- the Bot Connector REST API (`/teams/v3/conversations/...`), which refuses a request without
  a token it issued and records every activity the bot sends, replies, updates or creates
  (and every conversation it creates; `state.refuse_create` makes it refuse those, as Teams
  does for someone the app is not available to).

`service_url` is the serviceUrl to put in activities; `settings_env()` the settings that
point the app at this server.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from tests.support.servers import shut_down_now

APP_ID = "3f1d5c2a-7b8e-4c1d-9a0b-1c2d3e4f5a6b"
APP_PASSWORD = "local-stand-in-secret"
TENANT_ID = "72f988bf-0000-4000-8000-000000000000"
BOT_FRAMEWORK_ISSUER = "https://api.botframework.com"
KEY_ID = "local-signing-key"


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class Sent:
    """One request the bot made to the Bot Connector API."""

    method: str
    path: str  # under the service URL: /v3/conversations/<id>/activities[/<id>]
    body: dict[str, Any]
    conversation_id: str
    activity_id: str | None  # the activity replied to or updated
    at: float = field(default_factory=time.perf_counter)  # when it arrived (the benchmark's clock)
    new_id: str | None = None  # the id the connector gave a new activity

    @property
    def kind(self) -> str:
        if self.method == "PUT":
            return "update"
        if self.path.rstrip("/") == "/v3/conversations":
            return "create"
        return str(self.body.get("type", "?"))

    @property
    def cards(self) -> list[dict[str, Any]]:
        return [
            a["content"]
            for a in self.body.get("attachments") or []
            if a.get("contentType") == "application/vnd.microsoft.card.adaptive"
        ]


@dataclass
class ConnectorState:
    key: rsa.RSAPrivateKey
    sent: list[Sent] = field(default_factory=list)
    token_requests: list[dict[str, str]] = field(default_factory=list)
    issued: set[str] = field(default_factory=set)
    refused: list[str] = field(default_factory=list)  # connector requests without a valid token
    lock: threading.Lock = field(default_factory=threading.Lock)
    ids: Any = field(default_factory=lambda: itertools.count(1))
    delay: float = 0.0  # seconds each connector call takes (the benchmark's round trip)
    refuse_create: int = 0  # an HTTP status to answer "create conversation" with (0: create it)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _json(self, status: int, payload: Any) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def do_GET(self) -> None:
        state, base = self.server.state, self.server.base_url
        if self.path == "/v1/.well-known/openidconfiguration":
            self._json(
                200,
                {
                    "issuer": BOT_FRAMEWORK_ISSUER,
                    "authorization_endpoint": f"{base}/v1/authorize",
                    "jwks_uri": f"{base}/v1/.well-known/keys",
                    "id_token_signing_alg_values_supported": ["RS256"],
                    "token_endpoint_auth_methods_supported": ["private_key_jwt"],
                },
            )
        elif self.path == "/v1/.well-known/keys":
            jwk = json.loads(RSAAlgorithm.to_jwk(state.key.public_key()))
            jwk.update({"kid": KEY_ID, "use": "sig", "alg": "RS256", "endorsements": ["msteams"]})
            self._json(200, {"keys": [jwk]})
        else:
            self._json(404, {"error": "not found"})

    def _token(self) -> None:
        state = self.server.state
        form = {k: v[0] for k, v in parse_qs(self._body().decode()).items()}
        with state.lock:
            state.token_requests.append(form)
        if form.get("client_id") != APP_ID or form.get("client_secret") != APP_PASSWORD:
            refusal = {"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret"}
            self._json(401, refusal)
            return
        now = int(time.time())
        token = jwt.encode(
            {
                "aud": BOT_FRAMEWORK_ISSUER,
                "iss": f"https://sts.windows.net/{TENANT_ID}/",
                "appid": APP_ID,
                "iat": now,
                "nbf": now,
                "exp": now + 3600,
            },
            state.key,
            algorithm="RS256",
            headers={"kid": KEY_ID},
        )
        with state.lock:
            state.issued.add(token)
        self._json(200, {"token_type": "Bearer", "expires_in": 3599, "access_token": token})

    def _connector(self, method: str) -> None:
        state = self.server.state
        path = urlparse(self.path).path.removeprefix("/teams")
        raw = self._body()
        token = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
        with state.lock:
            known = token in state.issued
            if not known:
                state.refused.append(path)
        if not known:
            self._json(401, {"error": {"code": "Unauthorized", "message": "token not issued here"}})
            return
        if state.delay:
            time.sleep(state.delay)
        body = json.loads(raw or b"{}")
        parts = path.strip("/").split("/")  # v3 conversations <id> activities [<id>]
        conversation = parts[2] if len(parts) > 2 else ""
        activity = parts[4] if len(parts) > 4 else None
        with state.lock:
            number = next(state.ids)
            new_id = f"1{number:012d}"
            state.sent.append(Sent(method, path, body, conversation, activity, new_id=new_id))
        if parts == ["v3", "conversations"] and state.refuse_create:
            refusal = {"error": {"code": "Forbidden", "message": "The bot is not installed for this user."}}
            self._json(state.refuse_create, refusal)
        elif parts == ["v3", "conversations"]:
            self._json(201, {"id": f"a:proactive-{number}", "activityId": new_id})
        elif method == "PUT":
            self._json(200, {"id": activity})
        else:
            self._json(201, {"id": new_id})

    def do_POST(self) -> None:
        if self.path.endswith("/oauth2/v2.0/token"):
            self._token()
        elif self.path.startswith("/teams/v3/"):
            self._connector("POST")
        else:
            self._json(404, {"error": "not found"})

    def do_PUT(self) -> None:
        if self.path.startswith("/teams/v3/"):
            self._connector("PUT")
        else:
            self._json(404, {"error": "not found"})


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: ConnectorState
    base_url: str


class TeamsConnector:
    """The stand-in server; use as a context manager or call start()/stop()."""

    def __init__(self) -> None:
        self.state = ConnectorState(key=new_key())
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.state = self.state
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._server.base_url = self.base_url
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> TeamsConnector:
        self._thread.start()
        return self

    def stop(self) -> None:
        shut_down_now(self._server)

    def __enter__(self) -> TeamsConnector:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    @property
    def service_url(self) -> str:
        return f"{self.base_url}/teams/"

    @property
    def openid_url(self) -> str:
        return f"{self.base_url}/v1/.well-known/openidconfiguration"

    def settings_env(self) -> dict[str, str]:
        return {
            "REVIEWWATCH_TEAMS_APP_ID": APP_ID,
            "REVIEWWATCH_TEAMS_APP_PASSWORD": APP_PASSWORD,
            "REVIEWWATCH_TEAMS_TENANT_ID": TENANT_ID,
            "REVIEWWATCH_TEAMS_LOGIN_URL": self.base_url,
            "REVIEWWATCH_TEAMS_OPENID_URL": self.openid_url,
        }

    def inbound_token(
        self,
        *,
        audience: str = APP_ID,
        issuer: str = BOT_FRAMEWORK_ISSUER,
        service_url: str | None = None,
        key: rsa.RSAPrivateKey | None = None,
        expires_in: int = 3600,
        key_id: str = KEY_ID,
    ) -> str:
        """A token as the Bot Connector service signs it for an activity it posts to the bot."""
        now = int(time.time())
        claims = {
            "serviceurl": service_url if service_url is not None else self.service_url,
            "nbf": now - 5,
            "exp": now + expires_in,
            "iat": now - 5,
            "iss": issuer,
            "aud": audience,
        }
        return jwt.encode(claims, key or self.state.key, algorithm="RS256", headers={"kid": key_id})

    def sent(self, kind: str | None = None) -> list[Sent]:
        with self.state.lock:
            return [s for s in self.state.sent if kind is None or s.kind == kind]

    def clear(self) -> None:
        with self.state.lock:
            self.state.sent.clear()


def message_activity(
    connector: TeamsConnector,
    text: str,
    *,
    conversation_type: str = "personal",
    user_aad: str = "7f1c0000-0000-4000-8000-00000000abcd",
    user_name: str = "Pat Policy",
    mention_bot: bool = False,
    conversation_id: str | None = None,
    tenant_id: str = TENANT_ID,
) -> dict[str, Any]:
    """A message Activity as the Bot Connector posts it to /api/messages (the shape of
    Microsoft's "Conversation basics" and "Channel and group chat conversations" pages)."""
    bot = {"id": f"28:{APP_ID}", "name": "Review Watch"}
    conversation: dict[str, Any] = {"conversationType": conversation_type, "tenantId": tenant_id}
    channel_data: dict[str, Any] = {"tenant": {"id": tenant_id}}
    if conversation_type == "personal":
        conversation["id"] = conversation_id or f"a:1personal{user_aad[:8]}"
    elif conversation_type == "groupChat":
        conversation.update(id=conversation_id or "19:groupchat0001@thread.v2", isGroup=True)
    else:  # a channel: standard, private or shared; the id names the channel thread
        channel = conversation_id or "19:policy0001@thread.tacv2"
        conversation.update(id=f"{channel};messageid=1722441600000", isGroup=True)
        channel_data.update(
            teamsChannelId=channel,
            teamsTeamId="19:team0001@thread.tacv2",
            channel={"id": channel},
            team={"id": "19:team0001@thread.tacv2"},
        )
    entities: list[dict[str, Any]] = [
        {"type": "clientInfo", "locale": "en-US", "country": "US", "platform": "Web"}
    ]
    if mention_bot:
        text = f"<at>Review Watch</at> {text}"
        entities.append({"type": "mention", "text": "<at>Review Watch</at>", "mentioned": bot})
    return {
        "type": "message",
        "id": str(uuid.uuid4().int)[:13],
        "timestamp": "2026-07-24T14:00:00.000Z",
        "localTimestamp": "2026-07-24T10:00:00.000-04:00",
        "serviceUrl": connector.service_url,
        "channelId": "msteams",
        "from": {"id": f"29:1{user_aad[:8]}", "name": user_name, "aadObjectId": user_aad},
        "conversation": conversation,
        "recipient": bot,
        "textFormat": "plain",
        "locale": "en-US",
        "text": text,
        "entities": entities,
        "channelData": channel_data,
    }


class BotServer:
    """The app's HTTP server (our WSGI app on waitress, on 127.0.0.1) with the Teams bot's
    route, as HTTP mode builds it."""

    def __init__(self, deps: Any, *, typing_after: float = 0.4) -> None:
        from waitress import create_server

        from handlers.http.routes import HttpApp, Route, plain
        from handlers.http.teams_bot import PATH_API_MESSAGES, TeamsBot

        self.bot = TeamsBot(deps, typing_after=typing_after)
        app = HttpApp([Route(PATH_API_MESSAGES, ("POST",), plain(self.bot.response))], deps.store)
        self._server = create_server(app, host="127.0.0.1", port=0, threads=8)
        self.url = f"http://127.0.0.1:{self._server.effective_port}"
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        # waitress's own run() selects on sockets close() shuts under it; stop the loop first
        server = self._server
        while not self._stopped.is_set():
            server.asyncore.loop(timeout=0.05, map=server._map, count=1)  # type: ignore[attr-defined]

    def post(self, activity: dict[str, Any], token: str | None) -> Any:
        import httpx

        headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
        return httpx.post(f"{self.url}/api/messages", json=activity, headers=headers, timeout=30)

    def close(self) -> None:
        self._stopped.set()
        self._server.trigger.pull_trigger()  # type: ignore[attr-defined]  # wakes the loop now
        self._thread.join(5)
        self._server.close()
        self.bot.close()
