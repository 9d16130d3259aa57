"""Every lint rule, each with the smallest contradictory document that triggers it, plus the seeds.

``CASES`` maps each lint rule id to a mutation of the (clean) base document and, for cross-document
rules, a mutation producing a sibling document. A test checks that the cases cover the catalog.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from changes_docs import REPO, base_document, dump, operation, request_schema, response_media

from contract_tests.changes.findings import Finding
from contract_tests.changes.lint import lint
from contract_tests.changes.loading import load, parse
from contract_tests.changes.rules import CATALOG, rules_of

Doc = dict[str, Any]
Mutation = Callable[[Doc], None]


@dataclass(frozen=True)
class Case:
    doc: Mutation
    sibling: Mutation | None = None


def _props(doc: Doc) -> Doc:
    props: Doc = request_schema(doc)["properties"]
    return props


def _prop(name: str, value: Doc) -> Mutation:
    return lambda doc: _props(doc).__setitem__(name, value)


def _undocumented_size(doc: Doc) -> None:
    _props(doc)["size"] = {"type": "string", "example": "16x9"}


def _extra_property(doc: Doc) -> None:
    _props(doc)["character_url"] = {"type": "string", "example": "https://example.test/c.mp4"}


CASES: dict[str, Case] = {
    "unresolved-ref": Case(_prop("model", {"$ref": "#/components/schemas/Missing"})),
    "required-property-not-defined": Case(lambda d: request_schema(d)["required"].append("seconds")),
    "example-violates-schema": Case(lambda d: _props(d)["quality"].__setitem__("example", "ultra")),
    "example-violates-documented-constraint": Case(lambda d: _props(d)["size"].__setitem__("example", "16x9")),
    "example-contradicts-sibling-document": Case(_undocumented_size, sibling=lambda d: None),
    "example-suspicious-value": Case(_prop("watermark", {"type": "string", "example": "ture"})),
    "response-example-violates-schema": Case(lambda d: response_media(d)["example"].__setitem__("progress", "zero")),
    "response-example-disagrees-with-request-example": Case(
        lambda d: response_media(d)["example"].__setitem__("model", "sora_video2")),
    "required-property-without-example": Case(lambda d: request_schema(d)["required"].append("prompt")),
    "operation-without-error-response": Case(lambda d: operation(d)["responses"].pop("400")),
    "conflicting-operation-definitions": Case(lambda d: None, sibling=_extra_property),
}


def _lint(case: Case) -> list[Finding]:
    doc = base_document()
    case.doc(doc)
    siblings = []
    if case.sibling is not None:
        other = base_document()
        case.sibling(other)
        siblings.append(parse(dump(other), "sibling.yaml"))
    return lint([parse(dump(doc), "doc.yaml")], siblings)


def test_every_lint_rule_has_a_case() -> None:
    assert set(CASES) == {r.id for r in rules_of("lint")}


def test_the_base_document_is_clean() -> None:
    assert _lint(Case(lambda d: None)) == []


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_is_reported_with_level_and_location(rule_id: str) -> None:
    found = [f for f in _lint(CASES[rule_id]) if f.rule == rule_id]
    assert found, f"{rule_id} not reported"
    for finding in found:
        assert finding.level == CATALOG[rule_id].level
        assert finding.location.source == "doc.yaml"
        assert finding.location.pointer.startswith("/paths/~1v1~1videos/post")
        assert finding.location.line is not None


def test_a_real_boolean_example_is_not_suspicious() -> None:
    assert _lint(Case(_prop("watermark", {"type": "string", "example": "false"}))) == []


def test_a_word_near_true_is_suspicious_only_with_evidence() -> None:
    """``tree`` is one letter from ``true``: flagged only when the property's other examples are booleans."""
    plain = Case(_prop("shape", {"type": "string", "example": "tree"}))
    assert _lint(plain) == []
    with_evidence = Case(_prop("shape", {"type": "string", "example": "tree"}),
                         sibling=_prop("shape", {"type": "string", "example": "true"}))
    assert [f.rule for f in _lint(with_evidence)] == ["example-suspicious-value"]


def test_an_allowed_documented_example_passes_and_the_message_lists_the_values() -> None:
    [finding] = _lint(CASES["example-violates-documented-constraint"])
    assert "720x1280, 1280x720" in finding.message
    assert finding.location.pointer.endswith("/properties/size/example")


def test_sibling_hint_names_an_aspect_ratio() -> None:
    [finding] = _lint(CASES["example-contradicts-sibling-document"])
    assert "aspect ratio" in finding.message and "sibling" in finding.message


def test_lines_point_at_the_example_in_an_apifox_export() -> None:
    text = "# Title\n\n## OpenAPI Specification\n\n```yaml\n" + dump(_doc_with_typo()) + "```\n"
    [finding] = lint([parse(text, "export.md")])
    assert finding.rule == "example-suspicious-value"
    assert finding.location.line is not None
    assert text.splitlines()[finding.location.line - 1].strip() == "example: ture"


def _doc_with_typo() -> Doc:
    doc = base_document()
    _props(doc)["watermark"] = {"type": "string", "example": "ture"}
    return doc


# --- the seeds: the quirks the seeds README lists are all reported ---------------------------


@pytest.fixture(scope="module")
def seed_findings() -> list[tuple[str, str, str]]:
    docs = [load(str(p)) for p in sorted((REPO / "specs").glob("*.yaml"))]
    return [(f.rule, f.location.source.rsplit("/", 1)[-1], f.location.pointer.rsplit("/", 2)[-2]) for f in lint(docs)]


def test_seeds_watermark_ture_is_flagged(seed_findings: list[tuple[str, str, str]]) -> None:
    assert ("example-suspicious-value", "jxincm-character.yaml", "watermark") in seed_findings


def test_seeds_16x9_is_flagged_against_chainhub_sizes(seed_findings: list[tuple[str, str, str]]) -> None:
    for doc in ("jxincm-private.yaml", "jxincm-character.yaml"):
        assert ("example-contradicts-sibling-document", doc, "size") in seed_findings


def test_seeds_sora_video2_is_flagged(seed_findings: list[tuple[str, str, str]]) -> None:
    assert ("response-example-disagrees-with-request-example", "jxincm-character.yaml", "example") in seed_findings


def test_seeds_have_no_error_responses_anywhere(seed_findings: list[tuple[str, str, str]]) -> None:
    flagged = {doc for rule, doc, _ in seed_findings if rule == "operation-without-error-response"}
    assert flagged == {"chainhub.yaml", "jxincm-private.yaml", "jxincm-character.yaml"}


def test_seeds_000_and_002_conflict(seed_findings: list[tuple[str, str, str]]) -> None:
    flagged = {doc for rule, doc, _ in seed_findings if rule == "conflicting-operation-definitions"}
    assert flagged == {"jxincm-private.yaml", "jxincm-character.yaml"}


def test_seeds_have_no_errors(seed_findings: list[tuple[str, str, str]]) -> None:
    assert not [f for f in seed_findings if CATALOG[f[0]].level.label == "error"]
