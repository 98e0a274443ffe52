"""``tandem report --html`` as an owner runs it: one self-contained page, in either language,
with the figures, everything escaped and the chart inlined as a PNG."""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.digest.chart import PNG_SIGNATURE
from tests.bot.test_cli import tandem
from tests.console_support import SCRIPTS

DATA_URI = re.compile(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"')


@pytest.fixture(scope="module")
def pilot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("report")
    script = folder / "pilot.txt"
    script.write_text(
        (SCRIPTS / "two_pairs_en.txt").read_text(encoding="utf-8")
        + '@alice /session log 45m "LinkedIn basics, <b>SEO</b> & co"\n'
        + '@dan /session log 1h "LinkedIn basics"\n',
        encoding="utf-8",
    )
    # A working day a week or so ago (invitations wait for working hours), so that the
    # sessions fall in a week the report, on the real clock, shows.
    day = datetime.now(UTC) - timedelta(days=7)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    start = day.replace(hour=10, minute=0, second=0, microsecond=0).isoformat()
    result = tandem(
        "console", "--script", str(script), "--start", start, tmp_path=folder, TANDEM_LOCALE="en"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return folder


@pytest.mark.parametrize(
    ("locale", "words"),
    [
        (
            "en",
            ['Program report of "Pilot"', "4 enrolled, 4 paired in 2 pairs", "2 sessions (1 h 45)"],
        ),
        ("fr", ['Rapport du programme "Pilot"', "4 inscrits, 4 en tandem", "2 sessions (1 h 45)"]),
    ],
)
def test_report_html_is_one_shareable_page(pilot: Path, locale: str, words: list[str]) -> None:
    page = pilot / f"report-{locale}.html"
    result = tandem(
        "report", "--program", "Pilot", "--html", str(page), "--locale", locale, tmp_path=pilot
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert str(page) in result.stdout
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and f'<html lang="{locale}">' in html
    for expected in words:
        assert expected.replace('"', "&#34;") in html
    # What people typed is escaped, and nothing is fetched from elsewhere.
    assert "<b>seo</b>" not in html and "&lt;b&gt;seo&lt;/b&gt; &amp; co" in html
    assert "http://" not in html and "https://" not in html and "<script" not in html
    (encoded,) = DATA_URI.findall(html)
    png = base64.b64decode(encoded, validate=True)
    assert png.startswith(PNG_SIGNATURE) and len(png) > 1000


def test_report_of_an_unknown_program(pilot: Path) -> None:
    result = tandem("report", "-p", "Nope", "--html", "x.html", tmp_path=pilot, TANDEM_LOCALE="en")
    assert result.returncode == 1
    assert 'There is no program called "Nope"' in result.stdout
    assert not (pilot / "x.html").exists()
