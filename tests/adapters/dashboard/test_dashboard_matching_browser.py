"""An owner matches the cohort of tests/scripts/matching_en.txt from the browser: asks for a
proposal, reads each pair's explanation, swaps two mentees, approves, and sees the pairs
created; the participants get their introductions in chat. axe-core checks each state of the
page. Screenshots go where the other browser test puts them."""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path
from typing import Any

from adapters.console.session import ConsoleSession
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.adapters.dashboard.browser import assert_accessible, chromium, skip_without_chromium
from tests.adapters.dashboard.support import Served, link_for, serving
from tests.adapters.dashboard.test_dashboard_browser import navigating
from tests.console_support import run_script

PARTICIPANTS = ("alice", "dan", "carl", "gus", "bob", "erin", "fay", "hank")


def proposed(driver: Any) -> list[tuple[str, str]]:
    from selenium.webdriver.common.by import By

    rows = driver.find_elements(By.CSS_SELECTOR, "#proposal tbody tr[data-pair]")
    return [tuple(td.text for td in row.find_elements(By.TAG_NAME, "td")[:2]) for row in rows]


def drive(served: Served, link_path: str, shots: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    shots.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as profile, chromium(Path(profile)) as driver:
        d: Any = driver
        d.get(served.url(link_path))
        navigating(d, d.find_element(By.LINK_TEXT, "Matching").click)
        assert "No matching proposal is under review" in d.find_element(By.TAG_NAME, "main").text
        assert_accessible(d, "matching, nothing under review")

        navigating(d, d.find_element(By.ID, "propose").click)
        assert "A new proposal is ready" in d.find_element(By.ID, "done").text
        assert proposed(d) == [("alice", "bob"), ("carl", "erin")]
        main = d.find_element(By.TAG_NAME, "main").text
        assert "bob's goal: skill up on the tools" in main
        assert "hank (mentee): no compatible mentor" in main
        d.save_screenshot(str(shots / "matching.png"))
        assert_accessible(d, "matching, a proposal")

        # Swapping a mentor with a mentee is refused, in words, and changes nothing.
        Select(d.find_element(By.ID, "swap-first")).select_by_visible_text("alice (mentor)")
        Select(d.find_element(By.ID, "swap-second")).select_by_visible_text("fay (mentee)")
        navigating(d, d.find_element(By.ID, "swap").click)
        assert "Nothing was changed." in d.find_element(By.ID, "refusal").text
        assert proposed(d) == [("alice", "bob"), ("carl", "erin")]
        d.save_screenshot(str(shots / "matching-refused.png"))
        assert_accessible(d, "matching, a refusal")

        Select(d.find_element(By.ID, "swap-first")).select_by_visible_text("bob (mentee)")
        Select(d.find_element(By.ID, "swap-second")).select_by_visible_text("fay (mentee)")
        navigating(d, d.find_element(By.ID, "swap").click)
        assert proposed(d) == [("alice", "fay"), ("carl", "erin")]

        navigating(d, d.find_element(By.ID, "approve").click)
        assert "Approved: the pairs were created" in d.find_element(By.ID, "done").text
        navigating(d, d.find_element(By.LINK_TEXT, "See the pairs").click)
        rows = d.find_elements(By.CSS_SELECTOR, "#pairs tbody tr[data-pair]")
        assert [row.find_elements(By.TAG_NAME, "td")[0].text for row in rows] == ["alice", "carl"]
        assert "fay" in rows[0].text and "erin" in rows[1].text
        d.save_screenshot(str(shots / "matching-approved-pairs.png"))


async def test_an_owner_approves_a_proposal_in_the_browser(
    make_console: Any, uow_factory: SqlUnitOfWorkFactory, tmp_path: Path
) -> None:
    skip_without_chromium()
    console: ConsoleSession = make_console()
    await run_script(console, "matching_en.txt")
    before = {name: len(console.received_by(name)) for name in PARTICIPANTS}
    token = await link_for(console)
    async with serving(console, uow_factory) as served:
        shots = Path(os.environ.get("TANDEM_TEST_SCREENSHOTS", "") or tmp_path)
        await asyncio.to_thread(drive, served, "/dashboard/open/" + token, shots)
    # The chat side of the approval: introductions to both sides of each pair.
    await console.deliver()
    for name in ("alice", "fay", "carl", "erin"):
        assert len(console.received_by(name)) > before[name], name
    assert any("fay" in text for text in console.received_by("alice")[before["alice"] :])
