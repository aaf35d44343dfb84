"""The Teams app package `python app.py teams-package PATH.zip` writes: manifest.json (Teams
app manifest schema 1.29, the current one), color.png (192x192) and outline.png (32x32,
white on transparent), drawn here without an imaging library.

The manifest declares the bot (REVIEWWATCH_TEAMS_APP_ID) in personal chats, group chats and
teams, with the commands it answers as its command list. The developer's web, privacy and
terms pages are the organisation's own: given on the command line, or REVIEWWATCH_PUBLIC_URL.
"""

from __future__ import annotations

import io
import json
import struct
import zipfile
import zlib
from collections.abc import Callable
from typing import Any
from urllib.parse import urlparse

MANIFEST_VERSION = "1.29"
MANIFEST_SCHEMA = (
    f"https://developer.microsoft.com/en-us/json-schemas/teams/v{MANIFEST_VERSION}/MicrosoftTeams.schema.json"
)
APP_VERSION = "1.0.0"
ACCENT = (0x1F, 0x4E, 0x79)
SCOPES = ["personal", "team", "groupChat"]
MAX_COMMANDS = 12  # per command list, as the schema allows


def _png(size: int, pixel: Callable[[int, int], tuple[int, int, int, int]]) -> bytes:
    """An RGBA PNG of `size` x `size` whose pixel (x, y) is `pixel(x, y)`."""
    rows = b"".join(b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(size)) for y in range(size))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def _eye(x: float, y: float) -> bool:
    """A watching eye: a lens-shaped outline with a pupil, on a unit square."""
    dx, dy = x - 0.5, y - 0.5
    lens = (dx / 0.42) ** 2 + (dy / 0.24) ** 2
    return 0.72 <= lens <= 1.0 or dx * dx + dy * dy <= 0.012


def color_icon() -> bytes:
    white = (255, 255, 255, 255)
    accent = (*ACCENT, 255)
    return _png(192, lambda x, y: white if _eye((x + 0.5) / 192, (y + 0.5) / 192) else accent)


def outline_icon() -> bytes:
    return _png(
        32, lambda x, y: (255, 255, 255, 255) if _eye((x + 0.5) / 32, (y + 0.5) / 32) else (0, 0, 0, 0)
    )


def https_url(value: str) -> str | None:
    parsed = urlparse(value)
    return value.rstrip("/") if parsed.scheme == "https" and parsed.hostname else None


def manifest(
    app_id: str,
    commands: list[tuple[str, str]],
    *,
    developer: str,
    website: str,
    privacy: str,
    terms: str,
) -> dict[str, Any]:
    """The manifest: `commands` are (title, description) pairs, the first eleven and the last
    (help) listed."""
    if len(commands) > MAX_COMMANDS:  # keep the last (help: it names the rest)
        commands = [*commands[: MAX_COMMANDS - 1], commands[-1]]
    listed = [{"title": t[:128], "description": d[:4000]} for t, d in commands]
    return {
        "$schema": MANIFEST_SCHEMA,
        "manifestVersion": MANIFEST_VERSION,
        "version": APP_VERSION,
        "id": app_id,
        "developer": {
            "name": developer[:32],
            "websiteUrl": website,
            "privacyUrl": privacy,
            "termsOfUseUrl": terms,
        },
        "name": {"short": "Review Watch", "full": "Review Watch: the federal review of frontier AI models"},
        "description": {
            "short": "Who has signed, who holds out, and what is due in the AI model review.",
            "full": (
                "Review Watch tracks the US federal pre-release review of frontier AI models: which "
                "developers have signed a review agreement, the deadlines and review windows coming up, "
                "and every change with its source. Ask it in a chat or a channel, and receive its alerts."
            ),
        },
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": "#{:02X}{:02X}{:02X}".format(*ACCENT),
        "bots": [
            {
                "botId": app_id,
                "scopes": SCOPES,
                "isNotificationOnly": False,
                "supportsFiles": False,
                "commandLists": [{"scopes": SCOPES, "commands": listed}],
            }
        ],
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": [urlparse(website).hostname or ""],
    }


def package_bytes(app_manifest: dict[str, Any]) -> bytes:
    """The zip Teams uploads: the three files at its root."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(app_manifest, indent=2, ensure_ascii=False) + "\n")
        archive.writestr("color.png", color_icon())
        archive.writestr("outline.png", outline_icon())
    return buffer.getvalue()


class PackageError(ValueError):
    """What is missing to write the package; one line, safe to print."""


def write_package(
    deps: Any,
    path: str,
    *,
    developer: str,
    website: str | None,
    privacy: str | None,
    terms: str | None,
) -> str:
    """Write the package to `path`; the line to print. PackageError names what is missing."""
    from pathlib import Path

    from bot.teams.chat import bot_commands

    app_id = deps.settings.teams_app_id
    if not app_id:
        raise PackageError("set REVIEWWATCH_TEAMS_APP_ID (the bot's Entra application id) first")
    site = https_url(website or deps.settings.public_url or "")
    if site is None:
        raise PackageError(
            "give --website https://... (your organisation's page for the app), or set REVIEWWATCH_PUBLIC_URL"
        )
    pages = {"--privacy-url": privacy, "--terms-url": terms}
    checked = {name: https_url(value) if value else site for name, value in pages.items()}
    for name, value in checked.items():
        if value is None:
            raise PackageError(f"{name} must be an https URL")
    commands = [(c.usage, c.summary) for c in bot_commands(deps)]
    app_manifest = manifest(
        app_id,
        commands,
        developer=developer,
        website=site,
        privacy=checked["--privacy-url"] or site,
        terms=checked["--terms-url"] or site,
    )
    if not path.endswith(".zip"):
        raise PackageError(f"{path} should end in .zip")
    Path(path).write_bytes(package_bytes(app_manifest))
    return f"wrote {path}: manifest.json (Teams manifest {MANIFEST_VERSION}), color.png, outline.png"
