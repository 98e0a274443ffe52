"""Group workshops: a host announces one to a program (or to everyone in their programs),
people take a seat or wait for one, are reminded, and those who came are asked for feedback."""
