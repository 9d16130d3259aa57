"""One loading gate and one ``$ref`` resolver: the registry and ``sora-contract`` read a document alike.

Every document below goes through the registry (``load_document``: what the checker, the mock and
the suite use) and through ``sora-contract lint`` and ``diff``. Where both refuse, they refuse with
the same message; where only the registry refuses (OpenAPI 3.1), it says why and the change gate
reads the document; a broken ``$ref`` is the registry's refusal, lint's ``unresolved-ref`` finding
and diff's warning, in the same words.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from changes_docs import base_document, dump, operation, request_schema, response_media

from contract_tests.changes.observe import documented_paths
from contract_tests.cli import main
from contract_tests.core import spec_loading
from contract_tests.core.service import VideoService
from contract_tests.core.spec_loading import VersionLine
from contract_tests.core.specs import SpecError, SpecRegistry, load_document
from mockserver.openapi import build

PROG = "sora-contract: error: "


def _write(path: Path, doc: dict[str, Any]) -> str:
    path.write_text(dump(doc), encoding="utf-8")
    return str(path)


def _registry_error(path: str) -> str:
    with pytest.raises(SpecError) as caught:
        load_document(Path(path))
    return str(caught.value)


def _version(value: str | None, swagger: bool = False) -> dict[str, Any]:
    doc = base_document()
    if value is None:
        del doc["openapi"]
    else:
        doc["openapi"] = value
    if swagger:
        doc["swagger"] = "2.0"
    return doc


@pytest.mark.parametrize(
    ("doc", "problem"),
    [
        (_version(None, swagger=True), "Swagger 2.0 is not supported; convert it to OpenAPI 3 first"),
        (_version("2.0.0"), "unsupported OpenAPI version '2.0.0' (expected 3.0.x or 3.1.x)"),
        (_version("4.0.0"), "unsupported OpenAPI version '4.0.0' (expected 3.0.x or 3.1.x)"),
    ],
    ids=["swagger-2.0", "openapi-2.0.0", "openapi-4.0.0"],
)
def test_a_version_nobody_reads_is_refused_by_all_with_one_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], doc: dict[str, Any], problem: str
) -> None:
    path = _write(tmp_path / "doc.yaml", doc)
    base = _write(tmp_path / "base.yaml", base_document())
    expected = f"{path}: {problem}"
    assert _registry_error(path) == expected
    for argv in (["lint", path], ["diff", base, path], ["diff", path, base]):
        assert main(argv) == 2, argv
        assert capsys.readouterr().err == f"{PROG}{expected}\n", argv


def _openapi_31() -> dict[str, Any]:
    """A 3.1 document using what 3.1 changes: a ``type`` list and ``const`` (with an example breaking it)."""
    doc = base_document()
    doc["openapi"] = "3.1.0"
    request_schema(doc)["properties"]["model"] = {"type": ["string", "null"], "const": "sora-2", "example": "sora-3"}
    return doc


def test_openapi_31_is_refused_by_the_registry_saying_why(tmp_path: Path) -> None:
    path = _write(tmp_path / "v31.yaml", _openapi_31())
    message = _registry_error(path)
    assert message.startswith(f"{path}: OpenAPI 3.1.0 cannot be checked: the checker, the mock and the strategies "
                              "enforce OpenAPI 3.0 schemas")
    assert "`type` lists" in message and "`const`" in message and "`sora-contract diff` and `lint` read it" in message


def test_openapi_31_is_read_by_lint_and_diff(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path / "v31.yaml", _openapi_31())
    base = _write(tmp_path / "base.yaml", base_document())
    assert main(["lint", path, "-f", "json"]) == 0
    findings = json.loads(capsys.readouterr().out)["findings"]
    # read with a 3.1 validator: the const is enforced on the example, the type list understood
    assert any(f["rule"] == "example-violates-schema" and "'sora-2' was expected" in f["message"] for f in findings)
    assert main(["diff", base, path, "-f", "json"]) == 0
    rules = {f["rule"] for f in json.loads(capsys.readouterr().out)["findings"]}
    assert "openapi-version-changed" in rules


def test_the_version_policy_lives_in_one_place(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Declaring a line in ``spec_loading.VERSIONS`` changes the registry and the change gate together."""
    path = _write(tmp_path / "v4.yaml", _version("4.0.0"))
    monkeypatch.setattr(spec_loading, "VERSIONS", (*spec_loading.VERSIONS, VersionLine("4.0", False, "just a test")))
    assert _registry_error(path) == f"{path}: OpenAPI 4.0.0 cannot be checked: just a test"
    assert main(["lint", path]) == 0
    capsys.readouterr()


# --- $ref ------------------------------------------------------------------------------------------


def _with_components(doc: dict[str, Any], **schemas: Any) -> dict[str, Any]:
    doc["components"]["schemas"].update(schemas)
    return doc


def _cycle() -> dict[str, Any]:
    doc = _with_components(base_document(), A={"$ref": "#/components/schemas/B"}, B={"$ref": "#/components/schemas/A"})
    request_schema(doc)["properties"]["model"] = {"$ref": "#/components/schemas/A"}
    return doc


def _unresolvable() -> dict[str, Any]:
    doc = base_document()
    request_schema(doc)["properties"]["model"] = {"$ref": "#/components/schemas/Missing"}
    return doc


@pytest.mark.parametrize(
    ("doc", "message", "pointer"),
    [
        (_cycle(), "$ref '#/components/schemas/B' never resolves: its references form a cycle "
                   "(#/components/schemas/B -> #/components/schemas/A -> #/components/schemas/B)",
         "/components/schemas/A/$ref"),
        (_unresolvable(), "$ref '#/components/schemas/Missing' points at nothing in the document",
         "/paths/~1v1~1videos/post/requestBody/content/multipart~1form-data/schema/properties/model/$ref"),
    ],
    ids=["ref-cycle", "unresolvable-ref"],
)
def test_a_broken_ref_reads_the_same_in_the_registry_lint_and_diff(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], doc: dict[str, Any], message: str, pointer: str
) -> None:
    path = _write(tmp_path / "doc.yaml", doc)
    base = _write(tmp_path / "base.yaml", base_document())
    said = f"{message} (at {pointer})"
    assert _registry_error(path) == f"{path}: {said}"
    assert main(["lint", path, "-f", "json"]) == 0
    broken = [(f["message"], f["pointer"]) for f in json.loads(capsys.readouterr().out)["findings"]
              if f["rule"] == "unresolved-ref"]
    assert (message, pointer) in broken
    assert main(["diff", base, path]) == 0  # lenient on request: the comparison goes on, and says so
    assert f"warning: {path}: {said}; compared as an empty schema" in capsys.readouterr().err.splitlines()


def _escaped(models: list[str]) -> dict[str, Any]:
    """Schemas kept under names with ``/`` and ``~``: referenced as ``Create~1Body``, ``Model~0Id``."""
    doc = base_document()
    body = request_schema(doc)
    body["properties"]["model"] = {"$ref": "#/components/schemas/Model~0Id"}
    _with_components(doc, **{"Create/Body": body, "Model~Id": {"type": "string", "enum": models, "example": "sora-3"},
                             "Video/Answer": response_media(doc)["schema"]})
    body_media = operation(doc)["requestBody"]["content"]["multipart/form-data"]
    body_media["schema"] = {"$ref": "#/components/schemas/Create~1Body"}
    response_media(doc)["schema"] = {"$ref": "#/components/schemas/Video~1Answer"}
    return doc


def test_escaped_pointers_resolve_in_the_registry(tmp_path: Path) -> None:
    document = load_document(Path(_write(tmp_path / "escaped.yaml", _escaped(["sora-2", "sora-2-pro"]))))
    body = document.operations[0].bodies["multipart/form-data"]
    model = body.property_named("model")
    assert model is not None and model.schema["enum"] == ["sora-2", "sora-2-pro"]  # not the bare $ref
    assert model.accepts("sora-2") and not model.accepts("sora-3")
    assert body.required == ("model",)


def test_escaped_pointers_resolve_in_lint_and_diff(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = _write(tmp_path / "old.yaml", _escaped(["sora-2", "sora-2-pro"]))
    new = _write(tmp_path / "new.yaml", _escaped(["sora-2"]))
    assert main(["lint", old, "-f", "json"]) == 0
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert "unresolved-ref" not in {f["rule"] for f in findings}
    assert any(f["rule"] == "example-violates-schema" and "'sora-3'" in f["message"] for f in findings)
    assert main(["diff", old, new, "-f", "json"]) == 0
    out = capsys.readouterr()
    assert "request-property-enum-value-removed" in {f["rule"] for f in json.loads(out.out)["findings"]}
    assert out.err == ""


def test_escaped_pointers_are_served_and_observed(tmp_path: Path) -> None:
    """/openapi.json copies ``Model~Id`` and points at the copy; observe follows ``Video~1Answer``."""
    document = load_document(Path(_write(tmp_path / "escaped.yaml", _escaped(["sora-2"]))))
    registry = SpecRegistry(tmp_path, {document.id: document})
    served = build(VideoService(registry, document.server_id), "http://127.0.0.1:1")
    (tmp_path / "served.json").write_text(json.dumps(served), encoding="utf-8")
    load_document(tmp_path / "served.json")  # every $ref of the served document resolves
    schemas = served["components"]["schemas"]
    assert schemas["escaped.Model_Id"]["enum"] == ["sora-2"]
    assert schemas["escaped.Create_Body"]["properties"]["model"] == {"$ref": "#/components/schemas/escaped.Model_Id"}
    assert {"$.id", "$.progress", "$.status"} <= documented_paths(registry, document.server_id)
