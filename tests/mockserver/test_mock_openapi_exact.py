"""/openapi.json's create body says exactly what the checker accepts, ``$ref`` s and several documents too.

For a server with two documents (one keeps its schemas in ``components``), every form below is
judged twice: by the served ``CreateVideoRequest`` schema and by the checker on the wire. The two
must agree, so a client (or Schemathesis) that trusts the document is never refused, and the
document calls nothing valid that the checker refuses.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from openapi_core import OpenAPI
from openapi_core.validation.schemas import oas30_write_schema_validators_factory

from contract_tests.core.checker import RequestChecker
from contract_tests.core.http import RawRequest
from contract_tests.core.multipart import content_type, encode_multipart
from contract_tests.core.parts import Part
from contract_tests.core.service import VideoService
from contract_tests.core.specs import SpecRegistry, load_document
from mockserver.openapi import build

_DOC = """
openapi: 3.0.3
info: {{title: t, version: '1'}}
servers: [{{url: 'https://api.relay.test'}}]
security: [{{bearer: []}}]
paths:
  /v1/videos:
    post:
      requestBody:
        content:
          multipart/form-data:
            schema: {body}
      responses: {{'200': {{description: ok}}}}
components:
  securitySchemes: {{bearer: {{type: http, scheme: bearer}}}}
  schemas: {schemas}
"""
# "refs" keeps its body (named as the served one is) and its size's enum in components;
# "plain" is inline and requires a file.
REFS = _DOC.format(
    body="{$ref: '#/components/schemas/CreateVideoRequest'}",
    schemas="""
    CreateVideoRequest:
      type: object
      required: [prompt]
      properties: {prompt: {type: string}, size: {$ref: '#/components/schemas/Size'}}
    Size: {type: string, enum: ['720x1280', '1280x720']}""",
)
PLAIN = _DOC.format(
    body="""
              type: object
              required: [prompt, input_reference]
              properties:
                prompt: {type: string}
                input_reference: {type: string, format: binary}
                seconds: {type: integer, minimum: 4}""",
    schemas="{}",
)
IMAGE = Part("input_reference", b"\x89PNG\r\n\x1a\n", "a.png", "image/png")
FORMS: dict[str, tuple[Part, ...]] = {
    "refs: prompt only": (Part("prompt", b"p"),),
    "refs: documented size": (Part("prompt", b"p"), Part("size", b"720x1280")),
    "refs: size outside its enum": (Part("prompt", b"p"), Part("size", b"16x9")),
    "plain: prompt and file": (Part("prompt", b"p"), IMAGE),
    "plain: seconds too small": (Part("prompt", b"p"), IMAGE, Part("seconds", b"2")),
    "plain: seconds": (Part("prompt", b"p"), IMAGE, Part("seconds", b"8")),
    "fields of both documents": (Part("prompt", b"p"), IMAGE, Part("size", b"720x1280")),
    "unknown field": (Part("prompt", b"p"), Part("nope", b"x")),
    "nothing": (),
}


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> SpecRegistry:
    folder = tmp_path_factory.mktemp("specs")
    docs = {}
    for name, text in (("refs", REFS), ("plain", PLAIN)):
        (folder / f"{name}.yaml").write_text(text)
        docs[name] = load_document(folder / f"{name}.yaml")
    return SpecRegistry(folder, docs)


def _served_validator(registry: SpecRegistry, tmp_path: Path) -> Any:
    document = build(VideoService(registry, "relay"), "http://127.0.0.1:1")
    (tmp_path / "served.json").write_text(json.dumps(document))
    load_document(tmp_path / "served.json")  # a valid OpenAPI document, every $ref resolvable
    spec = OpenAPI.from_dict(document).spec
    return oas30_write_schema_validators_factory.create(spec, spec / "components" / "schemas" / "CreateVideoRequest")


def _as_json(parts: tuple[Part, ...]) -> dict[str, Any]:
    """The form as the schema sees it: a file part as bytes, a text part as its text (cast where typed)."""
    return {p.name: p.data if p.is_file else (int(p.text) if p.name == "seconds" else p.text) for p in parts}


def test_the_served_create_schema_accepts_exactly_what_the_checker_accepts(
    registry: SpecRegistry, tmp_path: Path
) -> None:
    validator = _served_validator(registry, tmp_path).validator
    checker = RequestChecker(registry)
    verdicts = {}
    for label, parts in FORMS.items():
        request = RawRequest(
            "POST",
            "https://api.relay.test/v1/videos",
            {"authorization": "Bearer t", "content-type": content_type("b0undary")},
            encode_multipart(parts, "b0undary"),
        )
        accepted = checker.check(request, "relay").ok
        verdicts[label] = accepted
        assert validator.is_valid(_as_json(parts)) == accepted, (label, accepted)
    assert verdicts["refs: documented size"] and not verdicts["refs: size outside its enum"]  # the $ref is kept
    assert not verdicts["fields of both documents"] and not verdicts["unknown field"]


def test_components_are_copied_under_the_document_id_and_refs_follow(registry: SpecRegistry) -> None:
    schemas = build(VideoService(registry, "relay"), "http://x")["components"]["schemas"]
    assert schemas["refs.Size"] == {"type": "string", "enum": ["720x1280", "1280x720"]}
    # The document's own component named like the served one keeps its name under the document id.
    assert schemas["refs.CreateVideoRequest"]["properties"]["size"] == {"$ref": "#/components/schemas/refs.Size"}
    assert "additionalProperties" not in schemas["refs.CreateVideoRequest"]
    assert schemas["CreateVideoRequest.refs"]["additionalProperties"] is False
    assert schemas["CreateVideoRequest"]["properties"]["input_reference"]["format"] == "binary"
    assert "{}" not in json.dumps(schemas["CreateVideoRequest"])
