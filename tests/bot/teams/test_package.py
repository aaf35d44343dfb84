"""`python app.py teams-package PATH.zip`: a package Teams accepts (manifest valid against the
Teams app manifest schema 1.29, icons of the sizes Teams asks for), naming the bot."""

from __future__ import annotations

import json
import struct
import zipfile
from pathlib import Path

from jsonschema import Draft4Validator

from tests.support import paths
from tests.support.app_process import clean_env, run_main
from tests.support.teams_connector import APP_ID, APP_PASSWORD, TENANT_ID

BOT = {
    "REVIEWWATCH_TEAMS_APP_ID": APP_ID,
    "REVIEWWATCH_TEAMS_APP_PASSWORD": APP_PASSWORD,
    "REVIEWWATCH_TEAMS_TENANT_ID": TENANT_ID,
}

SCHEMA = paths.SCHEMAS / "teams-manifest.schema.1.29.json"


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_the_package_is_valid_and_names_the_bot(tmp_path: Path) -> None:
    env = clean_env(REVIEWWATCH_DB=str(tmp_path / "r.db"), **BOT)
    out = tmp_path / "review-watch.zip"
    done = run_main(
        ["teams-package", str(out), "--website", "https://policy.example.org/review-watch"], env, tmp_path
    )
    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(out) as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(archive.read("manifest.json"))
        color, outline = archive.read("color.png"), archive.read("outline.png")
    errors = list(Draft4Validator(json.loads(SCHEMA.read_text())).iter_errors(manifest))
    assert errors == []
    assert manifest["manifestVersion"] == "1.29"
    assert manifest["bots"][0]["botId"] == APP_ID
    assert set(manifest["bots"][0]["scopes"]) == {"personal", "team", "groupChat"}
    titles = [c["title"] for c in manifest["bots"][0]["commandLists"][0]["commands"]]
    assert "status <developer>" in titles and "help" in titles
    assert manifest["developer"]["privacyUrl"] == "https://policy.example.org/review-watch"
    assert png_size(color) == (192, 192) and png_size(outline) == (32, 32)
    assert color[25] == 6 and outline[25] == 6  # RGBA: the outline is white on transparent


def test_without_an_app_id_or_a_website_it_says_what_to_set(tmp_path: Path) -> None:
    out = str(tmp_path / "p.zip")
    no_id = run_main(["teams-package", out], clean_env(REVIEWWATCH_DB=str(tmp_path / "r.db")), tmp_path)
    assert no_id.returncode == 2 and "REVIEWWATCH_TEAMS_APP_ID" in no_id.stderr
    env = clean_env(REVIEWWATCH_DB=str(tmp_path / "r.db"), **BOT)
    no_site = run_main(["teams-package", out], env, tmp_path)
    assert no_site.returncode == 2 and "--website" in no_site.stderr
    assert not Path(out).exists()
