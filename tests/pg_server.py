"""Which PostgreSQL server the tests use, starting a throwaway one when the machine has none.

In order:

1. ``TANDEM_TEST_PG_URL`` when set: that server, and no other (it must be reachable);
2. the local server at ``postgresql://postgres@127.0.0.1:5432/`` when something listens there;
3. otherwise a throwaway server of the tests' own: the PostgreSQL binaries of the ``pgserver``
   package (a development dependency), a new cluster in a temporary folder, on a free port of
   127.0.0.1 with trust authentication, stopped and deleted when the tests end.

``TANDEM_TEST_PG_EMBEDDED=1`` skips 1 and 2, so that CI exercises the throwaway server without
stopping the shared one. PostgreSQL refuses to run as root: as root, the server runs as the
``pgserver`` system user (created when missing, as the pgserver package itself does).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

LOCAL_URL = "postgresql://postgres@127.0.0.1:5432/"
SYSTEM_USER = "pgserver"


def listening(url: str) -> bool:
    """Whether something accepts TCP connections at the URL's host and port."""
    parsed = make_url(url)
    try:
        with socket.create_connection((parsed.host or "127.0.0.1", parsed.port or 5432), 1):
            return True
    except OSError:
        return False


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class EmbeddedPostgres:
    folder: Path
    url: str
    _run_as: dict[str, Any]

    @classmethod
    def start(cls) -> EmbeddedPostgres:
        with warnings.catch_warnings():
            # pgserver asks platformdirs for a runtime folder at import, which it does not use here.
            warnings.simplefilter("ignore")
            import pgserver  # type: ignore[import-untyped]

        folder = Path(tempfile.mkdtemp(prefix="tandem-test-pg-"))
        data, sockets = folder / "data", folder / "sockets"
        run_as: dict[str, Any] = {}
        if os.geteuid() == 0:
            from pgserver.utils import ensure_prefix_permissions, ensure_user_exists

            account = ensure_user_exists(SYSTEM_USER)
            assert account is not None
            # The binaries and this folder must be reachable by that user.
            ensure_prefix_permissions(Path(pgserver.__file__).parent / "pginstall" / "bin")
            run_as = {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}
            os.chown(folder, account.pw_uid, account.pw_gid)
        server = cls(folder, f"postgresql://postgres@127.0.0.1:{_free_port()}/", run_as)
        try:
            server._initdb_and_start(data, sockets)
        except (subprocess.SubprocessError, OSError) as error:
            log = folder / "server.log"
            details = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            shutil.rmtree(folder, ignore_errors=True)
            message = f"could not start a throwaway PostgreSQL: {error}\n{details}"
            raise RuntimeError(message) from error
        return server

    def _initdb_and_start(self, data: Path, sockets: Path) -> None:
        import pgserver

        for path in (data, sockets):
            path.mkdir()
            if self._run_as:
                os.chown(path, self._run_as["user"], self._run_as["group"])
        pgserver.initdb(
            ["--auth=trust", "--username=postgres", "--encoding=UTF8", "--no-sync"],
            pgdata=data,
            timeout=120,
            **self._run_as,
        )
        # Durability is worthless for a throwaway cluster; skipping fsync makes DDL fast.
        port = make_url(self.url).port
        options = f"-h 127.0.0.1 -p {port} -k {sockets} -F -c full_page_writes=off"
        pgserver.pg_ctl(
            ["-w", "-t", "60", "-o", options, "-l", str(self.folder / "server.log"), "start"],
            pgdata=data,
            timeout=90,
            **self._run_as,
        )

    def stop(self) -> None:
        import pgserver

        with contextlib.suppress(subprocess.CalledProcessError):  # already gone
            pgserver.pg_ctl(
                ["-m", "immediate", "-w", "stop"],
                pgdata=self.folder / "data",
                timeout=60,
                **self._run_as,
            )
        shutil.rmtree(self.folder, ignore_errors=True)
