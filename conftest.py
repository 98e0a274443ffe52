"""Root conftest: its presence makes pytest put the project root on ``sys.path``.

Tests mirror the code tree without ``__init__.py`` files (tests/storage, tests/bot…), so the
real ``storage`` and ``bot`` packages must be importable from here; fixtures live in
tests/conftest.py.
"""
