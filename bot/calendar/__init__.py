"""Calendars: free/busy and events for planned sessions, behind one port (``port``)."""
