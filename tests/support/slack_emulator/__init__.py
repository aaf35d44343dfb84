"""A local Slack Web API emulator: a real HTTP server that slack_sdk's WebClient talks to.

    with SlackEmulator() as emu:
        client = WebClient(token="xoxb-test", base_url=emu.api_url)
        client.chat_postMessage(channel="C1", text="hi")
        assert emu.last("chat.postMessage").args["text"] == "hi"

It keeps the state a test needs to assert on (calls, posted messages, views, uploads,
response_url posts) and lets a test inject failures (429, 5xx, ``ok: false``).
Every request is handled under one lock, so the recorded state is consistent across
Bolt's worker threads.

It also plays Sign in with Slack (``emu.openid``, OpenIdProvider): the authorize URL, the
openid.connect.token method and the signing keys (JWKS), with a key made for the emulator.

Its parts, one responsibility each (the SlackEmulator class puts them together):

- emulator.py: SlackEmulator (start, stop, answering each request) and the pytest fixture;
- server.py: the HTTP server and its routes; websocket.py and socket_mode.py: Socket Mode;
- recording.py: the recorded calls and the failures, delays and gates tests queue;
- state.py: what the parts share; wire.py: the workspace played, calls and replies;
- api_auth.py, api_chat.py, api_views.py, api_directory.py (users, usergroups,
  conversations), api_files.py: the Web API methods, by family;
- openid.py: Sign in with Slack (Add to Slack is tests/support/slack_emulator_oauth.py).
"""

from tests.support.slack_emulator.emulator import SlackEmulator, slack_emulator
from tests.support.slack_emulator.openid import (
    OPENID_AUTHORIZE_PATH,
    OPENID_CLIENT_ID,
    OPENID_CLIENT_SECRET,
    OPENID_KEY_ID,
    OPENID_KEYS_PATH,
    OpenIdProvider,
)
from tests.support.slack_emulator.wire import (
    APP_ID,
    AUTH_FREE_METHODS,
    BOT_FIELDS,
    BOT_ID,
    BOT_USER_ID,
    JSON_FIELDS,
    SOCKET_PATH,
    TEAM_DOMAIN,
    TEAM_ID,
    UNSTARTED_SOCKET_URL,
    Call,
    Json,
)

__all__ = [
    "APP_ID",
    "AUTH_FREE_METHODS",
    "BOT_FIELDS",
    "BOT_ID",
    "BOT_USER_ID",
    "JSON_FIELDS",
    "OPENID_AUTHORIZE_PATH",
    "OPENID_CLIENT_ID",
    "OPENID_CLIENT_SECRET",
    "OPENID_KEYS_PATH",
    "OPENID_KEY_ID",
    "SOCKET_PATH",
    "TEAM_DOMAIN",
    "TEAM_ID",
    "UNSTARTED_SOCKET_URL",
    "Call",
    "Json",
    "OpenIdProvider",
    "SlackEmulator",
    "slack_emulator",
]
