"""Sign in with Slack (OpenID Connect), as the emulator plays it: the authorize URL, the
openid.connect.token exchange and the signing keys (JWKS), with a key made for the emulator."""

from __future__ import annotations

import base64
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from tests.support.slack_emulator.wire import TEAM_ID, Json, error, ok

OPENID_AUTHORIZE_PATH = "/openid/connect/authorize"
OPENID_KEYS_PATH = "/openid/connect/keys"
OPENID_CLIENT_ID = "1111.2222"
OPENID_CLIENT_SECRET = "emulated-client-secret"
OPENID_KEY_ID = "emulator-key-1"


@dataclass
class OpenIdProvider:
    """Slack's side of Sign in with Slack, as the emulator plays it.

    GET /openid/connect/authorize answers at once as if the person agreed: a 302 back to
    `redirect_uri` with a fresh code and the `state` (or `error=access_denied` when `deny`).
    openid.connect.token turns a code into an id_token signed (RS256) with a key made for
    this emulator, served as a JWKS at GET /openid/connect/keys. A code works once.
    `now` is the provider's clock (seconds): tests hand it the app's injected clock.
    """

    client_id: str = OPENID_CLIENT_ID
    client_secret: str = OPENID_CLIENT_SECRET
    user_id: str = "U0READER1"
    team_id: str = TEAM_ID
    name: str = "Reader One"
    issuer: str | None = None  # None: the emulator's base URL
    lifetime: int = 300  # seconds an id_token is valid
    deny: bool = False
    now: Any = time.time
    sign_with_other_key: bool = False  # sign with a key the JWKS does not list
    authorize_requests: list[dict[str, str]] = field(default_factory=list)
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    _keys: dict[str, Any] = field(default_factory=dict)

    def _key(self, name: str) -> Any:
        if name not in self._keys:
            from cryptography.hazmat.primitives.asymmetric import rsa

            self._keys[name] = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return self._keys[name]

    def jwks(self) -> Json:
        import jwt

        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self._key("signing").public_key()))
        return {"keys": [{**jwk, "kid": OPENID_KEY_ID, "alg": "RS256", "use": "sig"}]}

    def authorize(self, query: dict[str, str]) -> tuple[int, dict[str, str], Json]:
        """(status, headers, JSON body) for a browser arriving at the authorize URL."""
        from urllib.parse import urlencode

        self.authorize_requests.append(dict(query))
        redirect = query.get("redirect_uri", "")
        if query.get("client_id") != self.client_id:
            return 400, {}, error("invalid_client_id")
        if query.get("response_type") != "code" or "openid" not in query.get("scope", "").split():
            return 400, {}, error("invalid_scope")
        if not redirect.startswith(("http://", "https://")):
            return 400, {}, error("bad_redirect_uri")
        if self.deny:
            answer = {"error": "access_denied", "state": query.get("state", "")}
        else:
            code = f"{secrets.token_hex(4)}.{secrets.token_urlsafe(24)}"
            self.codes[code] = {
                "redirect_uri": redirect,
                "nonce": query.get("nonce"),
                "user_id": self.user_id,
                "team_id": self.team_id,
                "name": self.name,
                "used": False,
            }
            answer = {"code": code, "state": query.get("state", "")}
        separator = "&" if "?" in redirect else "?"
        return 302, {"Location": f"{redirect}{separator}{urlencode(answer)}"}, {}

    def exchange(self, args: Json, authorization: str, base_url: str) -> Json:
        import jwt

        client_id, client_secret = args.get("client_id"), args.get("client_secret")
        if authorization.startswith("Basic "):
            decoded = base64.b64decode(authorization[len("Basic ") :]).decode()
            client_id, _, client_secret = decoded.partition(":")
        if client_id != self.client_id:
            return error("invalid_client_id")
        if client_secret != self.client_secret:
            return error("bad_client_secret")
        grant = self.codes.get(str(args.get("code")))
        if grant is None:
            return error("invalid_code")
        if grant["used"]:
            return error("code_already_used")
        if args.get("redirect_uri") != grant["redirect_uri"]:
            return error("bad_redirect_uri")
        grant["used"] = True
        issued = int(self.now())
        claims: Json = {
            "iss": self.issuer or base_url,
            "sub": grant["user_id"],
            "aud": self.client_id,
            "exp": issued + self.lifetime,
            "iat": issued,
            "auth_time": issued,
            "https://slack.com/user_id": grant["user_id"],
            "https://slack.com/team_id": grant["team_id"],
            "name": grant["name"],
        }
        if grant["nonce"] is not None:
            claims["nonce"] = grant["nonce"]
        key = self._key("other" if self.sign_with_other_key else "signing")
        id_token = jwt.encode(claims, key, algorithm="RS256", headers={"kid": OPENID_KEY_ID})
        return ok(access_token=f"xoxp-openid-{secrets.token_hex(8)}", token_type="Bearer", id_token=id_token)
