"""The owners' dashboard, engine side: one-time links from chat, browser sessions, and what
each page shows (adapters/dashboard renders it as HTML)."""
