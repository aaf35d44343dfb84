"""manifest.yml is a valid Slack app manifest and declares only what Review Watch uses."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import pytest
import yaml
from jsonschema import Draft7Validator

from tests.support import paths

PROJECT_ROOT = paths.PROJECT_ROOT
MANIFEST_PATH = PROJECT_ROOT / "manifest.yml"
SCHEMA_NAME = "slack-manifest.schema.1.0.0.json"
# Vendored copy (see tests/schemas/LICENSE-NOTES.md) so these tests never skip.
SCHEMA_PATH = paths.SCHEMAS / SCHEMA_NAME
SHARED_SCHEMA_PATH = paths.SHARED / "schemas" / SCHEMA_NAME

EXPECTED_COMMANDS = {"/holdouts", "/deadlines", "/aireview"}

# Every bot scope the app may ask for, with why. chat:write.public is deliberately absent:
# alerts go only to channels that subscribed, and the bot must be invited there.
ALLOWED_BOT_SCOPES = {
    "commands": "slash",
    "app_mentions:read": "questions by @mention",
    "im:history": "questions by direct message; dedup of personal follows' direct messages",
    "chat:write": "alerts",
    "usergroups:read": "admins",
    "users:read": "names",
    "files:write": "exports",
    "channels:history": "dedup",
    "groups:history": "dedup",
    "im:write": "personal follows' DMs; reminders: the DM a retried reminder is looked for in",
}


def load_manifest() -> dict[str, Any]:
    with MANIFEST_PATH.open(encoding="utf-8") as fh:
        manifest = yaml.safe_load(fh)
    assert isinstance(manifest, dict), "manifest.yml must be a YAML mapping"
    return manifest


def manifest_commands() -> set[str]:
    """The slash commands manifest.yml declares, e.g. {"/holdouts", ...}."""
    return {c["command"] for c in load_manifest()["features"]["slash_commands"]}


def load_schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def manifest_validator() -> Draft7Validator:
    schema = load_schema()
    Draft7Validator.check_schema(schema)
    return Draft7Validator(schema, format_checker=Draft7Validator.FORMAT_CHECKER)


def schema_errors(manifest: dict[str, Any]) -> list[str]:
    errors = sorted(manifest_validator().iter_errors(manifest), key=lambda e: list(e.path))
    return [f"{'/'.join(map(str, e.path)) or '<root>'}: {e.message}" for e in errors]


def test_schema_is_draft_7() -> None:
    # Draft7Validator is only right while the schema declares draft-07.
    assert load_schema()["$schema"] == "http://json-schema.org/draft-07/schema#"


if SHARED_SCHEMA_PATH.exists():
    # Defined only where ../shared exists (the team's checkout), so a fresh clone neither
    # runs nor skips it: the vendored copy is what every run validates against.

    def test_vendored_schema_matches_shared_copy() -> None:
        assert json.loads(SHARED_SCHEMA_PATH.read_text(encoding="utf-8")) == load_schema()


def test_manifest_is_valid_against_slack_schema() -> None:
    assert schema_errors(load_manifest()) == []


def test_background_color_is_a_hex_colour() -> None:
    # The schema states this with a non-standard "regex" keyword that jsonschema ignores.
    colour = load_manifest()["display_information"]["background_color"]
    assert re.fullmatch(r"#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?", colour)


def test_display_information() -> None:
    info = load_manifest()["display_information"]
    assert info["name"] == "Review Watch"
    assert "CAISI" in info["description"]
    assert "CAISI" in info["long_description"]
    assert len(info["long_description"]) >= 175


def test_declares_exactly_the_app_commands() -> None:
    assert manifest_commands() == EXPECTED_COMMANDS
    commands = load_manifest()["features"]["slash_commands"]
    assert len(commands) == len(EXPECTED_COMMANDS), "a command is declared twice"
    # Socket Mode: no per-command URL (HTTP mode adds one; see the comment in manifest.yml).
    assert all("url" not in c for c in commands)


def test_bot_scopes_are_all_allowed() -> None:
    scopes = load_manifest()["oauth_config"]["scopes"]["bot"]
    assert len(scopes) == len(set(scopes)), "a scope is declared twice"
    unexpected = set(scopes) - ALLOWED_BOT_SCOPES.keys()
    assert not unexpected, f"bot scopes outside the allowlist: {sorted(unexpected)}"
    assert "chat:write.public" not in scopes
    assert "commands" in scopes and "chat:write" in scopes


def test_socket_mode_app_home_and_interactivity() -> None:
    manifest = load_manifest()
    settings = manifest["settings"]
    assert settings["socket_mode_enabled"] is True
    assert settings["interactivity"]["is_enabled"] is True
    assert {"app_home_opened", "app_mention", "message.im"} <= set(
        settings["event_subscriptions"]["bot_events"]
    )
    app_home = manifest["features"]["app_home"]
    assert app_home["home_tab_enabled"] is True
    # People can write to the app in its Messages tab (direct-message questions).
    assert app_home["messages_tab_enabled"] is True
    assert app_home["messages_tab_read_only_enabled"] is False
    scopes = manifest["oauth_config"]["scopes"]["bot"]
    assert "app_mentions:read" in scopes and "im:history" in scopes
    assert manifest["features"]["bot_user"]["display_name"] == "Review Watch"


def test_aireview_usage_hint_lists_every_subcommand() -> None:
    from bot.catalog import AIREVIEW_SUBCOMMANDS
    from bot.replies import SURFACE_SLACK

    hint = next(
        c["usage_hint"] for c in load_manifest()["features"]["slash_commands"] if c["command"] == "/aireview"
    )
    slack_names = [s.name for s in AIREVIEW_SUBCOMMANDS if SURFACE_SLACK in s.surfaces]
    # The first word of each `|`-separated part (`export ics|csv` leaves a bare `csv` part).
    hinted = {part.split()[0] for part in hint.split("|") if part.strip()}
    missing = [name for name in slack_names if name not in hinted]
    assert missing == [], f"add to the /aireview usage_hint in manifest.yml: {missing}"


def _without_command_description(m: dict[str, Any]) -> None:
    del m["features"]["slash_commands"][0]["description"]


def _with_command_missing_slash(m: dict[str, Any]) -> None:
    m["features"]["slash_commands"][0]["command"] = "holdouts"


def _with_unknown_top_level_key(m: dict[str, Any]) -> None:
    m["slash_commands"] = []


def _with_short_long_description(m: dict[str, Any]) -> None:
    m["display_information"]["long_description"] = "Too short."


def _with_non_boolean_socket_mode(m: dict[str, Any]) -> None:
    m["settings"]["socket_mode_enabled"] = "yes"


@pytest.mark.parametrize(
    ("break_manifest", "expected_path"),
    [
        (_without_command_description, "features/slash_commands/0"),
        (_with_command_missing_slash, "features/slash_commands/0/command"),
        (_with_unknown_top_level_key, "<root>"),
        (_with_short_long_description, "display_information/long_description"),
        (_with_non_boolean_socket_mode, "settings/socket_mode_enabled"),
    ],
)
def test_schema_rejects_a_broken_manifest(break_manifest: Any, expected_path: str) -> None:
    manifest = copy.deepcopy(load_manifest())
    break_manifest(manifest)
    errors = schema_errors(manifest)
    # Exactly the breakage, at its place: proves the validation is real, not vacuous.
    assert len(errors) == 1, errors
    assert errors[0].startswith(f"{expected_path}: "), errors
