"""Turning the board's page data into bytes: Jinja2 templates (autoescaped) and the static
stylesheets, both shipped inside the package (bot/board/templates, bot/board/static)."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

HERE = Path(__file__).parent
STATIC_TYPES = {".css": "text/css; charset=utf-8"}
STATIC_FILES = frozenset({"board.css", "print.css"})


@functools.cache
def environment() -> Environment:
    """One environment for the process: it compiles each template once."""
    return Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html", "xml", "atom"], default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(template: str, **context: Any) -> bytes:
    return environment().get_template(template).render(**context).encode("utf-8")


def static_file(name: str) -> tuple[bytes, str] | None:
    """(content, content type) of a shipped stylesheet, or None for any other name."""
    if name not in STATIC_FILES:
        return None
    path = HERE / "static" / name
    return path.read_bytes(), STATIC_TYPES[path.suffix]
