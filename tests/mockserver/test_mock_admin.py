"""The journal and reset routes, CORS for pages on other localhost ports, and /openapi.json."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from mock_http import AUTH, TOKEN, create
from starlette.routing import Route

from contract_tests.core.specs import load_document
from contract_tests.testing.strategies import GeneratedRequest
from mockserver.background import BackgroundServer
from mockserver.settings import Settings


@pytest.fixture
def own(serve: Callable[[Settings], BackgroundServer]) -> BackgroundServer:
    """A server of its own: these tests clear state the shared server's tests rely on."""
    return serve(Settings(render_seconds=0))


def test_journal_records_verdicts_and_redacts_tokens(own: BackgroundServer, example: GeneratedRequest) -> None:
    with httpx.Client(base_url=own.url, headers=AUTH) as http:
        accepted = create(http, example).json()
        http.post("/v1/videos", files={"prompt": (None, "x")})
        http.get(f"/v1/videos/{accepted['id']}", headers={"Prefer": "latency=1"})
        raw = http.get("/__admin/requests")
    assert TOKEN not in raw.text
    entries = raw.json()["data"]
    assert [e["verdict"] for e in entries] == ["accepted", "rejected", "-"]
    assert entries[0]["video_id"] == accepted["id"] and entries[0]["document"] in {"jxincm-private", "jxincm-character"}
    assert entries[0]["headers"]["authorization"] == "Bearer [REDACTED]"
    assert entries[0]["files"][0]["param"] == "input_reference" and entries[0]["files"][0]["size"] > 0
    assert entries[1]["status"] == 400 and entries[1]["problems"][0]["code"] == "missing_required_parameter"
    assert entries[2]["preferences"] == ["latency=1"]


def test_clear_journal_and_reset(own: BackgroundServer, example: GeneratedRequest) -> None:
    with httpx.Client(base_url=own.url, headers=AUTH) as http:
        video_id = create(http, example).json()["id"]
        assert http.delete("/__admin/requests").json()["deleted"] is True
        assert http.get("/__admin/requests").json()["data"] == []
        assert http.get(f"/v1/videos/{video_id}").status_code == 200  # clearing the journal keeps videos
        assert http.post("/__admin/reset").status_code == 200
        assert http.get(f"/v1/videos/{video_id}").status_code == 404
        assert [e["path"] for e in http.get("/__admin/requests").json()["data"]] == [f"/v1/videos/{video_id}"]


def test_cors_preflight_and_exposed_headers(server: BackgroundServer) -> None:
    origin = "http://localhost:5173"
    preflight = httpx.options(
        f"{server.url}/v1/videos",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type, prefer",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] in {"*", origin}
    allowed = preflight.headers["access-control-allow-headers"].lower()
    assert {"authorization", "prefer", "content-type"} <= {h.strip() for h in allowed.split(",")}
    assert "POST" in preflight.headers["access-control-allow-methods"]
    actual = httpx.get(f"{server.url}/v1/videos", headers={**AUTH, "Origin": origin})
    assert actual.headers["access-control-allow-origin"] == "*"
    assert "openai-poll-after-ms" in actual.headers["access-control-expose-headers"]


def test_openapi_document_is_valid_and_describes_every_route(server: BackgroundServer, tmp_path: Path) -> None:
    served = httpx.get(f"{server.url}/openapi.json").json()
    path = tmp_path / "sora-mock.json"
    path.write_text(json.dumps(served))
    document = load_document(path)  # raises SpecError unless openapi-spec-validator accepts it
    routes = {(op.method.upper(), op.path) for op in document.operations}
    served_routes = {
        (method, route.path_format)
        for route in server.app.routes
        if isinstance(route, Route)
        for method in (route.methods or set()) - {"HEAD"}
    }
    assert served_routes <= routes  # whoever adds a route to the app, the document lists it
    assert routes >= {
        ("POST", "/v1/videos"),
        ("GET", "/v1/videos"),
        ("GET", "/v1/videos/{video_id}"),
        ("DELETE", "/v1/videos/{video_id}"),
        ("GET", "/v1/videos/{video_id}/content"),
        ("POST", "/v1/videos/{video_id}/remix"),
        ("GET", "/openapi.json"),
        ("GET", "/__admin/requests"),
        ("DELETE", "/__admin/requests"),
        ("POST", "/__admin/reset"),
    }
    create_op = document.operation("post", "/v1/videos")
    assert create_op is not None
    body = create_op.bodies["multipart/form-data"]
    assert {"character_url", "private", "watermark"} <= {p.name for p in body.properties}
    assert set(body.required) == {"model", "prompt", "seconds", "input_reference", "size", "watermark"}
    assert served["servers"] == [{"url": server.url}]


def test_answers_conform_to_the_served_document(
    server: BackgroundServer, client: httpx.Client, example: GeneratedRequest, tmp_path: Path
) -> None:
    path = tmp_path / "sora-mock.json"
    path.write_text(httpx.get(f"{server.url}/openapi.json").text)
    document = load_document(path)
    video_id = create(client, example).json()["id"]
    exchanges = [
        ("post", "/v1/videos", create(client, example)),
        ("post", "/v1/videos", client.post("/v1/videos", files={"prompt": (None, "x")})),
        ("post", "/v1/videos", httpx.post(f"{server.url}/v1/videos")),
        ("get", "/v1/videos", client.get("/v1/videos")),
        ("get", "/v1/videos", client.get("/v1/videos", params={"order": "up"})),
        ("get", "/v1/videos/{video_id}", client.get(f"/v1/videos/{video_id}")),
        ("get", "/v1/videos/{video_id}", client.get("/v1/videos/nope")),
        ("get", "/v1/videos/{video_id}/content", client.get(f"/v1/videos/{video_id}/content")),
        ("post", "/v1/videos/{video_id}/remix", client.post(f"/v1/videos/{video_id}/remix", json={})),
        ("get", "/v1/videos", client.get("/v1/videos", headers={"Prefer": "code=502"})),
        ("delete", "/v1/videos/{video_id}", client.delete(f"/v1/videos/{video_id}")),
        ("get", "/__admin/requests", httpx.get(f"{server.url}/__admin/requests")),
    ]
    for method, template, response in exchanges:
        op = next(o for o in document.operations if o.method == method and o.path == template)
        status = str(response.status_code)
        assert status in op.responses or "default" in op.responses, (template, status)
        validator = op.response_validators.get(status) or op.response_validators.get("default")
        assert validator is not None, (template, status)
        validator.validate(response.json())
