"""The request journal page in a real browser: a real sora-mock, real requests, headless Chromium.

One story, as a frontend developer lives it: one accepted and one rejected upload arrive, the
page shows both (newest first) with their verdicts and the offending field, never the token;
the video turns completed and links to its content; the filters narrow the list; "clear journal"
empties it. A screenshot is saved to ``artifacts/admin-page.png`` for a human to look at.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from browser import chromium
from journal_samples import AUTH, OFFENDING, TOKEN, send_invalid, send_valid

from mockserver.background import BackgroundServer
from mockserver.settings import Settings

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
TIMEOUT = 15.0


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as driver:
        yield driver


@pytest.fixture
def server() -> Iterator[BackgroundServer]:
    with BackgroundServer(Settings(render_seconds=1.5, seed=11)) as running:
        yield running


def wait_until(driver: Any, condition: Callable[[Any], Any], what: str) -> Any:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, TIMEOUT, poll_frequency=0.1).until(condition, message=f"the page never {what}")


def visible_rows(driver: Any) -> list[Any]:
    from selenium.webdriver.common.by import By

    return [row for row in driver.find_elements(By.CSS_SELECTOR, "#entries > li.entry") if row.is_displayed()]


def test_page_shows_verdicts_filters_and_clears(browser: Any, server: BackgroundServer) -> None:
    from selenium.webdriver.common.by import By

    with httpx.Client(base_url=server.url, timeout=10) as client:
        video_id = send_valid(client).json()["id"]
        assert send_invalid(client).status_code == 400

    browser.get(f"{server.url}/__admin")
    rows = wait_until(browser, lambda d: len(visible_rows(d)) == 2 and visible_rows(d), "showed both requests")

    # Newest first: the rejected upload on top, naming the field it lacks.
    rejected, accepted = rows
    assert rejected.get_attribute("data-verdict") == "rejected"
    assert rejected.find_element(By.CSS_SELECTOR, ".verdict").text == "rejected"
    assert rejected.find_element(By.CSS_SELECTOR, ".code").text == "400"
    params = [p.text for p in rejected.find_elements(By.CSS_SELECTOR, ".problems .param")]
    assert params == [OFFENDING]
    assert f"Missing required parameter: '{OFFENDING}'" in rejected.find_element(By.CSS_SELECTOR, ".problems").text
    missing = rejected.find_elements(By.CSS_SELECTOR, ".fields td.value.bad")
    assert [cell.text for cell in missing] == ["(not sent)"]
    assert accepted.get_attribute("data-verdict") == "accepted"
    assert accepted.find_element(By.CSS_SELECTOR, ".verdict").text == "accepted"
    assert "a red kite over the sea" in accepted.find_element(By.CSS_SELECTOR, ".fields").text
    assert "kite.png" in accepted.find_element(By.CSS_SELECTOR, ".files").text
    assert "image/png" in accepted.find_element(By.CSS_SELECTOR, ".files").text

    # The thumbnail really decoded, and the video turned completed with a working content link.
    thumbnail = accepted.find_element(By.CSS_SELECTOR, ".files img")
    wait_until(
        browser, lambda d: d.execute_script("return arguments[0].naturalWidth", thumbnail) == 48, "decoded the preview"
    )
    link = wait_until(
        browser,
        lambda d: d.find_elements(By.CSS_SELECTOR, f"#entries li[data-verdict=accepted] a.content[href*='{video_id}']"),
        "linked the completed video's content",
    )[0]
    assert accepted.find_element(By.CSS_SELECTOR, ".video .state").text == "completed"
    content = httpx.get(link.get_attribute("href"), timeout=10)  # no Authorization: the admin route
    assert content.status_code == 200 and content.headers["content-type"] == "video/mp4"

    # The page's own requests (its files, feed, icon, previews) are not journaled: no /favicon.ico noise.
    assert len(server.service.journal) == 2

    # The token is nowhere on the page; its redacted form is in the request headers.
    source = browser.page_source
    assert TOKEN not in source
    assert "Bearer [REDACTED]" in source

    ARTIFACTS.mkdir(exist_ok=True)
    browser.find_element(By.CSS_SELECTOR, "#entries li[data-verdict=rejected] details.response summary").click()
    assert browser.save_screenshot(str(ARTIFACTS / "admin-page.png"))

    # Filters: by verdict, then by path.
    browser.find_element(By.CSS_SELECTOR, "input[name=verdict][value=rejected]").click()
    only = wait_until(browser, lambda d: len(visible_rows(d)) == 1 and visible_rows(d), "filtered by verdict")
    assert only[0].get_attribute("data-verdict") == "rejected"
    browser.find_element(By.CSS_SELECTOR, "input[name=verdict][value=all]").click()
    path_filter = browser.find_element(By.ID, "path-filter")
    path_filter.send_keys("/v1/nothing-here")
    wait_until(
        browser, lambda d: not visible_rows(d) and d.find_element(By.ID, "empty").is_displayed(), "filtered by path"
    )
    path_filter.clear()
    path_filter.send_keys("/v1/videos")
    wait_until(browser, lambda d: len(visible_rows(d)) == 2, "showed both again")

    # Clear: the list empties, on the page and in the journal.
    browser.find_element(By.ID, "clear").click()
    wait_until(browser, lambda d: not d.find_elements(By.CSS_SELECTOR, "#entries > li.entry"), "emptied the list")
    assert httpx.get(f"{server.url}/__admin/requests").json()["data"] == []


def test_page_adds_requests_as_they_arrive(browser: Any, server: BackgroundServer) -> None:
    """Live: a request sent after the page opened appears without a reload."""
    browser.get(f"{server.url}/__admin")
    wait_until(browser, lambda d: "live" in d.find_element("id", "status").text, "went live")
    assert visible_rows(browser) == []
    with httpx.Client(base_url=server.url, timeout=10) as client:
        send_invalid(client)
    row = wait_until(browser, lambda d: visible_rows(d), "showed the new request")[0]
    assert row.get_attribute("data-verdict") == "rejected"


def test_page_shows_edits_and_extensions_with_their_source(browser: Any, serve_quick: BackgroundServer) -> None:
    """The new calls' rows: their verdict, and for an edit or extension the video it was made from."""
    from selenium.webdriver.common.by import By

    with httpx.Client(base_url=serve_quick.url, timeout=10, headers=AUTH) as client:
        source_id = send_valid(client).json()["id"]  # renders in 0 s on this server
        edit = client.post("/v1/videos/edits", files={"prompt": (None, "night"), "video[id]": (None, source_id)})
        assert edit.status_code == 200, edit.text
        refused = client.post("/v1/videos/extensions", files={"prompt": (None, "more"), "video[id]": (None, source_id)})
        assert refused.status_code == 400  # no seconds

    browser.get(f"{serve_quick.url}/__admin")
    rows = wait_until(browser, lambda d: len(visible_rows(d)) == 3 and visible_rows(d), "showed the three requests")
    extension, edited = rows[0], rows[1]
    assert extension.get_attribute("data-path") == "/v1/videos/extensions"
    assert extension.find_element(By.CSS_SELECTOR, ".verdict").text == "rejected"
    assert [p.text for p in extension.find_elements(By.CSS_SELECTOR, ".problems .param")] == ["seconds"]
    assert edited.get_attribute("data-path") == "/v1/videos/edits"
    assert edited.find_element(By.CSS_SELECTOR, ".verdict").text == "accepted"
    assert edited.find_element(By.CSS_SELECTOR, ".video .source-vid").text == source_id
    assert edited.find_element(By.CSS_SELECTOR, ".video .vid").text == edit.json()["id"]


@pytest.fixture
def serve_quick() -> Iterator[BackgroundServer]:
    with BackgroundServer(Settings(render_seconds=0.0, seed=13)) as running:
        yield running
