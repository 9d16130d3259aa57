"""The live door: real tokens in, one paid request per test, replays from cache, budget skips."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import httpx2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contract_tests.core.specs import load_registry
from contract_tests.live.budget import Budget, Tally
from contract_tests.live.config import resolve
from contract_tests.live.target import ACCEPTANCE_PROPERTY, CALL_PROPERTY, SERVER_PROPERTY, LiveTarget, authorize
from contract_tests.live.transport import RetryPolicy, Transport, UpstreamUnreachable
from contract_tests.testing.strategies import INVALID_CLASSES, GeneratedRequest, example_request, invalid_requests

REGISTRY = load_registry()
TOKEN = "sk-real-token-0987654321"


@dataclass
class FakeItem:
    nodeid: str = "suite.py::test"
    user_properties: list[tuple[str, Any]] = field(default_factory=list)


@dataclass
class Harness:
    target: LiveTarget
    seen: list[httpx2.Request]
    budget: Budget


def answer_ok(request: httpx2.Request) -> httpx2.Response:
    return httpx2.Response(200, json={"ok": True})


def harness(
    tmp_path: Path,
    budget: int = 1,
    env: dict[str, str] | None = None,
    require: bool = False,
    answer: Callable[[httpx2.Request], httpx2.Response] = answer_ok,
) -> Harness:
    """A live target on an httpx mock transport that records what it was sent."""
    seen: list[httpx2.Request] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return answer(request)

    config = resolve(
        REGISTRY, base_url="http://upstream.test", budget=budget, require=require,
        environ={"SORA_API_KEY": TOKEN} if env is None else env,
    )
    client = httpx2.Client(transport=httpx2.MockTransport(handler))
    ledger = Budget(budget, tmp_path / "ledger.json")
    return Harness(LiveTarget(client, config, ledger, Transport(client, RetryPolicy(backoff=0))), seen, ledger)


@pytest.fixture
def example() -> GeneratedRequest:
    return example_request(REGISTRY.document("chainhub"))


def other(request: GeneratedRequest) -> GeneratedRequest:
    return replace(request, body=request.body + b"\r\n")


def test_authorize_swaps_only_a_bearer_token() -> None:
    assert authorize({"Authorization": "Bearer sk-fake"}, TOKEN) == {"Authorization": f"Bearer {TOKEN}"}
    assert authorize({"Authorization": "Basic dXNlcjpwYXNz"}, TOKEN) == {"Authorization": "Basic dXNlcjpwYXNz"}
    assert authorize({"X": "1"}, TOKEN) == {"X": "1"}


def test_the_real_token_is_sent_and_the_call_recorded(tmp_path: Path, example: GeneratedRequest) -> None:
    h, item = harness(tmp_path), FakeItem()
    h.target.begin(item, "chainhub")  # type: ignore[arg-type]
    assert h.target.send(example).status_code == 200
    assert h.seen[0].headers["authorization"] == f"Bearer {TOKEN}"
    assert str(h.seen[0].url) == "http://upstream.test/v1/videos"
    calls = [v for k, v in item.user_properties if k == CALL_PROPERTY]
    assert (SERVER_PROPERTY, "chainhub") in item.user_properties
    assert calls[0]["status"] == 200 and calls[0]["label"] == "valid" and calls[0]["latency_ms"] >= 0
    assert TOKEN not in repr(item.user_properties)


def test_one_paid_request_per_test_and_replays_come_from_the_cache(tmp_path: Path, example: GeneratedRequest) -> None:
    h = harness(tmp_path, budget=5)
    h.target.begin(FakeItem(), "chainhub")  # type: ignore[arg-type]
    first = h.target.send(example)
    assert h.target.admits(example) and not h.target.admits(other(example))
    assert h.target.send(example) is first
    assert len(h.seen) == 1 and h.budget.spent() == {"chainhub": 1}
    h.target.begin(FakeItem("suite.py::next"), "chainhub")  # type: ignore[arg-type]
    assert h.target.admits(other(example))


def test_a_create_that_never_connected_is_refunded_and_the_server_fails_fast(
    tmp_path: Path, example: GeneratedRequest
) -> None:
    def refuse(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ConnectError("refused", request=request)

    h = harness(tmp_path, answer=refuse)
    target, ledger = h.target, h.budget
    target.begin(FakeItem(), "chainhub")  # type: ignore[arg-type]
    with pytest.raises(UpstreamUnreachable, match="after 3 attempt") as first:
        target.send(example)
    with pytest.raises(UpstreamUnreachable) as replayed:
        target.send(example)
    assert replayed.value is first.value and len(h.seen) == 3  # 3 attempts; Hypothesis' replay is not sent
    assert ledger.spent() == {"chainhub": 0}
    with pytest.raises(pytest.fail.Exception, match="unreachable earlier in this run"):
        target.begin(FakeItem("suite.py::next"), "chainhub")  # type: ignore[arg-type]


def test_a_create_that_may_have_reached_the_server_stays_spent(tmp_path: Path, example: GeneratedRequest) -> None:
    def time_out(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ReadTimeout("slow", request=request)

    h = harness(tmp_path, answer=time_out)
    target, ledger = h.target, h.budget
    target.begin(FakeItem(), "chainhub")  # type: ignore[arg-type]
    with pytest.raises(UpstreamUnreachable, match="not retried"):
        target.send(example)
    assert ledger.tallies() == {"chainhub": Tally(budget=1, paid=0, pending=0)}


def test_a_spent_budget_skips_with_the_reason(tmp_path: Path, example: GeneratedRequest) -> None:
    h = harness(tmp_path, budget=0)
    h.target.begin(FakeItem(), "chainhub")  # type: ignore[arg-type]
    with pytest.raises(pytest.skip.Exception, match=r"live budget of 0 spent for server chainhub; raise --live-budget"):
        h.target.send(example)
    assert h.seen == []


def reject(request: httpx2.Request) -> httpx2.Response:
    return httpx2.Response(400, json={"error": {"message": "no"}})


def test_requests_expected_to_be_rejected_are_free(tmp_path: Path) -> None:
    h = harness(tmp_path, budget=0, answer=reject)
    h.target.begin(FakeItem(), "chainhub")  # type: ignore[arg-type]
    strategy = invalid_requests(REGISTRY.document("chainhub"), "empty_body")

    @settings(max_examples=3, database=None)
    @given(strategy)
    def send(request: GeneratedRequest) -> None:
        assert h.target.admits(request)
        h.target.send(request)

    send()
    assert len(h.seen) >= 1 and h.budget.spent() == {"chainhub": 0}


def test_no_auth_is_sent_without_a_token(tmp_path: Path) -> None:
    h = harness(tmp_path)
    h.target.begin(FakeItem(), "chainhub")  # type: ignore[arg-type]
    request = next(iter(_draw(invalid_requests(REGISTRY.document("chainhub"), "no_auth"))))
    h.target.send(request)
    assert "authorization" not in h.seen[0].headers


def test_a_server_without_a_token_is_skipped_naming_the_variable(tmp_path: Path) -> None:
    h = harness(tmp_path, env={})
    with pytest.raises(pytest.skip.Exception, match="set SORA_CHAINHUB_API_KEY \\(or SORA_API_KEY\\)"):
        h.target.begin(FakeItem(), "chainhub")  # type: ignore[arg-type]


def test_live_require_turns_a_missing_token_into_a_failure(tmp_path: Path) -> None:
    h = harness(tmp_path, env={}, require=True)
    with pytest.raises(pytest.fail.Exception, match=r"SORA_JXINCM_API_KEY.*--live-require"):
        h.target.begin(FakeItem(), "jxincm")  # type: ignore[arg-type]


def _draw(strategy: st.SearchStrategy[GeneratedRequest]) -> Iterator[GeneratedRequest]:
    found: list[GeneratedRequest] = []

    @settings(max_examples=1, database=None)
    @given(strategy)
    def take(request: GeneratedRequest) -> None:
        found.append(request)

    take()
    return iter(found)


def queued_video_then(delete_status: int) -> Callable[[httpx2.Request], httpx2.Response]:
    """A relay that accepts every POST with a video, and answers DELETE with ``delete_status``."""

    def answer(request: httpx2.Request) -> httpx2.Response:
        if request.method == "POST":
            return httpx2.Response(200, json={"id": "video_abc", "object": "video", "status": "queued"})
        return httpx2.Response(delete_status, json={"deleted": delete_status == 200})

    return answer


def _missing_prompt() -> GeneratedRequest:
    return next(_draw(invalid_requests(REGISTRY.document("chainhub"), "missing_required:prompt")))


def test_an_unexpected_acceptance_is_spent_recorded_and_deleted(tmp_path: Path) -> None:
    h, item = harness(tmp_path, answer=queued_video_then(200)), FakeItem()
    h.target.begin(item, "chainhub")  # type: ignore[arg-type]
    request = _missing_prompt()
    assert h.target.send(request).status_code == 200
    [accepted] = [v for k, v in item.user_properties if k == ACCEPTANCE_PROPERTY]
    assert accepted["class"] == "missing_required" and accepted["field"] == "prompt"
    assert accepted["basis"] == "document" and accepted["failure"] is True and accepted["video_id"] == "video_abc"
    assert accepted["delete"] == {"attempted": True, "deleted": True, "status": 200, "detail": ""}
    assert [(r.method, r.url.path) for r in h.seen] == [("POST", "/v1/videos"), ("DELETE", "/v1/videos/video_abc")]
    assert h.seen[1].headers["authorization"] == f"Bearer {TOKEN}"
    assert h.budget.spent() == {"chainhub": 1}
    assert h.target.admits(request) and not h.target.admits(other(request))  # nothing else that could be paid


def test_a_relay_without_delete_is_reported_as_such(tmp_path: Path) -> None:
    h, item = harness(tmp_path, answer=queued_video_then(404)), FakeItem()
    h.target.begin(item, "chainhub")  # type: ignore[arg-type]
    h.target.send(_missing_prompt())
    [accepted] = [v for k, v in item.user_properties if k == ACCEPTANCE_PROPERTY]
    assert accepted["delete"]["deleted"] is False and accepted["delete"]["status"] == 404


def test_the_cap_skips_a_request_that_could_start_a_video_before_sending_it(tmp_path: Path) -> None:
    h = harness(tmp_path, budget=0, answer=queued_video_then(200))
    h.target.budget.max_paid = 1
    h.target.begin(FakeItem(), "chainhub")  # type: ignore[arg-type]
    h.target.send(_missing_prompt())
    h.target.begin(FakeItem("suite.py::next"), "chainhub")  # type: ignore[arg-type]
    with pytest.raises(pytest.skip.Exception, match=r"live cap of 1 paid creates reached for server chainhub"):
        h.target.send(_missing_prompt())
    assert len([r for r in h.seen if r.method == "POST"]) == 1


def test_practice_classes_are_tolerated_unless_strict(tmp_path: Path) -> None:
    lenient = harness(tmp_path).target
    strict = LiveTarget(lenient.client, replace(lenient.config, strict=True), lenient.budget,  # type: ignore[arg-type]
                        lenient.transport)
    practice, document = INVALID_CLASSES["unknown_field"], INVALID_CLASSES["missing_required"]
    assert lenient.tolerates(practice) and not lenient.tolerates(document)
    assert not strict.tolerates(practice) and not strict.tolerates(document)


def test_an_interrupted_request_frees_its_slot(tmp_path: Path, example: GeneratedRequest) -> None:
    def interrupt(request: httpx2.Request) -> httpx2.Response:
        raise KeyboardInterrupt

    h = harness(tmp_path, answer=interrupt)
    h.target.begin(FakeItem(), "chainhub")  # type: ignore[arg-type]
    with pytest.raises(KeyboardInterrupt):
        h.target.send(example)
    assert h.budget.tallies() == {"chainhub": Tally(budget=1, paid=0, pending=0)}
