"""``tandem slack rotate-key`` and the start-up refusal of an unsafe Slack OAuth setup, run as
the real command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from slack_sdk.oauth.installation_store.models.installation import Installation

from storage.database import create_engine
from storage.migrate import upgrade
from storage.slack_installations import SqlInstallationStore
from storage.token_cipher import TokenCipher

CLIENT = "2141029472.691202649728"


def _tandem(tmp_path: Path, *arguments: str, **variables: str) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("TANDEM_", "SLACK_", "MICROSOFT_"))
    }
    environment.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'cli.db'}",
        TANDEM_LOCALE="en",
        TANDEM_LOG_FORMAT="json",
        PORT="0",
        **variables,
    )
    return subprocess.run(
        [sys.executable, "-m", "bot", *arguments],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=environment,
        timeout=60,
    )


def test_serving_oauth_without_an_encryption_key_is_refused(tmp_path: Path) -> None:
    oauth = {
        "SLACK_CLIENT_ID": CLIENT,
        "SLACK_CLIENT_SECRET": "secret",
        "SLACK_SIGNING_SECRET": "signing",
    }
    for command in ("serve", "deliver"):
        result = _tandem(tmp_path, command, **oauth)
        assert result.returncode == 2, (command, result.stderr)
        (line,) = [json.loads(line) for line in result.stderr.splitlines() if line.strip()]
        assert line["levelname"] == "ERROR"
        assert "TANDEM_ENCRYPTION_KEYS is not set" in line["message"]
        assert "tandem slack new-key" in line["message"]
    refused = _tandem(tmp_path, "serve", **oauth, TANDEM_ENCRYPTION_KEYS="not-a-key")
    assert refused.returncode == 2
    assert "is not a Fernet key" in refused.stderr
    assert not (tmp_path / "cli.db").exists(), "nothing was started"


async def test_rotate_key_moves_every_token_to_the_new_key(tmp_path: Path) -> None:
    made = _tandem(tmp_path, "slack", "new-key")
    assert made.returncode == 0
    old, new = TokenCipher.new_key(), made.stdout.strip()
    TokenCipher([new])  # a real Fernet key
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    await upgrade(url)
    engine = create_engine(url)
    try:
        store = SqlInstallationStore(engine, TokenCipher([old]), CLIENT)
        for team in ("T1", "T2"):
            await store.async_save(
                Installation(team_id=team, bot_token=f"xoxb-{team}", user_id="UINSTALL1")
            )

        unknown = _tandem(tmp_path, "slack", "rotate-key", TANDEM_ENCRYPTION_KEYS=new)
        assert unknown.returncode == 1
        assert "nothing was changed" in unknown.stderr

        rotated = _tandem(tmp_path, "slack", "rotate-key", TANDEM_ENCRYPTION_KEYS=f"{new},{old}")
        assert rotated.returncode == 0, rotated.stderr
        assert rotated.stdout.startswith("2 Slack installations now encrypted")

        with_new = SqlInstallationStore(engine, TokenCipher([new]), CLIENT)
        with_old = SqlInstallationStore(engine, TokenCipher([old]), CLIENT)
        for team in ("T1", "T2"):
            found = await with_new.async_find_installation(enterprise_id=None, team_id=team)
            assert found is not None and found.bot_token == f"xoxb-{team}"
            assert await with_old.async_find_installation(enterprise_id=None, team_id=team) is None
    finally:
        await engine.dispose()
    missing = _tandem(tmp_path, "slack", "rotate-key")
    assert missing.returncode == 2 and "TANDEM_ENCRYPTION_KEYS is not set" in missing.stderr
