"""The bot scopes are the same in manifest.yml, docs/scopes.md and SLACK_SCOPES' default, and
each documented Web API method is one the code calls (issue 28: no scope the code does not need)."""

from __future__ import annotations

import re

import yaml

from bot.settings import DEFAULT_SCOPES
from tests.support.paths import PROJECT_ROOT

PAGE = (PROJECT_ROOT / "docs" / "scopes.md").read_text(encoding="utf-8")
ROWS = re.findall(r"^\| `([a-z_.:]+)` \| [^|]+ \| ([^|]+) \|$", PAGE, re.M)


def code_text() -> str:
    paths = [
        PROJECT_ROOT / "app.py",
        *(PROJECT_ROOT / "bot").rglob("*.py"),
        *(PROJECT_ROOT / "handlers").rglob("*.py"),
    ]
    return "\n".join(path.read_text(encoding="utf-8") for path in paths)


def test_manifest_docs_and_the_default_ask_for_the_same_scopes() -> None:
    manifest = yaml.safe_load((PROJECT_ROOT / "manifest.yml").read_text(encoding="utf-8"))
    scopes = manifest["oauth_config"]["scopes"]["bot"]
    documented = [scope for scope, _ in ROWS]
    assert sorted(scopes) == sorted(documented) == sorted(DEFAULT_SCOPES)


def test_every_documented_method_is_one_the_code_calls() -> None:
    code = code_text()
    missing = []
    for scope, uses in ROWS:
        for method in re.findall(r"`([a-z]+\.[a-zA-Z.]+)`(?! event)", uses):
            # files_upload_v2 makes the two files.* calls of an upload itself
            call = "files_upload_v2(" if method.startswith("files.") else method.replace(".", "_") + "("
            if call not in code:
                missing.append(f"{scope}: {method}")
    assert missing == []
    assert all(re.search(r"`[a-z]+\.[a-zA-Z.]+`|event|slash commands", uses) for _, uses in ROWS)
