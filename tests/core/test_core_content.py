"""``GET /v1/videos/{id}/content`` answers ``Range`` and ``HEAD`` as a ``<video>`` element needs.

The rules (RFC 9110, 14): one range answers 206 with ``Content-Range``; a range past the end 416
with ``Content-Range: bytes */N``; what a server may ignore (another unit, bad syntax, several
ranges) answers the whole body with 200. Every content answer says ``Accept-Ranges: bytes``.
Checked on the parser, the transport-free service, and the respx door (httpx).
"""

from __future__ import annotations

import httpx
import pytest

from contract_tests.core import assets
from contract_tests.core.byte_range import ByteRange, Unsatisfiable, requested_range
from contract_tests.core.engine import VideoEngine
from contract_tests.core.http import RawRequest
from contract_tests.core.service import VideoService
from contract_tests.core.specs import load_registry
from contract_tests.testing.respx_mock import SoraMock

AUTH = {"Authorization": "Bearer sk-test"}
BASE = "https://api.chainhub.tech"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("bytes=0-99", (0, 99)),
        ("bytes=100-", (100, 999)),
        ("bytes=-10", (990, 999)),
        ("bytes=-5000", (0, 999)),  # a suffix longer than the body is the whole body
        ("bytes=990-5000", (990, 999)),  # a last position past the end is cut to it
        ("BYTES = 5 - 6", (5, 6)),
        ("bytes=999-999", (999, 999)),
        (None, None),
        ("items=0-1", None),  # another unit: ignored
        ("bytes=0-1,5-6", None),  # several ranges: the whole body
        ("bytes=9-1", None),  # invalid: ignored
        ("bytes=abc", None),
        ("bytes=-", None),
    ],
)
def test_one_range_is_read_and_the_rest_ignored(header: str | None, expected: tuple[int, int] | None) -> None:
    found = requested_range(header, 1000)
    assert found == (ByteRange(*expected, 1000) if expected else None)


@pytest.mark.parametrize("header", ["bytes=1000-", "bytes=5000-6000", "bytes=-0"])
def test_a_range_past_the_end_is_unsatisfiable(header: str) -> None:
    with pytest.raises(Unsatisfiable) as raised:
        requested_range(header, 1000)
    assert str(raised.value) == "bytes */1000"


def completed(service: VideoService, size: str = "720x1280", seconds: str = "8") -> str:
    return str(service.engine.create({"prompt": "p", "size": size, "seconds": seconds}, render_seconds=0)["id"])


def get(service: VideoService, video_id: str, method: str = "GET", query: str = "", **headers: str) -> tuple:
    answer = service.handle(RawRequest(method, f"{BASE}/v1/videos/{video_id}/content{query}", {**AUTH, **headers}))
    return answer.status, answer.headers, answer.body


def test_the_service_serves_the_videos_own_content_with_ranges() -> None:
    service = VideoService(load_registry(), "chainhub", engine=VideoEngine())
    portrait, landscape = completed(service), completed(service, "1792x1024", "12")
    whole, _ = assets.content("video", "720x1280", "8")
    assert get(service, portrait) == (200, {"content-type": "video/mp4", "accept-ranges": "bytes"}, whole)
    assert get(service, landscape)[2] == assets.content("video", "1792x1024", "12")[0] != whole

    status, headers, body = get(service, portrait, range="bytes=100-199")
    assert (status, headers["content-range"], body) == (206, f"bytes 100-199/{len(whole)}", whole[100:200])
    status, headers, body = get(service, portrait, range="bytes=-16")
    assert (status, body) == (206, whole[-16:])

    status, headers, body = get(service, portrait, range=f"bytes={len(whole)}-")
    assert status == 416
    assert (headers["content-range"], headers["accept-ranges"]) == (f"bytes */{len(whole)}", "bytes")
    assert b'"param": "range"' in body and b"past the end" in body

    status, headers, body = get(service, portrait, range="bytes=0-1,4-5")
    assert (status, body) == (200, whole), "several ranges are answered with the whole body"


def test_head_answers_the_gets_status_and_headers_without_a_body() -> None:
    service = VideoService(load_registry(), "chainhub", engine=VideoEngine())
    video_id = completed(service)
    whole, _ = assets.content("video", "720x1280", "8")
    status, headers, body = get(service, video_id, "HEAD")
    assert (status, headers["content-length"], headers["accept-ranges"], body) == (200, str(len(whole)), "bytes", b"")
    status, headers, body = get(service, video_id, "HEAD", "?variant=thumbnail", range="bytes=0-3")
    assert (status, headers["content-length"], headers["content-type"], body) == (206, "4", "image/webp", b"")
    status, headers, body = get(service, video_id, "HEAD", range="bytes=999999-")
    assert (status, headers["content-range"], body) == (416, f"bytes */{len(whole)}", b"")
    assert get(service, "video_missing", "HEAD")[::2] == (404, b"")
    assert service.content(video_id, "video", "bytes=0-0", head=True).headers["content-range"].startswith("bytes 0-0/")


def test_the_respx_door_passes_range_and_head() -> None:
    with SoraMock() as mock, httpx.Client(base_url=BASE, headers=AUTH) as client:
        video_id = completed(mock.services["chainhub"], "1280x720", "10")
        whole, _ = assets.content("video", "1280x720", "10")
        ranged = client.get(f"/v1/videos/{video_id}/content", headers={"Range": "bytes=8-15"})
        assert (ranged.status_code, ranged.content, ranged.headers["content-range"]) == (
            206, whole[8:16], f"bytes 8-15/{len(whole)}"
        )
        head = client.head(f"/v1/videos/{video_id}/content")
        assert (head.status_code, head.headers["content-length"], head.content) == (200, str(len(whole)), b"")
