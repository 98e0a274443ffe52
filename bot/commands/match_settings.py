"""``/tandem match settings key=value…``: reading the owner's changes to the matching settings."""

from __future__ import annotations

from typing import Any

from bot.errors import UserError
from bot.matching.settings import (
    GOALS,
    MAX_CAPACITY,
    MAX_OVERLAP_HOURS,
    WEIGHT_NAMES,
    MatchSettings,
)

YES_WORDS = {"yes", "oui", "true", "on", "1"}
NO_WORDS = {"no", "non", "false", "off", "0"}
ALLOW_WORDS = {"allow", "allowed", "autoriser", "autorisé", "yes", "oui"}
AVOID_WORDS = {"avoid", "forbid", "éviter", "eviter", "interdire", "no", "non"}


def changed_settings(settings: MatchSettings, args: tuple[str, ...]) -> MatchSettings:
    overrides: dict[str, Any] = settings.overrides()
    for key, value in _pairs(args):
        if key == "reset":
            overrides = {}
            continue
        _apply(overrides, key, value)
    return MatchSettings.from_overrides(overrides)


def _pairs(args: tuple[str, ...]) -> list[tuple[str, str]]:
    """``capacity=2 department=allow`` (or ``capacity: 2``) -> [(key, value)…]."""
    result: list[tuple[str, str]] = []
    tokens = list(args)
    while tokens:
        token = tokens.pop(0)
        if token.lower() == "reset":
            result.append(("reset", ""))
            continue
        for separator in ("=", ":"):
            if separator in token:
                key, _, value = token.partition(separator)
                break
        else:
            raise UserError("errors.match_setting_format", value=token)
        if not value and tokens:
            value = tokens.pop(0)
        if not value:
            raise UserError("errors.match_setting_format", value=token)
        result.append((key.strip().lower(), value.strip()))
    return result


def _apply(overrides: dict[str, Any], key: str, value: str) -> None:
    word = value.lower()
    if key in ("capacity", "capacité", "capacite"):
        number = _number(key, value, f"1 … {MAX_CAPACITY}")
        if number != int(number) or not 1 <= number <= MAX_CAPACITY:
            raise UserError(
                "errors.match_setting_value", key=key, value=value, expected=f"1 … {MAX_CAPACITY}"
            )
        overrides["capacity"] = int(number)
    elif key in ("overlap", "chevauchement"):
        number = _number(key, value, f"0 … {MAX_OVERLAP_HOURS}")
        if not 0 <= number <= MAX_OVERLAP_HOURS:
            raise UserError(
                "errors.match_setting_value",
                key=key,
                value=value,
                expected=f"0 … {MAX_OVERLAP_HOURS}",
            )
        overrides["min_overlap_hours"] = number
    elif key in ("department", "département", "departement"):
        if word not in ALLOW_WORDS | AVOID_WORDS:
            raise UserError(
                "errors.match_setting_value", key=key, value=value, expected="allow | avoid"
            )
        overrides["same_department"] = word in ALLOW_WORDS
    elif key in ("goal", "objectif"):
        if word not in GOALS:
            raise UserError(
                "errors.match_setting_value", key=key, value=value, expected=" | ".join(GOALS)
            )
        overrides["mentee_goal"] = word
    elif key in ("common-topic", "sujet-commun"):
        if word not in YES_WORDS | NO_WORDS:
            raise UserError("errors.match_setting_value", key=key, value=value, expected="yes | no")
        overrides["common_topic"] = word in YES_WORDS
    elif key.startswith(("weight-", "poids-")) and key.partition("-")[2] in WEIGHT_NAMES:
        number = _number(key, value, "0 … 100")
        if not 0 <= number <= 100:
            raise UserError("errors.match_setting_value", key=key, value=value, expected="0 … 100")
        weights = dict(overrides.get("weights") or MatchSettings().weights)
        weights[key.partition("-")[2]] = number
        if sum(weights.values()) <= 0:
            raise UserError("errors.match_weights_zero")
        overrides["weights"] = weights
    else:
        raise UserError("errors.match_setting_unknown", key=key)


def _number(key: str, value: str, expected: str) -> float:
    try:
        return float(value.replace(",", "."))
    except ValueError:
        raise UserError(
            "errors.match_setting_value", key=key, value=value, expected=expected
        ) from None
