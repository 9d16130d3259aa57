"""The spec registry: loads every document once, checks it, groups documents by server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from contract_tests.core.checker import RequestChecker
from contract_tests.core.http import RawRequest
from contract_tests.core.multipart import content_type, encode_multipart
from contract_tests.core.parts import Part
from contract_tests.core.specs import SpecError, load_document, load_registry, server_id_for, specs_dir

ROOT = Path(__file__).resolve().parents[2]


def test_registry_loads_the_three_documents_with_their_ids() -> None:
    registry = load_registry()
    assert sorted(registry.documents) == ["chainhub", "jxincm-character", "jxincm-private"]
    assert {s.id: sorted(d.id for d in s.documents) for s in registry.servers.values()} == {
        "chainhub": ["chainhub"],
        "jxincm": ["jxincm-character", "jxincm-private"],
    }
    assert registry.server("jxincm").base_url == "https://api.jxincm.cn"


def test_documents_are_loaded_once_per_process() -> None:
    assert load_registry() is load_registry()
    assert load_registry(ROOT / "specs") is load_registry()


def test_specs_are_verbatim_copies_of_the_yaml_blocks_of_their_upstream_exports() -> None:
    """Each document is the ```yaml block of the Apifox export recorded for it in sources.json.

    The exports live in the repository (specs/upstream/), so a lone clone checks this too.
    """
    specs = ROOT / "specs"
    sources = json.loads((specs / "sources.json").read_text(encoding="utf-8"))
    doc_ids = sorted(p.stem for p in specs.glob("*.yaml"))
    assert sorted(sources) == doc_ids == ["chainhub", "jxincm-character", "jxincm-private"]
    for doc_id in doc_ids:
        export = (specs / sources[doc_id]["export"]).resolve()
        assert export.is_relative_to(specs), f"{doc_id}'s export must be inside specs/: {export}"
        block = export.read_text(encoding="utf-8").split("```yaml\n", 1)[1].rsplit("```", 1)[0]
        assert (specs / f"{doc_id}.yaml").read_text(encoding="utf-8") == block


def test_server_id_comes_from_the_host() -> None:
    assert server_id_for("https://api.jxincm.cn") == "jxincm"
    assert server_id_for("https://api.chainhub.tech/") == "chainhub"
    assert server_id_for("http://videos.example.com") == "videos-example"


def test_sora_specs_dir_points_the_registry_elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "only.yaml").write_text((ROOT / "specs" / "chainhub.yaml").read_text(encoding="utf-8"))
    monkeypatch.setenv("SORA_SPECS_DIR", str(tmp_path))
    assert specs_dir() == tmp_path.resolve()
    assert list(load_registry().documents) == ["only"]


def test_broken_yaml_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "broken.yaml"
    bad.write_text("openapi: 3.0.1\npaths: [\n")
    with pytest.raises(SpecError, match=r"broken\.yaml: not valid YAML"):
        load_document(bad)


def test_invalid_openapi_names_the_file_and_the_problem(tmp_path: Path) -> None:
    bad = tmp_path / "invalid.yaml"
    bad.write_text("openapi: 3.0.1\ninfo: {title: x}\npaths: {}\n")  # info.version is required
    with pytest.raises(SpecError, match=r"invalid\.yaml: not a valid OpenAPI 3\.0 document.*version"):
        load_document(bad)


def test_not_openapi_and_missing_directory_are_clear(tmp_path: Path) -> None:
    plain = tmp_path / "plain.yaml"
    plain.write_text("just: data\n")
    with pytest.raises(SpecError, match="not an OpenAPI document"):
        load_document(plain)
    with pytest.raises(SpecError, match="does not exist"):
        load_registry(tmp_path / "nowhere")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(SpecError, match=r"no \*\.yaml"):
        load_registry(empty)


def test_properties_know_their_wire_kind() -> None:
    body = load_registry().document("jxincm-private").operations[0].bodies["multipart/form-data"]
    kinds = {p.name: p.is_file for p in body.properties}
    assert kinds["input_reference"] is True and kinds["model"] is False
    assert body.required == ("model", "prompt", "seconds", "input_reference", "size", "watermark")


def test_with_document_adds_or_replaces(tmp_path: Path) -> None:
    copy = tmp_path / "chainhub.yaml"
    copy.write_text((ROOT / "specs" / "jxincm-private.yaml").read_text(encoding="utf-8"))
    registry = load_registry().with_document(copy)
    assert registry.document("chainhub").server_id == "jxincm"
    assert [d.id for d in registry.server("jxincm").documents] == ["chainhub", "jxincm-character", "jxincm-private"]


def test_fields_any_string_satisfies_are_precomputed(tmp_path: Path) -> None:
    body = load_registry().document("chainhub").operations[0].bodies["multipart/form-data"]
    assert body.any_string_fits == {p.name for p in body.properties}
    spec = (ROOT / "specs" / "chainhub.yaml").read_text(encoding="utf-8")
    (tmp_path / "enum.yaml").write_text(
        spec.replace("                  example: 720x1280\n", "                  enum: [720x1280]\n"), encoding="utf-8"
    )
    narrowed = load_registry(tmp_path).document("enum").operations[0].bodies["multipart/form-data"]
    assert "size" not in narrowed.any_string_fits and "model" in narrowed.any_string_fits


def test_refs_to_request_bodies_responses_and_escaped_names_resolve(tmp_path: Path) -> None:
    """A document keeping its request body and response in ``components`` (names with ``/``) still has
    its create call: the registry follows every level's ``$ref`` with the core resolver."""
    data = yaml.safe_load((ROOT / "specs" / "chainhub.yaml").read_text(encoding="utf-8"))
    post = data["paths"]["/v1/videos"]["post"]
    data["components"] = {
        "requestBodies": {"Create/It": post["requestBody"]},
        "responses": {"Ok": post["responses"]["200"]},
    }
    post["requestBody"] = {"$ref": "#/components/requestBodies/Create~1It"}
    post["responses"]["200"] = {"$ref": "#/components/responses/Ok"}
    (tmp_path / "refs.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    registry = load_registry(tmp_path)
    operation = registry.document("refs").create_operation
    assert operation is not None and operation.multipart is not None
    assert operation.multipart.required == ("model", "prompt")
    assert "schema" in operation.responses["200"]["content"]["application/json"]
    assert not operation.response_validators["200"].validator.is_valid({"id": 1})

    def verdict(*parts: Part) -> bool:
        headers = {"authorization": "Bearer t", "content-type": content_type("b0")}
        request = RawRequest("POST", "https://api.chainhub.tech/v1/videos", headers, encode_multipart(parts, "b0"))
        return RequestChecker(registry).check(request, "chainhub").ok

    assert verdict(Part("model", b"sora-2"), Part("prompt", b"p"))
    assert not verdict(Part("model", b"sora-2"))


def test_a_recursive_property_schema_loads_and_is_still_checked(tmp_path: Path) -> None:
    """A legal recursive schema under a body property (a tree of nodes) does not stop the registry:
    the property's own copy stops where the schema repeats itself, and the body's validator, which
    reads the whole document, still checks the recursion."""
    data = yaml.safe_load((ROOT / "specs" / "chainhub.yaml").read_text(encoding="utf-8"))
    schema = data["paths"]["/v1/videos"]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    schema["properties"]["meta"] = {"$ref": "#/components/schemas/Node"}
    data.setdefault("components", {}).setdefault("schemas", {})["Node"] = {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}},
        },
    }
    (tmp_path / "tree.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    operation = load_registry(tmp_path).document("tree").create_operation
    assert operation is not None and operation.multipart is not None
    meta = operation.multipart.property_named("meta")
    assert meta is not None and meta.schema["properties"]["children"]["items"] == {}
    body = operation.multipart.validator.validator
    assert body.is_valid({"model": "m", "prompt": "p", "meta": {"children": [{"children": [{"name": "x"}]}]}})
    assert not body.is_valid({"model": "m", "prompt": "p", "meta": {"children": [{"children": [{"name": 5}]}]}})
