"""The Slack and Teams app manifests pass the vendors' published schemas."""

from __future__ import annotations

import copy
import json
from typing import Any

import yaml

from adapters.teams.package import APP_DIR, build_manifest
from tests.conformance import schemas
from tests.fakes.slack_scopes import MANIFEST as SLACK_MANIFEST

APP_ID = "00000000-0000-4000-8000-000000000001"


def _slack_manifest() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(SLACK_MANIFEST.read_text(encoding="utf-8"))
    return loaded


def _errors(validator: Any, document: Any) -> list[str]:
    return [error.message[:300] for error in validator.iter_errors(document)]


def test_the_slack_manifest_passes_slacks_manifest_schema() -> None:
    assert _errors(schemas.slack_manifest(), _slack_manifest()) == []


def test_the_slack_schema_catches_what_slack_would_refuse() -> None:
    manifest = _slack_manifest()
    manifest["features"]["slash_commands"][0].pop("description")
    assert _errors(schemas.slack_manifest(), manifest)


def test_the_teams_manifest_passes_the_schema_of_the_version_it_declares() -> None:
    template = json.loads((APP_DIR / "manifest.json").read_text(encoding="utf-8"))
    assert template["manifestVersion"] == "1.17"
    assert template["$schema"].endswith("/v1.17/MicrosoftTeams.schema.json")
    manifest = build_manifest(APP_ID, "1.2.3")
    assert _errors(schemas.teams_manifest(), manifest) == []


def test_the_teams_schema_catches_what_teams_would_refuse() -> None:
    manifest = copy.deepcopy(build_manifest(APP_ID, "1.2.3"))
    manifest["bots"][0]["scopes"] = ["personal", "everywhere"]
    assert _errors(schemas.teams_manifest(), manifest)
