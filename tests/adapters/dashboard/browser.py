"""Debian's Chromium, headless, driven by Selenium through chromium-driver."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,900",
)


def skip_without_chromium() -> None:
    if CHROMIUM is None or CHROMEDRIVER is None:
        pytest.skip(
            "the browser tests need Debian's chromium and chromium-driver "
            "(apt-get install chromium chromium-driver; .ci/run installs them when missing)"
        )


@contextmanager
def chromium(
    profile: Path, language: str = "en", downloads: Path | None = None
) -> Iterator[object]:
    """A fresh headless Chromium with its own profile folder, closed at the end; files it
    downloads go to ``downloads`` (the profile folder by default)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    skip_without_chromium()
    options = webdriver.ChromeOptions()
    assert CHROMIUM is not None and CHROMEDRIVER is not None
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument(f"--lang={language}")
    options.add_experimental_option(
        "prefs",
        {
            "intl.accept_languages": language,
            "download.default_directory": str(downloads or profile),
            "download.prompt_for_download": False,
        },
    )
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


# What axe-core reports that fails the test: WCAG 2.1 A and AA rules of these impacts.
BLOCKING_IMPACTS = {"serious", "critical"}
# The bundled axe-core (3.1) predates HTML 5.2's <div> groups inside a <dl> (name and value
# kept together, as the KPI tiles do) and reports them; axe-core 3.3 and later accept them.
AXE_OPTIONS = (
    '{"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "section508"]}, '
    '"rules": {"dlitem": {"enabled": false}, "definition-list": {"enabled": false}}}'
)


def assert_accessible(driver: Any, page: str) -> None:
    """Runs axe-core (the engine axe-selenium-python bundles) in the page as it is now, and
    fails on any serious or critical violation, saying which elements break which rule.

    Selenium runs the script through the browser's debugging protocol, which the page's
    Content-Security-Policy (no script at all) does not apply to."""
    from axe_selenium_python import Axe

    axe = Axe(driver)
    axe.inject()
    results = axe.run(options=AXE_OPTIONS)
    blocking = [v for v in results["violations"] if v.get("impact") in BLOCKING_IMPACTS]
    details = [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["html"][:120] for node in v["nodes"][:3])
        for v in blocking
    ]
    assert not blocking, f"{page}: " + "\n".join(details)


def wait_for_download(folder: Path, name: str, seconds: float = 20) -> Path:
    """The downloaded file once Chromium has finished writing it."""
    deadline = time.monotonic() + seconds
    path = folder / name
    while time.monotonic() < deadline:
        if path.exists() and not any(folder.glob("*.crdownload")):
            return path
        time.sleep(0.05)
    raise AssertionError(f"{name} was not downloaded; the folder holds {sorted(folder.iterdir())}")
