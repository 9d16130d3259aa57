"""The request journal page's routes, in process: the page and its files, the feed, previews, content."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from journal_samples import AUTH, IMAGE, OFFENDING, TOKEN, send_invalid, send_valid
from starlette.testclient import TestClient

from contract_tests.core.images import image_type, jpeg, png, webp
from contract_tests.core.journal import PREVIEW_ENTRIES, Previews
from mockserver.app import create_app
from mockserver.settings import Settings

PAGE_FILES = ["/__admin", "/__admin/static/admin.js", "/__admin/static/admin.css", "/__admin/favicon.png"]


@pytest.fixture
def client() -> Iterator[TestClient]:
    """A fresh app whose videos complete at once, so content is ready."""
    with TestClient(create_app(Settings(render_seconds=0.0, seed=3))) as test_client:
        yield test_client


def feed(client: TestClient, after: int = 0) -> dict:
    response = client.get("/__admin/feed", params={"after": after})
    assert response.status_code == 200
    return response.json()


def test_page_is_html_with_a_self_only_policy(client: TestClient) -> None:
    for path in ("/__admin", "/__admin/"):
        response = client.get(path)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        assert "default-src 'none'" in response.headers["content-security-policy"]
        assert 'src="/__admin/static/admin.js"' in response.text


def test_static_files_have_their_types_and_unknown_ones_are_404(client: TestClient) -> None:
    assert client.get("/__admin/static/admin.js").headers["content-type"].startswith("text/javascript")
    assert client.get("/__admin/static/admin.css").headers["content-type"].startswith("text/css")
    assert client.get("/__admin/favicon.png").content.startswith(b"\x89PNG")
    missing = client.get("/__admin/static/admin.html.bak")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def test_page_files_name_no_other_host(client: TestClient) -> None:
    """Works offline: no CDN, no web font, no absolute URL at all."""
    for path in PAGE_FILES[:3]:
        text = client.get(path).text
        assert not re.search(r"(?i)\b(?:https?:)?//[a-z0-9.-]+\.[a-z]", text), path
        assert "@import" not in text and "url(" not in text, path


def test_feed_shows_both_verdicts_the_param_and_no_token(client: TestClient) -> None:
    assert send_valid(client).status_code == 200
    assert send_invalid(client).status_code == 400
    response = client.get("/__admin/feed")
    assert TOKEN not in response.text
    data = response.json()["data"]
    assert [row["verdict"] for row in data] == ["accepted", "rejected"]
    accepted, rejected = data
    assert accepted["headers"]["authorization"] == "Bearer [REDACTED]"
    assert accepted["files"] == [
        {"param": "input_reference", "filename": "kite.png", "content_type": "image/png", "size": len(IMAGE)}
    ]
    assert accepted["fields"]["prompt"] == "a red kite over the sea"
    assert accepted["previews"] == {"input_reference": f"/__admin/requests/{accepted['id']}/files/input_reference"}
    assert [p["param"] for p in rejected["problems"]] == [OFFENDING]
    assert rejected["response"]["error"]["param"] == OFFENDING and rejected["status"] == 400
    assert rejected["video_id"] is None


def test_feed_gives_each_videos_status_now(client: TestClient) -> None:
    video_id = send_valid(client).json()["id"]  # answered queued
    assert feed(client)["videos"] == {video_id: {"status": "completed", "progress": 100}}
    client.delete(f"/v1/videos/{video_id}", headers=AUTH)
    assert feed(client)["videos"][video_id] == {"status": "deleted"}


def test_feed_after_and_clear(client: TestClient) -> None:
    send_valid(client)
    send_invalid(client)
    first = feed(client)
    assert first["first_id"] < first["last_id"]
    newer = feed(client, after=first["data"][0]["id"])
    assert [row["id"] for row in newer["data"]] == [first["last_id"]]
    assert feed(client, after=first["last_id"])["data"] == []
    assert client.delete("/__admin/requests").status_code == 200
    cleared = feed(client, after=first["last_id"])
    assert cleared["first_id"] is None and cleared["data"] == [] and cleared["videos"] == {}


def test_admin_routes_are_not_journaled(client: TestClient) -> None:
    for path in [*PAGE_FILES, "/__admin/feed"]:
        client.get(path)
    assert feed(client)["data"] == []


def test_preview_serves_the_uploaded_image_as_sniffed(client: TestClient) -> None:
    send_valid(client, jpeg(), content_type="image/png")  # declared wrongly: the sniffed type is served
    url = feed(client)["data"][0]["previews"]["input_reference"]
    response = client.get(url)
    assert response.status_code == 200 and response.content == jpeg()
    assert response.headers["content-type"] == "image/jpeg"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert client.get("/__admin/requests/999/files/input_reference").status_code == 404
    assert client.get("/__admin/requests/abc/files/input_reference").status_code == 404


@pytest.mark.parametrize(
    "upload",
    [b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", b"<html><script>alert(1)</script>", b""],
    ids=["svg", "html", "empty"],
)
def test_no_preview_for_what_is_not_a_raster_image(client: TestClient, upload: bytes) -> None:
    send_valid(client, upload, content_type="image/png")
    assert feed(client)["data"][0]["previews"] == {}


def test_no_preview_past_a_megabyte(client: TestClient) -> None:
    send_valid(client, png(pad_to=1024 * 1024 + 1))
    assert feed(client)["data"][0]["previews"] == {}


def test_previews_are_kept_for_the_newest_entries_only() -> None:
    previews = Previews()
    for entry_id in range(1, PREVIEW_ENTRIES + 6):
        previews.keep(entry_id, {"input_reference": png()})
    assert previews.get(5, "input_reference") is None
    assert previews.get(6, "input_reference") == ("image/png", png())
    assert previews.get(PREVIEW_ENTRIES + 5, "other") is None
    previews.clear()
    assert previews.get(PREVIEW_ENTRIES + 5, "input_reference") is None


def test_previews_hold_at_most_their_total_bytes() -> None:
    previews = Previews(entries=20, max_bytes=1000, total_bytes=2500)
    image = png(pad_to=900)
    for entry_id in range(1, 6):
        previews.keep(entry_id, {"a": image})
    assert [previews.get(i, "a") is not None for i in range(1, 6)] == [False, False, False, True, True]


def test_image_type_sniffs_real_signatures() -> None:
    assert [image_type(data) for data in (png(), jpeg(), webp(), b"GIF89a...")] == [
        "image/png",
        "image/jpeg",
        "image/webp",
        "image/gif",
    ]
    assert image_type(b"RIFF\x00\x00\x00\x00WAVE") is None


def test_content_route_needs_no_token(client: TestClient) -> None:
    video_id = send_valid(client).json()["id"]
    assert client.get(f"/v1/videos/{video_id}/content").status_code == 401  # the real route still guards
    video = client.get(f"/__admin/videos/{video_id}/content")
    assert video.status_code == 200 and video.headers["content-type"] == "video/mp4"
    assert video.content[4:8] == b"ftyp"
    thumbnail = client.get(f"/__admin/videos/{video_id}/content", params={"variant": "thumbnail"})
    assert thumbnail.headers["content-type"] == "image/webp"
    wrong = client.get(f"/__admin/videos/{video_id}/content", params={"variant": "poster"})
    assert wrong.status_code == 400 and wrong.json()["error"]["param"] == "variant"
    assert client.get("/__admin/videos/video_nope/content").status_code == 404


def test_content_route_says_not_ready_while_rendering() -> None:
    with TestClient(create_app(Settings(render_seconds=60.0))) as slow:
        video_id = send_valid(slow).json()["id"]
        response = slow.get(f"/__admin/videos/{video_id}/content")
    assert response.status_code == 400 and response.json()["error"]["code"] == "video_not_ready"


def test_feed_and_previews_with_sqlite_state(tmp_path: Path) -> None:
    """``--state``: the journal lives in SQLite; the feed reads it and previews still work."""
    with TestClient(create_app(Settings(render_seconds=0.0, state=str(tmp_path / "mock.sqlite")))) as sqlite:
        send_valid(sqlite)
        send_invalid(sqlite)
        data = feed(sqlite)["data"]
        assert [row["verdict"] for row in data] == ["accepted", "rejected"]
        assert sqlite.get(data[0]["previews"]["input_reference"]).content == IMAGE
        sqlite.delete("/__admin/requests")
        assert feed(sqlite)["first_id"] is None
