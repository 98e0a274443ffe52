"""Slack: translation between Slack's payloads and calls and the engine's events and messages."""
