"""The transport-free service: the documents decide what is checked, auth fails closed, controls come last."""

from __future__ import annotations

from pathlib import Path

from contract_tests.core.engine import VideoEngine
from contract_tests.core.http import RawRequest
from contract_tests.core.multipart import content_type, encode_multipart
from contract_tests.core.service import VideoService
from contract_tests.core.specs import load_registry
from contract_tests.core.stores import MemoryStore, VideoRecord
from contract_tests.testing.strategies import example_request

ROOT = Path(__file__).resolve().parents[2]
AUTH = {"Authorization": "Bearer sk-test"}


def moved_create(tmp_path: Path) -> VideoService:
    spec = (ROOT / "specs" / "chainhub.yaml").read_text(encoding="utf-8").replace("  /v1/videos:", "  /v2/clips:")
    (tmp_path / "moved.yaml").write_text(spec, encoding="utf-8")
    return VideoService(load_registry(tmp_path))


def test_the_documented_path_is_the_checked_create_call(tmp_path: Path) -> None:
    service = moved_create(tmp_path)
    body = encode_multipart((), "B")
    answer = service.handle(RawRequest("POST", "http://x/v2/clips", {**AUTH, "Content-Type": content_type("B")}, body))
    assert (answer.status, answer.payload()["error"]["code"]) == (400, "missing_required_parameter")
    assert service.journal.entries()[-1].verdict == "rejected"


def test_lifecycle_routes_need_a_bearer_token_even_without_a_documented_create(tmp_path: Path) -> None:
    service = moved_create(tmp_path)
    assert service.handle(RawRequest("GET", "http://x/v1/videos/video_1")).status == 401
    assert service.handle(RawRequest("GET", "http://x/v1/videos/video_1", AUTH)).status == 404


def test_a_forced_error_never_hides_a_contract_problem() -> None:
    service = VideoService(load_registry(), "chainhub")
    example = example_request(load_registry().document("chainhub"))
    url = "https://api.chainhub.tech/v1/videos"
    no_auth = {k: v for k, v in example.headers.items() if k.lower() != "authorization"}
    assert service.handle(RawRequest("POST", url, {**no_auth, "Prefer": "code=500"}, example.body)).status == 401
    broken = RawRequest("POST", url, {**example.headers, "Prefer": "code=500"}, example.body[:-10])
    assert service.handle(broken).status == 400
    forced = service.handle(RawRequest("POST", url, {**example.headers, "Prefer": "code=500"}, example.body))
    assert forced.status == 500
    listed = service.handle(RawRequest("GET", url, {"Prefer": "code=503"}))
    assert listed.status == 401
    assert service.handle(RawRequest("GET", url, {**AUTH, "Prefer": "code=503"})).status == 503


def test_the_poll_hint_follows_each_videos_own_render_time() -> None:
    service = VideoService(load_registry(), "chainhub", engine=VideoEngine(render_seconds=1))
    example = example_request(load_registry().document("chainhub"))
    url = "https://api.chainhub.tech/v1/videos"
    quick = service.handle(RawRequest("POST", url, example.headers, example.body))
    slow = service.handle(RawRequest("POST", url, {**example.headers, "Prefer": "render-seconds=30"}, example.body))
    assert quick.headers["openai-poll-after-ms"] == "100"
    assert slow.headers["openai-poll-after-ms"] == "3000"


class CountingStore(MemoryStore):
    """A store that records what the engine asks of it."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[str] = []

    def put(self, record: VideoRecord) -> None:
        self.calls.append("put")
        super().put(record)

    def get(self, video_id: str) -> VideoRecord | None:
        self.calls.append("get")
        return super().get(video_id)


def test_a_create_is_one_write_and_no_read_back() -> None:
    store = CountingStore()
    service = VideoService(load_registry(), "chainhub", engine=VideoEngine(store, render_seconds=1))
    example = example_request(load_registry().document("chainhub"))
    answer = service.handle(RawRequest("POST", "https://api.chainhub.tech/v1/videos", example.headers, example.body))
    assert answer.status == 200 and answer.headers["openai-poll-after-ms"] == "100"
    assert store.calls == ["put"]
