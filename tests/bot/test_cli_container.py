"""``tandem start`` where a container puts it: no terminal, no script, no credentials."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def test_start_with_nothing_to_run_refuses_loudly(tmp_path: Path) -> None:
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("TANDEM_", "SLACK_", "MICROSOFT_"))
    }
    environment.update(DATABASE_URL=f"sqlite:///{tmp_path / 'cli.db'}", TANDEM_LOCALE="en")
    environment["TANDEM_LOG_FORMAT"] = "json"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "start"],
        stdin=subprocess.DEVNULL,  # what `docker run -d` gives
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=environment,
        timeout=60,
    )
    assert result.returncode == 2
    (line,) = [json.loads(line) for line in result.stderr.splitlines() if line.strip()]
    assert line["levelname"] == "ERROR"
    assert line["message"].startswith("Nothing to run: no Slack or Teams credentials")
    assert "docker run -it" in line["message"]
