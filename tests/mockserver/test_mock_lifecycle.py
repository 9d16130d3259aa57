"""The Videos API over real HTTP: create, retrieve through the lifecycle, list, delete, content, remix."""

from __future__ import annotations

import time
from typing import Any

import httpx
from mock_http import AUTH, Serve, create, until

from contract_tests.testing.strategies import GeneratedRequest
from mockserver.settings import Settings


def wait_for(http: httpx.Client, video_id: str, status: str) -> None:
    until(lambda: http.get(f"/v1/videos/{video_id}").json()["status"] == status, f"{video_id} became {status}")


def test_valid_create_answers_a_queued_video(client: httpx.Client, example: GeneratedRequest) -> None:
    response = create(client, example)
    assert response.status_code == 200, response.text
    video = response.json()
    assert video["object"] == "video" and video["status"] == "queued" and video["progress"] == 0
    assert video["id"].startswith("video_")
    assert video["size"] == "1280x720"  # the document's 16x9, answered in pixels as the relays do
    assert response.headers["openai-poll-after-ms"] == "100"


def test_invalid_create_gets_the_openai_error_with_param(client: httpx.Client) -> None:
    response = client.post("/v1/videos", files={"prompt": (None, "hi")}, data={"model": "sora-2"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "missing_required_parameter" and error["type"] == "invalid_request_error"
    assert error["param"] in {"seconds", "input_reference", "size", "watermark"}


def test_missing_token_is_401(server, example: GeneratedRequest) -> None:
    headers = {k: v for k, v in example.headers.items() if k.lower() != "authorization"}
    response = httpx.post(f"{server.url}/v1/videos", content=example.body, headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_api_key"
    assert httpx.get(f"{server.url}/v1/videos").status_code == 401


class Clock:
    """The engine's clock, moved by the test: each status is reached when the test says so."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def test_video_goes_queued_in_progress_completed(serve: Serve, example: GeneratedRequest) -> None:
    running = serve(Settings(render_seconds=10.0, seed=3))
    clock = running.service.engine.clock = Clock()
    with httpx.Client(base_url=running.url, headers=AUTH, timeout=10) as http:
        started = clock.now
        video = create(http, example).json()
        seen = [video["status"]]
        progress: list[Any] = []
        for offset in (0.5, 2.0, 5.0, 9.0, 10.0):  # the first 10% of a render is queued
            clock.now = started + offset
            current = http.get(f"/v1/videos/{video['id']}").json()
            if current["status"] == "in_progress":
                progress.append(current["progress"])
            if current["status"] != seen[-1]:
                seen.append(current["status"])
        assert seen == ["queued", "in_progress", "completed"]
        assert len(progress) == 3 and progress == sorted(progress) and progress[0] < progress[-1]
        done = http.get(f"/v1/videos/{video['id']}")
    body = done.json()
    assert body["progress"] == 100 and body["completed_at"] >= body["created_at"]
    assert body["expires_at"] > body["completed_at"]
    assert "openai-poll-after-ms" not in done.headers


def test_list_pages_with_limit_after_and_order(client: httpx.Client, example: GeneratedRequest) -> None:
    ids = [create(client, example).json()["id"] for _ in range(3)]
    first = client.get("/v1/videos", params={"limit": 2}).json()
    assert first["object"] == "list" and first["has_more"] is True
    assert [v["id"] for v in first["data"]] == ids[::-1][:2]
    assert first["first_id"] == ids[2] and first["last_id"] == ids[1]
    second = client.get("/v1/videos", params={"limit": 1, "after": first["last_id"]}).json()
    assert second["data"][0]["id"] == ids[0]
    ascending = [v["id"] for v in client.get("/v1/videos", params={"order": "asc", "limit": 100}).json()["data"]]
    assert ascending.index(ids[0]) < ascending.index(ids[1]) < ascending.index(ids[2])
    bad = client.get("/v1/videos", params={"limit": 0})
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "limit"


def test_delete_then_404(client: httpx.Client, example: GeneratedRequest) -> None:
    video_id = create(client, example).json()["id"]
    deleted = client.delete(f"/v1/videos/{video_id}")
    assert deleted.json() == {"id": video_id, "object": "video.deleted", "deleted": True}
    for method in ("GET", "DELETE"):
        gone = client.request(method, f"/v1/videos/{video_id}")
        assert gone.status_code == 404
        assert gone.json()["error"] == {
            "message": f"No video found with id '{video_id}'.",
            "type": "invalid_request_error",
            "param": "video_id",
            "code": "not_found",
        }


def test_unknown_ids_and_urls_are_404_in_the_error_format(client: httpx.Client) -> None:
    for path in ("/v1/videos/video_nope", "/v1/videos/video_nope/content", "/v1/nothing", "/"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert set(response.json()["error"]) == {"message", "type", "param", "code"}


def test_content_is_an_error_until_completed_then_real_media(client: httpx.Client, example: GeneratedRequest) -> None:
    video_id = create(client, example).json()["id"]
    early = client.get(f"/v1/videos/{video_id}/content")
    assert early.status_code == 400 and early.json()["error"]["code"] == "video_not_ready"
    wait_for(client, video_id, "completed")
    mp4 = client.get(f"/v1/videos/{video_id}/content")
    assert mp4.headers["content-type"] == "video/mp4" and mp4.content[4:8] == b"ftyp"
    webp = client.get(f"/v1/videos/{video_id}/content", params={"variant": "thumbnail"})
    assert webp.headers["content-type"] == "image/webp"
    assert webp.content[:4] == b"RIFF" and webp.content[8:12] == b"WEBP"
    jpeg = client.get(f"/v1/videos/{video_id}/content", params={"variant": "spritesheet"})
    assert jpeg.headers["content-type"] == "image/jpeg" and jpeg.content[:2] == b"\xff\xd8"
    bad = client.get(f"/v1/videos/{video_id}/content", params={"variant": "gif"})
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "variant"


def test_remix_a_completed_video(client: httpx.Client, example: GeneratedRequest) -> None:
    source = create(client, example).json()["id"]
    early = client.post(f"/v1/videos/{source}/remix", json={"prompt": "more cows"})
    assert early.status_code == 400 and early.json()["error"]["code"] == "video_not_ready"
    wait_for(client, source, "completed")
    remix = client.post(f"/v1/videos/{source}/remix", json={"prompt": "more cows"})
    assert remix.status_code == 200
    assert remix.json()["remixed_from_video_id"] == source and remix.json()["prompt"] == "more cows"
    assert remix.json()["status"] == "queued"
    no_prompt = client.post(f"/v1/videos/{source}/remix", json={})
    assert no_prompt.status_code == 400 and no_prompt.json()["error"]["param"] == "prompt"
    assert client.post("/v1/videos/video_nope/remix", json={"prompt": "x"}).status_code == 404


def test_admin_method_mismatch_is_json(server) -> None:
    response = httpx.put(f"{server.url}/__admin/reset")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_auth_header_is_required_on_every_lifecycle_route(server) -> None:
    for method, path in [("GET", "/v1/videos/x"), ("DELETE", "/v1/videos/x"), ("GET", "/v1/videos/x/content")]:
        response = httpx.request(method, server.url + path, headers={"Authorization": "Basic abc"})
        assert response.status_code == 401, path
        # the same route with the bearer token gets past auth: the 401 was about the header
        assert httpx.request(method, server.url + path, headers=AUTH).json()["error"]["code"] == "not_found", path
