"""The request checker: one answer to "is this request valid", with problems a person can act on."""

from __future__ import annotations

from pathlib import Path

import pytest

from contract_tests.core import images
from contract_tests.core.checker import RequestChecker
from contract_tests.core.http import RawRequest
from contract_tests.core.multipart import content_type, encode_multipart
from contract_tests.core.parts import Part
from contract_tests.core.specs import load_registry

ROOT = Path(__file__).resolve().parents[2]
JX = "https://api.jxincm.cn/v1/videos"
AUTH = {"Authorization": "Bearer sk-test"}


def form(**fields: str | bytes) -> tuple[Part, ...]:
    return tuple(
        Part(k, v, "场景1.png", "image/png") if isinstance(v, bytes) else Part(k, v.encode())
        for k, v in fields.items()
    )


GOOD = form(model="sora-2", prompt="跳舞", seconds="10", input_reference=images.png(), size="16x9", watermark="false")


def request(parts: tuple[Part, ...] = GOOD, url: str = JX, headers: dict[str, str] | None = None) -> RawRequest:
    base = {"Content-Type": content_type("BOUNDARY"), **AUTH}
    return RawRequest("POST", url, {**base, **(headers or {})}, encode_multipart(parts, "BOUNDARY"))


@pytest.fixture(scope="module")
def checker() -> RequestChecker:
    return RequestChecker(load_registry())


def test_valid_request_is_accepted_by_a_document_of_its_server(checker: RequestChecker) -> None:
    verdict = checker.check(request())
    assert verdict.ok and verdict.status == 200
    assert verdict.document_id in {"jxincm-private", "jxincm-character"}
    assert verdict.fields["seconds"] == "10"
    assert verdict.files["input_reference"].filename == "场景1.png"


def test_host_does_not_matter_when_the_server_is_named(checker: RequestChecker) -> None:
    assert checker.check(request(url="http://127.0.0.1:4010/v1/videos"), "jxincm").ok
    verdict = checker.check(request(parts=GOOD[:1], url="http://127.0.0.1:1/v1/videos"), "chainhub")
    assert [p.param for p in verdict.problems] == ["prompt"]


def test_valid_under_one_document_is_enough(checker: RequestChecker) -> None:
    with_character = (*GOOD, Part("character_url", b"https://x.example/a.mp4"))
    verdict = checker.check(request(with_character))
    assert verdict.ok and verdict.document_id == "jxincm-character"


def test_a_rejection_reports_the_closest_documents_problems(checker: RequestChecker) -> None:
    parts = (*GOOD[1:], Part("character_url", b"u"))  # no model; character_url only in one document
    verdict = checker.check(request(parts))
    assert [(p.code, p.param) for p in verdict.problems] == [("missing_required_parameter", "model")]
    assert verdict.document_id == "jxincm-character"


@pytest.mark.parametrize(
    ("parts", "headers", "status", "code", "param"),
    [
        (GOOD[1:], None, 400, "missing_required_parameter", "model"),
        ((*GOOD[:3], Part("input_reference", b"file://C:/x.png"), *GOOD[4:]), None, 400, "invalid_type",
         "input_reference"),
        ((Part("model", b"sora-2", "m.txt", "text/plain"), *GOOD[1:]), None, 400, "invalid_type", "model"),
        ((*GOOD, Part("model", b"sora-2")), None, 400, "duplicate_parameter", "model"),
        ((*GOOD, Part("watermrk", b"false")), None, 400, "unknown_parameter", "watermrk"),
        (GOOD, {"Content-Type": "multipart/form-data"}, 400, "invalid_multipart", None),
        (GOOD, {"Content-Type": "application/x-www-form-urlencoded"}, 415, "unsupported_media_type", None),
        (GOOD, {"Content-Type": "application/json"}, 415, "unsupported_media_type", None),
        (GOOD, {"Content-Type": ""}, 415, "unsupported_media_type", None),
        (GOOD, {"Authorization": ""}, 401, "invalid_api_key", None),
        (GOOD, {"Authorization": "Basic dXNlcjpwYXNz"}, 401, "invalid_api_key", None),
        (GOOD, {"Authorization": "Bearer "}, 401, "invalid_api_key", None),
    ],
    ids=["missing", "file-as-text", "text-as-file", "duplicate", "unknown", "no-boundary", "urlencoded", "json",
         "no-content-type", "no-auth", "basic-auth", "empty-token"],
)
def test_each_rejection_has_its_status_code_and_param(
    checker: RequestChecker, parts: tuple[Part, ...], headers: dict[str, str] | None, status: int, code: str,
    param: str | None,
) -> None:
    verdict = checker.check(request(parts, headers=headers))
    problem = verdict.problems[0]
    assert (verdict.status, problem.code, problem.param) == (status, code, param)
    assert param is None or f"'{param}'" in problem.message


@pytest.mark.parametrize(
    ("body", "code"),
    [(b"", "empty_body"), (encode_multipart(GOOD, "BOUNDARY")[:-30], "invalid_multipart")],
    ids=["empty", "truncated"],
)
def test_body_level_problems(checker: RequestChecker, body: bytes, code: str) -> None:
    raw = RawRequest("POST", JX, {"Content-Type": content_type("BOUNDARY"), **AUTH}, body)
    assert [(p.code, p.param, p.status) for p in checker.check(raw).problems] == [(code, None, 400)]


def test_too_large_is_413() -> None:
    small = RequestChecker(load_registry(), max_body_bytes=100)
    verdict = small.check(request())
    assert (verdict.status, verdict.problems[0].code) == (413, "request_too_large")


def test_unknown_route_and_method(checker: RequestChecker) -> None:
    assert checker.check(RawRequest("POST", "https://api.jxincm.cn/v2/nothing")).status == 404
    assert checker.check(RawRequest("PUT", JX)).status == 405


def test_auth_is_checked_before_the_body(checker: RequestChecker) -> None:
    verdict = checker.check(RawRequest("POST", JX, {"Content-Type": "application/json"}, b"{}"))
    assert verdict.status == 401


def test_schema_types_are_enforced_after_casting(tmp_path: Path) -> None:
    spec = (ROOT / "specs" / "chainhub.yaml").read_text(encoding="utf-8")
    spec = spec.replace("                seconds:\n                  example: '10'\n                  type: string",
                        "                seconds:\n                  type: integer\n                  enum: [4, 8, 12]")
    (tmp_path / "typed.yaml").write_text(spec, encoding="utf-8")
    typed = RequestChecker(load_registry(tmp_path))
    url = "https://api.chainhub.tech/v1/videos"
    assert typed.check(request(form(model="m", prompt="p", seconds="8"), url)).ok
    bad = typed.check(request(form(model="m", prompt="p", seconds="ten"), url)).problems[0]
    assert (bad.code, bad.param) == ("invalid_type", "seconds")
    wrong = typed.check(request(form(model="m", prompt="p", seconds="5"), url)).problems[0]
    assert (wrong.code, wrong.param) == ("invalid_value", "seconds")


def test_additional_properties_true_allows_unknown_fields(tmp_path: Path) -> None:
    spec = (ROOT / "specs" / "chainhub.yaml").read_text(encoding="utf-8")
    spec = spec.replace("              required:\n                - model", "              additionalProperties: true\n"
                        "              required:\n                - model")
    (tmp_path / "open.yaml").write_text(spec, encoding="utf-8")
    lenient = RequestChecker(load_registry(tmp_path))
    assert lenient.check(request(form(model="m", prompt="p", extra="1"), "https://api.chainhub.tech/v1/videos")).ok


def test_error_envelope_is_openai_format(checker: RequestChecker) -> None:
    status, body = checker.check(request(GOOD[2:])).error()
    assert status == 400
    assert set(body["error"]) >= {"message", "type", "param", "code"}
    assert body["error"]["type"] == "invalid_request_error"
    assert [p["param"] for p in body["error"]["problems"]] == ["model", "prompt"]
