"""``/tandem program set inactivity: off silence: 4 idle: 60 retention: 30``: the inactivity
policy and the retention of leavers' data (bot.leaving), per program."""

from __future__ import annotations

from typing import Any

from bot.commands.values import parse_positive_int
from bot.domain import Program
from bot.errors import UserError

POLICY_OPTIONS = ("inactivity", "silence", "idle", "retention")
ON = {"on", "yes", "oui", "true", "1"}
OFF = {"off", "no", "non", "false", "0"}
# Bounds that catch a typo (a year in days is the longest anything waits).
MAX_SILENCE_PROMPTS = 20
MAX_DAYS = 365


def set_policy(program: Program, options: dict[str, str]) -> None:
    """Apply the options given (each checked before anything changes)."""
    schedule: dict[str, Any] = dict(program.schedule or {})
    if "inactivity" in options:
        word = options["inactivity"].strip().lower()
        if word not in ON | OFF:
            raise UserError("errors.bad_inactivity_switch", value=options["inactivity"])
        schedule["inactivity"] = word in ON
    if "silence" in options:
        schedule["silence_prompts"] = parse_positive_int(
            options["silence"], maximum=MAX_SILENCE_PROMPTS
        )
    if "idle" in options:
        schedule["idle_pair_after"] = parse_positive_int(options["idle"], maximum=MAX_DAYS)
    if "retention" in options:
        schedule["retention_after"] = parse_positive_int(options["retention"], maximum=MAX_DAYS)
    # A new dict: the change is seen, and every due moment of the program moves with it.
    program.schedule = schedule
