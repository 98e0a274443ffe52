"""What the bot says on its own, and when: check-ins, reminders, nudges, in working hours."""
