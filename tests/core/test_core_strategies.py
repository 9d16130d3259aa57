"""The strategies are derived from the documents: edit a YAML file, and what is generated follows."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contract_tests.core.checker import RequestChecker
from contract_tests.core.images import SIGNATURES
from contract_tests.core.specs import load_registry
from contract_tests.testing.strategies import (
    GeneratedRequest,
    example_request,
    invalid_cases,
    invalid_requests,
    valid_requests,
)

ROOT = Path(__file__).resolve().parents[2]
REGISTRY = load_registry()
CHECKER = RequestChecker(REGISTRY)


@pytest.mark.parametrize("doc_id", list(REGISTRY.documents))
@settings(max_examples=40)
@given(data=st.data())
def test_valid_requests_pass_the_checker_of_their_own_document(doc_id: str, data: st.DataObject) -> None:
    document = REGISTRY.document(doc_id)
    request = data.draw(valid_requests(document))
    verdict = CHECKER.check(request.raw(document.base_url), document.server_id)
    assert verdict.ok, verdict.problems
    names = [p.name for p in request.parts]
    body = document.operations[0].bodies["multipart/form-data"]
    assert set(body.required) <= set(names)
    assert len(names) == len(set(names))


@pytest.mark.parametrize("doc_id", list(REGISTRY.documents))
@settings(max_examples=80)
@given(data=st.data())
def test_invalid_requests_are_rejected_naming_their_field(doc_id: str, data: st.DataObject) -> None:
    document = REGISTRY.document(doc_id)
    request = data.draw(invalid_requests(document))
    verdict = CHECKER.check(request.raw(document.base_url), document.server_id)
    assert not verdict.ok
    assert (verdict.status, verdict.problems[0].param, verdict.problems[0].code) == (
        request.expected_status,
        request.param,
        request.expected_code,
    ), request.describe()


def test_every_invalid_class_applies_to_each_document() -> None:
    for document in REGISTRY:
        classes = {case.cls.id for case in invalid_cases(document)}
        assert classes == {
            "missing_required", "file_as_text", "text_as_file", "duplicate_field", "unknown_field", "empty_body",
            "no_boundary", "garbled_boundary", "truncated_body", "bad_part_headers", "urlencoded_body", "json_body",
            "no_auth", "basic_auth",
        }  # no property of the bundled documents constrains its value: no value_* case applies today
    required = {c.param for c in invalid_cases(REGISTRY.document("chainhub")) if c.cls.id == "missing_required"}
    assert required == {"model", "prompt"}


def _all_drawn(strategy: st.SearchStrategy[GeneratedRequest], count: int = 60) -> list[GeneratedRequest]:
    seen: list[GeneratedRequest] = []

    @settings(max_examples=count, database=None)
    @given(strategy)
    def collect(request: GeneratedRequest) -> None:
        seen.append(request)

    collect()
    return seen


def test_uploads_are_real_images_with_non_ascii_names_and_prompts_in_two_scripts() -> None:
    drawn = _all_drawn(valid_requests(REGISTRY.document("chainhub")), 150)
    files = [p for r in drawn for p in r.parts if p.is_file]
    assert files and all(p.data.startswith(SIGNATURES[p.content_type or ""]) for p in files)
    assert {p.content_type for p in files} == set(SIGNATURES)
    assert any(not (p.filename or "").isascii() for p in files)
    prompts = [r.fields["prompt"] for r in drawn]
    assert any(any("\u4e00" <= ch <= "\u9fff" for ch in p) for p in prompts)
    assert any(p.isascii() for p in prompts)


def test_realistic_requests_use_the_documents_examples() -> None:
    for request in _all_drawn(valid_requests(REGISTRY.document("jxincm-private"), realistic=True), 20):
        assert request.fields["model"] == "sora-2" and request.fields["size"] == "16x9"


def test_an_extra_required_property_in_the_yaml_is_generated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = (ROOT / "specs" / "chainhub.yaml").read_text(encoding="utf-8")
    spec = spec.replace(
        "                private:\n",
        "                style:\n                  type: string\n                  enum: [anime, film]\n"
        "                private:\n",
    ).replace("              required:\n                - model\n", "              required:\n"
              "                - model\n                - style\n")
    (tmp_path / "chainhub.yaml").write_text(spec, encoding="utf-8")
    monkeypatch.setenv("SORA_SPECS_DIR", str(tmp_path))
    registry = load_registry()
    document = registry.document("chainhub")
    for request in _all_drawn(valid_requests(document), 30):
        assert request.fields["style"] in {"anime", "film"}
    assert "missing_required:style" in {c.id for c in invalid_cases(document)}
    checker = RequestChecker(registry)
    missing = _all_drawn(invalid_requests(document, "missing_required:style"), 5)
    assert all(checker.check(r.raw(document.base_url)).problems[0].param == "style" for r in missing)


def test_values_outside_a_constrained_schema_are_document_backed_invalid_cases(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A constraint a document adds (enum, pattern, length, bounds, a non-string type) becomes a case."""
    spec = (ROOT / "specs" / "chainhub.yaml").read_text(encoding="utf-8")
    spec = spec.replace(
        "                prompt:\n                  example: Let the cow happily take the driving test (Part 3)\n"
        "                  type: string\n",
        "                prompt:\n                  type: string\n                  maxLength: 40\n"
        "                  pattern: '^[a-z ]+$'\n",
    ).replace(
        "                seconds:\n                  example: '10'\n                  type: string\n",
        "                seconds:\n                  type: integer\n                  minimum: 4\n"
        "                  maximum: 12\n                style:\n                  type: string\n"
        "                  enum: [anime, film]\n",
    )
    (tmp_path / "chainhub.yaml").write_text(spec, encoding="utf-8")
    monkeypatch.setenv("SORA_SPECS_DIR", str(tmp_path))
    registry = load_registry()
    document = registry.document("chainhub")
    cases = {c.id: c for c in invalid_cases(document) if c.cls.id.startswith("value_")}
    assert set(cases) == {
        "value_out_of_schema:prompt", "value_out_of_schema:seconds", "value_out_of_schema:style",
        "value_wrong_type:seconds",
    }
    assert all(c.cls.document_backed for c in cases.values())
    checker = RequestChecker(registry)
    for case_id in cases:
        for request in _all_drawn(invalid_requests(document, case_id), 5):
            problem = checker.check(request.raw(document.base_url)).problems[0]
            assert (problem.status, problem.param, problem.code) == (
                request.expected_status, request.param, request.expected_code
            ), request.describe()


def test_example_request_carries_every_documented_example() -> None:
    request = example_request(REGISTRY.document("jxincm-character"))
    assert request.fields["watermark"] == "ture"
    assert request.fields["character_timestamps"] == "1,3"
    upload = next(p for p in request.parts if p.is_file)
    assert upload.filename == "场景1.png"


def test_constraints_in_the_yaml_shape_what_is_generated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = (ROOT / "specs" / "chainhub.yaml").read_text(encoding="utf-8")
    spec = spec.replace(
        "                prompt:\n                  example: Let the cow happily take the driving test (Part 3)\n"
        "                  type: string\n",
        "                prompt:\n                  example: Not Lower Case\n                  type: string\n"
        "                  maxLength: 5\n                  pattern: '^[a-z]+$'\n",
    ).replace(
        "                seconds:\n                  example: '10'\n                  type: string\n",
        "                seconds:\n                  example: 10\n                  type: integer\n"
        "                  minimum: 4\n                  maximum: 12\n                  exclusiveMaximum: true\n",
    )
    (tmp_path / "chainhub.yaml").write_text(spec, encoding="utf-8")
    monkeypatch.setenv("SORA_SPECS_DIR", str(tmp_path))
    registry = load_registry()
    document = registry.document("chainhub")
    checker = RequestChecker(registry)
    drawn = _all_drawn(valid_requests(document), 60)
    for request in drawn:
        assert checker.check(request.raw(document.base_url)).ok, request.fields
        # Python's ``$`` (used by jsonschema) also matches before a final newline
        assert len(request.fields["prompt"]) <= 5 and re.fullmatch(r"[a-z]+\n?", request.fields["prompt"])
    seconds = {int(r.fields["seconds"]) for r in drawn if "seconds" in r.fields}
    assert seconds and seconds <= set(range(4, 12))
    # the document's own example breaks its pattern: it is never sent, even in realistic mode
    assert all(r.fields["prompt"] != "Not Lower Case" for r in _all_drawn(valid_requests(document, True), 20))
