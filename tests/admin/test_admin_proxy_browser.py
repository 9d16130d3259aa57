"""The journal page through the validating proxy: the relay's answer gets its own verdict beside the
request's, and each response violation is listed. The relay here is a second sora-mock told (``Prefer:
code=503``) to refuse a valid upload: the request is accepted by contract, the answer breaks it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from browser import chromium
from journal_samples import AUTH, FIELDS, IMAGE, TOKEN

from mockserver.background import BackgroundServer
from mockserver.settings import Settings

TIMEOUT = 15.0


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as driver:
        yield driver


def test_page_shows_the_response_verdict_and_its_violations(browser: Any) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    with BackgroundServer(Settings(seed=3)) as relay, BackgroundServer(Settings(proxy=relay.url)) as proxy:
        with httpx.Client(base_url=proxy.url, timeout=10) as client:
            files = {"input_reference": ("kite.png", IMAGE, "image/png")}
            refused = client.post("/v1/videos", data=FIELDS, files=files, headers={**AUTH, "Prefer": "code=503"})
            assert refused.status_code == 503
            assert client.get("/v1/videos", headers=AUTH).status_code == 200
        browser.get(f"{proxy.url}/__admin")
        rows = WebDriverWait(browser, TIMEOUT, poll_frequency=0.1).until(
            lambda d: len(d.find_elements(By.CSS_SELECTOR, "#entries > li.entry")) == 2
            and d.find_elements(By.CSS_SELECTOR, "#entries > li.entry"), message="the page never showed both")
        listed, created = rows
        assert created.find_element(By.CSS_SELECTOR, ".verdict").text == "accepted"
        badge = created.find_element(By.CSS_SELECTOR, ".response-verdict")
        assert badge.text == "response nonconformant" and "nonconformant" in badge.get_attribute("class")
        checks = [c.text for c in created.find_elements(By.CSS_SELECTOR, ".violations .pcode")]
        assert "status_code_200" in checks
        assert listed.find_element(By.CSS_SELECTOR, ".response-verdict").text == "response conformant"
        assert TOKEN not in browser.page_source
