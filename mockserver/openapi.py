"""sora-mock's own OpenAPI document, served at ``GET /openapi.json``.

It describes every route the server answers, with the error responses each one can give, so
other tools (schemathesis, Prism, our own conformance checks) can test the mock itself. The
create call's body is taken from the enforced upstream's documents, so it says exactly what
the checker accepts: when an upstream publishes several documents for the operation, their
properties are merged and only the fields all of them require are required.
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Mapping, Sequence
from typing import Any

from starlette.routing import BaseRoute, Route

from contract_tests.core.controls import MAX_LATENCY_MS
from contract_tests.core.routing import family_document
from contract_tests.core.service import VideoService
from contract_tests.core.specs import Document

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
    "description": "Edge cases on demand (RFC 7240, in Prism's style): `code=503` answers that error status; "
    "`video=failed` (with optional `failure-code=...`) makes the created video end failed; "
    f"`latency=MS` (0 to {MAX_LATENCY_MS:g}) delays the answer; `render-seconds=S` sets how long this video "
    "renders. Applied preferences are echoed in `Preference-Applied`.",
    "schema": {"type": "string"},
}
_AUTH = _error("Missing or malformed bearer token (`invalid_api_key`).")
_FORCED = _error("Any status forced with `Prefer: code=...` or drawn by `--error-rate`; 405 for a wrong method.")


def _strip_refs(schema: Any) -> Any:
    """A copied upstream schema must not point into its own document: refs become ``{}``."""
    if isinstance(schema, Mapping):
        if "$ref" in schema:
            return {}
        return {k: _strip_refs(v) for k, v in schema.items()}
    if isinstance(schema, list):
        return [_strip_refs(v) for v in schema]
    return copy.deepcopy(schema)


def create_schema(documents: tuple[Document, ...]) -> dict[str, Any]:
    """The create body the checker accepts: properties merged, only the all-required required."""
    properties: dict[str, Any] = {}
    required: list[str] | None = None
    for doc in documents:
        op = doc.create_operation
        body = op.multipart if op is not None else None
        if body is not None:
            for prop in body.properties:
                properties.setdefault(prop.name, _strip_refs(prop.schema))
            names = list(body.required)
            required = names if required is None else [n for n in required if n in names]
    schema: dict[str, Any] = {
        "type": "object",
        "description": "Merged from the upstream documents " + ", ".join(d.id for d in documents) + ".",
        "properties": properties,
        "additionalProperties": False,
    }
    if required:
        schema["required"] = required
    return schema


def _op(summary: str, responses: dict[str, Any], **more: Any) -> dict[str, Any]:
    parameters = [*more.pop("parameters", []), _PREFER]
    return {
        "summary": summary,
        "security": [{"bearerAuth": []}],
        "parameters": parameters,
        "responses": {**responses, "401": _AUTH, "default": _FORCED},
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
            "schemas": {**family["components"]["schemas"], **_SCHEMAS, "CreateVideoRequest": create_schema(documents)},
        },
    }
    for path, item in family["paths"].items():  # the lifecycle: the family document, as the router serves it
        for method, operation in item.items():
            served = dict(operation)
            served.pop("operationId", None)
            served.pop("x-sora-creates-video", None)
            summary, responses = served.pop("summary"), served.pop("responses")
            document["paths"].setdefault(path, {})[method] = _op(summary, responses, **served)
    _other_routes(document["paths"], routes)
    return document
