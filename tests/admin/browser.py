"""Headless Chromium for the admin page tests: Debian's ``chromium`` driven by ``chromedriver``.

Outside CI a machine without Chromium skips the browser tests (saying how to install it); in
CI (``CI`` set) it fails them, so a missing browser can never turn the build green.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

INSTALL = "apt-get update && apt-get install -y chromium chromium-driver"
# Without the background-networking flags Chromium dials out at start, which a closed network refuses.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,1100",
]


BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def _which(names: tuple[str, ...], override: str) -> str | None:
    """``$override`` if set, else the first of ``names`` on PATH."""
    if os.environ.get(override):
        return shutil.which(os.environ[override])
    return next((path for path in map(shutil.which, names) if path), None)


def find_chromium() -> tuple[str, str]:
    """Paths of the browser and its driver, or skip (locally) / fail (in CI) when missing.

    Debian's packages by default; ``CHROMIUM_BIN`` and ``CHROMEDRIVER`` name others, and
    GitHub's runners (Google Chrome, ``$CHROMEWEBDRIVER/chromedriver``) are found as they are.
    """
    browser = _which(BROWSERS, "CHROMIUM_BIN")
    driver = _which(("chromedriver",), "CHROMEDRIVER")
    if driver is None and os.environ.get("CHROMEWEBDRIVER"):
        driver = shutil.which("chromedriver", path=os.environ["CHROMEWEBDRIVER"])
    if browser and driver:
        return browser, driver
    message = f"Chromium and chromedriver are needed for the browser tests; install them with: {INSTALL}"
    if os.environ.get("CI"):
        pytest.fail(f"CI is set but the browser is missing. {message}", pytrace=False)
    pytest.skip(message)


@contextmanager
def chromium(*, performance_log: bool = False) -> Iterator[Any]:
    """A headless Chromium WebDriver with a new, empty profile, quit afterwards.

    ``performance_log`` keeps the DevTools network events (``driver.get_log("performance")``), so
    a test can see what the browser sent and received, e.g. a media element's Range requests.
    """
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    browser, driver_path = find_chromium()
    with tempfile.TemporaryDirectory(prefix="admin-page-chromium-") as profile:
        options = webdriver.ChromeOptions()
        options.binary_location = browser
        for flag in [*FLAGS, f"--user-data-dir={profile}"]:
            options.add_argument(flag)
        if performance_log:
            options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
        driver = webdriver.Chrome(options=options, service=Service(executable_path=driver_path))
        try:
            yield driver
        finally:
            driver.quit()
