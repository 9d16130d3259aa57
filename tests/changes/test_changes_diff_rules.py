"""Every diff rule, each with the smallest OLD/NEW pair that triggers it.

``CASES`` maps each rule id of the catalog to a mutation: ``new(doc)`` edits a copy of the base
document into NEW (and ``old(doc)``, when given, edits another copy into OLD). A test checks that the
cases cover the whole catalog, so adding a rule without a test fails.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from changes_docs import base_document, dump, operation, request_schema, response_media

from contract_tests.changes.diff import diff
from contract_tests.changes.loading import parse
from contract_tests.changes.rules import CATALOG, rules_of

Doc = dict[str, Any]
Mutation = Callable[[Doc], None]


@dataclass(frozen=True)
class Case:
    new: Mutation
    old: Mutation | None = None


def _props(doc: Doc) -> Doc:
    props: Doc = request_schema(doc)["properties"]
    return props


def _response_props(doc: Doc) -> Doc:
    props: Doc = response_media(doc)["schema"]["properties"]
    return props


def _set(path: tuple[Any, ...], value: Any) -> Mutation:
    """A mutation setting ``doc[path...] = value``."""

    def mutate(doc: Doc) -> None:
        node = doc
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return mutate


def _delete(path: tuple[Any, ...]) -> Mutation:
    def mutate(doc: Doc) -> None:
        node = doc
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]

    return mutate


def _op(key: str, value: Any) -> Mutation:
    return lambda doc: operation(doc).__setitem__(key, value)


def _prop(name: str, key: str, value: Any) -> Mutation:
    return lambda doc: _props(doc)[name].__setitem__(key, value)


def _response_prop(name: str, key: str, value: Any) -> Mutation:
    return lambda doc: _response_props(doc)[name].__setitem__(key, value)


def _add_parameter(required: bool) -> Mutation:
    return _op("parameters", [{"name": "X-Trace", "in": "header", "required": required, "schema": {"type": "string"}}])


def _add_response(status: str) -> Mutation:
    return lambda doc: operation(doc)["responses"].__setitem__(status, {"description": "more"})


def _add_required_request_property(doc: Doc) -> None:
    _props(doc)["seconds"] = {"type": "string"}
    request_schema(doc)["required"].append("seconds")


def _add_required_response_property(doc: Doc) -> None:
    _response_props(doc)["seconds"] = {"type": "string"}
    response_media(doc)["schema"]["required"].append("seconds")


def _move_body_to_components(doc: Doc) -> None:
    doc["components"]["schemas"]["Create"] = request_schema(doc)
    operation(doc)["requestBody"]["content"]["multipart/form-data"]["schema"] = {"$ref": "#/components/schemas/Create"}


_GET: Doc = {"responses": {"200": {"description": "ok"}}}
_BASIC: Doc = {"type": "http", "scheme": "basic"}

CASES: dict[str, Case] = {
    "api-version-changed": Case(_set(("info", "version"), "2.0.0")),
    "openapi-version-changed": Case(_set(("openapi",), "3.0.3")),
    "server-url-changed": Case(_set(("servers", 0, "url"), "https://api.example.other")),
    "server-removed": Case(_set(("servers",), []),
                           old=lambda d: d["servers"].append({"url": "https://backup.example.test"})),
    "server-added": Case(lambda d: d["servers"].append({"url": "https://backup.example.test"})),
    "server-description-changed": Case(_set(("servers", 0, "description"), "prod")),
    "api-global-security-added": Case(_set(("security",), [{"bearer": []}]), old=_set(("security",), [])),
    "api-global-security-removed": Case(_set(("security",), [])),
    "api-security-added": Case(_op("security", [{"bearer": []}]), old=_op("security", [])),
    "api-security-removed": Case(_op("security", [])),
    "security-scheme-changed": Case(_set(("components", "securitySchemes", "bearer"),
                                         {"type": "apiKey", "in": "header", "name": "X-Key"})),
    "security-scheme-removed": Case(_set(("components", "securitySchemes"), {})),
    "security-scheme-added": Case(_set(("components", "securitySchemes", "basic"), _BASIC)),
    "api-path-removed": Case(_set(("paths",), {})),
    "api-path-added": Case(_set(("paths", "/v1/videos/{id}"), {"get": _GET})),
    "api-operation-removed": Case(_set(("paths", "/v1/videos"), {"get": _GET}),
                                  old=_set(("paths", "/v1/videos", "get"), _GET)),
    "api-operation-added": Case(_set(("paths", "/v1/videos", "get"), _GET)),
    "api-operation-deprecated": Case(_op("deprecated", True)),
    "api-operation-reactivated": Case(_op("deprecated", False), old=_op("deprecated", True)),
    "api-operation-id-changed": Case(_op("operationId", "createVideo2"), old=_op("operationId", "createVideo")),
    "api-summary-changed": Case(_op("summary", "make a video")),
    "api-description-changed": Case(_op("description", "Creates a video.")),
    "api-tag-added": Case(_op("tags", ["videos", "sora"])),
    "api-tag-removed": Case(_op("tags", [])),
    "api-extension-changed": Case(_op("x-apifox-status", "deprecated")),
    "new-required-request-parameter": Case(_add_parameter(required=True)),
    "new-optional-request-parameter": Case(_add_parameter(required=False)),
    "request-parameter-removed": Case(_op("parameters", []), old=_add_parameter(required=False)),
    "request-parameter-became-required": Case(_add_parameter(required=True), old=_add_parameter(required=False)),
    "request-parameter-became-optional": Case(_add_parameter(required=False), old=_add_parameter(required=True)),
    "request-parameter-type-changed": Case(
        _op("parameters", [{"name": "X-Trace", "in": "header", "schema": {"type": "integer"}}]),
        old=_add_parameter(required=False)),
    "request-body-added-required": Case(lambda d: operation(d)["requestBody"].__setitem__("required", True),
                                        old=lambda d: operation(d).pop("requestBody")),
    "request-body-removed": Case(lambda d: operation(d).pop("requestBody")),
    "request-body-became-required": Case(lambda d: operation(d)["requestBody"].__setitem__("required", True)),
    "request-body-media-type-removed": Case(
        lambda d: operation(d)["requestBody"]["content"].__setitem__(
            "application/json", operation(d)["requestBody"]["content"].pop("multipart/form-data"))),
    "request-body-media-type-added": Case(
        lambda d: operation(d)["requestBody"]["content"].__setitem__("application/json", {"schema": {}})),
    "new-required-request-property": Case(_add_required_request_property),
    "new-optional-request-property": Case(lambda d: _props(d).__setitem__("seconds", {"type": "string"})),
    "request-property-removed": Case(lambda d: _props(d).pop("prompt")),
    "request-property-became-required": Case(lambda d: request_schema(d)["required"].append("size")),
    "request-property-became-optional": Case(lambda d: request_schema(d).__setitem__("required", [])),
    "request-property-type-changed": Case(_prop("quality", "type", "integer")),
    "request-property-format-changed": Case(lambda d: _props(d)["input_reference"].pop("format")),
    "request-property-became-enum": Case(_prop("model", "enum", ["sora-2", "sora-2-pro"])),
    "request-property-enum-value-removed": Case(_prop("quality", "enum", ["standard"])),
    "request-property-enum-value-added": Case(_prop("quality", "enum", ["standard", "high", "ultra"])),
    "request-property-documented-value-removed": Case(_prop("size", "description", "allowed values: 720x1280")),
    "request-property-documented-value-added": Case(
        _prop("size", "description", "allowed values: 720x1280, 1280x720, 1024x1792")),
    "request-property-max-length-decreased": Case(_prop("prompt", "maxLength", 100),
                                                  old=_prop("prompt", "maxLength", 1000)),
    "request-property-min-length-increased": Case(_prop("prompt", "minLength", 1)),
    "request-property-max-decreased": Case(_prop("prompt", "maximum", 5)),
    "request-property-min-increased": Case(_prop("prompt", "minimum", 2), old=_prop("prompt", "minimum", 1)),
    "request-property-pattern-changed": Case(_prop("size", "pattern", "^[0-9]+x[0-9]+$")),
    "request-property-default-value-changed": Case(_prop("size", "default", "1280x720"),
                                                   old=_prop("size", "default", "720x1280")),
    "request-property-description-changed": Case(_prop("model", "description", "the model")),
    "request-property-example-changed": Case(_prop("model", "example", "sora-2-pro")),
    "response-success-status-removed": Case(lambda d: operation(d)["responses"].pop("200")),
    "response-non-success-status-removed": Case(lambda d: operation(d)["responses"].pop("400")),
    "response-success-status-added": Case(_add_response("201")),
    "response-non-success-status-added": Case(_add_response("429")),
    "response-media-type-removed": Case(lambda d: operation(d)["responses"]["200"].pop("content")),
    "response-media-type-added": Case(
        lambda d: operation(d)["responses"]["200"]["content"].__setitem__("text/plain", {"schema": {}})),
    "response-required-property-removed": Case(lambda d: _response_props(d).pop("progress")),
    "response-optional-property-removed": Case(lambda d: _response_props(d).pop("note")),
    "response-required-property-added": Case(_add_required_response_property),
    "response-optional-property-added": Case(lambda d: _response_props(d).__setitem__("seconds", {"type": "string"})),
    "response-property-became-optional": Case(lambda d: response_media(d)["schema"]["required"].remove("progress")),
    "response-property-became-required": Case(lambda d: response_media(d)["schema"]["required"].append("note")),
    "response-property-type-changed": Case(_response_prop("progress", "type", "string")),
    "response-property-format-changed": Case(_response_prop("progress", "format", "int64")),
    "response-property-enum-value-added": Case(_response_prop("status", "enum", ["queued", "completed", "failed"])),
    "response-property-enum-value-removed": Case(_response_prop("status", "enum", ["queued"])),
    "response-description-changed": Case(lambda d: operation(d)["responses"]["200"].__setitem__("description", "OK")),
    "response-property-description-changed": Case(_response_prop("id", "description", "the video id")),
    "response-example-changed": Case(lambda d: response_media(d)["example"].__setitem__("id", "video_2")),
}


def _run(case: Case) -> list[tuple[str, str]]:
    old, new = base_document(), base_document()
    if case.old is not None:
        case.old(old)
    case.new(new)
    found = diff(parse(dump(old), "old.yaml"), parse(dump(new), "new.yaml"))
    return [(f.rule, f.level.label) for f in found]


def test_every_diff_rule_has_a_case() -> None:
    assert set(CASES) == {r.id for r in rules_of("diff")}


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_is_reported_with_its_catalog_level(rule_id: str) -> None:
    found = _run(CASES[rule_id])
    assert (rule_id, CATALOG[rule_id].level.label) in found, found


def test_identical_documents_have_no_changes() -> None:
    assert _run(Case(lambda doc: None)) == []


def test_moving_a_schema_into_components_is_not_a_change() -> None:
    assert _run(Case(_move_body_to_components)) == []


def test_binary_to_plain_string_is_an_error_that_says_why() -> None:
    old, new = base_document(), base_document()
    _props(new)["input_reference"]["format"] = "uri"
    found = diff(parse(dump(old), "old.yaml"), parse(dump(new), "new.yaml"))
    [change] = found
    assert change.rule == "request-property-format-changed"
    assert change.level.label == "error"
    assert "file part becomes a text field" in change.message
    assert change.location.source == "new.yaml"
    assert change.location.pointer.endswith("/properties/input_reference/format")
    assert change.operation == "POST /v1/videos"


def test_removals_point_into_the_old_document() -> None:
    old, new = base_document(), base_document()
    _props(new).pop("prompt")
    [change] = diff(parse(dump(old), "old.yaml"), parse(dump(new), "new.yaml"))
    assert change.location.source == "old.yaml"
    assert change.location.line is not None
    assert dump(old).splitlines()[change.location.line - 1].strip() == "prompt:"


def test_nested_request_properties_are_compared() -> None:
    old, new = base_document(), base_document()
    for doc in (old, new):
        _props(doc)["options"] = {"type": "object", "properties": {"loop": {"type": "boolean"}}}
    _props(new)["options"]["properties"]["loop"]["type"] = "string"
    [change] = diff(parse(dump(old), "old.yaml"), parse(dump(new), "new.yaml"))
    assert (change.rule, "options.loop" in change.message) == ("request-property-type-changed", True)


def test_seed_documents_differ_the_way_the_readme_says() -> None:
    """jxincm-private -> chainhub: another host (error); four fields no longer required (info)."""
    from changes_docs import REPO

    found = diff(parse((REPO / "specs/jxincm-private.yaml").read_text(encoding="utf-8"), "a.yaml"),
                 parse((REPO / "specs/chainhub.yaml").read_text(encoding="utf-8"), "b.yaml"))
    rules = [f.rule for f in found]
    assert [f.rule for f in found if f.level.label == "error"] == ["server-url-changed"]
    assert rules.count("request-property-became-optional") == 4
