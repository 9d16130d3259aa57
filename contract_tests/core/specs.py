"""The spec registry: every OpenAPI document in ``specs/``, loaded and checked once per process.

Everything else (checker, strategies, mocks, suite, CLIs) reads the documents through this
module, so editing a YAML file changes what is generated and checked with no code change.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jsonschema_path import SchemaPath
from openapi_core import OpenAPI
from openapi_core.validation.schemas import (
    oas30_read_schema_validators_factory,
    oas30_write_schema_validators_factory,
)
from openapi_core.validation.schemas.validators import SchemaValidator
from openapi_schema_validator import OAS30WriteValidator, oas30_format_checker

from contract_tests.core.bundled import SPECS_ENV, document_files, specs_dir

# specs_dir stays importable from here, its home before the installed-package case needed a module.
from contract_tests.core.media_type import MULTIPART
from contract_tests.core.refs import LocalRefs, RefError
from contract_tests.core.spec_loading import DocumentError, checkable, parse_plain, read_text

_HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


class SpecError(Exception):
    """A document in ``specs/`` cannot be used; the message names the file and the problem."""


def server_id_for(url: str) -> str:
    """Name a server after its host: ``https://api.jxincm.cn`` -> ``jxincm``.

    The id drops a leading ``api``/``www`` label and the top-level domain, which keeps ids short
    enough for flags and environment variables (``SORA_JXINCM_API_KEY``).
    """
    host = urlsplit(url).hostname or url
    labels = [label for label in host.split(".") if label]
    if len(labels) > 1:
        labels = labels[:-1]
    if len(labels) > 1 and labels[0] in {"api", "www"}:
        labels = labels[1:]
    return re.sub(r"[^a-z0-9]+", "-", "-".join(labels).lower()).strip("-") or "local"


@dataclass(frozen=True)
class Property:
    """One property of a request body schema, as the wire sees it."""

    name: str
    schema: Mapping[str, Any]
    required: bool

    # Computed once and kept (cached_property): the checker asks these several times per field.
    @functools.cached_property
    def type(self) -> str:
        return str(self.schema.get("type", "string"))

    @functools.cached_property
    def format(self) -> str | None:
        fmt = self.schema.get("format")
        return str(fmt) if fmt is not None else None

    @functools.cached_property
    def is_file(self) -> bool:
        """A ``format: binary`` string travels as a file part; anything else as a text part."""
        return self.type == "string" and self.format == "binary"

    @functools.cached_property
    def is_list(self) -> bool:
        """An array property is the only one that may legitimately repeat on the wire."""
        return self.type == "array"

    @functools.cached_property
    def cast_kind(self) -> str | None:
        """The type :meth:`cast` reads a text value as (of the items, for an array), None when text
        stays text: the checker casts only where this is set, without a call per string field."""
        kind = (self.schema.get("items") or {}).get("type") if self.is_list else self.schema.get("type")
        return kind if kind in {"integer", "number", "boolean"} else None

    def cast(self, text: str) -> Any:
        """A multipart text value as the schema's type, where it reads as one (else left as text)."""
        kind = self.cast_kind
        if kind is None:
            return text
        try:
            if kind == "integer":
                return int(text)
            if kind == "number":
                return float(text)
        except ValueError:
            return text
        if kind == "boolean" and text.lower() in {"true", "false"}:
            return text.lower() == "true"
        return text

    @functools.cached_property
    def _validator(self) -> Any:
        return OAS30WriteValidator(dict(self.schema), format_checker=oas30_format_checker)

    def accepts(self, text: str) -> bool:
        """Whether this text, sent as the property's part, satisfies the property's own schema."""
        value = self.cast(text)
        return bool(self._validator.is_valid([value] if self.is_list else value))

    @property
    def examples(self) -> tuple[Any, ...]:
        """Every example value the document gives for this property, in document order."""
        found: list[Any] = []
        if "example" in self.schema:
            found.append(self.schema["example"])
        found.extend(self.schema.get("examples") or [])
        if "default" in self.schema:
            found.append(self.schema["default"])
        return tuple(found)


@dataclass(frozen=True)
class RequestBody:
    """A request body for one media type, with its validator compiled once."""

    media_type: str
    schema: Mapping[str, Any]
    properties: tuple[Property, ...]
    additional_properties: bool
    validator: SchemaValidator
    any_string_fits: frozenset[str] = frozenset()

    @functools.cached_property
    def _by_name(self) -> dict[str, Property]:
        found: dict[str, Property] = {}
        for prop in self.properties:
            found.setdefault(prop.name, prop)  # the first of a name, as a scan would find
        return found

    def property_named(self, name: str) -> Property | None:
        return self._by_name.get(name)

    @functools.cached_property
    def required(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.properties if p.required)

    @functools.cached_property
    def plain_fields(self) -> Mapping[str, tuple[bool, bool]]:
        """``name -> (is_file, required)`` for the properties of :attr:`any_string_fits`.

        A multipart body whose parts each name a different one of these, files as file parts and
        text as text parts, with every required one there, has nothing the checker could report:
        the checker's fast lane accepts it from this map alone (the common create).
        """
        required = set(self.required)
        return {
            name: (prop.is_file, name in required)
            for name, prop in self._by_name.items()
            if name in self.any_string_fits
        }

    @functools.cached_property
    def required_count(self) -> int:
        """How many distinct names are required (what the fast lane counts off)."""
        return len(set(self.required))


@dataclass(frozen=True)
class Operation:
    """One operation of one document, with everything the checker needs precompiled."""

    document_id: str
    method: str
    path: str
    path_regex: re.Pattern[str]
    bodies: Mapping[str, RequestBody]
    security: tuple[Mapping[str, Any], ...]
    responses: Mapping[str, Mapping[str, Any]]
    response_validators: Mapping[str, SchemaValidator]
    # The document's operationId (else "METHOD path"): what a door dispatches a routed request on.
    operation_id: str = ""
    # x-sora-creates-video: the operation starts a video (the controls' failure draws apply to it).
    creates_video: bool = False

    @property
    def multipart(self) -> RequestBody | None:
        """The multipart/form-data body: an operation with one is a create call (the one rule
        routing, strategies and /openapi.json share)."""
        return self.bodies.get(MULTIPART)

    def path_params(self, path: str) -> dict[str, str] | None:
        """The path's parameters when it matches this operation's template, else None."""
        match = self.path_regex.fullmatch(path)
        return match.groupdict() if match is not None else None

    def matches(self, method: str, path: str) -> bool:
        return method.lower() == self.method and self.path_regex.fullmatch(path) is not None

    @property
    def needs_bearer(self) -> bool:
        """True when every alternative security requirement needs an HTTP bearer token."""
        return bool(self.security) and all(req for req in self.security)


@dataclass(frozen=True)
class Document:
    """One OpenAPI document of ``specs/``."""

    id: str
    path: Path
    data: Mapping[str, Any]
    openapi: OpenAPI
    server_urls: tuple[str, ...]
    operations: tuple[Operation, ...]

    @property
    def server_id(self) -> str:
        return server_id_for(self.server_urls[0]) if self.server_urls else "local"

    @property
    def base_url(self) -> str:
        return self.server_urls[0].rstrip("/") if self.server_urls else "http://localhost"

    @property
    def create_operation(self) -> Operation | None:
        """The document's create call: its first operation with a multipart body."""
        return next((op for op in self.operations if op.multipart is not None), None)

    def operation(self, method: str, path: str) -> Operation | None:
        for op in self.operations:
            if op.matches(method, path):
                return op
        return None


@dataclass(frozen=True)
class Server:
    """A relay: the documents that share one server host."""

    id: str
    base_url: str
    documents: tuple[Document, ...]


@dataclass(frozen=True)
class SpecRegistry:
    """All documents of one specs directory, indexed by document id and by server id."""

    directory: Path
    documents: Mapping[str, Document]
    servers: Mapping[str, Server] = field(init=False)

    def __post_init__(self) -> None:
        grouped: dict[str, list[Document]] = {}
        for doc in self.documents.values():
            grouped.setdefault(doc.server_id, []).append(doc)
        servers = {
            sid: Server(sid, docs[0].base_url, tuple(docs)) for sid, docs in sorted(grouped.items())
        }
        object.__setattr__(self, "servers", servers)

    def __iter__(self) -> Iterator[Document]:
        return iter(self.documents.values())

    def document(self, doc_id: str) -> Document:
        try:
            return self.documents[doc_id]
        except KeyError:
            known = ", ".join(self.documents) or "none"
            raise SpecError(f"unknown document {doc_id!r} (known: {known})") from None

    def server(self, server_id: str) -> Server:
        try:
            return self.servers[server_id]
        except KeyError:
            known = ", ".join(self.servers) or "none"
            raise SpecError(f"unknown server {server_id!r} (known: {known})") from None

    def server_for_host(self, host: str) -> Server | None:
        for server in self.servers.values():
            if urlsplit(server.base_url).hostname == host:
                return server
        return None

    def with_document(self, path: Path, doc_id: str | None = None) -> SpecRegistry:
        """A registry with one more document (or one replaced), as ``sora-mock --spec`` needs."""
        doc = load_document(path, doc_id)
        docs = dict(self.documents)
        docs[doc.id] = doc
        return SpecRegistry(self.directory, docs)


def _path_regex(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}/]+\})", template)
    names: set[str] = set()

    def piece(part: str) -> str:
        if not part.startswith("{"):
            return re.escape(part)
        name = part[1:-1]
        if not name.isidentifier() or name in names:
            return "[^/]+"
        names.add(name)
        return f"(?P<{name}>[^/]+)"

    return re.compile("".join(piece(p) for p in parts))


_ANNOTATIONS = {"description", "title", "example", "examples", "default", "deprecated", "nullable"}


def _any_string_fits(schema: Mapping[str, Any], props: tuple[Property, ...]) -> frozenset[str]:
    """Properties that any value of their wire kind satisfies (text for strings, bytes for binary).

    When every field sent is one of these, schema validation cannot fail, so the checker skips it:
    that is most requests to these documents. Computed once per document.
    """
    object_keys = {"type", "properties", "required", "additionalProperties"} | _ANNOTATIONS
    if any(k not in object_keys and not k.startswith("x-") for k in schema):
        return frozenset()
    fits = set()
    for prop in props:
        keys = {k for k in prop.schema if not k.startswith("x-")} - _ANNOTATIONS
        if prop.schema.get("type") == "string" and keys <= {"type", "format"} and prop.format in (None, "binary"):
            fits.add(prop.name)
    return frozenset(fits)


def _request_bodies(
    spec: SchemaPath, op_path: SchemaPath, raw_op: Mapping[str, Any], refs: LocalRefs
) -> dict[str, RequestBody]:
    content = refs.deref(raw_op.get("requestBody") or {}).get("content") or {}
    bodies: dict[str, RequestBody] = {}
    for media_type, media in content.items():
        schema = refs.deref(refs.deref(media or {}).get("schema") or {})
        required = set(schema.get("required") or [])
        # Each property's schema self-contained: the strategies read it and Property validates with it
        # alone. A recursive one is copied down to where it repeats itself (``{}`` from there): the
        # body's validator below, which reads the whole document, still checks the recursion.
        props = tuple(
            Property(name, refs.inline(sub or {}, open_recursion=True), name in required)
            for name, sub in (schema.get("properties") or {}).items()
        )
        schema_path = op_path / "requestBody" / "content" / media_type / "schema"
        additional = schema.get("additionalProperties", False) is not False
        validator = oas30_write_schema_validators_factory.create(
            spec, schema_path, forbid_unspecified_additional_properties=True
        )
        bodies[media_type.lower()] = RequestBody(
            media_type.lower(), schema, props, additional, validator, _any_string_fits(schema, props)
        )
    return bodies


def _operations(doc_id: str, openapi: OpenAPI, data: Mapping[str, Any]) -> tuple[Operation, ...]:
    spec = openapi.spec
    refs = LocalRefs(data)
    global_security = tuple(data.get("security") or ())
    ops: list[Operation] = []
    for path, item in (data.get("paths") or {}).items():
        for method in _HTTP_METHODS:
            raw = refs.deref(item or {}).get(method)
            if raw is None:
                continue
            op_path = spec / "paths" / path / method
            responses = {str(code): refs.deref(resp or {}) for code, resp in (raw.get("responses") or {}).items()}
            validators: dict[str, SchemaValidator] = {}
            for code, resp in responses.items():
                if ((resp.get("content") or {}).get("application/json") or {}).get("schema") is not None:
                    schema_path = op_path / "responses" / code / "content" / "application/json" / "schema"
                    validators[code] = oas30_read_schema_validators_factory.create(spec, schema_path)
            security = raw.get("security", global_security)
            ops.append(
                Operation(
                    document_id=doc_id,
                    method=method,
                    path=path,
                    path_regex=_path_regex(path),
                    bodies=_request_bodies(spec, op_path, raw, refs),
                    security=tuple(security or ()),
                    responses=responses,
                    response_validators=validators,
                    operation_id=str(raw.get("operationId") or f"{method.upper()} {path}"),
                    creates_video=raw.get("x-sora-creates-video") is True,
                )
            )
    return tuple(ops)


def load_document(path: Path, doc_id: str | None = None) -> Document:
    """Load and check one document; any problem becomes a :class:`SpecError` naming the file.

    What is a readable document, which versions the checker enforces and how ``$ref`` s resolve are
    decided in ``spec_loading`` and ``refs`` (shared with ``sora-contract diff``/``lint``); on top,
    openapi-core validates the document as OpenAPI 3.0.
    """
    path = Path(path)
    try:
        data = parse_plain(read_text(path), str(path))
    except DocumentError as exc:
        raise SpecError(str(exc)) from None
    return document_from(data, path, doc_id or path.stem)


def document_from(data: Mapping[str, Any], path: Path, doc_id: str, source: str | None = None) -> Document:
    """The registry's whole gate on a parsed document: what :func:`load_document` applies to a
    file, and ``sora-contract adopt`` to a document before it writes it into ``specs/``. ``path``
    resolves its base URI; messages name ``source`` (default: the path). Any problem is a
    :class:`SpecError` whose message starts with that name."""
    name = source or str(path)
    try:
        checkable(data, name)
    except DocumentError as exc:
        raise SpecError(str(exc)) from None
    try:
        openapi = OpenAPI.from_dict(dict(data), base_uri=path.resolve().as_uri())
    except Exception as exc:  # openapi-spec-validator raises many types; all mean "broken document"
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        where = "/".join(str(p) for p in getattr(exc, "path", ()) or ())
        location = f" at {where}" if where else ""
        raise SpecError(f"{name}: not a valid OpenAPI 3.0 document{location}: {message}") from None
    servers = tuple(str(s.get("url", "")) for s in data.get("servers") or () if s.get("url"))
    try:
        operations = _operations(doc_id, openapi, data)
    except RefError as exc:  # a schema a multipart field or a validator needs inlined contains itself
        raise SpecError(f"{name}: {exc}") from None
    return Document(doc_id, path, data, openapi, servers, operations)


@functools.lru_cache(maxsize=8)
def _load_registry(directory: Path) -> SpecRegistry:
    if not directory.is_dir():
        raise SpecError(f"{directory}: specs directory does not exist (set {SPECS_ENV} to another one)")
    files = document_files(directory)
    if not files:
        raise SpecError(f"{directory}: no *.yaml documents")
    return SpecRegistry(directory, {doc.id: doc for doc in map(load_document, files)})


def load_registry(directory: Path | str | None = None) -> SpecRegistry:
    """The registry for ``directory`` (default :func:`specs_dir`), loaded once per process."""
    return _load_registry(Path(directory).resolve() if directory is not None else specs_dir())
