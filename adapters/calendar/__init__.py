"""Calendar connectors (Microsoft Graph, Google Calendar) behind ``bot.calendar.mailbox``."""
