"""The Teams bot's settings: on only with its app id, password and tenant; a half-configured
bot, a malformed id or a plain-http identity endpoint stops start-up with one line."""

from __future__ import annotations

import pytest

from bot.settings import SettingsError, load_settings

APP = "3f1d5c2a-7b8e-4c1d-9a0b-1c2d3e4f5a6b"
TENANT = "72f988bf-0000-4000-8000-000000000000"
FULL = {
    "REVIEWWATCH_TEAMS_APP_ID": APP,
    "REVIEWWATCH_TEAMS_APP_PASSWORD": "secret-value",
    "REVIEWWATCH_TEAMS_TENANT_ID": TENANT,
}


def test_the_bot_is_on_with_all_three_and_off_without() -> None:
    settings = load_settings(FULL, env_file=None)
    assert settings.teams_bot_enabled
    assert settings.teams_openid_url == "https://login.botframework.com/v1/.well-known/openidconfiguration"
    assert settings.teams_login_url == "https://login.microsoftonline.com"
    assert not load_settings({}, env_file=None).teams_bot_enabled


@pytest.mark.parametrize("missing", sorted(FULL))
def test_a_half_configured_bot_is_refused_naming_what_is_missing(missing: str) -> None:
    env = {k: v for k, v in FULL.items() if k != missing}
    with pytest.raises(SettingsError, match=missing):
        load_settings(env, env_file=None)


def test_the_password_is_never_shown_and_bad_values_are_named() -> None:
    with pytest.raises(SettingsError) as bad_id:
        load_settings({**FULL, "REVIEWWATCH_TEAMS_APP_ID": "not-a-guid"}, env_file=None)
    assert "REVIEWWATCH_TEAMS_APP_ID" in str(bad_id.value)
    with pytest.raises(SettingsError, match="REVIEWWATCH_TEAMS_ADMINS"):
        load_settings({**FULL, "REVIEWWATCH_TEAMS_ADMINS": "U012ABCDEF"}, env_file=None)
    with pytest.raises(SettingsError, match="https"):
        plain_http = {**FULL, "REVIEWWATCH_TEAMS_OPENID_URL": "http://keys.example.org/openid"}
        load_settings(plain_http, env_file=None)
    assert "secret-value" not in repr(load_settings(FULL, env_file=None))


def test_admins_are_entra_object_ids_in_lower_case() -> None:
    admins = {**FULL, "REVIEWWATCH_TEAMS_ADMINS": "7F1C0000-0000-4000-8000-00000000ABCD"}
    settings = load_settings(admins, env_file=None)
    assert settings.teams_admins == ("7f1c0000-0000-4000-8000-00000000abcd",)
