"""Contradictions inside a document (and between documents describing the same operation).

A document is its own first test oracle: an example that violates its own schema, or a value its
own prose forbids, is either a documentation bug or an undocumented behaviour, and the contract
suite and the mock inherit it either way. ``lint`` reports those, each with a rule id from
``rules.CATALOG``, a level and a location (file, line, JSON pointer).

Cross-document rules compare a document with its siblings (the other documents in ``specs/``): the
chainhub document lists ``size``'s allowed values, the jxincm ones do not but use ``16x9``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from contract_tests.changes import pointers, prose
from contract_tests.changes.findings import Finding, Location, sort_findings
from contract_tests.changes.loading import Loaded
from contract_tests.changes.rules import rule
from contract_tests.changes.schemas import (
    as_map,
    example_of,
    lenient_refs,
    media_examples,
    operation_label,
    operation_pointer,
    operations,
    required_names,
    server_urls,
)
from contract_tests.core.refs import LocalRefs, unescape
from contract_tests.core.spec_loading import openapi_version

_BOOLEANS = ("true", "false")


@dataclass(frozen=True)
class _Property:
    """One request-body property of one operation, as the document describes it."""

    loaded: Loaded
    path: str
    method: str
    media: str
    name: str
    schema: dict[str, Any]
    pointer: str
    required: bool


def lint(targets: Sequence[Loaded], siblings: Sequence[Loaded] = ()) -> list[Finding]:
    """Findings for every document in ``targets``; ``siblings`` only inform cross-document rules."""
    context = list(targets) + [s for s in siblings if all(s.source != t.source for t in targets)]
    found: list[Finding] = []
    for loaded in targets:
        found += _Linter(loaded, [c for c in context if c is not loaded]).run()
    return sort_findings(found)


class _Linter:
    def __init__(self, loaded: Loaded, others: list[Loaded]) -> None:
        self.loaded = loaded
        self.others = others
        self.refs = lenient_refs(loaded.document)
        # The version's schema dialect, from the one version policy (the loader has read the version).
        self.validator = openapi_version(loaded.document, loaded.source).policy.schema_validator
        self.findings: list[Finding] = []
        self.operation = ""

    def emit(self, rule_id: str, message: str, pointer: str) -> None:
        location = Location(self.loaded.source, pointer, self.loaded.line_of(pointer))
        self.findings.append(Finding(rule_id, rule(rule_id).level, message, location, self.operation))

    def run(self) -> list[Finding]:
        self._refs()
        for path, method, operation in operations(self.loaded.document):
            self.operation = operation_label(path, method)
            self._error_responses(path, method, operation)
            for prop in request_properties(self.loaded, path, method, operation):
                self._property(prop)
            self._required_defined(path, method, operation)
            self._responses(path, method, operation)
            self._conflicts(path, method)
        return self.findings

    # --- structure ---------------------------------------------------------------------------

    def _refs(self) -> None:
        """Every local ``$ref`` that points at nothing or loops, with the core resolver's message (the
        registry refuses the document with the same one)."""
        for problem in LocalRefs(self.loaded.document).problems():
            self.emit("unresolved-ref", problem.message, problem.pointer)

    def _required_defined(self, path: str, method: str, operation: dict[str, Any]) -> None:
        body = as_map(self.refs.deref(operation.get("requestBody")))
        base = pointers.child(operation_pointer(path, method), "requestBody", "content")
        for media, media_obj in as_map(body.get("content")).items():
            for schema, where in _object_schemas(self.refs, as_map(media_obj).get("schema"),
                                                 pointers.child(base, media, "schema")):
                props = as_map(schema.get("properties"))
                for i, name in enumerate(required_names(schema)):
                    if props and name not in props:
                        self.emit("required-property-not-defined",
                                  f"{name!r} is required but not among the properties", f"{where}/required/{i}")

    def _error_responses(self, path: str, method: str, operation: dict[str, Any]) -> None:
        statuses = [str(s) for s in as_map(operation.get("responses"))]
        if not any(s[:1] in ("4", "5") or s == "default" for s in statuses):
            documented = ", ".join(statuses) or "none"
            self.emit("operation-without-error-response",
                      f"{self.operation} documents no error response (4xx, 5xx or default); only: {documented}",
                      pointers.child(operation_pointer(path, method), "responses"))

    # --- request examples ----------------------------------------------------------------------

    def _property(self, prop: _Property) -> None:
        has_example, example = example_of(prop.schema)
        if not has_example:
            if prop.required and "default" not in prop.schema:
                self.emit("required-property-without-example",
                          f"required property {prop.name} has no example", prop.pointer)
            return
        where = f"{prop.pointer}/example"
        error = self._violation(prop.schema, example)
        if error:
            self.emit("example-violates-schema", f"example {example!r} of {prop.name} violates its schema: {error}",
                      where)
        own = prose.allowed_values(prop.schema.get("description"))
        if own is not None and str(example) not in own:
            self.emit("example-violates-documented-constraint",
                      f"example {example!r} of {prop.name} is not among the allowed values its description lists "
                      f"({', '.join(own)})", where)
        elif own is None and not isinstance(prop.schema.get("enum"), list):
            self._sibling_constraints(prop, example, where)
        self._suspicious(prop, example, where)

    def _violation(self, schema: dict[str, Any], instance: object) -> str | None:
        """The first reason ``instance`` fails ``schema``, or ``None``."""
        inlined = self.refs.inline(schema)
        try:
            error = next(iter(self.validator(inlined).iter_errors(instance)), None)
        except Exception as exc:  # a malformed schema is reported, not a crash
            return f"the schema itself is invalid ({type(exc).__name__})"
        return None if error is None else error.message

    def _sibling_constraints(self, prop: _Property, example: object, where: str) -> None:
        for other in self._same_property(prop):
            allowed = other.schema.get("enum")
            values = [str(v) for v in allowed] if isinstance(allowed, list) else prose.allowed_values(
                other.schema.get("description"))
            if values is None or str(example) in values:
                continue
            hint = ""
            if _looks_like_ratio(str(example)) and all(_looks_like_resolution(v) for v in values):
                hint = f"; {example} reads as an aspect ratio where {other.loaded.doc_id} expects WxH resolutions"
            self.emit("example-contradicts-sibling-document",
                      f"example {example!r} of {prop.name} is not among the values {other.loaded.doc_id} allows "
                      f"for {self.operation} ({', '.join(values)}){hint}", where)
            return

    def _suspicious(self, prop: _Property, example: object, where: str) -> None:
        if not isinstance(example, str) or example.lower() in _BOOLEANS:
            return
        near = next((b for b in _BOOLEANS if _osa_distance(example.lower(), b) <= 2), None)
        if near is None:
            return
        evidence = [str(example_of(p.schema)[1]).lower() for p in self._same_property(prop, same_document=True)]
        siblings_boolean = bool(evidence) and all(e in _BOOLEANS for e in evidence)
        anagram = sorted(example.lower()) == sorted(near)
        if not (anagram or siblings_boolean):
            return
        why = (f"; the other examples of {prop.name} are {', '.join(sorted(set(evidence)))}"
               if siblings_boolean else "")
        self.emit("example-suspicious-value",
                  f"example {example!r} of {prop.name} looks like a misspelt {near!r}{why}", where)

    def _same_property(self, prop: _Property, same_document: bool = False) -> Iterator[_Property]:
        """The same (path, method, media type, property) in the sibling documents."""
        for other in [*self.others, self.loaded] if same_document else self.others:
            for path, method, operation in operations(other.document):
                if (path, method) != (prop.path, prop.method):
                    continue
                for candidate in request_properties(other, path, method, operation):
                    if (candidate.media, candidate.name) == (prop.media, prop.name) and candidate != prop:
                        yield candidate

    # --- responses ---------------------------------------------------------------------------

    def _responses(self, path: str, method: str, operation: dict[str, Any]) -> None:
        request_examples = {
            p.name: example_of(p.schema)[1]
            for p in request_properties(self.loaded, path, method, operation)
            if example_of(p.schema)[0] and "." not in p.name
        }
        base = pointers.child(operation_pointer(path, method), "responses")
        for status, response in as_map(operation.get("responses")).items():
            content = as_map(as_map(self.refs.deref(response)).get("content"))
            for media, media_obj in content.items():
                media_map = as_map(media_obj)
                where = pointers.child(base, status, "content", media)
                schema = as_map(self.refs.deref(media_map.get("schema")))
                for example_ptr, example in media_examples(media_map, where):
                    error = self._violation(schema, example) if schema else None
                    if error:
                        self.emit("response-example-violates-schema",
                                  f"the example of response {status} {media} violates its schema: {error}", example_ptr)
                    if str(status).startswith("2") and isinstance(example, dict):
                        self._echoes(example, request_examples, example_ptr, f"{status} {media}")

    def _echoes(self, example: dict[str, Any], request: dict[str, Any], where: str, label: str) -> None:
        for key, value in example.items():
            if key in request and str(value) != str(request[key]):
                self.emit("response-example-disagrees-with-request-example",
                          f"the response {label} example has {key}: {value!r} but the request example sends "
                          f"{key}: {request[key]!r}", pointers.child(where, key))

    # --- across documents ----------------------------------------------------------------------

    def _conflicts(self, path: str, method: str) -> None:
        mine = _shape(self.loaded, path, method)
        servers = set(server_urls(self.loaded.document))
        for other in self.others:
            if not servers & set(server_urls(other.document)):
                continue
            theirs = _shape(other, path, method)
            if theirs is None or mine is None or theirs == mine:
                continue
            parts = []
            for label, a, b in (("properties", mine[0], theirs[0]), ("required", mine[1], theirs[1])):
                if a - b:
                    parts.append(f"{label} only here: {', '.join(sorted(a - b))}")
                if b - a:
                    parts.append(f"{label} only there: {', '.join(sorted(b - a))}")
            self.emit("conflicting-operation-definitions",
                      f"{other.doc_id} also documents "
                      f"{self.operation} on {', '.join(sorted(servers & set(server_urls(other.document))))} "
                      f"differently: {'; '.join(parts)}", operation_pointer(path, method))


def request_properties(loaded: Loaded, path: str, method: str, operation: dict[str, Any]) -> list[_Property]:
    """Every request-body property of an operation (nested ones dotted), with its pointer."""
    refs = lenient_refs(loaded.document)
    body = as_map(refs.deref(operation.get("requestBody")))
    base = pointers.child(operation_pointer(path, method), "requestBody", "content")
    found: list[_Property] = []
    for media, media_obj in as_map(body.get("content")).items():
        schema_ptr = pointers.child(base, media, "schema")
        for schema, where in _object_schemas(refs, as_map(media_obj).get("schema"), schema_ptr):
            required = set(required_names(schema))
            prefix = _dotted(where, base, media)
            for name, raw in as_map(schema.get("properties")).items():
                found.append(_Property(loaded, path, method, str(media), f"{prefix}{name}", as_map(refs.deref(raw)),
                                       pointers.child(where, "properties", name), name in required))
    return found


def _object_schemas(refs: LocalRefs, raw: object, pointer: str, depth: int = 0) -> Iterator[tuple[dict[str, Any], str]]:
    """The body schema and every object schema nested under its properties (refs followed)."""
    schema = as_map(refs.deref(raw))
    if depth > 8 or not schema:
        return
    yield schema, pointer
    for name, sub in as_map(schema.get("properties")).items():
        yield from _object_schemas(refs, sub, pointers.child(pointer, "properties", name), depth + 1)


def _dotted(where: str, base: str, media: str) -> str:
    """``a.b.`` for the object schema at ``.../schema/properties/a/properties/b``."""
    rest = where[len(pointers.child(base, media, "schema")):]
    names = [unescape(t) for t in rest.split("/")[2::2]]
    return "".join(f"{n}." for n in names)


def _shape(loaded: Loaded, path: str, method: str) -> tuple[frozenset[str], frozenset[str]] | None:
    """The (property names, required names) an operation's request body documents."""
    for p, m, operation in operations(loaded.document):
        if (p, m) == (path, method):
            props = request_properties(loaded, p, m, operation)
            return frozenset(x.name for x in props), frozenset(x.name for x in props if x.required)
    return None


def _osa_distance(a: str, b: str) -> int:
    """Optimal-string-alignment edit distance: ``ture`` is one transposition from ``true``."""
    d = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        d[i][0] = i
    for j in range(len(b) + 1):
        d[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


def _looks_like_resolution(value: str) -> bool:
    width, _, height = value.partition("x")
    return width.isdigit() and height.isdigit() and min(int(width), int(height)) >= 100


def _looks_like_ratio(value: str) -> bool:
    width, _, height = value.partition("x")
    return width.isdigit() and height.isdigit() and max(int(width), int(height)) < 100
