"""The request checker: the one answer to "is this request valid for that server?".

It checks a raw HTTP request (method, URL, headers, body bytes) as it was sent: route, bearer
auth, media type, multipart structure, file part versus text part, duplicates, unknown and
missing fields, then every value against the document's schema with openapi-core's compiled
validator. A request is valid for a server when at least one of the server's documents accepts
it; otherwise the problems of the closest document are reported.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from contract_tests.core.http import RawRequest
from contract_tests.core.media_type import JSON, MULTIPART
from contract_tests.core.parts import Part
from contract_tests.core.problems import (
    Code,
    Problem,
    body_problem,
    no_api_key,
    render,
    too_large,
    wrong_auth_scheme,
)
from contract_tests.core.routing import Route, Router
from contract_tests.core.specs import Operation, RequestBody, SpecRegistry
from contract_tests.core.wire import BodyTooLarge, WireError, multipart_boundary, parse_multipart

DEFAULT_MAX_BODY_BYTES = 50 * 1024 * 1024

# One field of a form as the general path reads it: name, value, and the multipart part it came from.
FormItem = tuple[str, Any, Part | None]


@dataclass(frozen=True)
class Verdict:
    """The checker's answer. ``ok`` with the accepting document, or the problems found."""

    problems: tuple[Problem, ...] = ()
    operation: Operation | None = None
    fields: Mapping[str, Any] = field(default_factory=dict)
    files: Mapping[str, Part] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def document_id(self) -> str | None:
        return self.operation.document_id if self.operation else None

    @property
    def status(self) -> int:
        return self.problems[0].status if self.problems else 200

    def error(self) -> tuple[int, dict[str, Any]]:
        """The OpenAI-format rejection for this verdict (only meaningful when not ``ok``)."""
        return render(self.problems)


def _reject(problem: Problem, operation: Operation | None = None) -> Verdict:
    return Verdict((problem,), operation)


def _kind(value: Any) -> str:
    return "a file" if isinstance(value, bytes | bytearray) else type(value).__name__


def _describe_error(name: str | None, validator: str, message: str, instance: Any) -> Problem:
    if validator == "type":
        got = f"{_kind(instance)}" if isinstance(instance, bytes | bytearray) else repr(instance)
        return Problem(Code.INVALID_TYPE, f"Invalid type for '{name}': {message} (got {got}).", name)
    return Problem(Code.INVALID_VALUE, f"Invalid value for '{name}': {message}.", name)


def _one_of_problem(branches: Any, form: Mapping[str, Any]) -> Problem:
    """A body-level ``oneOf`` of ``required`` alternatives (send ``video`` or ``video[id]``, not both),
    reported on the first alternative's field; any other ``oneOf`` as a plain invalid value."""
    names = [str(n) for branch in branches if isinstance(branch, Mapping) for n in branch.get("required", ())]
    if not names:
        return Problem(Code.INVALID_VALUE, "The body matches none, or more than one, of its allowed forms.")
    quoted = " or ".join(f"'{n}'" for n in names)
    if any(n in form for n in names):
        return Problem(Code.INVALID_VALUE, f"Send only one of {quoted}, not several.", names[0])
    return Problem(Code.MISSING_REQUIRED_PARAMETER, f"Missing required parameter: send {quoted}.", names[0])


class RequestChecker:
    """Checks raw requests against a :class:`SpecRegistry`. Stateless: safe to share.

    :meth:`check_route` is the one check: given the request's :class:`Route` (resolved once by the
    door) and either the parts a streaming door parsed or why its body could not be read, it ranks
    every problem itself: route, bearer auth, media type, then the body. :meth:`check` resolves
    and checks in one call, for callers that hold only a request.
    """

    def __init__(
        self, registry: SpecRegistry, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES, router: Router | None = None
    ) -> None:
        self.registry = registry
        self.max_body_bytes = max_body_bytes
        self.router = router or Router(registry)

    def check(self, request: RawRequest, server: str | None = None, parts: list[Part] | None = None) -> Verdict:
        """Resolve ``request`` and check it. ``parts`` lets a streaming server pass a body it already parsed."""
        route = self.router.route_of(request, server)
        return self.check_route(route, request, parts)

    def check_route(
        self,
        route: Route,
        request: RawRequest,
        parts: list[Part] | None = None,
        body_error: Problem | None = None,
    ) -> Verdict:
        """Check one routed request; ``body_error`` is why a streamed body could not be read."""
        if route.problem is not None:
            return _reject(route.problem)
        operations = route.operations
        if route.needs_bearer and (auth := bearer_problem(request)) is not None:
            return _reject(auth, operations[0])
        for op in operations:  # a relay's create or a family call with a body
            if op.bodies:
                break
        else:
            return Verdict((), operations[0]) if body_error is None else _reject(body_error, operations[0])
        body_or_problem = self._read_body(request, operations, parts, body_error)
        if isinstance(body_or_problem, Problem):
            return _reject(body_or_problem, operations[0])
        media_type, parts, items = body_or_problem
        best: Verdict | None = None
        for op in operations:
            body = op.bodies.get(media_type)
            if body is None:
                continue
            if parts is not None:
                plain = _plain_form(body, parts)
                if plain is not None:
                    return Verdict((), op, plain[0], plain[1])
                if items is None:
                    items = form_items(parts)
            assert items is not None  # built above for multipart, by _read_body for the other media types
            verdict = self._check_form(op, body, items)
            if verdict.ok:
                return verdict
            if best is None or len(verdict.problems) < len(best.problems):
                best = verdict
        assert best is not None  # _read_body only returns media types some operation accepts
        return best

    def _read_body(
        self, request: RawRequest, operations: tuple[Operation, ...], parts: list[Part] | None,
        body_error: Problem | None,
    ) -> tuple[str, list[Part] | None, list[FormItem] | None] | Problem:
        """The body's media type with its parts (multipart; their items are built only if the fast
        lane declines) or its items (JSON, urlencoded), else the problem that stops the check."""
        media = request.media
        media_type = media.essence
        for op in operations:
            if media_type in op.bodies:
                break
        else:
            accepted = sorted({mt for op in operations for mt in op.bodies})
            sent = f"'{media_type}'" if media_type else "no Content-Type"
            return Problem(
                Code.UNSUPPORTED_MEDIA_TYPE,
                f"Unsupported Content-Type: {sent}. This endpoint expects {' or '.join(accepted)}.",
                None,
                415,
            )
        if body_error is not None:
            return body_error
        if parts is None and len(request.body) > self.max_body_bytes:
            return too_large(self.max_body_bytes)
        if media_type == MULTIPART:
            if parts is None:
                try:
                    parts = parse_multipart(request.body, multipart_boundary(media))
                except (WireError, BodyTooLarge) as exc:
                    return body_problem(exc)
            return media_type, parts, None
        if not request.body:
            return Problem(Code.EMPTY_BODY, "The request body is empty.")
        text = request.body.decode("utf-8", errors="replace")
        if media_type == JSON:
            try:
                data = json.loads(text)
            except ValueError as exc:
                return Problem(Code.INVALID_VALUE, f"The body is not valid JSON: {exc}.")
            if not isinstance(data, dict):
                return Problem(Code.INVALID_TYPE, "The JSON body must be an object.")
            return media_type, None, [(k, v, None) for k, v in data.items()]
        return media_type, None, [(k, v, None) for k, v in parse_qsl(text, keep_blank_values=True)]

    def _check_form(self, op: Operation, body: RequestBody, items: list[FormItem]) -> Verdict:
        """The general path: every problem of one form, in the order the checker reports them."""
        problems: list[Problem] = []
        names = [name for name, _, _ in items]
        # Counted only when some name repeats (rare): the common request pays one set().
        counts = Counter(names) if len(set(names)) < len(names) else None
        form: dict[str, Any] = {}
        files: dict[str, Part] = {}
        for name, value, part in items:
            prop = body.property_named(name)
            if counts and counts[name] > 1 and not (prop and prop.is_list) and name not in form:
                problems.append(
                    Problem(
                        Code.DUPLICATE_PARAMETER,
                        f"'{name}' was sent {counts[name]} times; send it once.",
                        name,
                    )
                )
            if prop is None:
                if not body.additional_properties and name not in form:
                    known = ", ".join(p.name for p in body.properties)
                    problems.append(
                        Problem(Code.UNKNOWN_PARAMETER, f"Unknown parameter: '{name}' (known: {known}).", name)
                    )
                form.setdefault(name, value)
                continue
            if part is not None and prop.is_file and not part.is_file:
                problems.append(
                    Problem(
                        Code.INVALID_TYPE,
                        f"'{name}' must be sent as a file part (Content-Disposition with a filename), "
                        "not as a text field.",
                        name,
                    )
                )
                value = part.data
            elif part is not None and not prop.is_file and part.is_file:
                problems.append(
                    Problem(
                        Code.INVALID_TYPE,
                        f"'{name}' is a text field; send it as a text part, not as a file "
                        f"('{part.filename}').",
                        name,
                    )
                )
                value = part.text
            elif prop.cast_kind is not None and isinstance(value, str):
                value = prop.cast(value)
            if part is not None and part.is_file and prop.is_file:
                files[name] = part
            if prop.is_list:
                form.setdefault(name, []).append(value)
            else:
                form.setdefault(name, value)
        for name in body.required:
            if name not in form:
                problems.append(
                    Problem(
                        Code.MISSING_REQUIRED_PARAMETER,
                        f"Missing required parameter: '{name}'.",
                        name,
                    )
                )
        flagged = {p.param for p in problems}
        text_fields = {k: v for k, v in form.items() if k not in files}
        if _schema_cannot_fail(body, form, files):
            return Verdict(tuple(problems), op, text_fields, files)
        for error in body.validator.validator.iter_errors(form):
            if not error.path and error.validator in {"required", "additionalProperties", "properties"}:
                continue  # missing and unknown fields are reported above, with the field's name
            if not error.path and error.validator == "oneOf":
                problems.append(_one_of_problem(error.validator_value, form))
                continue
            param = str(error.path[0]) if error.path else None
            if param in flagged:
                continue
            problems.append(_describe_error(param, str(error.validator), error.message, error.instance))
        return Verdict(tuple(problems), op, text_fields, files)


def form_items(parts: list[Part]) -> list[FormItem]:
    """Multipart parts as the general path reads them: name, value (bytes of a file, else text), part."""
    return [(p.name or "", p.data if p.is_file else p.text, p) for p in parts]


def _plain_form(body: RequestBody, parts: list[Part]) -> tuple[dict[str, str], dict[str, Part]] | None:
    """The fast lane for the common create: the verdict's text fields and files when the parts
    can have no problem, else None (and the general path, :meth:`RequestChecker._check_form`,
    says what the problems are).

    No problem is possible when each part names a different one of the body's
    :attr:`~RequestBody.plain_fields`, as a file part exactly where the property is a file, and
    every required name is there: then no duplicate, unknown, missing or file/text problem
    applies, no value is cast, and the schema cannot fail (the general path skips it too). One
    pass, no intermediate lists, no per-field property calls; the general path gives the same
    verdict on such parts (tests/core/test_core_checker_fast_lane.py holds it on generated requests).
    """
    plain = body.plain_fields
    text: dict[str, str] = {}
    files: dict[str, Part] = {}
    required = 0
    for part in parts:
        name = part.name
        kind = plain.get(name)
        if kind is None:
            return None
        is_file, is_required = kind
        if part.filename is None:
            if is_file:
                return None
            text[name] = part.data.decode("utf-8", "replace")  # part.text, without the property call
        else:
            if not is_file or not isinstance(part.data, bytes):
                return None
            files[name] = part
        required += is_required
    # A repeated name overwrote its first entry (text or file, never both: a name is one kind), so
    # the two dicts hold fewer entries than parts; and only then can the count of required reach
    # required_count with one missing.
    if len(text) + len(files) != len(parts) or required != body.required_count:
        return None
    return text, files


def _schema_cannot_fail(body: RequestBody, form: Mapping[str, Any], files: Mapping[str, Part]) -> bool:
    """True when every field is a plain string (or a file for a binary property): nothing to validate."""
    fits = body.any_string_fits
    return all(
        name in fits and (isinstance(value, bytes) if name in files else isinstance(value, str))
        for name, value in form.items()
    )


def bearer_problem(request: RawRequest) -> Problem | None:
    """HTTP bearer auth, as the documents' ``security`` asks for it; None when a token is there."""
    value = (request.headers.get("authorization") or "").strip()  # RawRequest's headers are lower-cased
    if not value:
        return no_api_key()
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return wrong_auth_scheme(scheme)
    return None
