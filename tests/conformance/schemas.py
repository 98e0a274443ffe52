"""The vendors' published JSON schemas, kept under tests/schemas/ (see its README), as
``jsonschema`` validators: the Adaptive Card 1.5 schema, the Teams app manifest schema of the
version our manifest declares, and Slack's app manifest schema."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator, Draft6Validator, Draft7Validator
from jsonschema.exceptions import best_match
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

SCHEMAS = Path(__file__).parent.parent / "schemas"
SLACK_SCHEMAS_URL = "https://raw.githubusercontent.com/slackapi/manifest-schema/v0.5.0/schemas/"


def _load(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    return loaded


@cache
def adaptive_card() -> Draft6Validator:
    return Draft6Validator(_load("adaptive-card-1.5.json"))


@cache
def teams_manifest() -> Draft4Validator:
    return Draft4Validator(_load("MicrosoftTeams-1.17.schema.json"))


@cache
def slack_manifest() -> Draft7Validator:
    # The entry schema refers to its per-version schemas by URL: they are served from here.
    registry: Registry = Registry()
    for version in ("1.0.0", "2.0.0"):
        contents = _load(f"slack-manifest.schema.{version}.json")
        url = f"{SLACK_SCHEMAS_URL}manifest.schema.{version}.json"
        registry = registry.with_resource(url, Resource.from_contents(contents, DRAFT7))
    return Draft7Validator(_load("slack-manifest.schema.json"), registry=registry)


def card_problems(content: Any) -> list[str]:
    """Every way an Adaptive Card breaks the 1.5 schema (empty when it is valid)."""
    errors = list(adaptive_card().iter_errors(content))
    if not errors:
        return []
    # The card schema is a tree of anyOf: the deepest error says which element is wrong.
    worst = best_match(errors)
    where = "/".join(str(part) for part in worst.absolute_path)
    return [f"{where}: {worst.message[:400]}"]
