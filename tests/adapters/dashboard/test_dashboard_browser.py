"""An owner's dashboard in a real headless Chromium: the link ``/tandem dashboard`` gives opens
it, the pages are navigated, the pairs sorted and filtered, and every figure shown is checked
against the small program below, worked out by hand.

The program ("Pilot", 18 November 2026 to 9 February 2027: 84 days, 12 weeks), seen on
3 December 2026 (day 16: week 3):
- hr invited alice, bob, dan, erin (all joined and finished the questionnaire) and frank (never
  answered): 5 invited, 4 answered, 4 enrolled, 4 questionnaires, 4 in a pair;
- pairs alice & bob and dan & erin, 6 sessions each in their charter: a target of 12;
- alice logged 45 min and 1 h, dan 30 min: 3 sessions, 2 h 15; alice & bob 2 / 6, dan & erin
  1 / 6;
- alice planned their next session on 10 December 2026 at 14:00;
- erin's messages do not reach her: dan & erin is the one pair needing attention.

Screenshots of each page go to the test's temporary folder, or to the folder
``TANDEM_TEST_SCREENSHOTS`` names (never committed), for a person to look at.
"""

from __future__ import annotations

import asyncio
import csv
import io
import os
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from adapters.console.session import ConsoleSession
from storage import tables
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.adapters.dashboard.browser import (
    assert_accessible,
    chromium,
    skip_without_chromium,
    wait_for_download,
)
from tests.adapters.dashboard.support import LINK, Served, seed, serving
from tests.console_support import said


async def unreachable(uow_factory: SqlUnitOfWorkFactory, user_id: str) -> None:
    async with uow_factory.engine.begin() as connection:
        await connection.execute(
            sa.update(tables.person)
            .where(tables.person.c.user_id == user_id)
            .values(unreachable=True)
        )


def figure(driver: Any, name: str) -> str:
    from selenium.webdriver.common.by import By

    return str(driver.find_element(By.CSS_SELECTOR, f'[data-figure="{name}"]').text)


def first_cells(driver: Any) -> list[str]:
    from selenium.webdriver.common.by import By

    rows = driver.find_elements(By.CSS_SELECTOR, "#pairs tbody tr[data-pair]")
    return [row.find_elements(By.TAG_NAME, "td")[0].text for row in rows]


def sessions_cells(driver: Any) -> list[str]:
    from selenium.webdriver.common.by import By

    cells = driver.find_elements(By.CSS_SELECTOR, '#pairs tbody td[data-figure="sessions"]')
    return [cell.text for cell in cells]


def navigating(driver: Any, action: Any) -> None:
    """Does what leads to another page, and waits until that page replaced this one (a key
    press submitting a form returns before the browser has left)."""
    from selenium.webdriver.support.ui import WebDriverWait

    # A mark on this document's window: the next document starts without it. (Watching an
    # element of the old page go stale made chromedriver fail with "Node with given id does
    # not belong to the document" instead of saying it was stale.)
    driver.execute_script("window.tandemLeaving = true")
    action()
    WebDriverWait(driver, 20).until(
        lambda d: d.execute_script(
            "return window.tandemLeaving !== true && document.readyState === 'complete'"
        )
    )


def drive(served: Served, link_path: str, shots: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    shots.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory() as profile,
        tempfile.TemporaryDirectory() as folder,
        chromium(Path(profile), downloads=Path(folder)) as driver,
    ):
        downloads = Path(folder)
        d: Any = driver
        d.get(served.url(link_path))
        # The link set the session and led to the overview.
        assert d.find_element(By.TAG_NAME, "h1").text == "Pilot"
        d.save_screenshot(str(shots / "overview.png"))
        assert_accessible(d, "overview")
        assert "Week 3 of 12" in d.find_element(By.ID, "program-clock").text
        assert figure(d, "enrolled") == "4"
        assert figure(d, "pairs") == "2"
        assert figure(d, "active_pairs") == "2"
        assert figure(d, "sessions") == "3"
        assert figure(d, "sessions_target") == "12"
        assert figure(d, "hours") == "2 h 15"
        assert figure(d, "cancelled") == "0"
        assert figure(d, "mood") == "—"
        assert figure(d, "attention") == "1"
        # The charts' figures, over every week since the start: all three sessions in the
        # first week; the charters' 12 sessions over 12 weeks make a target of 1 a week.
        weeks = [
            [cell.text for cell in row.find_elements(By.CSS_SELECTOR, "th, td")][:3]
            for row in d.find_elements(By.CSS_SELECTOR, "#weeks-table tbody tr")
        ]
        assert weeks == [
            ["Nov 16, 2026", "3", "2 h 15"],
            ["Nov 23, 2026", "0", "—"],
            ["Nov 30, 2026", "0", "—"],
        ]
        # Each chart is one image named by its title and summary (the table holds its figures).
        assert '<title id="chart-sessions-title">Sessions held a week</title>' in d.page_source
        captions = [c.text for c in d.find_elements(By.CSS_SELECTOR, "figure.chart figcaption")]
        assert captions[0].startswith("Sessions held a week (dashed line: 1.0 a week")
        assert len(captions) == 4
        attention = d.find_element(By.CSS_SELECTOR, "#attention + ul").text
        assert "dan & erin" in attention and "do not reach them" in attention
        # Keyboard first: the first Tab reaches the "skip to content" link.
        d.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
        assert d.switch_to.active_element.get_attribute("class") == "skip"

        navigating(d, d.find_element(By.LINK_TEXT, "Pairs").click)
        assert d.find_element(By.TAG_NAME, "h1").text == "Pairs"
        d.save_screenshot(str(shots / "pairs.png"))
        assert_accessible(d, "pairs")
        assert first_cells(d) == ["alice", "dan"]
        assert sessions_cells(d) == ["2 / 6", "1 / 6"]
        first, second = d.find_elements(By.CSS_SELECTOR, "#pairs tbody tr[data-pair]")
        assert "Dec 10, 2026, 2:00" in first.text and "unreachable" not in first.text
        assert "unreachable" in second.text
        # Sorting: by sessions done, fewest first, then most first.
        navigating(d, d.find_element(By.LINK_TEXT, "Sessions / target").click)
        assert sessions_cells(d) == ["1 / 6", "2 / 6"]
        header = d.find_element(By.CSS_SELECTOR, "th[aria-sort='ascending']")
        assert header.text == "Sessions / target"
        navigating(d, d.find_element(By.LINK_TEXT, "Sessions / target").click)
        assert sessions_cells(d) == ["2 / 6", "1 / 6"]
        # Filtering: only the pairs needing attention, then by name.
        Select(d.find_element(By.ID, "flag")).select_by_value("attention")
        navigating(d, d.find_element(By.ID, "apply").click)
        assert first_cells(d) == ["dan"]
        assert "1 of 2 pairs shown" in d.find_element(By.ID, "shown").text
        Select(d.find_element(By.ID, "flag")).select_by_value("all")
        search = d.find_element(By.ID, "q")
        search.send_keys("ALI")
        navigating(d, lambda: search.send_keys(Keys.ENTER))
        assert first_cells(d) == ["alice"]
        d.save_screenshot(str(shots / "pairs-filtered.png"))

        navigating(d, d.find_element(By.LINK_TEXT, "alice").click)
        assert d.find_element(By.TAG_NAME, "h1").text == "alice & bob"
        d.save_screenshot(str(shots / "pair.png"))
        assert_accessible(d, "one pair")
        assert figure(d, "sessions") == "2 / 6"
        lengths = [cell.text for cell in d.find_elements(By.CSS_SELECTOR, "table tbody td.number")]
        assert lengths == ["45 min", "1 h"]
        assert "December 10, 2026" in d.find_element(By.TAG_NAME, "main").text or (
            "Dec 10, 2026" in d.find_element(By.TAG_NAME, "main").text
        )
        # Nothing a participant wrote: the session topics stay between them.
        assert "LinkedIn basics" not in d.page_source
        assert "Privacy settings" not in d.page_source

        navigating(d, d.find_element(By.LINK_TEXT, "Pairs").click)
        navigating(d, d.find_element(By.LINK_TEXT, "dan").click)
        assert d.find_element(By.TAG_NAME, "h1").text == "dan & erin"
        main = d.find_element(By.TAG_NAME, "main").text
        assert "Suggested action: messages do not reach them" in main
        assert figure(d, "sessions") == "1 / 6"

        navigating(d, d.find_element(By.LINK_TEXT, "People").click)
        assert d.find_element(By.TAG_NAME, "h1").text == "People"
        d.save_screenshot(str(shots / "people.png"))
        assert_accessible(d, "people")
        expected = {
            "invited": "5",
            "answered": "4",
            "enrolled": "4",
            "questionnaire": "4",
            "paired": "4",
            "paused": "0",
            "left": "0",
        }
        assert {name: figure(d, name) for name in expected} == expected
        navigating(d, d.find_element(By.ID, "not-answered").click)
        names = [
            row.find_elements(By.TAG_NAME, "td")[0].text
            for row in d.find_elements(By.CSS_SELECTOR, "#people tbody tr")
        ]
        assert names == ["frank"]

        navigating(d, d.find_element(By.LINK_TEXT, "Outcomes").click)
        assert d.find_element(By.TAG_NAME, "h1").text == "Outcomes"
        d.save_screenshot(str(shots / "outcomes.png"))
        assert_accessible(d, "outcomes")
        main = d.find_element(By.TAG_NAME, "main").text
        assert "No one has answered the end-of-program evaluation yet." in main

        navigating(d, d.find_element(By.LINK_TEXT, "Exports").click)
        assert d.find_element(By.TAG_NAME, "h1").text == "Exports"
        d.save_screenshot(str(shots / "exports.png"))
        assert_accessible(d, "exports")
        d.find_element(By.ID, "download-sessions").click()
        program = d.current_url.rstrip("/").split("/")[-2]
        sessions = wait_for_download(downloads, f"tandem-program-{program}-sessions.csv")
        rows = list(csv.DictReader(io.StringIO(sessions.read_text(encoding="utf-8"))))
        assert sorted(int(row["minutes"]) for row in rows) == [30, 45, 60]
        assert "LinkedIn basics" not in sessions.read_text(encoding="utf-8")

        # The link was spent: opened again, it says so and shows nothing of the program.
        d.get(served.url(link_path))
        assert "already used" in d.find_element(By.TAG_NAME, "main").text
        assert "alice" not in d.page_source


async def test_an_owner_sees_the_program_in_a_browser(
    make_console: Any, uow_factory: SqlUnitOfWorkFactory, tmp_path: Path
) -> None:
    skip_without_chromium()
    console: ConsoleSession = make_console()
    await seed(console)
    await console.run_line("@hr /tandem program set until: 2027-02-09")
    await unreachable(uow_factory, "erin")
    console.clock.set(console.clock.now() + timedelta(days=15))
    await console.run_line("@alice /session plan 2026-12-10 14:00")
    text = await said(console, "@hr /tandem dashboard")
    found = LINK.search(text)
    assert found, text
    link_path = "/dashboard/open/" + found.group(1)
    async with serving(console, uow_factory) as served:
        # Selenium waits on the browser; the server answers meanwhile on this loop.
        shots = Path(os.environ.get("TANDEM_TEST_SCREENSHOTS", "") or tmp_path)
        await asyncio.to_thread(drive, served, link_path, shots)
