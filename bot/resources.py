"""Where the files that ship with the code are: message templates, migrations, demo scripts.

In a checkout (and so in an editable install) ``prompts/`` and ``migrations/`` sit at the
project's root, next to the packages. An installed wheel has no project root: it carries them
inside the packages that read them (``bot/prompts``, ``storage/migrations``; see ``force-include``
in pyproject.toml). Both places are looked up from the package's own location, never from the
working directory.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def shipped_dir(package: str, name: str) -> Path:
    """The folder ``name`` shipped with ``package``: inside it (wheel) or beside it (checkout)."""
    package_dir = Path(str(files(package)))
    for candidate in (package_dir / name, package_dir.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"{name}/ is neither inside nor beside the {package} package")
