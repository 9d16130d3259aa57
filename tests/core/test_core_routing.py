"""The router: every route comes from the documents (the relays' and family.yaml), resolved once per request."""

from __future__ import annotations

import asyncio
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

import pytest

from contract_tests.core import http
from contract_tests.core.http import RawRequest
from contract_tests.core.routing import FAMILY_PATH, Router, family_document
from contract_tests.core.service import VideoService
from contract_tests.core.specs import load_registry
from contract_tests.testing.strategies import example_request
from mockserver.app import create_app
from mockserver.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
ROUTER = Router(load_registry(), "chainhub")


def test_the_family_document_names_every_lifecycle_operation() -> None:
    ids = {op.operation_id for op in family_document().operations}
    assert ids == {
        "ListVideos", "RetrieveVideo", "DeleteVideo", "RetrieveVideoContent", "RemixVideo",
        "EditVideo", "ExtendVideo", "CreateCharacter", "GetCharacter",
    }
    creating = [op.operation_id for op in family_document().operations if op.creates_video]
    assert creating == ["RemixVideo", "EditVideo", "ExtendVideo"]


@pytest.mark.parametrize(
    ("method", "path", "operation", "streamed", "creates", "params"),
    [
        ("POST", "/v1/videos", "POST /v1/videos", True, True, {}),
        ("GET", "/v1/videos", "ListVideos", False, False, {}),
        ("GET", "/v1/videos/video_1/", "RetrieveVideo", False, False, {"video_id": "video_1"}),
        ("DELETE", "/v1/videos/video_1", "DeleteVideo", False, False, {"video_id": "video_1"}),
        ("HEAD", "/v1/videos/v/content", "RetrieveVideoContent", False, False, {"video_id": "v"}),
        ("POST", "/v1/videos/v/remix", "RemixVideo", False, True, {"video_id": "v"}),
        ("POST", "/v1/videos/edits", "EditVideo", False, True, {}),
        ("POST", "/v1/videos/extensions/", "ExtendVideo", False, True, {}),
        ("POST", "/v1/videos/characters", "CreateCharacter", False, False, {}),
        ("GET", "/v1/videos/characters/char_1", "GetCharacter", False, False, {"character_id": "char_1"}),
        # A literal segment wins over a parameter, whatever the document's order:
        ("GET", "/v1/videos/characters/content", "GetCharacter", False, False, {"character_id": "content"}),
        ("GET", "/v1/videos/edits/content", "RetrieveVideoContent", False, False, {"video_id": "edits"}),
    ],
)
def test_a_request_resolves_to_one_route_with_everything_later_steps_need(
    method: str, path: str, operation: str, streamed: bool, creates: bool, params: dict[str, str]
) -> None:
    route = ROUTER.resolve(method, path)
    assert route.problem is None and route.needs_bearer
    assert (route.operation_id, route.streamed, route.creates, dict(route.params)) == (
        operation, streamed, creates, params
    )
    assert route.documented == (operation == "POST /v1/videos")
    assert route.server == "chainhub"


def test_unknown_paths_are_404_and_known_paths_with_another_method_405() -> None:
    assert ROUTER.resolve("GET", "/v1/nothing").problem.status == 404  # type: ignore[union-attr]
    assert ROUTER.resolve("PUT", "/v1/videos").problem.status == 405  # type: ignore[union-attr]
    assert ROUTER.resolve("PATCH", "/v1/videos/v/remix").problem.status == 405  # type: ignore[union-attr]
    # "edits" and "characters" are calls, not video ids: another method is a 405, not "no video 'edits'".
    for path in ("/v1/videos/edits", "/v1/videos/extensions", "/v1/videos/characters"):
        assert ROUTER.resolve("GET", path).problem.status == 405  # type: ignore[union-attr]
        assert ROUTER.resolve("DELETE", path).problem.status == 405  # type: ignore[union-attr]
    assert ROUTER.resolve("DELETE", "/v1/videos/characters/c").problem.status == 405  # type: ignore[union-attr]


def test_a_new_family_operation_is_routed_with_no_code_change(tmp_path: Path) -> None:
    text = FAMILY_PATH.read_text(encoding="utf-8").replace("/remix:", "/extend:").replace("RemixVideo", "TwistVideo")
    (tmp_path / "family.yaml").write_text(text, encoding="utf-8")
    from contract_tests.core.specs import load_document

    router = Router(load_registry(), "chainhub", load_document(tmp_path / "family.yaml", "family"))
    route = router.resolve("POST", "/v1/videos/v/extend")
    assert (route.operation_id, route.creates) == ("TwistVideo", True)
    assert router.resolve("POST", "/v1/videos/v/remix").problem is not None


def test_the_create_path_comes_from_the_relays_documents(tmp_path: Path) -> None:
    spec = (ROOT / "specs" / "chainhub.yaml").read_text(encoding="utf-8").replace("  /v1/videos:", "  /v2/clips:")
    (tmp_path / "moved.yaml").write_text(spec, encoding="utf-8")
    router = Router(load_registry(tmp_path))
    assert router.resolve("POST", "/v2/clips").streamed
    assert router.resolve("POST", "/v1/videos").problem is not None
    assert router.prefixes == ("/v1/", "/v2/")


def test_the_server_resolves_each_request_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Through the ASGI app (door, service, checker), a create and a lifecycle call are each routed once,
    and the create's Content-Type is parsed once."""
    calls: list[str] = []
    original = Router.resolve

    def counting(self: Router, method: str, path: str, *args: Any, **kwargs: Any) -> Any:
        calls.append(f"{method} {path}")
        return original(self, method, path, *args, **kwargs)

    monkeypatch.setattr(Router, "resolve", counting)
    parse = http.parse_media_type
    parsed: list[str | None] = []

    def counting_parse(header: str | None) -> Any:
        parsed.append(header)
        return parse(header)

    monkeypatch.setattr(http, "parse_media_type", counting_parse)
    app = create_app(Settings(upstream="chainhub"))
    example = example_request(load_registry().document("chainhub"))
    raw = example.raw("http://sora-mock")

    async def call(request: RawRequest) -> int:
        sent: list[MutableMapping[str, Any]] = []
        scope = {
            "type": "http", "method": request.method, "path": request.path, "raw_path": request.path.encode(),
            "query_string": b"", "headers": [(k.encode(), v.encode()) for k, v in request.headers.items()],
        }
        messages = [{"type": "http.request", "body": request.body, "more_body": False}]

        async def receive() -> dict[str, Any]:
            return messages.pop(0) if messages else {"type": "http.disconnect"}

        async def send(message: MutableMapping[str, Any]) -> None:
            sent.append(message)

        await app(scope, receive, send)
        return int(sent[0]["status"])

    assert asyncio.run(call(raw)) == 200
    assert asyncio.run(call(RawRequest("GET", "http://sora-mock/v1/videos", {"authorization": "Bearer k"}))) == 200
    assert calls == ["POST /v1/videos", "GET /v1/videos"]
    assert len(parsed) == 1  # the create's Content-Type, read by the door and the checker alike


def test_the_service_resolves_when_a_door_passes_no_route() -> None:
    service = VideoService(load_registry(), "chainhub")
    answer = service.handle(RawRequest("GET", "http://x/v1/videos", {"authorization": "Bearer k"}))
    assert answer.payload()["object"] == "list"


def test_clients_take_family_urls_from_the_same_data() -> None:
    from contract_tests.core.routing import family_url

    assert family_url("https://r.example/", "RetrieveVideo", video_id="a/b") == "https://r.example/v1/videos/a%2Fb"
    assert family_url("https://r.example", "RetrieveVideoContent", video_id="v").endswith("/v1/videos/v/content")
    with pytest.raises(KeyError):
        family_url("https://r.example", "NoSuchOperation")


def test_openapi_json_takes_the_lifecycle_from_the_family_document() -> None:
    from mockserver import openapi

    document = openapi.build(VideoService(load_registry(), "chainhub"), "http://x")
    family = family_document()
    for op in family.operations:
        assert op.method in document["paths"][op.path], (op.method, op.path)
    assert document["components"]["schemas"]["Video"] == family.data["components"]["schemas"]["Video"]
