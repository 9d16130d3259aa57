"""The respx door: httpx traffic to the documented servers is answered by contract, and recorded."""

from __future__ import annotations

import httpcore
import httpcore2
import httpx
import httpx2
import openai
import pytest
import respx

from contract_tests.core import images
from contract_tests.testing.respx_mock import SoraMock

FIELDS = {"model": "sora-2", "prompt": "画面动起来", "seconds": "10", "size": "16x9", "watermark": "false"}
AUTH = {"Authorization": "Bearer sk-secret-value"}


def create(client: httpx.Client, url: str = "https://api.jxincm.cn/v1/videos", **fields: str) -> httpx.Response:
    files = {"input_reference": ("场景1.png", images.png(), "image/png")}
    return client.post(url, headers=AUTH, data={**FIELDS, **fields}, files=files)


def test_valid_create_gets_a_queued_video_and_is_journaled() -> None:
    with SoraMock() as mock, httpx.Client() as client:
        response = create(client)
        assert response.status_code == 200
        video = response.json()
        assert (video["status"], video["seconds"], video["size"]) == ("queued", "10", "1280x720")
        assert mock.calls.call_count == 1
        entry = next(mock.requests())
        assert (entry.verdict, entry.status, entry.video_id) == ("accepted", 200, video["id"])
        assert entry.files[0]["filename"] == "场景1.png"
        assert entry.headers["authorization"] == "Bearer [REDACTED]"
        assert "sk-secret-value" not in repr(entry)


def test_invalid_create_gets_openai_error_json() -> None:
    with SoraMock() as mock, httpx.Client() as client:
        response = client.post("https://api.chainhub.tech/v1/videos", headers=AUTH, files={"model": (None, "sora-2")})
        assert response.status_code == 400
        assert response.json()["error"] == {
            "message": "Missing required parameter: 'prompt'.",
            "type": "invalid_request_error",
            "param": "prompt",
            "code": "missing_required_parameter",
        }
        assert next(mock.requests()).verdict == "rejected"


def test_lifecycle_routes_answer_through_the_same_engine() -> None:
    with SoraMock() as mock, httpx.Client(base_url="https://api.jxincm.cn", headers=AUTH) as client:
        video_id = create(client, "/v1/videos").json()["id"]
        assert client.get(f"/v1/videos/{video_id}").json()["id"] == video_id
        listed = client.get("/v1/videos", params={"limit": 1}).json()
        assert listed["data"][0]["id"] == video_id and listed["object"] == "list"
        assert client.get(f"/v1/videos/{video_id}/content").json()["error"]["code"] == "video_not_ready"
        assert client.delete(f"/v1/videos/{video_id}").json()["deleted"] is True
        missing = client.get(f"/v1/videos/{video_id}")
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
        assert mock.engine.get(video_id) is None


def test_other_hosts_are_never_reached() -> None:
    with SoraMock(), httpx.Client() as client, pytest.raises(respx.models.AllMockedAssertionError):
        client.get("https://example.org/")


def test_the_plugin_fixture_serves_a_client_project(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import httpx

        def test_client(sora_mock):
            r = httpx.post("https://api.chainhub.tech/v1/videos", headers={"Authorization": "Bearer k"},
                           files={"model": (None, "sora-2"), "prompt": (None, "hi")})
            assert r.json()["status"] == "queued"
            assert next(sora_mock.requests()).verdict == "accepted"

        def test_rejection(sora_mock):
            r = httpx.post("https://api.chainhub.tech/v1/videos", headers={"Authorization": "Bearer k"},
                           files={"prompt": (None, "hi")})
            assert r.status_code == 400 and r.json()["error"]["param"] == "model"
        """
    )
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=2)


def patched_pools() -> list[str]:
    """The connection pools whose send method is replaced (respx patches there, not in httpx's transport)."""
    pools = [httpcore.ConnectionPool.handle_request, httpcore.AsyncConnectionPool.handle_async_request,
             httpcore2.ConnectionPool.handle_request, httpcore2.AsyncConnectionPool.handle_async_request]
    return [pool.__qualname__ for pool in pools if pool.__module__ == "respx.mocks"]


def test_a_started_mock_patches_both_stacks_and_stopping_restores_them() -> None:
    assert patched_pools() == []
    with SoraMock():
        assert len(patched_pools()) == 4
    assert patched_pools() == []


def test_transport_answers_one_client_without_patching_httpx() -> None:
    mock = SoraMock()
    with httpx.Client(transport=mock.transport()) as client:
        assert create(client).json()["status"] == "queued"
        assert patched_pools() == []
    assert mock.calls.call_count == 1


def test_httpx2_transport_serves_the_official_sdk_without_patching() -> None:
    mock = SoraMock()
    http_client = httpx2.Client(transport=mock.httpx2_transport())
    with openai.OpenAI(base_url="https://api.chainhub.tech/v1", api_key="sk-secret-value",
                       http_client=http_client) as sdk:
        video = sdk.videos.create(model="sora-2", prompt="画面动起来",
                                  input_reference=("场景1.png", images.png(), "image/png"))
        assert patched_pools() == []
        with pytest.raises(openai.BadRequestError) as caught:
            sdk.videos.create(prompt="no model")
    assert video.status == "queued" and caught.value.param == "model"
    entry = next(mock.requests())
    assert entry.files[0]["filename"] == "场景1.png" and entry.headers["authorization"] == "Bearer [REDACTED]"


def test_httpcore2_callers_get_httpcore2_responses() -> None:
    """httpx2's transport is handed what httpcore2 itself would return, headers and body intact."""
    with SoraMock(), httpcore2.ConnectionPool() as pool:
        response = pool.request("GET", "https://api.chainhub.tech/v1/videos", headers={"Authorization": "Bearer k"})
    assert isinstance(response, httpcore2.Response) and response.status == 200
    assert dict(response.headers)[b"content-type"] == b"application/json"
    assert b'"object":"list"' in response.content.replace(b" ", b"")


def test_edits_extensions_and_characters_through_the_respx_door() -> None:
    """The new calls answer through respx exactly as through the server: same engine, same checks."""
    with SoraMock() as mock, httpx.Client(base_url="https://api.jxincm.cn", headers=AUTH) as client:
        source = create(client, "/v1/videos", seconds="8").json()
        waiting = client.post("/v1/videos/edits", files={"prompt": (None, "x"), "video[id]": (None, source["id"])})
        assert (waiting.status_code, waiting.json()["error"]["code"]) == (400, "video_not_ready")
        edit = client.post(
            "/v1/videos/edits", files={"prompt": (None, "x"), "video": ("s.mp4", b"\0\0\0\x18ftypisom", "video/mp4")},
            headers={"Prefer": "video=failed"},
        )
        assert edit.status_code == 200 and edit.headers["preference-applied"] == "video=failed"
        bad = client.post("/v1/videos/extensions", json={"prompt": "x", "seconds": "9", "video": {"id": source["id"]}})
        assert (bad.status_code, bad.json()["error"]["param"]) == (400, "seconds")
        character = client.post(
            "/v1/videos/characters", files={"name": (None, "B"), "video": ("s.mp4", b"\0\0\0\x18ftypisom", "video/mp4")}
        ).json()
        assert client.get(f"/v1/videos/characters/{character['id']}").json() == character
        verdicts = [(e.path, e.verdict) for e in mock.requests()][1:]
        assert verdicts == [
            ("/v1/videos/edits", "rejected"),
            ("/v1/videos/edits", "accepted"),
            ("/v1/videos/extensions", "rejected"),
            ("/v1/videos/characters", "accepted"),
            (f"/v1/videos/characters/{character['id']}", "-"),
        ]
