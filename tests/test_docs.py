"""The README is a front page and docs/ holds one page per topic: the README stays short and
has a contents list, every link in README.md and docs/*.md leads somewhere (a file that
exists, a heading that exists), every docs page is reachable from the README and opens by
saying what it covers, and every command the app offers has its row in docs/commands.md."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.catalog import AIREVIEW_SUBCOMMANDS
from bot.read import SLASH_COMMANDS
from tests.support.paths import PROJECT_ROOT

README_MAX_LINES = 300


def markdown_files(root: Path) -> list[Path]:
    """README.md and every docs/*.md page under `root`."""
    return [root / "README.md", *sorted((root / "docs").glob("*.md"))]


def without_code_blocks(markdown: str) -> str:
    """The text with fenced code blocks removed: a `# comment` in a shell block is no heading."""
    return re.sub(r"^```.*?^```[^\n]*$", "", markdown, flags=re.M | re.S)


def without_code(markdown: str) -> str:
    """The text with code blocks and inline code removed: `[x](y)` shown as code is no link."""
    return re.sub(r"`[^`\n]*`", "", without_code_blocks(markdown))


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped (hyphens and
    underscores kept), spaces to hyphens."""
    text = heading.strip().replace("`", "").lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(markdown: str) -> set[str]:
    """Every heading's anchor in a page, with GitHub's -1, -2 ... for repeated headings."""
    seen: dict[str, int] = {}
    found = set()
    for heading in re.findall(r"^#{1,6} (.+?)\s*#*\s*$", without_code_blocks(markdown), re.M):
        base = slug(heading)
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def links(markdown: str) -> list[str]:
    """The targets of every inline link and image in a page, outside code."""
    return re.findall(r"\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)", without_code(markdown))


def is_external(target: str) -> bool:
    return re.match(r"^[a-z][a-z0-9+.-]*:", target) is not None


def broken_links(root: Path) -> list[str]:
    """Each relative link, in README.md and docs/*.md under `root`, to a file that does not
    exist or to an `#anchor` that is no heading of its target page."""
    broken = []
    for page in markdown_files(root):
        text = page.read_text(encoding="utf-8")
        for target in links(text):
            if is_external(target):
                continue
            path_part, _, anchor = target.partition("#")
            resolved = (page.parent / path_part).resolve() if path_part else page
            where = f"{page.relative_to(root)}: ({target})"
            if not resolved.exists():
                broken.append(f"{where}: no such file")
            elif anchor and (
                resolved.suffix != ".md" or anchor not in anchors(resolved.read_text(encoding="utf-8"))
            ):
                broken.append(f"{where}: no heading with anchor #{anchor}")
    return broken


def pages_not_linked_from_readme(root: Path) -> list[str]:
    readme = root / "README.md"
    linked = {
        (root / target.partition("#")[0]).resolve()
        for target in links(readme.read_text(encoding="utf-8"))
        if not is_external(target) and target.partition("#")[0]
    }
    return [page.name for page in sorted((root / "docs").glob("*.md")) if page.resolve() not in linked]


def opening_problem(markdown: str) -> str | None:
    """Why a docs page does not open with its title and then a paragraph (None: it does)."""
    lines = markdown.split("\n")
    if not lines[0].startswith("# "):
        return "the first line is not a '# Title'"
    body = [line for line in lines[1:] if line.strip()]
    if not body:
        return "nothing after the title"
    first = body[0]
    if re.match(r"^(#|\||[-*+] |\d+\. |!\[|```|>|<)", first):
        return f"the title is followed by {first[:40]!r}, not a paragraph"
    return None


def section(markdown: str, heading: str) -> str:
    """The text under a `## heading`, up to the next `## ` heading."""
    match = re.search(rf"^## {re.escape(heading)}\s*$(.*?)(?=^## |\Z)", markdown, re.M | re.S)
    assert match, f"no '## {heading}' section"
    return match.group(1)


README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
DOCS = sorted((PROJECT_ROOT / "docs").glob("*.md"))


def test_the_readme_is_a_front_page_of_at_most_300_lines() -> None:
    count = len(README.splitlines())
    assert count <= README_MAX_LINES, f"README.md has {count} lines; move detail into docs/"


def test_the_readme_has_a_contents_list_naming_each_of_its_sections() -> None:
    contents = section(README, "Contents")
    listed = re.findall(r"^- \[[^\]]+\]\(#([^)]+)\)", contents, re.M)
    headings = [
        slug(h) for h in re.findall(r"^## (.+)$", without_code_blocks(README), re.M) if h != "Contents"
    ]
    assert headings and listed == headings, (listed, headings)


def test_every_link_in_the_readme_and_docs_leads_to_a_file_and_heading_that_exist() -> None:
    assert broken_links(PROJECT_ROOT) == []


def test_every_docs_page_is_linked_from_the_readme() -> None:
    assert DOCS, "docs/ has no pages"
    assert pages_not_linked_from_readme(PROJECT_ROOT) == []


@pytest.mark.parametrize("page", DOCS, ids=lambda p: p.name)
def test_each_docs_page_opens_with_a_paragraph_saying_what_it_covers(page: Path) -> None:
    assert opening_problem(page.read_text(encoding="utf-8")) is None, page.name


def test_the_readme_shows_the_timeline_picture() -> None:
    assert "](docs/timeline.png)" in README
    assert (PROJECT_ROOT / "docs" / "timeline.png").is_file()


def test_every_command_the_app_offers_has_its_row_in_the_commands_page() -> None:
    commands = (PROJECT_ROOT / "docs" / "commands.md").read_text(encoding="utf-8")
    slash = [f"/{command.name}" for command in SLASH_COMMANDS if command.name != "aireview"]
    subcommands = [f"/aireview {sub.name}" for sub in AIREVIEW_SUBCOMMANDS]
    missing = [
        name
        for name in [*slash, *subcommands]
        if not re.search(rf"^\| `{re.escape(name)}[ `]", commands, re.M)
    ]
    assert missing == [], f"add these to the table in docs/commands.md: {missing}"


def test_the_checks_catch_what_they_are_for(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "good.md").write_text(
        "# Good\n\nWhat it covers.\n\n## Two words, `code` (and more)\n\n"
        "```sh\n# not a heading\n```\n\n[up](../README.md) [here](#two-words-code-and-more)\n",
        encoding="utf-8",
    )
    (tmp_path / "docs" / "orphan.md").write_text("# Orphan\n\n| a table first |\n", encoding="utf-8")
    (tmp_path / "README.md").write_text(
        "# Front\n\n[good](docs/good.md#two-words-code-and-more) [gone](docs/gone.md) "
        "[bad anchor](docs/good.md#not-a-heading) [shell comment](docs/good.md#not-a-heading-either) "
        "[web](https://example.org/x.md) `[code](nowhere.md)` [folder](docs/)\n",
        encoding="utf-8",
    )
    assert broken_links(tmp_path) == [
        "README.md: (docs/gone.md): no such file",
        "README.md: (docs/good.md#not-a-heading): no heading with anchor #not-a-heading",
        "README.md: (docs/good.md#not-a-heading-either): no heading with anchor #not-a-heading-either",
    ]
    assert pages_not_linked_from_readme(tmp_path) == ["orphan.md"]
    assert opening_problem((tmp_path / "docs" / "good.md").read_text(encoding="utf-8")) is None
    assert opening_problem((tmp_path / "docs" / "orphan.md").read_text(encoding="utf-8")) is not None
    assert anchors("# A\n\n## Same\n\n## Same\n") == {"a", "same", "same-1"}
    assert slug("Asking by @mention or direct message") == "asking-by-mention-or-direct-message"
