"""Limits on the JSON the platforms post, shared by the Slack and Teams endpoints."""

from __future__ import annotations


def depth_exceeds(value: object, limit: int) -> bool:
    """True when containers nest more than ``limit`` deep (walked without recursion, so that
    a hostile body cannot exhaust the stack)."""
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        current, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(current, dict):
            stack.extend((item, depth + 1) for item in current.values())
        elif isinstance(current, list):
            stack.extend((item, depth + 1) for item in current)
    return False
