"""Classifying the changes between two versions of an OpenAPI document, oasdiff-style.

Operations are matched by (path, method); request bodies by media type and then property by
property (nested objects and array items included); responses by status code and media type.
Local ``$ref``s are followed on both sides, so moving a schema into ``components`` is not a change.
Every change is a ``Finding`` whose rule id and level come from ``rules.CATALOG``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from contract_tests.changes import pointers, prose
from contract_tests.changes.findings import Finding, Location, sort_findings
from contract_tests.changes.loading import Loaded
from contract_tests.changes.rules import rule
from contract_tests.changes.schemas import (
    HTTP_METHODS,
    as_list,
    as_map,
    example_of,
    lenient_refs,
    media_examples,
    operation_label,
    operation_pointer,
    required_names,
    type_of,
)

Side = Literal["old", "new"]
Direction = Literal["request", "response"]


def diff(old: Loaded, new: Loaded) -> list[Finding]:
    """Every change from ``old`` to ``new``, sorted errors first."""
    ctx = _Context(old, new)
    _document(ctx)
    _servers(ctx)
    _global_security(ctx)
    _paths(ctx)
    return sort_findings(ctx.findings)


@dataclass
class _Context:
    """Both documents, their resolvers, and the findings collected so far."""

    old: Loaded
    new: Loaded
    findings: list[Finding] = field(default_factory=list)
    operation: str = ""

    def __post_init__(self) -> None:
        self.old_refs = lenient_refs(self.old.document)
        self.new_refs = lenient_refs(self.new.document)

    def emit(self, rule_id: str, message: str, pointer: str, side: Side = "new") -> None:
        """Record a change located at ``pointer`` in the old or the new document."""
        loaded = self.new if side == "new" else self.old
        location = Location(loaded.source, pointer, loaded.line_of(pointer))
        self.findings.append(Finding(rule_id, rule(rule_id).level, message, location, self.operation))

    def old_node(self, node: Any) -> dict[str, Any]:
        return as_map(self.old_refs.deref(node))

    def new_node(self, node: Any) -> dict[str, Any]:
        return as_map(self.new_refs.deref(node))


def _fmt(value: object) -> str:
    """A value as it reads in a message (``'sora-2'``, ``10``, ``(none)``)."""
    return "(none)" if value is None else repr(value) if isinstance(value, str) else str(value)


# --- document, servers, security -----------------------------------------------------------------


def _document(ctx: _Context) -> None:
    old, new = ctx.old.document, ctx.new.document
    if str(old.get("openapi")) != str(new.get("openapi")):
        ctx.emit("openapi-version-changed",
                 f"openapi changed from {_fmt(old.get('openapi'))} to {_fmt(new.get('openapi'))}", "/openapi")
    old_version, new_version = as_map(old.get("info")).get("version"), as_map(new.get("info")).get("version")
    if old_version != new_version:
        ctx.emit("api-version-changed",
                 f"info.version changed from {_fmt(old_version)} to {_fmt(new_version)}", "/info/version")


def _server(raw: object) -> dict[str, Any]:
    """A server object with its URL as a string (or ``None``), whatever the document holds."""
    server = dict(as_map(raw))
    if server.get("url") is not None:
        server["url"] = str(server["url"])
    return server


def _servers(ctx: _Context) -> None:
    old = [_server(s) for s in as_list(ctx.old.document.get("servers"))]
    new = [_server(s) for s in as_list(ctx.new.document.get("servers"))]
    new_urls = {s.get("url") for s in new}
    old_urls = {s.get("url") for s in old}
    for i, server in enumerate(old):
        url = server.get("url")
        match = next((s for s in new if s.get("url") == url), None)
        if match is not None:
            if server.get("description") != match.get("description"):
                ctx.emit("server-description-changed",
                         f"the description of server {url} changed from {_fmt(server.get('description'))} "
                         f"to {_fmt(match.get('description'))}", pointers.join("servers", new.index(match)))
        elif i < len(new) and new[i].get("url") not in old_urls:
            ctx.emit("server-url-changed", f"server URL changed from {url} to {new[i].get('url')}",
                     pointers.join("servers", i, "url"))
        else:
            ctx.emit("server-removed", f"server {url} was removed", pointers.join("servers", i), "old")
    for i, server in enumerate(new):
        url = server.get("url")
        replaced = i < len(old) and old[i].get("url") not in new_urls
        if url not in old_urls and not replaced:
            ctx.emit("server-added", f"server {url} was added", pointers.join("servers", i))


def _alternatives(requirements: object) -> set[frozenset[str]]:
    """A security requirement list as a set of alternatives, each a set of scheme names."""
    return {frozenset(str(k) for k in as_map(r)) for r in as_list(requirements)}


def _describe(alternative: frozenset[str]) -> str:
    return " + ".join(sorted(alternative)) or "(anonymous)"


def _security_change(ctx: _Context, old: object, new: object, prefix: str, pointer: str, where: str) -> None:
    old_alts, new_alts = _alternatives(old), _alternatives(new)
    for alt in sorted(new_alts - old_alts, key=sorted):
        ctx.emit(f"{prefix}-added", f"{where}security requirement {_describe(alt)} was added", pointer)
    for alt in sorted(old_alts - new_alts, key=sorted):
        ctx.emit(f"{prefix}-removed", f"{where}security requirement {_describe(alt)} was removed", pointer, "old")


def _global_security(ctx: _Context) -> None:
    old, new = ctx.old.document, ctx.new.document
    _security_change(ctx, old.get("security"), new.get("security"), "api-global-security", "/security", "global ")
    old_schemes = as_map(as_map(old.get("components")).get("securitySchemes"))
    new_schemes = as_map(as_map(new.get("components")).get("securitySchemes"))
    for name in old_schemes.keys() - new_schemes.keys():
        ctx.emit("security-scheme-removed", f"security scheme {name} was removed",
                 pointers.join("components", "securitySchemes", name), "old")
    for name in new_schemes.keys() - old_schemes.keys():
        ctx.emit("security-scheme-added", f"security scheme {name} was added",
                 pointers.join("components", "securitySchemes", name))
    for name in sorted(old_schemes.keys() & new_schemes.keys()):
        before, after = ctx.old_node(old_schemes[name]), ctx.new_node(new_schemes[name])
        for key in ("type", "scheme", "in", "name", "bearerFormat"):
            if before.get(key) != after.get(key):
                ctx.emit("security-scheme-changed",
                         f"security scheme {name}: {key} changed from {_fmt(before.get(key))} "
                         f"to {_fmt(after.get(key))}", pointers.join("components", "securitySchemes", name, key))


# --- paths and operations ------------------------------------------------------------------------


def _paths(ctx: _Context) -> None:
    old_paths = as_map(ctx.old.document.get("paths"))
    new_paths = as_map(ctx.new.document.get("paths"))
    for path in old_paths:
        if path not in new_paths:
            ctx.operation = path
            ctx.emit("api-path-removed", f"path {path} was removed", pointers.join("paths", path), "old")
    for path in new_paths:
        if path not in old_paths:
            ctx.operation = path
            ctx.emit("api-path-added", f"path {path} was added", pointers.join("paths", path))
    for path in old_paths:
        if path in new_paths:
            _path_item(ctx, path, ctx.old_node(old_paths[path]), ctx.new_node(new_paths[path]))
    ctx.operation = ""


def _methods(item: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {m: as_map(op) for m, op in item.items() if m in HTTP_METHODS}


def _path_item(ctx: _Context, path: str, old: dict[str, Any], new: dict[str, Any]) -> None:
    old_ops, new_ops = _methods(old), _methods(new)
    for method in old_ops:
        ctx.operation = operation_label(path, method)
        if method not in new_ops:
            ctx.emit("api-operation-removed", f"{ctx.operation} was removed", operation_pointer(path, method), "old")
    for method in new_ops:
        ctx.operation = operation_label(path, method)
        if method not in old_ops:
            ctx.emit("api-operation-added", f"{ctx.operation} was added", operation_pointer(path, method))
    for method in old_ops:
        if method in new_ops:
            ctx.operation = operation_label(path, method)
            _operation(ctx, path, method, old, new)


def _operation(ctx: _Context, path: str, method: str, old_item: dict[str, Any], new_item: dict[str, Any]) -> None:
    old, new = ctx.old_node(old_item[method]), ctx.new_node(new_item[method])
    ptr = operation_pointer(path, method)
    if bool(old.get("deprecated")) != bool(new.get("deprecated")):
        if new.get("deprecated"):
            ctx.emit("api-operation-deprecated", f"{ctx.operation} was deprecated", f"{ptr}/deprecated")
        else:
            ctx.emit("api-operation-reactivated", f"{ctx.operation} is no longer deprecated", f"{ptr}/deprecated")
    for key, rule_id in (("operationId", "api-operation-id-changed"), ("summary", "api-summary-changed"),
                         ("description", "api-description-changed")):
        if old.get(key) != new.get(key):
            ctx.emit(rule_id, f"{key} changed from {_fmt(old.get(key))} to {_fmt(new.get(key))}", f"{ptr}/{key}")
    old_tags, new_tags = [str(t) for t in as_list(old.get("tags"))], [str(t) for t in as_list(new.get("tags"))]
    for tag in new_tags:
        if tag not in old_tags:
            ctx.emit("api-tag-added", f"tag {tag!r} was added", f"{ptr}/tags")
    for tag in old_tags:
        if tag not in new_tags:
            ctx.emit("api-tag-removed", f"tag {tag!r} was removed", f"{ptr}/tags", "old")
    for key in sorted({k for k in (*old, *new) if k.startswith("x-")}):
        if old.get(key) != new.get(key):
            ctx.emit("api-extension-changed",
                     f"{key} changed from {_fmt(old.get(key))} to {_fmt(new.get(key))}", pointers.child(ptr, key))
    if "security" in old or "security" in new:
        _security_change(ctx, old.get("security", ctx.old.document.get("security")),
                         new.get("security", ctx.new.document.get("security")), "api-security", f"{ptr}/security", "")
    _parameters(ctx, ptr, old_item, new_item, old, new)
    _request_body(ctx, ptr, old.get("requestBody"), new.get("requestBody"))
    _responses(ctx, ptr, as_map(old.get("responses")), as_map(new.get("responses")))


# --- parameters ----------------------------------------------------------------------------------


def _parameter_map(ctx: _Context, side: Side, item: dict[str, Any], op: dict[str, Any],
                   ptr: str) -> dict[tuple[str, str], tuple[dict[str, Any], str]]:
    """Path-level parameters overridden by operation-level ones, keyed by (in, name)."""
    node = ctx.old_node if side == "old" else ctx.new_node
    found: dict[tuple[str, str], tuple[dict[str, Any], str]] = {}
    for base, params in ((pointers.parent(ptr), item.get("parameters")), (ptr, op.get("parameters"))):
        for i, raw in enumerate(as_list(params)):
            param = node(raw)
            found[(str(param.get("in")), str(param.get("name")))] = (param, pointers.child(base, "parameters", i))
    return found


def _parameters(ctx: _Context, ptr: str, old_item: dict[str, Any], new_item: dict[str, Any],
                old_op: dict[str, Any], new_op: dict[str, Any]) -> None:
    old = _parameter_map(ctx, "old", old_item, old_op, ptr)
    new = _parameter_map(ctx, "new", new_item, new_op, ptr)
    for key, (_, where) in old.items():
        if key not in new:
            ctx.emit("request-parameter-removed", f"the {key[0]} parameter {key[1]} was removed", where, "old")
    for key, (param, where) in new.items():
        label = f"the {key[0]} parameter {key[1]}"
        if key not in old:
            kind = "required" if param.get("required") else "optional"
            ctx.emit(f"new-{kind}-request-parameter", f"added the new {kind} {key[0]} parameter {key[1]}", where)
            continue
        before = old[key][0]
        if bool(param.get("required")) != bool(before.get("required")):
            state = "required" if param.get("required") else "optional"
            ctx.emit(f"request-parameter-became-{state}", f"{label} became {state}", where)
        old_schema, new_schema = ctx.old_node(before.get("schema")), ctx.new_node(param.get("schema"))
        for attr in ("type", "format"):
            if old_schema.get(attr) != new_schema.get(attr):
                ctx.emit("request-parameter-type-changed", f"{label}: {attr} changed from "
                         f"{_fmt(old_schema.get(attr))} to {_fmt(new_schema.get(attr))}", f"{where}/schema")


# --- request body --------------------------------------------------------------------------------


def _request_body(ctx: _Context, ptr: str, old_raw: object, new_raw: object) -> None:
    where = f"{ptr}/requestBody"
    if old_raw is None and new_raw is None:
        return
    old, new = ctx.old_node(old_raw), ctx.new_node(new_raw)
    if old_raw is None:
        if new.get("required"):
            ctx.emit("request-body-added-required", "a required request body was added", where)
        return
    if new_raw is None:
        ctx.emit("request-body-removed", "the request body was removed", where, "old")
        return
    if new.get("required") and not old.get("required"):
        ctx.emit("request-body-became-required", "the request body became required", f"{where}/required")
    for media, old_media, new_media, where_media in _media_types(ctx, old, new, where, "request-body", "request"):
        _SchemaDiff(ctx, "request", media).compare(
            old_media.get("schema"), new_media.get("schema"), f"{where_media}/schema", f"{where_media}/schema",
            None, set(), set())


def _media_types(ctx: _Context, old: dict[str, Any], new: dict[str, Any], where: str, prefix: str,
                 label: str) -> list[tuple[str, dict[str, Any], dict[str, Any], str]]:
    """Report removed/added media types of a body; return the common ones to compare further."""
    old_content, new_content = as_map(old.get("content")), as_map(new.get("content"))
    for media in old_content:
        if media not in new_content:
            ctx.emit(f"{prefix}-media-type-removed", f"{label} media type {media} was removed",
                     pointers.child(where, "content", media), "old")
    common = []
    for media in new_content:
        where_media = pointers.child(where, "content", media)
        if media in old_content:
            common.append((str(media), as_map(old_content[media]), as_map(new_content[media]), where_media))
        else:
            ctx.emit(f"{prefix}-media-type-added", f"{label} media type {media} was added", where_media)
    return common


# --- responses -----------------------------------------------------------------------------------


def _is_success(status: str) -> bool:
    return status.upper().startswith("2")


def _responses(ctx: _Context, ptr: str, old: dict[str, Any], new: dict[str, Any]) -> None:
    base = f"{ptr}/responses"
    for status in old:
        if status not in new:
            kind = "success" if _is_success(str(status)) else "non-success"
            ctx.emit(f"response-{kind}-status-removed", f"response status {status} was removed",
                     pointers.child(base, status), "old")
    for status in new:
        where = pointers.child(base, status)
        if status not in old:
            kind = "success" if _is_success(str(status)) else "non-success"
            ctx.emit(f"response-{kind}-status-added", f"response status {status} was added", where)
            continue
        before, after = ctx.old_node(old[status]), ctx.new_node(new[status])
        if before.get("description") != after.get("description"):
            ctx.emit("response-description-changed", f"the description of response {status} changed from "
                     f"{_fmt(before.get('description'))} to {_fmt(after.get('description'))}", f"{where}/description")
        for media, old_media, new_media, where_media in _media_types(
            ctx, before, after, where, "response", f"response {status}"
        ):
            label = f"{status} {media}"
            _SchemaDiff(ctx, "response", label).compare(
                old_media.get("schema"), new_media.get("schema"), f"{where_media}/schema", f"{where_media}/schema",
                None, set(), set())
            old_examples = dict(media_examples(old_media, where_media))
            for example_ptr, value in media_examples(new_media, where_media):
                if example_ptr in old_examples and old_examples[example_ptr] != value:
                    ctx.emit("response-example-changed", f"the example of response {label} changed", example_ptr)


# --- schemas -------------------------------------------------------------------------------------

_BOUNDS: tuple[tuple[str, str, Callable[[float, float], bool]], ...] = (
    ("maxLength", "request-property-max-length-decreased", lambda old, new: new < old),
    ("minLength", "request-property-min-length-increased", lambda old, new: new > old),
    ("maximum", "request-property-max-decreased", lambda old, new: new < old),
    ("minimum", "request-property-min-increased", lambda old, new: new > old),
)


@dataclass
class _SchemaDiff:
    """Compares two schemas of one request or response body, property by property."""

    ctx: _Context
    direction: Direction
    body: str

    def compare(self, old_raw: object, new_raw: object, old_ptr: str, new_ptr: str, name: str | None,
                old_required: set[str], new_required: set[str], depth: int = 0) -> None:
        """Compare a (property) schema; ``name`` is its dotted path, ``None`` for the body itself."""
        if depth > 16:
            return
        old, new = self.ctx.old_node(old_raw), self.ctx.new_node(new_raw)
        if name is not None:
            self._leaf(old, new, new_ptr, name)
        old_props, new_props = as_map(old.get("properties")), as_map(new.get("properties"))
        old_req, new_req = set(required_names(old)), set(required_names(new))
        prefix = f"{name}." if name else ""
        for prop in old_props:
            if prop not in new_props:
                self._removed(f"{prefix}{prop}", prop in old_req, pointers.child(old_ptr, "properties", prop))
        for prop in new_props:
            where = pointers.child(new_ptr, "properties", prop)
            if prop not in old_props:
                self._added(f"{prefix}{prop}", prop in new_req, where)
                continue
            if (prop in old_req) != (prop in new_req):
                self._required_changed(f"{prefix}{prop}", prop in new_req, where)
            self.compare(old_props[prop], new_props[prop], pointers.child(old_ptr, "properties", prop), where,
                         f"{prefix}{prop}", old_req, new_req, depth + 1)
        if "items" in old or "items" in new:
            self.compare(old.get("items"), new.get("items"), f"{old_ptr}/items", f"{new_ptr}/items",
                         f"{name or ''}[]", set(), set(), depth + 1)

    def _rid(self, suffix: str) -> str:
        return f"{self.direction}-property-{suffix}"

    def _say(self, prop: str) -> str:
        return f"the {self.direction} property {prop}" + (f" ({self.body})" if self.direction == "response" else "")

    def _removed(self, prop: str, was_required: bool, where: str) -> None:
        if self.direction == "request":
            self.ctx.emit("request-property-removed", f"{self._say(prop)} was removed", where, "old")
        else:
            kind = "required" if was_required else "optional"
            self.ctx.emit(f"response-{kind}-property-removed", f"the {kind} {self._say(prop)[4:]} was removed",
                          where, "old")

    def _added(self, prop: str, required: bool, where: str) -> None:
        kind = "required" if required else "optional"
        if self.direction == "request":
            self.ctx.emit(f"new-{kind}-request-property", f"added the new {kind} request property {prop}", where)
        else:
            self.ctx.emit(f"response-{kind}-property-added", f"added the {kind} {self._say(prop)[4:]}", where)

    def _required_changed(self, prop: str, now_required: bool, where: str) -> None:
        state = "required" if now_required else "optional"
        self.ctx.emit(self._rid(f"became-{state}"), f"{self._say(prop)} became {state}", where)

    def _leaf(self, old: dict[str, Any], new: dict[str, Any], where: str, prop: str) -> None:
        say = self._say(prop)
        if type_of(old) != type_of(new):
            self.ctx.emit(self._rid("type-changed"),
                          f"{say}: type changed from {_fmt(type_of(old))} to {_fmt(type_of(new))}", f"{where}/type")
        if old.get("format") != new.get("format"):
            hint = " (a file part becomes a text field)" if old.get("format") == "binary" else ""
            self.ctx.emit(self._rid("format-changed"), f"{say}: format changed from {_fmt(old.get('format'))} "
                          f"to {_fmt(new.get('format'))}{hint}", f"{where}/format")
        self._enum(old, new, where, say)
        if old.get("description") != new.get("description"):
            self.ctx.emit(self._rid("description-changed"), f"{say}: description changed", f"{where}/description")
        if example_of(old) != example_of(new):
            rule_id = "request-property-example-changed" if self.direction == "request" else "response-example-changed"
            self.ctx.emit(rule_id, f"{say}: example changed from {_fmt(example_of(old)[1])} "
                          f"to {_fmt(example_of(new)[1])}", f"{where}/example")
        if self.direction == "request":
            self._request_constraints(old, new, where, say)

    def _enum(self, old: dict[str, Any], new: dict[str, Any], where: str, say: str) -> None:
        old_enum, new_enum = old.get("enum"), new.get("enum")
        if isinstance(new_enum, list) and not isinstance(old_enum, list):
            if self.direction == "request":
                self.ctx.emit("request-property-became-enum",
                              f"{say} was restricted to the enum values {new_enum}", f"{where}/enum")
            return
        if not (isinstance(old_enum, list) and isinstance(new_enum, list)):
            return
        for value in old_enum:
            if value not in new_enum:
                self.ctx.emit(self._rid("enum-value-removed"), f"{say}: enum value {_fmt(value)} was removed",
                              f"{where}/enum")
        for value in new_enum:
            if value not in old_enum:
                self.ctx.emit(self._rid("enum-value-added"), f"{say}: enum value {_fmt(value)} was added",
                              f"{where}/enum")

    def _request_constraints(self, old: dict[str, Any], new: dict[str, Any], where: str, say: str) -> None:
        for key, rule_id, tighter in _BOUNDS:
            before, after = old.get(key), new.get(key)
            if isinstance(after, (int, float)) and (
                not isinstance(before, (int, float)) or tighter(float(before), float(after))
            ):
                self.ctx.emit(rule_id, f"{say}: {key} changed from {_fmt(before)} to {after}", f"{where}/{key}")
        if new.get("pattern") is not None and old.get("pattern") != new.get("pattern"):
            self.ctx.emit("request-property-pattern-changed", f"{say}: pattern changed from "
                          f"{_fmt(old.get('pattern'))} to {_fmt(new.get('pattern'))}", f"{where}/pattern")
        if old.get("default") != new.get("default"):
            self.ctx.emit("request-property-default-value-changed", f"{say}: default changed from "
                          f"{_fmt(old.get('default'))} to {_fmt(new.get('default'))}", f"{where}/default")
        old_values = prose.allowed_values(old.get("description"))
        new_values = prose.allowed_values(new.get("description"))
        if old_values is not None and new_values is not None:
            for value in old_values:
                if value not in new_values:
                    self.ctx.emit("request-property-documented-value-removed",
                                  f"{say}: the description no longer lists {value!r} as allowed",
                                  f"{where}/description")
            for value in new_values:
                if value not in old_values:
                    self.ctx.emit("request-property-documented-value-added",
                                  f"{say}: the description now lists {value!r} as allowed", f"{where}/description")
