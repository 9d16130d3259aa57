"""sora-mock's own OpenAPI document, served at ``GET /openapi.json``, generated from the route data.

It describes every route the server answers, with every status each one can give and its schema,
so other tools (Schemathesis, Prism, our own conformance checks) can test the mock itself. It is
exact, not approximate: a request the document calls valid is one the mock accepts.

- The create call's body is the served server's documents as the checker enforces them: a body is
  valid when one document accepts it, so the schema is ``anyOf`` one schema per document (each
  closed with ``additionalProperties: false`` unless the document allows more, each with its own
  ``required``: ``CreateVideoRequest.<document id>``). Each document's components are copied under
  its id (``jxincm-private.Name``) and its ``$ref`` s point at those copies, so a schema a document
  keeps in ``components`` is kept.
- ``Prefer`` is declared with the grammar the controls parse (``controls.PREFER_PATTERN``).
- The lifecycle operations are the family document's (``core/family.yaml``), answered statuses
  and all; a status forced with ``Prefer: code=...`` is the ``default`` answer, OpenAI's error.
"""

from __future__ import annotations

import copy
import inspect
import re
from collections.abc import Mapping, Sequence
from typing import Any

from starlette.routing import BaseRoute, Route

from contract_tests.core.controls import MAX_LATENCY_MS, MAX_RENDER_SECONDS, PREFER_PATTERN
from contract_tests.core.refs import RefError, escape, ref_tokens
from contract_tests.core.routing import family_document
from contract_tests.core.service import VideoService
from contract_tests.core.specs import Document, RequestBody

VERSION = "1.0.0"
_JSON = "application/json"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(kind: str, **more: Any) -> dict[str, Any]:
    return {"type": kind, "nullable": True, **more}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {_JSON: {"schema": _ref("Error")}}}


def _json(description: str, schema: str) -> dict[str, Any]:
    return {"description": description, "content": {_JSON: {"schema": _ref(schema)}}}


# The mock's own schemas; the Videos family's (Video, VideoList, Error, ...) come from family.yaml.
_SCHEMAS: dict[str, Any] = {
    "JournalEntry": {
        "type": "object",
        "description": "One request: what was sent (Authorization redacted), the verdict, its problems and "
        "the answer.",
        "required": ["id", "method", "path", "verdict", "problems", "status"],
        "properties": {
            "id": {"type": "integer"},
            "time": {"type": "number"},
            "method": {"type": "string"},
            "path": {"type": "string"},
            "query": {"type": "string"},
            "headers": {"type": "object", "additionalProperties": {"type": "string"}},
            "verdict": {"type": "string", "enum": ["accepted", "rejected", "-"]},
            "problems": {"type": "array", "items": {"type": "object"}},
            "fields": {"type": "object"},
            "files": {"type": "array", "items": {"type": "object"}},
            "status": {"type": "integer"},
            "response": {},
            "duration_ms": {"type": "number"},
            "document": _nullable("string"),
            "video_id": _nullable("string"),
        },
    },
    "Journal": {
        "type": "object",
        "required": ["object", "data"],
        "properties": {
            "object": {"type": "string", "enum": ["list"]},
            "data": {"type": "array", "items": _ref("JournalEntry")},
        },
    },
    "Done": {
        "type": "object",
        "required": ["object", "deleted"],
        "properties": {"object": {"type": "string"}, "deleted": {"type": "boolean"}},
    },
}

_PREFER = {
    "name": "Prefer",
    "in": "header",
    "required": False,
    "description": "Edge cases on demand (RFC 7240, in Prism's style), preferences separated by `,` or `;`: "
    "`code=NNN` (400 to 599) answers that error status (the `default` response); `video=failed` (with optional "
    "`failure-code=...`) makes the created video end failed; "
    f"`latency=MS` (0 to {MAX_LATENCY_MS:g}) delays the answer; `render-seconds=S` (0 to {MAX_RENDER_SECONDS:g}) "
    "sets how long this video renders. RFC 7240's registered preferences are accepted and ignored; a known "
    "preference with a value outside its range is a 400. Applied preferences are echoed in `Preference-Applied`.",
    "schema": {"type": "string", "pattern": PREFER_PATTERN},
}
_AUTH = _error("Missing or malformed bearer token (`invalid_api_key`).")
# What every API operation can answer besides its own statuses: a malformed Prefer, a body too large.
_EVERY_OPERATION = {
    "400": _error("A malformed `Prefer` header (`invalid_value`, `param` is `Prefer`)."),
    "413": _error("The body is larger than --max-upload-mb (`request_too_large`)."),
}
_FORCED = _error("Any status forced with `Prefer: code=...` or drawn by `--error-rate`; 405 for a wrong method.")


def _component_key(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", text)  # the characters OpenAPI allows in a component's name


def _component_name(doc: Document, name: str) -> str:
    """A document's component under the served document's name for it: prefixed by the document id."""
    return _component_key(f"{doc.id}.{name}")


def _accepted_body_name(doc: Document) -> str:
    """The name of a document's create body as enforced; suffixed, so no copied component can take it."""
    return _component_key(f"CreateVideoRequest.{doc.id}")


def _imported(doc: Document, schema: Any) -> Any:
    """``schema`` with its local ``$ref`` s pointed at the document's components as copied (see
    :func:`_components`); a ``$ref`` the copy cannot follow is a bug to see, not a ``{}`` to hide."""
    if isinstance(schema, Mapping):
        ref = schema.get("$ref")
        if isinstance(ref, str):
            try:
                tokens = ref_tokens(ref)  # unescaped (A~1B is the component "A/B"), as the registry resolved it
            except RefError:
                tokens = ()
            if len(tokens) != 3 or tokens[0] != "components":
                raise ValueError(f"{doc.id}: cannot serve the reference {ref!r}")
            kind, name = tokens[1], tokens[2]
            return {**schema, "$ref": f"#/components/{escape(kind)}/{_component_name(doc, name)}"}
        return {k: _imported(doc, v) for k, v in schema.items()}
    if isinstance(schema, list):
        return [_imported(doc, v) for v in schema]
    return copy.deepcopy(schema)


def _components(documents: Sequence[Document]) -> dict[str, dict[str, Any]]:
    """Every document's components (security schemes aside), under prefixed names, refs rewritten."""
    found: dict[str, dict[str, Any]] = {}
    for doc in documents:
        for kind, items in (doc.data.get("components") or {}).items():
            if kind == "securitySchemes" or not isinstance(items, Mapping):
                continue
            for name, item in items.items():
                found.setdefault(kind, {})[_component_name(doc, name)] = _imported(doc, item)
    return found


def _accepted_body(doc: Document, body: RequestBody) -> dict[str, Any]:
    """One document's create body as the checker enforces it: an unknown field is refused unless the
    document sets ``additionalProperties``, so the schema says ``false`` where the document is silent."""
    schema = _imported(doc, dict(body.schema))
    if not body.additional_properties:
        schema["additionalProperties"] = False
    return schema


def _constraints(schema: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in schema.items() if k not in {"description", "title", "example", "examples"}}


def create_schemas(documents: Sequence[Document]) -> dict[str, Any]:
    """``CreateVideoRequest`` and one schema per document: a body is valid when one document accepts it.

    The top level lists every property (a tool reads there which parts are files) and what every
    document requires; ``anyOf`` holds each document's own schema, ``required`` and closure."""
    bodies = [(doc, op.multipart) for doc in documents if (op := doc.create_operation) and op.multipart]
    schemas: dict[str, Any] = {}
    properties: dict[str, list[Any]] = {}
    required: list[str] | None = None
    for doc, body in bodies:
        schemas[_accepted_body_name(doc)] = _accepted_body(doc, body)
        for prop in body.properties:
            variants = properties.setdefault(prop.name, [])
            imported = _imported(doc, prop.schema)
            if all(_constraints(imported) != _constraints(seen) for seen in variants):
                variants.append(imported)  # documents differing only in examples share the first's schema
        required = list(body.required) if required is None else [n for n in required if n in body.required]
    schema: dict[str, Any] = {
        "type": "object",
        "description": "Valid under one of the upstream documents " + ", ".join(d.id for d, _ in bodies) + ".",
        "properties": {name: v[0] if len(v) == 1 else {"anyOf": v} for name, v in properties.items()},
    }
    if schemas:  # no document of this server has a create call: nothing is valid, and nothing to list
        schema["anyOf"] = [_ref(name) for name in schemas]
    else:
        schema["not"] = {}
    if required:
        schema["required"] = required
    return {**schemas, "CreateVideoRequest": schema}


def _op(summary: str, responses: dict[str, Any], **more: Any) -> dict[str, Any]:
    parameters = [*more.pop("parameters", []), _PREFER]
    return {
        "summary": summary,
        "security": [{"bearerAuth": []}],
        "parameters": parameters,
        "responses": {**_EVERY_OPERATION, **responses, "401": _AUTH, "default": _FORCED},
        **more,
    }


def _admin(summary: str, schema: str) -> dict[str, Any]:
    return {"summary": summary, "tags": ["admin"], "responses": {"200": _json("OK", schema)}}


def _other_routes(paths: dict[str, Any], routes: Sequence[BaseRoute]) -> None:
    """Describe the app's other routes (the journal page's, say) from their docstrings, so the
    document lists every route the server has, whoever added it."""
    for route in routes:
        if not isinstance(route, Route):
            continue
        doc = inspect.getdoc(route.endpoint) or route.name
        parameters = [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in route.param_convertors
        ]
        for method in sorted((route.methods or set()) - {"HEAD"}):
            item = paths.setdefault(route.path_format, {})
            item.setdefault(
                method.lower(),
                {
                    "summary": doc.splitlines()[0],
                    "tags": ["admin"],
                    **({"parameters": parameters} if parameters else {}),
                    "responses": {"200": {"description": "OK"}, "default": _FORCED},
                },
            )


def build(service: VideoService, base_url: str, routes: Sequence[BaseRoute] = ()) -> dict[str, Any]:
    """The document for this service (its upstream's create body), served from ``base_url``.

    ``routes`` are the app's own routes; any the document does not already describe is added.
    """
    server = service.registry.server(service.server) if service.server else None
    documents = server.documents if server else tuple(service.registry)
    upstream = server.base_url if server else "all documented servers"
    family = copy.deepcopy(dict(family_document().data))
    document: dict[str, Any] = {
        "openapi": "3.0.3",
        "info": {
            "title": "sora-mock",
            "version": VERSION,
            "description": f"A stateful mock of the OpenAI Videos API as {upstream} publishes it. "
            "POST /v1/videos is checked against the upstream's documents.",
        },
        "servers": [{"url": base_url.rstrip("/")}],
        "paths": {
            "/v1/videos": {
                "post": _op(
                    "Create a video (checked by contract)",
                    {
                        "200": _json("The queued video.", "Video"),
                        "400": _error("The body breaks the contract; `param` names the field."),
                        "413": _error("The upload is larger than --max-upload-mb (`request_too_large`)."),
                        "415": _error("Not multipart/form-data (`unsupported_media_type`)."),
                    },
                    requestBody={
                        "required": True,
                        "content": {"multipart/form-data": {"schema": _ref("CreateVideoRequest")}},
                    },
                ),
            },
            "/openapi.json": {
                "get": {"summary": "This document", "responses": {"200": {"description": "OpenAPI 3.0 JSON."}}}
            },
            "/__admin/requests": {
                "get": _admin("The journal: every request with its verdict, Authorization redacted", "Journal"),
                "delete": _admin("Clear the journal", "Done"),
            },
            "/__admin/reset": {"post": _admin("Forget every video and the journal", "Done")},
        },
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
            "schemas": {**family["components"]["schemas"], **_SCHEMAS, **create_schemas(documents)},
        },
    }
    for kind, items in _components(documents).items():
        document["components"].setdefault(kind, {}).update(items)
    for path, item in family["paths"].items():  # the lifecycle: the family document, as the router serves it
        for method, operation in item.items():
            served = dict(operation)
            served.pop("operationId", None)
            served.pop("x-sora-creates-video", None)
            summary, responses = served.pop("summary"), served.pop("responses")
            document["paths"].setdefault(path, {})[method] = _op(summary, responses, **served)
    _other_routes(document["paths"], routes)
    return document
