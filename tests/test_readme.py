"""docs/settings.md documents every setting, and the README's Quickstart is the two commands CI
runs."""

from __future__ import annotations

import re
from pathlib import Path

from bot.settings import SETTINGS_DOC

PROJECT_ROOT = Path(__file__).resolve().parents[1]
README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
SETTINGS_PAGE = (PROJECT_ROOT / "docs" / "settings.md").read_text(encoding="utf-8")


def section(markdown: str, heading: str) -> str:
    """The text under a `## heading`, up to the next `## ` heading."""
    match = re.search(rf"^## {re.escape(heading)}\s*$(.*?)(?=^## |\Z)", markdown, re.M | re.S)
    assert match, f"no '## {heading}' section"
    return match.group(1)


def shell_commands(markdown: str) -> list[str]:
    """Non-blank, non-comment lines of the fenced code blocks in `markdown`."""
    blocks = re.findall(r"^```[^\n]*\n(.*?)^```", markdown, re.M | re.S)
    return [
        line.strip()
        for block in blocks
        for line in block.splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]


def test_every_setting_is_in_the_settings_table() -> None:
    table = section(SETTINGS_PAGE, "All settings")
    missing = [name for name in SETTINGS_DOC if f"| `{name}` |" not in table]
    assert missing == [], f"add these settings to the table in docs/settings.md: {missing}"


def test_the_settings_table_lists_no_unknown_setting() -> None:
    listed = re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", section(SETTINGS_PAGE, "All settings"), re.M)
    assert listed and set(listed) <= set(SETTINGS_DOC), set(listed) - set(SETTINGS_DOC)


def test_quickstart_is_two_commands_and_the_second_is_what_ci_runs() -> None:
    commands = shell_commands(section(README, "Quickstart"))
    assert len(commands) == 2, commands
    ci_lines = [
        line.strip()
        for line in (PROJECT_ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    assert ci_lines[-1] == 'pip install -e ".[test]" && python -m pytest'
    assert commands[1] == ci_lines[-1]
    assert commands[0].startswith("pip install -e . && python app.py console")


def test_section_and_command_helpers_read_markdown_as_meant() -> None:
    sample = "## A\n\n```sh\n# comment\none\n\ntwo\n```\ntext\n## B\n```\nthree\n```\n"
    assert shell_commands(section(sample, "A")) == ["one", "two"]
    assert shell_commands(section(sample, "B")) == ["three"]
