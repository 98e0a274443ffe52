"""The Teams app package: ``tandem teams package`` writes a zip Teams accepts, in a real process."""

from __future__ import annotations

import importlib.util
import json
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest

from adapters.teams.package import (
    APP_DIR,
    GUID,
    MAX_COMMANDS,
    MAX_DESCRIPTION,
    MAX_TITLE,
    build_package,
    check,
    package_version,
    png_size,
)
from bot.commands.grammar import parse
from bot.errors import UserError
from bot.i18n import Renderer
from bot.routes import COMMAND_HANDLERS
from tests.bot.test_cli import tandem

APP_ID = "8f2b6c1e-3d4a-4b5c-9e7f-0a1b2c3d4e5f"
PACKAGE_FILES = {"manifest.json", "fr.json", "color.png", "outline.png"}


def _commands(manifest: dict[str, Any]) -> list[dict[str, str]]:
    lists = manifest["bots"][0]["commandLists"]
    return [command for command_list in lists for command in command_list["commands"]]


def _template() -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads((APP_DIR / "manifest.json").read_text("utf-8"))
    return manifest


def _pixels(data: bytes) -> list[bytes]:
    """The rows of an 8-bit RGBA PNG without interlacing, as written by draw_icons.py."""
    width, height = png_size(data)
    assert data[24:29] == bytes([8, 6, 0, 0, 0]), "8-bit RGBA, not interlaced"
    position, compressed = 8, b""
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        if data[position + 4 : position + 8] == b"IDAT":
            compressed += data[position + 8 : position + 8 + length]
        position += length + 12
    raw = zlib.decompress(compressed)
    stride = 1 + width * 4
    rows = [raw[row * stride : (row + 1) * stride] for row in range(height)]
    assert all(row[0] == 0 for row in rows), "no PNG filter, as draw_icons.py writes"
    return [row[1:] for row in rows]


def test_the_cli_writes_a_package_teams_accepts(tmp_path: Path) -> None:
    target = tmp_path / "out" / "tandem.zip"
    result = tandem(
        "teams",
        "package",
        "--app-id",
        APP_ID,
        "--output",
        str(target),
        "--version",
        "1.2.3",
        tmp_path=tmp_path,
        TANDEM_LOCALE="en",
    )
    assert result.returncode == 0, result.stderr
    assert f"Wrote the Teams app package {target} (bot {APP_ID}, version 1.2.3)" in result.stdout

    with zipfile.ZipFile(target) as archive:
        assert set(archive.namelist()) == PACKAGE_FILES  # flat: every file at the root
        files = {name: archive.read(name) for name in archive.namelist()}
    manifest = json.loads(files["manifest.json"])
    assert manifest["manifestVersion"] == "1.17"
    assert manifest["$schema"].endswith("/teams/v1.17/MicrosoftTeams.schema.json")
    assert manifest["id"] == APP_ID and GUID.fullmatch(manifest["id"])
    assert manifest["version"] == "1.2.3"
    assert "${{" not in files["manifest.json"].decode()
    (bot,) = manifest["bots"]
    assert bot["botId"] == APP_ID
    assert set(bot["scopes"]) == {"personal", "team"} and bot["supportsFiles"] is False
    assert {scope for command_list in bot["commandLists"] for scope in command_list["scopes"]} == {
        "personal",
        "team",
    }

    assert png_size(files[manifest["icons"]["color"]]) == (192, 192)
    assert png_size(files[manifest["icons"]["outline"]]) == (32, 32)

    for command_list in bot["commandLists"]:
        assert 0 < len(command_list["commands"]) <= MAX_COMMANDS
    for command in _commands(manifest):
        assert len(command["title"]) <= MAX_TITLE, command
        assert len(command["description"]) <= MAX_DESCRIPTION, command
    assert len(manifest["name"]["short"]) <= 30 and len(manifest["description"]["short"]) <= 80

    localization = manifest["localizationInfo"]
    assert localization["defaultLanguageTag"] == "en-us"
    assert localization["additionalLanguages"] == [{"languageTag": "fr-fr", "file": "fr.json"}]
    french = json.loads(files["fr.json"])
    assert french["$schema"].endswith("/teams/v1.17/MicrosoftTeams.Localization.schema.json")
    assert "mentorat inversé" in french["description.full"]
    assert len(french["description.short"]) <= 80
    # Every command's description is translated, and only commands the manifest has.
    keys = {
        f"bots[0].commandLists[{i}].commands[{j}].description"
        for i, command_list in enumerate(bot["commandLists"])
        for j in range(len(command_list["commands"]))
    }
    assert {key for key in french if key.startswith("bots[")} == keys
    assert all(len(french[key]) <= MAX_DESCRIPTION for key in keys)


def test_the_app_id_comes_from_microsoft_app_id_by_default(tmp_path: Path) -> None:
    result = tandem(
        "teams", "package", tmp_path=tmp_path, TANDEM_LOCALE="fr", MICROSOFT_APP_ID=APP_ID
    )
    assert result.returncode == 0, result.stderr
    target = tmp_path / f"tandem-teams-{package_version()}.zip"
    assert "Paquet d'application Teams écrit" in result.stdout
    with zipfile.ZipFile(target) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["id"] == manifest["bots"][0]["botId"] == APP_ID
    assert manifest["version"] == package_version()


@pytest.mark.parametrize("locale", ["en", "fr"])
def test_a_bad_app_id_gets_a_localized_error_and_no_package(tmp_path: Path, locale: str) -> None:
    renderer = Renderer()
    result = tandem(
        "teams", "package", "--app-id", "my-bot", tmp_path=tmp_path, TANDEM_LOCALE=locale
    )
    assert result.returncode != 0
    assert renderer.render(locale, "teams.package_bad_app_id", app_id="my-bot") in result.stderr
    assert "Traceback" not in result.stderr
    assert not list(tmp_path.glob("*.zip"))

    missing = tandem("teams", "package", tmp_path=tmp_path, TANDEM_LOCALE=locale)
    assert missing.returncode != 0
    assert renderer.render(locale, "teams.package_missing_app_id") in missing.stderr
    assert not list(tmp_path.glob("*.zip"))


def test_every_command_offered_in_teams_is_one_the_engine_accepts() -> None:
    manifest = _template()
    titles = [command["title"] for command in _commands(manifest)]
    assert "session log" in titles and "tandem digest channel here" in titles
    for title in titles:
        # Typed in Teams without the slash, exactly as the command list inserts it.
        assert not title.startswith("/"), title
        command = parse(title)  # raises UserError if the grammar refused it
        assert (command.root, command.verb) in COMMAND_HANDLERS, title
        assert command.name in title, (title, command.name)
    # The channel command is the owners' way to choose the digest channel from inside it.
    digest_here = parse("tandem digest channel here")
    assert (digest_here.verb, digest_here.sub, digest_here.args) == ("digest", "channel", ("here",))


def test_the_checks_catch_what_teams_would_refuse(tmp_path: Path) -> None:
    for name in ("manifest.json", "fr.json", "color.png"):
        (tmp_path / name).write_bytes((APP_DIR / name).read_bytes())
    # The colour icon where the outline should be: the wrong size.
    (tmp_path / "outline.png").write_bytes((APP_DIR / "color.png").read_bytes())
    manifest = _template()
    personal = manifest["bots"][0]["commandLists"][0]["commands"]
    personal.append({"title": "tandem resume but far too long a title", "description": "x"})
    (tmp_path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")

    with pytest.raises(UserError) as refused:
        build_package(APP_ID, output=tmp_path / "out.zip", version="1.0.0", source=tmp_path)
    assert refused.value.message_id == "teams.package_invalid"
    problems = refused.value.variables["problems"]
    assert "outline.png: 192x192, Teams wants 32x32" in problems
    assert f"bots[0].commandLists[0].commands: 11 > {MAX_COMMANDS}" in problems
    assert "bots[0].commandLists[0].commands[10].title: 38 > 32" in problems
    assert not (tmp_path / "out.zip").exists()
    assert "outline.png" in Renderer().render("en", "teams.package_invalid", problems=problems)

    with pytest.raises(UserError) as bad_version:
        build_package(APP_ID, output=tmp_path / "out.zip", version="1.0")
    assert bad_version.value.message_id == "teams.package_bad_version"


def test_the_french_strings_must_name_commands_the_manifest_has() -> None:
    manifest = json.loads(
        json.dumps(_template())
        .replace("${{MICROSOFT_APP_ID}}", APP_ID)
        .replace("${{APP_VERSION}}", "1.0.0")
    )
    files = {name: (APP_DIR / name).read_bytes() for name in ("color.png", "outline.png")}
    french = json.loads((APP_DIR / "fr.json").read_text("utf-8"))
    files["fr.json"] = json.dumps(french).encode()
    assert check(manifest, files) == []
    french["bots[0].commandLists[1].commands[7].description"] = "Une commande qui n'existe pas"
    del french["description.full"]
    files["fr.json"] = json.dumps(french).encode()
    assert check(manifest, files) == [
        "fr.json: description.full missing",
        "fr.json: bots[0].commandLists[1].commands[7].description names no command of the manifest",
    ]


def test_the_same_inputs_give_the_same_zip(tmp_path: Path) -> None:
    first = build_package(APP_ID, output=tmp_path / "a.zip", version="1.0.0")
    second = build_package(APP_ID.upper(), output=tmp_path / "b.zip", version="1.0.0")
    assert first.read_bytes() != second.read_bytes()  # the id is in it, as given
    again = build_package(APP_ID, output=tmp_path / "c.zip", version="1.0.0")
    assert first.read_bytes() == again.read_bytes()


def test_the_committed_icons_are_what_the_script_draws() -> None:
    spec = importlib.util.spec_from_file_location("draw_icons", APP_DIR / "draw_icons.py")
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)

    for name, rows in script.icons().items():
        committed = _pixels((APP_DIR / name).read_bytes())
        assert committed == [bytes(v for pixel in row for v in pixel) for row in rows], name

    color = _pixels((APP_DIR / "color.png").read_bytes())
    outline = _pixels((APP_DIR / "outline.png").read_bytes())
    # The colour icon is opaque; the outline is white on transparent, as Teams requires.
    assert all(row[3::4] == b"\xff" * 192 for row in color)
    outline_pixels = [row[i : i + 4] for row in outline for i in range(0, len(row), 4)]
    assert {pixel[:3] for pixel in outline_pixels if pixel[3]} == {b"\xff\xff\xff"}
    assert any(pixel[3] == 0 for pixel in outline_pixels)
