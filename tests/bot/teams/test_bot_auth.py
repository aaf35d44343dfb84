"""The Teams bot's front door: every activity at /api/messages is authenticated by the Teams
SDK's Bot Framework JWT check, against keys a local OpenID configuration publishes; a forged
or unauthenticated activity gets 401 and causes nothing (no call to the connector)."""

from __future__ import annotations

import pytest

from bot.deps import Deps
from tests.support.teams_connector import BotServer, TeamsConnector, message_activity, new_key


def test_a_signed_activity_is_answered_at_the_connector(bot: BotServer, connector: TeamsConnector) -> None:
    response = bot.post(message_activity(connector, "holdouts"), connector.inbound_token())
    assert response.status_code == 200
    sent = connector.sent("message")
    assert len(sent) == 1
    assert "Meta" in str(sent[0].cards)


def forged(connector: TeamsConnector) -> dict[str, str | None]:
    other = "00000000-1111-4222-8333-444444444444"
    return {
        "no token": None,
        "not a JWT": "not-a-token",
        "signed by another key": connector.inbound_token(key=new_key()),
        "another audience": connector.inbound_token(audience=other),
        "another issuer": connector.inbound_token(issuer="https://sts.windows.net/attacker/"),
        "expired": connector.inbound_token(expires_in=-3600),
        "another service URL": connector.inbound_token(service_url="https://attacker.example/teams/"),
        "unknown key id": connector.inbound_token(key_id="not-published"),
    }


@pytest.mark.parametrize(
    "case",
    [
        "no token",
        "not a JWT",
        "signed by another key",
        "another audience",
        "another issuer",
        "expired",
        "another service URL",
        "unknown key id",
    ],
)
def test_a_forged_activity_gets_401_and_nothing_is_sent(
    bot: BotServer, connector: TeamsConnector, case: str
) -> None:
    token = forged(connector)[case]
    response = bot.post(message_activity(connector, "holdouts"), token)
    assert response.status_code == 401
    assert connector.sent() == []


def test_the_service_url_in_the_body_must_be_the_tokens(bot: BotServer, connector: TeamsConnector) -> None:
    activity = message_activity(connector, "holdouts")
    activity["serviceUrl"] = "https://attacker.example/teams/"
    assert bot.post(activity, connector.inbound_token()).status_code == 401
    del activity["serviceUrl"]
    assert bot.post(activity, connector.inbound_token()).status_code == 401
    assert connector.sent() == []


def test_the_sdk_switch_for_unauthenticated_requests_does_not_open_the_door(
    bot: BotServer, connector: TeamsConnector, monkeypatch: pytest.MonkeyPatch, deps: Deps
) -> None:
    monkeypatch.setenv("DANGEROUSLY_ALLOW_UNAUTHENTICATED_REQUESTS", "true")
    server = BotServer(deps)
    try:
        assert server.post(message_activity(connector, "holdouts"), None).status_code == 401
    finally:
        server.close()
    assert connector.sent() == []


def test_another_tenants_activity_is_answered_with_nothing(bot: BotServer, connector: TeamsConnector) -> None:
    activity = message_activity(connector, "holdouts", tenant_id="11111111-2222-4333-8444-555555555555")
    assert bot.post(activity, connector.inbound_token()).status_code == 200
    assert connector.sent() == []
