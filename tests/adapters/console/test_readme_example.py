"""The README's console example runs as written, in the terminal's language."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from adapters.console.session import ConsoleSession, without_comment
from bot.settings import Settings, terminal_locale

from .conftest import said

ROOT = Path(__file__).resolve().parents[3]


def readme_example() -> list[str]:
    """The lines of the README's first ``text`` block: the console example."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```text\n(.*?)```", readme, re.DOTALL)
    assert block is not None, "the README has no console example"
    return block.group(1).splitlines()


def console_run(tmp_path: Path, script: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TANDEM_", "SLACK_", "MICROSOFT_", "LC_", "LANG"))
    }
    environment.update({"DATABASE_URL": f"sqlite:///{tmp_path / 'readme.db'}", **env})
    return subprocess.run(
        [sys.executable, "-m", "bot", "console", "--script", str(script)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=environment,
        timeout=120,
    )


def test_the_readme_example_runs_as_written_in_an_english_terminal(tmp_path: Path) -> None:
    lines = readme_example()
    assert any(" # " in line for line in lines), "the example shows a comment at the end of a line"
    script = tmp_path / "readme.txt"
    script.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = console_run(tmp_path, script, LANG="en_US.UTF-8")
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "✗" not in out
    assert '→ hr: The program "Digital Pioneers" is created' in out
    assert 'alice joined "Digital Pioneers" as mentor' in out
    assert 'bob joined "Digital Pioneers" as mentee' in out
    # Both questionnaires are answered as the comments say, without a single re-ask.
    assert "Question 2/7" in out and "Last question (7/7)" in out
    assert "I need an answer" not in out and "I couldn't read" not in out
    assert "alice (mentor) and bob (mentee) are now a pair" in out
    assert "Meet your mentee: bob (Finance)" in out
    assert "→ alice: Session logged: 45 min" in out
    assert "→ bob: alice logged your session" in out
    assert "LinkedIn basics, privacy settings · next: post a first article (logged by alice)" in out


def test_the_console_speaks_the_terminals_language_unless_told(tmp_path: Path) -> None:
    script = tmp_path / "one.txt"
    script.write_text('@hr /tandem program new "Pilot"   # a first program\n', encoding="utf-8")
    french = console_run(tmp_path, script, LANG="fr_FR.UTF-8")
    assert 'Le programme "Pilot" est créé' in french.stdout
    (tmp_path / "readme.db").unlink()
    told = console_run(tmp_path, script, LANG="fr_FR.UTF-8", TANDEM_LOCALE="en")
    assert 'The program "Pilot" is created' in told.stdout


def test_terminal_locale_follows_posix_precedence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TANDEM_LOCALE", raising=False)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert terminal_locale(settings, {"LANG": "en_GB.UTF-8"}) == "en"
    assert terminal_locale(settings, {"LANG": "en_US", "LC_ALL": "fr_CA.UTF-8"}) == "fr"
    assert terminal_locale(settings, {"LANG": "fr_FR", "LC_MESSAGES": "en_US"}) == "en"
    # A language Tandem does not speak, or the C locale, leaves the default.
    assert terminal_locale(settings, {"LANG": "de_DE.UTF-8"}) == settings.tandem_locale
    assert terminal_locale(settings, {"LANG": "C.UTF-8"}) == settings.tandem_locale
    assert terminal_locale(settings, {}) == settings.tandem_locale


def test_a_trailing_comment_is_stripped_but_not_a_quoted_hash_or_a_channel() -> None:
    assert without_comment("@alice 1   # she joins") == "@alice 1"
    assert without_comment('@bob /session log 1h "#1 topic # first"') == (
        '@bob /session log 1h "#1 topic # first"'
    )
    assert without_comment("@hr /tandem digest channel #owners") == (
        "@hr /tandem digest channel #owners"
    )
    assert without_comment("@hr /tandem digest channel #owners # the owners' room") == (
        "@hr /tandem digest channel #owners"
    )


@pytest.mark.parametrize("database_backend", ["sqlite"], indirect=True)
async def test_a_comment_after_a_form_answer_is_not_part_of_it(console: ConsoleSession) -> None:
    for line in readme_example():
        await console.run_line(line)
    await console.run_line("@bob /session log")
    await console.run_line("@bob 30m   # half an hour")
    await console.run_line("@bob Dashboards #KPIs   # what we did")
    await console.run_line("@bob -   # nothing next")
    logged = await said(console, "@bob today")
    assert "30 min" in logged and "Dashboards #KPIs" in logged
    assert "what we did" not in logged and "half an hour" not in logged
