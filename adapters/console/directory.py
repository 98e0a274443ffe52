"""The console's directory and shared files: a console person is named by the local part of
their e-mail (``alice@example.com`` is ``@alice``), and a roster is shared by its path."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from adapters.console.port import PLATFORM
from bot.commands.grammar import parse
from bot.errors import UserError
from bot.events import SharedFile
from bot.roster.directory import DirectoryEntry, Reach
from bot.roster.reading import MAX_BYTES

_CONSOLE_NAME = re.compile(r"^[\w.\-]+$")


class ConsoleDirectory:
    platform = PLATFORM

    async def look_up(self, workspace: str, emails: Sequence[str]) -> dict[str, DirectoryEntry]:
        answers: dict[str, DirectoryEntry] = {}
        for email in emails:
            name = email.partition("@")[0]
            if _CONSOLE_NAME.match(name):
                answers[email] = DirectoryEntry(Reach.FOUND, user_id=name, display_name=name)
            else:
                answers[email] = DirectoryEntry(Reach.UNKNOWN)
        return answers


def shared_files(text: str) -> tuple[SharedFile, ...]:
    """The file a ``/tandem roster import PATH`` line names, read no further than a roster
    may weigh (a larger one is refused by the engine from its size)."""
    try:
        command = parse(text)
    except UserError:
        return ()
    if (command.root, command.verb, command.sub) != ("tandem", "roster", "import"):
        return ()
    if not command.args:
        return ()
    path = Path(" ".join(command.args)).expanduser()
    try:
        if not path.is_file():
            return ()
        size = path.stat().st_size
        with path.open("rb") as file:
            data = file.read(MAX_BYTES + 1)
    except OSError:
        return ()
    return (SharedFile(path.name, data, size),)
