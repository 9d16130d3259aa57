"""sora-mock over loopback serves content a ``<video>`` element can seek in: ``Range`` and ``HEAD``.

Through every way in: the API route with a token (with and without an ``Origin``, which takes the
CORS stack instead of the short way in), the admin page's token-free link, and both ASGI servers
(``--server granian|uvicorn``), each of which must send the GET's length but no body to ``HEAD``.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from mock_http import AUTH, create, running

from contract_tests.core import assets
from contract_tests.core.specs import load_document
from contract_tests.testing.strategies import GeneratedRequest
from mockserver.background import BackgroundServer


def completed(server: BackgroundServer, size: str, seconds: str) -> str:
    return str(server.service.engine.create({"prompt": "p", "size": size, "seconds": seconds}, render_seconds=0)["id"])


def check_seekable(http: httpx.Client, path: str, whole: bytes, media_type: str, **headers: str) -> None:
    """Whole body, one range, a suffix, past the end, and HEAD, as RFC 9110 has them."""
    full = http.get(path, headers=headers)
    assert (full.status_code, full.content, full.headers["content-type"]) == (200, whole, media_type)
    assert full.headers["accept-ranges"] == "bytes"

    first = http.get(path, headers={**headers, "Range": "bytes=0-15"})
    assert (first.status_code, first.content) == (206, whole[:16])
    assert (first.headers["content-range"], first.headers["content-length"]) == (f"bytes 0-15/{len(whole)}", "16")
    tail = http.get(path, headers={**headers, "Range": "bytes=-8"})
    assert (tail.status_code, tail.content) == (206, whole[-8:])

    past = http.get(path, headers={**headers, "Range": f"bytes={len(whole)}-"})
    assert (past.status_code, past.headers["content-range"]) == (416, f"bytes */{len(whole)}")
    assert past.json()["error"]["param"] == "range"

    head = http.head(path, headers=headers)
    assert (head.status_code, head.headers["content-length"], head.content) == (200, str(len(whole)), b"")
    assert head.headers["content-type"] == media_type
    ranged_head = http.head(path, headers={**headers, "Range": "bytes=10-19"})
    assert (ranged_head.status_code, ranged_head.headers["content-length"], ranged_head.content) == (206, "10", b"")


@pytest.mark.parametrize(("size", "seconds"), [("720x1280", "8"), ("1792x1024", "12")])
def test_the_api_route_serves_the_videos_own_mp4_with_ranges(
    server: BackgroundServer, client: httpx.Client, size: str, seconds: str
) -> None:
    video_id = completed(server, size, seconds)
    whole, media_type = assets.content("video", size, seconds)
    check_seekable(client, f"/v1/videos/{video_id}/content", whole, media_type)
    # A page's fetch() sends an Origin: the CORS stack passes Range through and exposes the answer's headers.
    check_seekable(client, f"/v1/videos/{video_id}/content", whole, media_type, Origin="http://localhost:5173")
    exposed = client.get(f"/v1/videos/{video_id}/content", headers={"Origin": "http://localhost:5173"})
    assert "content-range" in exposed.headers["access-control-expose-headers"]


def test_the_images_and_the_admin_link_answer_ranges_too(server: BackgroundServer) -> None:
    video_id = completed(server, "1024x1792", "4")
    with httpx.Client(base_url=server.url, timeout=10) as bare:  # the admin link sends no token
        for variant in assets.VARIANTS:
            whole, media_type = assets.content(variant, "1024x1792", "4")
            check_seekable(bare, f"/__admin/videos/{video_id}/content?variant={variant}", whole, media_type)
        assert bare.get(f"/v1/videos/{video_id}/content").status_code == 401


@pytest.mark.parametrize("asgi_server", ["granian", "uvicorn"])
def test_both_servers_send_no_body_to_head(asgi_server: str, example: GeneratedRequest) -> None:
    with (
        running("--server", asgi_server, "--render-seconds", "0") as (url, _process),
        httpx.Client(base_url=url, headers=AUTH, timeout=10) as http,
    ):
        video = create(http, example).json()  # the example asks for 16x9 and '10' seconds
        whole, media_type = assets.content("video", video["size"], video["seconds"])
        assert (video["size"], video["seconds"]) == ("1280x720", "10")
        check_seekable(http, f"/v1/videos/{video['id']}/content", whole, media_type)


def test_the_served_document_describes_ranges_and_the_416_conforms(
    server: BackgroundServer, client: httpx.Client, tmp_path: Path
) -> None:
    path = tmp_path / "sora-mock.json"
    path.write_text(client.get("/openapi.json").text)
    op = next(o for o in load_document(path).operations if o.method == "get" and o.path.endswith("/content"))
    assert {"200", "206", "416"} <= set(op.responses)
    video_id = completed(server, "720x1280", "4")
    past = client.get(f"/v1/videos/{video_id}/content", headers={"Range": "bytes=99999999-"})
    op.response_validators["416"].validate(past.json())
