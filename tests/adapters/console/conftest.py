"""The console fixtures live in tests/console_support.py (a plugin of tests/conftest.py)."""

from tests.console_support import SCRIPTS, START, ConsoleFactory, run_script, said

__all__ = ["SCRIPTS", "START", "ConsoleFactory", "run_script", "said"]
