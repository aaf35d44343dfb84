"""Settings: defaults, `.env` reading, and one clear line for every bad value (secrets hidden)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import time
from pathlib import Path

import pytest

from bot.settings import (
    DEFAULT_SCOPES,
    SECRET_NAMES,
    SETTINGS_DOC,
    Settings,
    SettingsError,
    load_settings,
    read_env_file,
)
from tests.support import paths

PROJECT_ROOT = paths.PROJECT_ROOT


def load(**env: str) -> Settings:
    return load_settings(env, env_file=None)


def error_for(**env: str) -> str:
    with pytest.raises(SettingsError) as info:
        load(**env)
    message = str(info.value)
    assert "\n" not in message, "a settings error is one line"
    return message


def test_defaults_match_the_documented_ones() -> None:
    settings = load()
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.db_path == "reviewwatch.db"
    assert settings.timezone_name == "America/New_York"
    assert settings.alert_time == time(9, 0)
    assert settings.review_window_days == 30
    assert settings.lead_days == (30, 14, 7, 3, 1, 0)
    assert settings.federal_register_default is True
    assert settings.log_level == "INFO"
    assert settings.port == 3000
    assert settings.host == "0.0.0.0"
    assert settings.public_url is None
    assert settings.admins == () and not settings.admins_configured
    for name, attr, default in (
        ("SLACK_API_URL", "slack_api_url", "https://slack.com/api/"),
        ("REVIEWWATCH_DB", "db_path", "reviewwatch.db"),
        ("REVIEWWATCH_HOST", "host", "0.0.0.0"),
        ("REVIEWWATCH_TIMEZONE", "timezone_name", "America/New_York"),
        ("REVIEWWATCH_LEAD_DAYS", "lead_days", (30, 14, 7, 3, 1, 0)),
        ("REVIEWWATCH_DB_BUSY_TIMEOUT", "db_busy_timeout", 10),
    ):
        doc_default = SETTINGS_DOC[name][0]
        assert str(getattr(settings, attr) if attr != "lead_days" else "30,14,7,3,1,0") == doc_default
        assert getattr(settings, attr) == default


def test_good_values_are_parsed() -> None:
    settings = load(
        SLACK_BOT_TOKEN="xoxb-1-2-abc",
        SLACK_APP_TOKEN="xapp-1-abc",
        SLACK_API_URL="http://127.0.0.1:8555/api",
        REVIEWWATCH_TIMEZONE="Europe/Berlin",
        REVIEWWATCH_ALERT_TIME="7:05",
        REVIEWWATCH_ADMINS=" U012ABCDEF, W0ENTERPRISE ",
        REVIEWWATCH_ADMIN_GROUP="S0POLICY",
        REVIEWWATCH_TEAMS_WEBHOOKS="policy=https://example.test/hook/a, legal=https://example.test/b",
        REVIEWWATCH_REVIEW_WINDOW_DAYS="45",
        REVIEWWATCH_LEAD_DAYS="1, 7,7,30",
        REVIEWWATCH_FEDERAL_REGISTER="OFF",
        REVIEWWATCH_LOG_LEVEL="debug",
        PORT="8080",
        REVIEWWATCH_HOST=" 127.0.0.1 ",
        REVIEWWATCH_PUBLIC_URL="https://reviewwatch.example.org/policy/",
        REVIEWWATCH_DB_BUSY_TIMEOUT="2",
    )
    assert settings.slack_api_url == "http://127.0.0.1:8555/api/"  # trailing slash added
    assert settings.tz.key == "Europe/Berlin"
    assert settings.alert_time == time(7, 5)
    assert settings.admins == ("U012ABCDEF", "W0ENTERPRISE")
    assert settings.admin_group == "S0POLICY" and settings.admins_configured
    assert settings.teams_webhooks == {
        "policy": "https://example.test/hook/a",
        "legal": "https://example.test/b",
    }
    assert settings.review_window_days == 45
    assert settings.lead_days == (30, 7, 1)
    assert settings.federal_register_default is False
    assert settings.log_level == "DEBUG"
    assert settings.port == 8080
    assert settings.host == "127.0.0.1"
    assert load(REVIEWWATCH_HOST="::1").host == "::1"
    assert settings.public_url == "https://reviewwatch.example.org/policy"  # no trailing slash
    assert settings.db_busy_timeout == 2
    assert load(REVIEWWATCH_PUBLIC_URL="http://127.0.0.1:3000").public_url == "http://127.0.0.1:3000"


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("REVIEWWATCH_TIMEZONE", "Mars/Olympus_Mons", "IANA timezone"),
        ("REVIEWWATCH_TIMEZONE", "America", "IANA timezone"),  # a tzdata folder, not a zone
        ("REVIEWWATCH_TIMEZONE", "../etc/passwd", "IANA timezone"),
        ("REVIEWWATCH_ALERT_TIME", "25:00", "HH:MM"),
        ("REVIEWWATCH_ALERT_TIME", "09:60", "HH:MM"),
        ("REVIEWWATCH_ALERT_TIME", "9am", "HH:MM"),
        ("REVIEWWATCH_ADMINS", "alice@example.com", "Slack user ids"),
        ("REVIEWWATCH_ADMINS", "u012abcdef", "Slack user ids"),
        ("REVIEWWATCH_ADMIN_GROUP", "policy-team", "user group id"),
        ("PORT", "http", "whole number from 1 to 65535"),
        ("PORT", "70000", "whole number from 1 to 65535"),
        ("PORT", "0", "whole number from 1 to 65535"),
        ("REVIEWWATCH_HOST", "0.0.0.0:3000", "IP address"),
        ("REVIEWWATCH_HOST", "256.1.1.1", "IP address"),
        ("REVIEWWATCH_REVIEW_WINDOW_DAYS", "thirty", "whole number"),
        ("REVIEWWATCH_DB_BUSY_TIMEOUT", "0", "whole number from 1 to 3600"),
        ("REVIEWWATCH_LEAD_DAYS", "30,soon", "comma-separated days"),
        ("REVIEWWATCH_LEAD_DAYS", "400", "comma-separated days"),
        ("SLACK_API_URL", "slack.com/api", "http(s) URL"),
        ("REVIEWWATCH_LOG_LEVEL", "LOUD", "DEBUG, INFO, WARNING, ERROR"),
        ("REVIEWWATCH_FEDERAL_REGISTER", "maybe", "on or off"),
        ("REVIEWWATCH_FEEDS_ALLOW_PRIVATE", "maybe", "1 to allow, 0 (the default) to refuse"),
        ("REVIEWWATCH_PUBLIC_URL", "reviewwatch.example.org", "http(s) base URL"),
        ("REVIEWWATCH_PUBLIC_URL", "ftp://reviewwatch.example.org", "http(s) base URL"),
        ("REVIEWWATCH_PUBLIC_URL", "https://reviewwatch.example.org/?x=1", "http(s) base URL"),
        ("REVIEWWATCH_PUBLIC_URL", "https://reviewwatch.example.org:https", "http(s) base URL"),
        ("SLACK_SCOPES", "commands,chat write", "comma-separated Slack scopes"),
        ("REVIEWWATCH_SLACK_AUTHORIZE_URL", "slack.com/oauth", "http(s) URL"),
    ],
)
def test_each_bad_value_names_variable_value_and_expected_form(name: str, value: str, expected: str) -> None:
    message = error_for(**{name: value})
    assert message.startswith(f"{name}=")
    assert repr(value) in message
    assert expected in message


def test_oauth_mode_needs_the_client_id_secret_and_a_token_key_together() -> None:
    key = "A" * 43 + "="  # 32 bytes, url-safe base64: a Fernet key's shape
    pair = {"SLACK_CLIENT_ID": "3333.4444", "SLACK_CLIENT_SECRET": "secret"}
    assert not load(**pair).oauth_mode  # Sign in with Slack only
    assert not load(REVIEWWATCH_TOKEN_KEY=key).oauth_mode
    on = load(**pair, REVIEWWATCH_TOKEN_KEY=f"{key}, {key}", SLACK_SCOPES="commands, chat:write")
    assert on.oauth_mode and on.token_keys == (key, key) and on.slack_scopes == ("commands", "chat:write")
    assert load().slack_scopes == DEFAULT_SCOPES


def test_private_feed_addresses_are_refused_unless_allowed() -> None:
    assert load().feeds_allow_private is False
    assert load(REVIEWWATCH_FEEDS_ALLOW_PRIVATE="1").feeds_allow_private is True
    assert load(REVIEWWATCH_FEEDS_ALLOW_PRIVATE="0").feeds_allow_private is False


def test_only_the_bad_admin_id_is_named() -> None:
    message = error_for(REVIEWWATCH_ADMINS="U0GOODADMIN,@bob")
    assert "'@bob'" in message and "U0GOODADMIN" not in message


@pytest.mark.parametrize(
    ("bad", "reported"),
    [
        ({"REVIEWWATCH_PUBLIC_URL": "nope", "REVIEWWATCH_TIMEZONE": "Nope/Zone"}, "REVIEWWATCH_TIMEZONE"),
        ({"PORT": "0", "REVIEWWATCH_ALERT_TIME": "25:00"}, "REVIEWWATCH_ALERT_TIME"),
        ({"REVIEWWATCH_ALERT_TIME": "25:00", "REVIEWWATCH_HEALTH_PORT": "0"}, "REVIEWWATCH_HEALTH_PORT"),
        ({"REVIEWWATCH_LOG_LEVEL": "loud", "SLACK_API_URL": "ftp://x"}, "SLACK_API_URL"),
    ],
)
def test_with_several_bad_values_the_same_one_is_always_reported_first(
    bad: dict[str, str], reported: str
) -> None:
    """Start-up reports one bad setting at a time, always in the same order (fix it, and the
    next one is named)."""
    assert error_for(**bad).startswith(f"{reported}=")


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("SLACK_BOT_TOKEN", "xoxp-user-token-SECRET42", "xoxb-"),
        ("SLACK_APP_TOKEN", "xoxb-wrong-kind-SECRET42", "xapp-"),
        ("REVIEWWATCH_TEAMS_WEBHOOKS", "policy=ftp://hooks.example/SECRET42", "name=https://"),
        ("REVIEWWATCH_TEAMS_WEBHOOKS", "https://hooks.example/SECRET42", "name=https://"),
        ("REVIEWWATCH_TEAMS_OUTGOING_SECRET", "not base64 SECRET42!", "base64 security token"),
        ("REVIEWWATCH_TOKEN_KEY", "too-short-SECRET42", "Fernet keys"),
    ],
)
def test_a_bad_secret_is_named_but_never_echoed(name: str, value: str, expected: str) -> None:
    assert name in SECRET_NAMES
    message = error_for(**{name: value})
    assert message.startswith(f"{name}=(hidden)")
    assert expected in message
    assert "SECRET42" not in message


def test_secrets_stay_out_of_the_settings_repr() -> None:
    settings = load(
        SLACK_BOT_TOKEN="xoxb-SECRET-bot",
        SLACK_APP_TOKEN="xapp-SECRET-app",
        SLACK_SIGNING_SECRET="SECRET-signing",
        REVIEWWATCH_TEAMS_WEBHOOKS="policy=https://hooks.example/SECRET-hook",
        REVIEWWATCH_CALENDAR_TOKEN="SECRET-calendar",
    )
    assert settings.slack_bot_token == "xoxb-SECRET-bot"
    assert "SECRET" not in repr(settings)
    assert "SECRET" not in str(settings)
    assert "SECRET" not in f"{settings!r} {[settings]}"


def test_env_file_is_read_and_the_environment_wins(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(
        "# comment line\n"
        "\n"
        "export REVIEWWATCH_TIMEZONE=America/Chicago  # team\n"
        'REVIEWWATCH_DB="/data/from file.db"  # quoted, with a space\n'
        "REVIEWWATCH_ALERT_TIME='08:30'\n"
        "   \n"
        "REVIEWWATCH_ADMINS=U0AUDIT,U0OTHER # two admins\n"
        'REVIEWWATCH_LEAD_DAYS="7,1" # "quotes" in a comment\n'
        "PORT=4000\n",
        encoding="utf-8",
    )
    assert read_env_file(env_file) == {
        "REVIEWWATCH_TIMEZONE": "America/Chicago",
        "REVIEWWATCH_DB": "/data/from file.db",
        "REVIEWWATCH_ALERT_TIME": "08:30",
        "REVIEWWATCH_ADMINS": "U0AUDIT,U0OTHER",
        "REVIEWWATCH_LEAD_DAYS": "7,1",
        "PORT": "4000",
    }
    settings = load_settings({"PORT": "5000"}, env_file=env_file)
    assert settings.timezone_name == "America/Chicago"
    assert settings.db_path == "/data/from file.db"
    assert settings.alert_time == time(8, 30)
    assert settings.admins == ("U0AUDIT", "U0OTHER")
    assert settings.lead_days == (7, 1)
    assert settings.port == 5000  # the environment wins over .env


def test_a_hash_inside_quotes_is_part_of_the_value(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text('REVIEWWATCH_CALENDAR_TOKEN="abc#def"  # the token\n', encoding="utf-8")
    assert load_settings({}, env_file=env_file).calendar_token == "abc#def"


def test_a_missing_env_file_is_fine(tmp_path: Path) -> None:
    assert read_env_file(tmp_path / "absent.env") == {}
    assert load_settings({}, env_file=tmp_path / "absent.env").port == 3000


def test_a_bad_value_in_env_file_is_reported_like_any_other(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("REVIEWWATCH_ALERT_TIME=25:00\n", encoding="utf-8")
    with pytest.raises(SettingsError, match=r"^REVIEWWATCH_ALERT_TIME='25:00' is not valid"):
        load_settings({}, env_file=env_file)


# ------------------------------------------------------- through `python app.py`


def run_app(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the real entry point in an empty folder with only the given settings."""
    clean = {k: v for k, v in os.environ.items() if k not in SETTINGS_DOC}
    clean.update(env)
    return subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "app.py"), *args],
        cwd=tmp_path,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("REVIEWWATCH_TIMEZONE", "Mars/Olympus_Mons"),
        ("REVIEWWATCH_ALERT_TIME", "25:00"),
        ("REVIEWWATCH_ADMINS", "alice"),
        ("PORT", "eighty"),
    ],
)
def test_app_stops_with_one_line_naming_the_bad_setting(tmp_path: Path, name: str, value: str) -> None:
    result = run_app(tmp_path, "seed", **{name: value})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert name in lines[0] and repr(value) in lines[0] and "expected" in lines[0]
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "reviewwatch.db").exists(), "nothing is created before settings are valid"


def test_app_never_prints_a_bad_or_good_secret(tmp_path: Path) -> None:
    bad_token = run_app(tmp_path, "seed", SLACK_BOT_TOKEN="xoxp-SECRET-USER-TOKEN-123")
    assert bad_token.returncode == 2
    assert "SLACK_BOT_TOKEN" in bad_token.stderr
    assert "SECRET-USER-TOKEN" not in bad_token.stderr + bad_token.stdout

    other_error = run_app(
        tmp_path,
        "seed",
        SLACK_BOT_TOKEN="xoxb-SECRET-GOOD-TOKEN",
        SLACK_SIGNING_SECRET="SECRET-SIGNING",
        PORT="none",
    )
    assert other_error.returncode == 2
    assert "PORT" in other_error.stderr
    assert "SECRET" not in other_error.stderr + other_error.stdout


def test_app_reads_env_file_from_working_directory(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("REVIEWWATCH_ALERT_TIME=24:00\n", encoding="utf-8")
    from_file = run_app(tmp_path, "seed")
    assert from_file.returncode == 2
    assert "REVIEWWATCH_ALERT_TIME='24:00'" in from_file.stderr

    # The environment wins over the file; seeding then succeeds into the named database.
    fixed = run_app(tmp_path, "seed", REVIEWWATCH_ALERT_TIME="08:00", REVIEWWATCH_DB="team.db")
    assert fixed.returncode == 0, fixed.stderr
    assert (tmp_path / "team.db").exists()
    assert "team.db" in fixed.stdout
