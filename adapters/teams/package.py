"""The Teams app package: the zip an owner uploads to Teams (``tandem teams package``).

``adapters/teams/app/`` holds the manifest with placeholders, its French localization and the
two icons. Building the package fills in the bot's Microsoft App ID and the app version, checks
what Teams would refuse (a malformed id, icon sizes, command list limits, string lengths), and
writes the four files at the root of a zip. Plain ``json`` and ``zipfile``: no Bot Framework SDK.
"""

from __future__ import annotations

import json
import re
import struct
import zipfile
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as installed_version
from pathlib import Path
from typing import Any

from bot.errors import UserError

APP_DIR = Path(__file__).resolve().parent / "app"
MANIFEST = "manifest.json"
APP_ID_PLACEHOLDER = "${{MICROSOFT_APP_ID}}"
VERSION_PLACEHOLDER = "${{APP_VERSION}}"

GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
# Teams wants major.minor.patch, numbers only, without leading zeros.
APP_VERSION = re.compile(r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)")
ICON_SIZES = {"color": (192, 192), "outline": (32, 32)}
MAX_COMMAND_LISTS = 3
MAX_COMMANDS = 10
MAX_TITLE = 32
MAX_DESCRIPTION = 128
# Lengths from the manifest and localization schemas.
MAX_LENGTHS = {
    "name.short": 30,
    "name.full": 100,
    "description.short": 80,
    "description.full": 4000,
}
LOCALIZED_REQUIRED = ("name.short", "description.short", "description.full")
LOCALIZED_COMMAND = re.compile(
    r"bots\[0\]\.commandLists\[(\d+)\]\.commands\[(\d+)\]\.(title|description)"
)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# A fixed timestamp, so that the same inputs always give the same zip.
ZIP_DATE = (2026, 1, 1, 0, 0, 0)


def package_version() -> str:
    """The installed Tandem version, which the app version follows unless told otherwise."""
    try:
        return installed_version("tandem")
    except PackageNotFoundError:
        return "0.0.0"


def check_app_id(app_id: str | None) -> str:
    """The app id, stripped; a localized error when it is missing or not a GUID."""
    if app_id is None or not app_id.strip():
        raise UserError("teams.package_missing_app_id")
    app_id = app_id.strip()
    if not GUID.fullmatch(app_id):
        raise UserError("teams.package_bad_app_id", app_id=app_id)
    return app_id


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk (the first chunk, right after the signature)."""
    if len(data) < 24 or not data.startswith(PNG_SIGNATURE) or data[12:16] != b"IHDR":
        raise ValueError("not a PNG file")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def _png_has_alpha(data: bytes) -> bool:
    # Colour types 4 (grey + alpha) and 6 (RGBA), or a tRNS chunk for the others.
    return data[25] in (4, 6) or b"tRNS" in data


def _fill(value: Any, replacements: dict[str, str]) -> Any:
    if isinstance(value, str):
        return replacements.get(value, value)
    if isinstance(value, list):
        return [_fill(item, replacements) for item in value]
    if isinstance(value, dict):
        return {key: _fill(item, replacements) for key, item in value.items()}
    return value


def build_manifest(app_id: str, version: str, source: Path = APP_DIR) -> dict[str, Any]:
    template = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
    manifest: dict[str, Any] = _fill(
        template, {APP_ID_PLACEHOLDER: app_id, VERSION_PLACEHOLDER: version}
    )
    return manifest


def _too_long(where: str, text: object, limit: int) -> list[str]:
    if not isinstance(text, str):
        return [f"{where}: missing"]
    return [f"{where}: {len(text)} > {limit}"] if len(text) > limit else []


def _check_commands(manifest: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    bots = manifest.get("bots", [])
    if len(bots) != 1:
        return [f"bots: {len(bots)} != 1"]
    lists = bots[0].get("commandLists", [])
    if len(lists) > MAX_COMMAND_LISTS:
        problems.append(f"bots[0].commandLists: {len(lists)} > {MAX_COMMAND_LISTS}")
    bot_scopes = set(bots[0].get("scopes", []))
    for index, command_list in enumerate(lists):
        where = f"bots[0].commandLists[{index}]"
        commands = command_list.get("commands", [])
        if len(commands) > MAX_COMMANDS:
            problems.append(f"{where}.commands: {len(commands)} > {MAX_COMMANDS}")
        titles = [command.get("title") for command in commands]
        if len(set(titles)) != len(titles):
            problems.append(f"{where}.commands: a title appears twice")
        if not set(command_list.get("scopes", [])) <= bot_scopes:
            problems.append(f"{where}.scopes: not among the bot's scopes")
        for position, command in enumerate(commands):
            at = f"{where}.commands[{position}]"
            problems += _too_long(f"{at}.title", command.get("title"), MAX_TITLE)
            problems += _too_long(f"{at}.description", command.get("description"), MAX_DESCRIPTION)
    return problems


def _check_localization(manifest: dict[str, Any], name: str, strings: dict[str, Any]) -> list[str]:
    problems = [f"{name}: {key} missing" for key in LOCALIZED_REQUIRED if key not in strings]
    lists = manifest["bots"][0].get("commandLists", [])
    for key, text in strings.items():
        if key == "$schema":
            continue
        if key in MAX_LENGTHS:
            problems += _too_long(f"{name}: {key}", text, MAX_LENGTHS[key])
            continue
        match = LOCALIZED_COMMAND.fullmatch(key)
        if match is None:
            problems.append(f"{name}: {key} is not a string Tandem's manifest has")
            continue
        list_index, command_index, field = int(match[1]), int(match[2]), match[3]
        if list_index >= len(lists) or command_index >= len(lists[list_index]["commands"]):
            problems.append(f"{name}: {key} names no command of the manifest")
            continue
        limit = MAX_TITLE if field == "title" else MAX_DESCRIPTION
        problems += _too_long(f"{name}: {key}", text, limit)
    return problems


def check(manifest: dict[str, Any], files: dict[str, bytes]) -> list[str]:
    """What Teams would refuse in this manifest and these files (empty when all is well)."""
    problems: list[str] = []
    for key, limit in MAX_LENGTHS.items():
        group, _, field = key.partition(".")
        problems += _too_long(key, manifest.get(group, {}).get(field), limit)
    if not APP_VERSION.fullmatch(str(manifest.get("version"))):
        problems.append(f"version: {manifest.get('version')!r}")
    bot_ids = [bot.get("botId") for bot in manifest.get("bots", [])]
    for where, value in [("id", manifest.get("id")), *(("botId", b) for b in bot_ids)]:
        if not isinstance(value, str) or not GUID.fullmatch(value):
            problems.append(f"{where}: {value!r} is not a GUID")
    for kind, (width, height) in ICON_SIZES.items():
        file_name = manifest.get("icons", {}).get(kind, "")
        if file_name not in files:
            problems.append(f"icons.{kind}: {file_name or 'missing'} not found")
            continue
        try:
            size = png_size(files[file_name])
        except ValueError:
            problems.append(f"{file_name}: not a PNG file")
            continue
        if size != (width, height):
            problems.append(f"{file_name}: {size[0]}x{size[1]}, Teams wants {width}x{height}")
        if kind == "outline" and not _png_has_alpha(files[file_name]):
            problems.append(f"{file_name}: no transparency")
    problems += _check_commands(manifest)
    if problems:
        # The localization checks read the command lists; only run them on a sound manifest.
        return problems
    for language in manifest.get("localizationInfo", {}).get("additionalLanguages", []):
        file_name = language.get("file", "")
        if file_name not in files:
            problems.append(f"localizationInfo: {file_name or 'a file'} not found")
            continue
        strings = json.loads(files[file_name].decode("utf-8"))
        problems += _check_localization(manifest, file_name, strings)
    return problems


def _package_files(manifest: dict[str, Any], source: Path) -> dict[str, bytes]:
    names = set(manifest.get("icons", {}).values())
    languages = manifest.get("localizationInfo", {}).get("additionalLanguages", [])
    names.update(language.get("file", "") for language in languages)
    # Only plain file names: the package is flat, every file at the root of the zip.
    return {
        name: (source / name).read_bytes()
        for name in sorted(names)
        if name and "/" not in name and (source / name).is_file()
    }


def build_package(
    app_id: str | None,
    output: Path | None = None,
    version: str | None = None,
    source: Path = APP_DIR,
) -> Path:
    """Write the zip to upload to Teams and return its path; a ``UserError`` says what is wrong."""
    app_id = check_app_id(app_id)
    version = version or package_version()
    if not APP_VERSION.fullmatch(version):
        raise UserError("teams.package_bad_version", version=version)
    manifest = build_manifest(app_id, version, source)
    files = _package_files(manifest, source)
    problems = check(manifest, files)
    if problems:
        raise UserError("teams.package_invalid", problems=problems)
    target = output or Path(f"tandem-teams-{version}.zip")
    target.parent.mkdir(parents=True, exist_ok=True)
    contents = {MANIFEST: (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode()}
    contents.update(files)
    partial = target.with_name(target.name + ".partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in contents.items():
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    partial.replace(target)
    return target
