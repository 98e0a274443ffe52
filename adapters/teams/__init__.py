"""Microsoft Teams: Bot Framework activities to and from the engine's events and messages."""
