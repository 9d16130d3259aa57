"""Hypothesis strategies for requests, derived from each document's schema.

Nothing here names a field of the Sora API: the properties, ``required``, types, formats, enums
and examples all come from the document, so adding a property or a required name to a YAML file
changes what is generated. Invalid requests are invalid *on the wire* (a file sent as text, a
repeated field, a body with no boundary), each labelled with its class and the field it breaks.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from hypothesis import strategies as st

from contract_tests.core import images
from contract_tests.core.http import RawRequest
from contract_tests.core.media_type import MULTIPART
from contract_tests.core.multipart import content_type, encode_multipart
from contract_tests.core.parts import Part
from contract_tests.core.problems import Code
from contract_tests.core.specs import Document, Operation, Property, RequestBody

# -- values -----------------------------------------------------------------------------------

_CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
_LATIN = st.characters(codec="ascii", categories=("L", "Nd", "Zs", "P"))
tokens = st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=8, max_size=40).map(lambda s: "sk-" + s)
boundaries = st.text("0123456789abcdef", min_size=16, max_size=40).map(lambda s: "sora" + s)

_FORMATS: dict[str, st.SearchStrategy[str]] = {
    "uri": st.from_regex(r"https://[a-z]{3,10}\.example/[a-z0-9]{1,12}\.mp4", fullmatch=True),
    "url": st.from_regex(r"https://[a-z]{3,10}\.example/[a-z0-9]{1,12}", fullmatch=True),
    "date-time": st.datetimes().map(lambda d: d.replace(microsecond=0).isoformat() + "Z"),
    "date": st.dates().map(lambda d: d.isoformat()),
    "uuid": st.uuids().map(str),
    "email": st.emails(),
}

_IMAGE_MAKERS: dict[str, tuple[str, Callable[[int], bytes]]] = {
    "image/png": (".png", lambda pad: images.png(pad_to=pad)),
    "image/jpeg": (".jpg", lambda pad: images.jpeg(pad_to=pad)),
    "image/webp": (".webp", lambda pad: images.webp(pad_to=pad)),
}
_FILE_STEMS = st.sampled_from(["场景1", "input_reference", "photo", "画面 2", "frame-01", "кадр"])


def _upload(name: str, media: str, stem: str, pad: int) -> Part:
    ext, make = _IMAGE_MAKERS[media]
    return Part(name, make(pad), stem + ext, media)


def uploads(name: str) -> st.SearchStrategy[Part]:
    """A real image file part for the property ``name`` (the encoder's one part type)."""
    return st.builds(
        _upload, st.just(name), st.sampled_from(sorted(_IMAGE_MAKERS)), _FILE_STEMS,
        st.integers(min_value=0, max_value=4096),
    )


def _typed_text(schema: Mapping[str, Any]) -> st.SearchStrategy[str]:
    """Values of the schema's type, format, bounds, length and pattern, as multipart text."""
    kind = schema.get("type", "string")
    if "enum" in schema:
        return st.sampled_from([str(v) for v in schema["enum"]])
    if kind in {"integer", "number"}:
        low, high = schema.get("minimum"), schema.get("maximum")
        if kind == "integer":
            low = None if low is None else int(low) + (1 if schema.get("exclusiveMinimum") else 0)
            high = None if high is None else int(high) - (1 if schema.get("exclusiveMaximum") else 0)
            return st.integers(min_value=low, max_value=high).map(str)
        return st.floats(
            min_value=low, max_value=high, allow_nan=False, allow_infinity=False, width=32,
            exclude_min=bool(schema.get("exclusiveMinimum")), exclude_max=bool(schema.get("exclusiveMaximum")),
        ).map(repr)
    if kind == "boolean":
        return st.sampled_from(["true", "false"])
    fmt = schema.get("format")
    if fmt in _FORMATS:
        return _FORMATS[fmt]
    if "pattern" in schema:
        return st.from_regex(str(schema["pattern"]))
    low, high = max(1, int(schema.get("minLength", 1))), int(schema.get("maxLength", 40))
    return st.text(st.one_of(_CJK, _LATIN), min_size=low, max_size=max(low, high)).filter(lambda s: s.strip() != "")


def text_values(prop: Property, realistic: bool = False) -> st.SearchStrategy[str]:
    """Values for a text property: its documented examples, or (unless ``realistic``) any of its type.

    ``realistic`` keeps to the document's own examples where it gives some: that is what a live
    run against a paying upstream should send. Examples that break the property's own schema are
    left out, and every drawn value is held to that schema (the same validator the checker uses
    is the last word on keywords this module does not generate for, such as ``multipleOf``).
    """
    examples = [str(e) for e in prop.examples if not isinstance(e, dict | list) and prop.accepts(str(e))]
    if examples and realistic and "enum" not in prop.schema:
        return st.sampled_from(examples)
    typed = _typed_text(prop.schema)
    values = st.one_of(st.sampled_from(examples), typed) if examples and "enum" not in prop.schema else typed
    return values.filter(prop.accepts)


def part_for(prop: Property, realistic: bool = False) -> st.SearchStrategy[Part]:
    """The part a valid client sends for ``prop``: a file part for binary, else a text part."""
    if prop.is_file:
        return uploads(prop.name)
    return text_values(prop, realistic).map(lambda v: Part(prop.name, v.encode("utf-8")))


# -- requests ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class GeneratedRequest:
    """A request to send, with what the contract says must happen to it."""

    document_id: str
    server_id: str
    method: str
    path: str
    headers: Mapping[str, str]
    body: bytes
    parts: tuple[Part, ...] = ()
    label: str = "valid"
    param: str | None = None
    expected_status: int = 200
    expected_code: str | None = None
    boundary: str = ""

    @property
    def valid(self) -> bool:
        return self.label == "valid"

    @property
    def fields(self) -> dict[str, str]:
        """The text fields sent (first of each name), for checks that echo the request."""
        found: dict[str, str] = {}
        for part in self.parts:
            if not part.is_file:
                found.setdefault(part.name, part.text)
        return found

    def raw(self, base_url: str) -> RawRequest:
        return RawRequest(self.method, base_url.rstrip("/") + self.path, dict(self.headers), self.body)

    def describe(self) -> str:
        where = f" ({self.param})" if self.param else ""
        return f"{self.document_id}: {self.label}{where}"


def multipart_body(op: Operation) -> RequestBody:
    """The operation's multipart body; strategies only make sense for multipart operations."""
    try:
        return op.bodies[MULTIPART]
    except KeyError:
        raise ValueError(f"{op.document_id} {op.method.upper()} {op.path} has no multipart/form-data body") from None


def create_operation(document: Document) -> Operation:
    """The document's multipart POST operation (the create call)."""
    op = document.create_operation
    if op is not None:
        return op
    raise ValueError(f"document {document.id} has no multipart POST operation")


def _assemble(
    document: Document, op: Operation, parts: tuple[Part, ...], boundary: str, token: str
) -> GeneratedRequest:
    headers = {"Content-Type": content_type(boundary), "Authorization": f"Bearer {token}"}
    return GeneratedRequest(
        document.id,
        document.server_id,
        op.method.upper(),
        op.path,
        headers,
        encode_multipart(parts, boundary),
        parts,
        boundary=boundary,
    )


def valid_parts(body: RequestBody, realistic: bool = False) -> st.SearchStrategy[tuple[Part, ...]]:
    """Every required property, a random subset of the optional ones, in a random order."""
    required = [part_for(p, realistic) for p in body.properties if p.required]
    optional = [st.one_of(st.none(), part_for(p, realistic)) for p in body.properties if not p.required]
    chosen = st.tuples(*required, *optional).map(lambda ps: [p for p in ps if p is not None])
    return chosen.flatmap(st.permutations).map(tuple)


def valid_requests(document: Document, realistic: bool = False) -> st.SearchStrategy[GeneratedRequest]:
    """Requests the document says must be accepted."""
    op = create_operation(document)
    body = multipart_body(op)
    return st.builds(
        lambda parts, boundary, token: _assemble(document, op, parts, boundary, token),
        valid_parts(body, realistic),
        boundaries,
        tokens,
    )


# -- invalid classes --------------------------------------------------------------------------

Mutation = Callable[[GeneratedRequest], GeneratedRequest]


# What an invalid class rests on. A *document* class breaks something the relay's own document
# states (a required property, its ``security``, a property's schema): a relay that accepts it
# breaks its contract. A *practice* class breaks only what OpenAI's API does and good hygiene asks
# (unknown fields, duplicates, part kinds, malformed multipart, other media types): the documents
# are silent, so live mode reports a relay that accepts one as an observation, not a failure.
DOCUMENT = "document"
PRACTICE = "practice"


@dataclass(frozen=True)
class InvalidClass:
    """A stable kind of wire-level mistake, the answer it must get, and the fields it applies to.

    ``basis`` (:data:`DOCUMENT` or :data:`PRACTICE`) says whether the documents back the rejection;
    the offline mock rejects every class either way (a strict mock protects clients).
    """

    id: str
    status: int
    code: str
    description: str
    basis: str
    per_field: Callable[[RequestBody], list[Property]] | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def document_backed(self) -> bool:
        return self.basis == DOCUMENT


def _reencode(req: GeneratedRequest, parts: tuple[Part, ...], **changes: Any) -> GeneratedRequest:
    return replace(req, parts=parts, body=encode_multipart(parts, req.boundary), **changes)


def _without(req: GeneratedRequest, name: str) -> GeneratedRequest:
    return _reencode(req, tuple(p for p in req.parts if p.name != name))


def _missing(name: str) -> Mutation:
    return lambda req: _without(req, name)


def _file_as_text(name: str) -> Mutation:
    def mutate(req: GeneratedRequest) -> GeneratedRequest:
        parts = tuple(Part(p.name, p.data) if p.name == name else p for p in req.parts)
        return _reencode(req, parts)

    return mutate


def _text_as_file(name: str) -> Mutation:
    def mutate(req: GeneratedRequest) -> GeneratedRequest:
        parts = tuple(
            Part(p.name, p.data, f"{p.name}.txt", "text/plain") if p.name == name else p for p in req.parts
        )
        return _reencode(req, parts)

    return mutate


def _duplicate(name: str) -> Mutation:
    def mutate(req: GeneratedRequest) -> GeneratedRequest:
        first = next(p for p in req.parts if p.name == name)
        return _reencode(req, (*req.parts, first))

    return mutate


def _headers(req: GeneratedRequest, **changes: str | None) -> dict[str, str]:
    headers = {k: v for k, v in req.headers.items() if k.lower() not in {c.replace("_", "-") for c in changes}}
    for key, value in changes.items():
        if value is not None:
            headers[key.replace("_", "-").title()] = value
    return headers


def _strip_body(req: GeneratedRequest) -> GeneratedRequest:
    return replace(req, body=b"", parts=())


def _no_boundary(req: GeneratedRequest) -> GeneratedRequest:
    return replace(req, headers=_headers(req, content_type=MULTIPART))


def _garbled_boundary(req: GeneratedRequest) -> GeneratedRequest:
    return replace(req, headers=_headers(req, content_type=content_type(req.boundary[::-1] + "x")))


def _truncated(req: GeneratedRequest) -> GeneratedRequest:
    closing = len(req.boundary) + 6  # "--" + boundary + "--\r\n"
    return replace(req, body=req.body[: len(req.body) - closing - 2])


def _bad_part_headers(req: GeneratedRequest) -> GeneratedRequest:
    broken = Part("", b"value", headers={"Content-Type": "text/plain"})
    return _reencode(req, (broken, *req.parts))


def _urlencoded(req: GeneratedRequest) -> GeneratedRequest:
    from urllib.parse import urlencode

    body = urlencode([(p.name, p.text) for p in req.parts if not p.is_file]).encode()
    return replace(req, headers=_headers(req, content_type="application/x-www-form-urlencoded"), body=body)


def _json(req: GeneratedRequest) -> GeneratedRequest:
    import json

    body = json.dumps({p.name: p.text for p in req.parts if not p.is_file}, ensure_ascii=False).encode()
    return replace(req, headers=_headers(req, content_type="application/json"), body=body)


def _no_auth(req: GeneratedRequest) -> GeneratedRequest:
    return replace(req, headers=_headers(req, authorization=None))


def _basic_auth(req: GeneratedRequest) -> GeneratedRequest:
    return replace(req, headers=_headers(req, authorization="Basic dXNlcjpwYXNz"))


def _unknown(name: str) -> Mutation:
    return lambda req: _reencode(req, (*req.parts, Part(name, b"1")))


# -- values outside a property's schema (document-backed: the schema itself says no) -------------

_TYPED: dict[str, type | tuple[type, ...]] = {"integer": int, "number": (int, float), "boolean": bool, "string": str}


def _probes(schema: Mapping[str, Any]) -> list[str]:
    """Candidate texts that break some keyword of ``schema`` (enum, pattern, length, bounds)."""
    probes = ["zz-not-an-allowed-value", "x", " ", "", "0", "-1", "999999999", "1.5", "-0.5"]
    if "maxLength" in schema:
        probes.append("x" * (int(schema["maxLength"]) + 1))
    for bound, step in (("minimum", -1), ("maximum", 1)):
        if bound in schema:
            probes.append(str(schema[bound] + step))
            probes.append(str(schema[bound]))  # breaks an exclusive bound
    return probes


def out_of_schema_value(prop: Property) -> str | None:
    """A text of the property's own type that its schema still rejects, or None when there is none.

    Only keywords a value can break count here (enum, pattern, length, bounds, format): a property
    whose schema every text of its type satisfies has no such value, so the class skips it.
    """
    if prop.is_file or prop.is_list:
        return None
    kind = _TYPED.get(prop.type, str)
    for probe in _probes(prop.schema):
        value = prop.cast(probe)
        if isinstance(value, kind) and not (kind is int and isinstance(value, bool)) and not prop.accepts(probe):
            return probe
    return None


def wrong_type_value(prop: Property) -> str | None:
    """A text that does not read as a non-string property's type (``integer``, ``number``, ``boolean``)."""
    if prop.is_file or prop.is_list or prop.type not in {"integer", "number", "boolean"}:
        return None
    probe = "not-a-" + prop.type
    return probe if not prop.accepts(probe) else None


def _replaced_by(value_for: Callable[[Property], str | None], body: RequestBody) -> Callable[[str], Mutation]:
    def for_field(name: str) -> Mutation:
        prop = body.property_named(name)
        value = value_for(prop) if prop is not None else None
        assert value is not None, f"{name} has no such value"

        def mutate(req: GeneratedRequest) -> GeneratedRequest:
            parts = tuple(Part(p.name, value.encode("utf-8")) if p.name == name else p for p in req.parts)
            return _reencode(req, parts)

        return mutate

    return for_field


INVALID_CLASSES: dict[str, InvalidClass] = {
    c.id: c
    for c in (
        InvalidClass(
            "missing_required", 400, Code.MISSING_REQUIRED_PARAMETER, "a required property is left out", DOCUMENT,
            per_field=lambda body: [p for p in body.properties if p.required],
        ),
        InvalidClass(
            "file_as_text", 400, Code.INVALID_TYPE, "a binary property is sent as a text part", PRACTICE,
            per_field=lambda body: [p for p in body.properties if p.is_file],
        ),
        InvalidClass(
            "text_as_file", 400, Code.INVALID_TYPE, "a text property is sent as a file part", PRACTICE,
            per_field=lambda body: [p for p in body.properties if not p.is_file],
        ),
        InvalidClass(
            "duplicate_field", 400, Code.DUPLICATE_PARAMETER, "a property is sent twice", PRACTICE,
            per_field=lambda body: [p for p in body.properties if not p.is_list],
        ),
        InvalidClass(
            "unknown_field", 400, Code.UNKNOWN_PARAMETER, "a property the document does not define", PRACTICE
        ),
        # Document-backed because every document here requires properties an empty body lacks.
        InvalidClass("empty_body", 400, Code.EMPTY_BODY, "multipart Content-Type with an empty body", DOCUMENT),
        InvalidClass(
            "no_boundary", 400, Code.INVALID_MULTIPART, "multipart Content-Type without a boundary", PRACTICE
        ),
        InvalidClass("garbled_boundary", 400, Code.INVALID_MULTIPART, "the boundary does not match the body", PRACTICE),
        InvalidClass(
            "truncated_body", 400, Code.INVALID_MULTIPART, "the body stops before its closing boundary", PRACTICE
        ),
        InvalidClass("bad_part_headers", 400, Code.INVALID_MULTIPART, "a part without Content-Disposition", PRACTICE),
        InvalidClass("urlencoded_body", 415, Code.UNSUPPORTED_MEDIA_TYPE, "the form sent urlencoded", PRACTICE),
        InvalidClass("json_body", 415, Code.UNSUPPORTED_MEDIA_TYPE, "the form sent as JSON", PRACTICE),
        InvalidClass(
            "value_out_of_schema", 400, Code.INVALID_VALUE,
            "a value of the right type that the property's schema rejects (enum, pattern, length, bounds)", DOCUMENT,
            per_field=lambda body: [p for p in body.properties if out_of_schema_value(p) is not None],
        ),
        InvalidClass(
            "value_wrong_type", 400, Code.INVALID_TYPE, "a text that does not read as the property's type", DOCUMENT,
            per_field=lambda body: [p for p in body.properties if wrong_type_value(p) is not None],
        ),
        InvalidClass("no_auth", 401, Code.INVALID_API_KEY, "no Authorization header", DOCUMENT),
        InvalidClass("basic_auth", 401, Code.INVALID_API_KEY, "Authorization with a non-Bearer scheme", DOCUMENT),
    )
}

_WHOLE_REQUEST: dict[str, Mutation] = {
    "empty_body": _strip_body,
    "no_boundary": _no_boundary,
    "garbled_boundary": _garbled_boundary,
    "truncated_body": _truncated,
    "bad_part_headers": _bad_part_headers,
    "urlencoded_body": _urlencoded,
    "json_body": _json,
    "no_auth": _no_auth,
    "basic_auth": _basic_auth,
}
_PER_FIELD: dict[str, Callable[[str], Mutation]] = {
    "missing_required": _missing,
    "file_as_text": _file_as_text,
    "text_as_file": _text_as_file,
    "duplicate_field": _duplicate,
}


@dataclass(frozen=True)
class InvalidCase:
    """One (class, field) pair a document admits; ``param`` is None for whole-request classes."""

    cls: InvalidClass
    param: str | None

    @property
    def id(self) -> str:
        return f"{self.cls.id}:{self.param}" if self.param else self.cls.id


def invalid_cases(document: Document) -> list[InvalidCase]:
    """Every invalid (class, field) pair that applies to the document's create operation."""
    body = multipart_body(create_operation(document))
    cases: list[InvalidCase] = []
    for cls in INVALID_CLASSES.values():
        if cls.per_field is not None:
            cases.extend(InvalidCase(cls, p.name) for p in cls.per_field(body))
        elif cls.id == "unknown_field":
            if not body.additional_properties:
                cases.append(InvalidCase(cls, "x_unknown_field"))
        else:
            cases.append(InvalidCase(cls, None))
    return cases


def _forced(body: RequestBody, name: str, realistic: bool) -> st.SearchStrategy[tuple[Part, ...]]:
    """Valid parts in which optional ``name`` is surely present, so a mutation has a target."""
    prop = body.property_named(name)
    base = valid_parts(body, realistic)
    if prop is None or prop.required:
        return base
    return st.tuples(base, part_for(prop, realistic)).map(
        lambda pair: (*tuple(p for p in pair[0] if p.name != name), pair[1])
    )


def invalid_requests(
    document: Document, case: InvalidCase | str | None = None, realistic: bool = False
) -> st.SearchStrategy[GeneratedRequest]:
    """Requests the document says must be rejected, each labelled with its class and field.

    ``case`` narrows the draw to one :class:`InvalidCase` (or its id); by default any case.
    """
    cases = invalid_cases(document)
    if isinstance(case, str):
        matching = [c for c in cases if c.id == case]
        if not matching:
            raise ValueError(f"{document.id} has no invalid case {case!r}; known: {[c.id for c in cases]}")
        cases = matching
    elif case is not None:
        cases = [case]
    op = create_operation(document)
    body = multipart_body(op)

    per_field = {
        **_PER_FIELD,
        "value_out_of_schema": _replaced_by(out_of_schema_value, body),
        "value_wrong_type": _replaced_by(wrong_type_value, body),
    }

    def for_case(c: InvalidCase) -> st.SearchStrategy[GeneratedRequest]:
        if c.cls.id in per_field:
            assert c.param is not None
            mutate = per_field[c.cls.id](c.param)
            parts = _forced(body, c.param, realistic)
        else:
            mutate = _unknown(c.param) if c.cls.id == "unknown_field" and c.param else _WHOLE_REQUEST[c.cls.id]
            parts = valid_parts(body, realistic)
        base = st.builds(lambda ps, b, t: _assemble(document, op, ps, b, t), parts, boundaries, tokens)
        return base.map(
            lambda req: replace(
                mutate(req),
                label=c.cls.id,
                param=c.param,
                expected_status=c.cls.status,
                expected_code=c.cls.code,
            )
        )

    return st.sampled_from(cases).flatmap(for_case)


def example_request(document: Document) -> GeneratedRequest:
    """The request the document's own examples describe (first example of every property)."""
    op = create_operation(document)
    body = multipart_body(op)
    parts: list[Part] = []
    for prop in body.properties:
        if not prop.examples:
            continue
        example = str(prop.examples[0])
        if prop.is_file:
            name = example.replace("\\", "/").rsplit("/", 1)[-1] or "upload.png"
            parts.append(Part(prop.name, images.png(), name, "image/png"))
        else:
            parts.append(Part(prop.name, example.encode("utf-8")))
    return _assemble(document, op, tuple(parts), "soraexampleboundary0001", "sk-example")
