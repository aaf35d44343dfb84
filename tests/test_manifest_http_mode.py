"""manifest.yml's HTTP-mode instructions (its top comment) give a valid manifest whose
every request URL, the type-ahead menus' options load URL included, is /slack/events."""

from __future__ import annotations

import copy
import re
from typing import Any

import yaml

from tests.test_manifest import MANIFEST_PATH, load_manifest, schema_errors

ENDPOINT = "https://YOUR-HOST/slack/events"


def http_mode_settings() -> dict[str, Any]:
    """The `settings:` snippet the comment gives, parsed."""
    comment = [line[1:] for line in MANIFEST_PATH.read_text().splitlines() if line.startswith("#")]
    start = next(n for n, line in enumerate(comment) if line.strip() == "settings:")
    snippet = []
    for line in comment[start:]:
        if not re.match(r"^ {2,}\S", line):
            break
        snippet.append(line[2:])
    parsed = yaml.safe_load("\n".join(snippet))
    assert isinstance(parsed, dict)
    return dict(parsed["settings"])


def test_the_http_mode_manifest_the_comment_describes_is_valid() -> None:
    manifest = copy.deepcopy(load_manifest())
    manifest["settings"]["socket_mode_enabled"] = False
    for command in manifest["features"]["slash_commands"]:
        command["url"] = ENDPOINT
    for section, urls in http_mode_settings().items():
        manifest["settings"][section].update(urls)

    assert schema_errors(manifest) == []
    interactivity = manifest["settings"]["interactivity"]
    assert interactivity["message_menu_options_url"] == ENDPOINT  # type-ahead menus' options
    assert interactivity["request_url"] == ENDPOINT
    assert manifest["settings"]["event_subscriptions"]["request_url"] == ENDPOINT
