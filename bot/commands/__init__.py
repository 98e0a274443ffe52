"""The command grammar shared by every platform, and the handlers of each command."""
