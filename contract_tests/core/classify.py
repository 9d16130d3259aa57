"""Which invalid class a rejected request falls in, read from the checker's verdict.

Live mode knows the class of each probe because it made it (``contract_tests.testing.strategies``'s
``INVALID_CLASSES``); a proxy or a replay sees a client's request and only has the checker's
verdict. This module names the same class from the verdict's first problem, so a recording made by
``sora-mock --proxy`` lands in the same ``observe``/``drift`` rows as a live run's, and a replay
finds the relay's recorded answer for the class a client's mistake belongs to.
``tests/core/test_core_classify.py`` checks it against every generated invalid request.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from contract_tests.core.checker import Verdict
from contract_tests.core.media_type import MULTIPART
from contract_tests.core.parts import Part
from contract_tests.core.problems import Code, Problem

# Class id -> what the relays' documents say about it (the strategies' ``basis``; a test keeps them equal).
DOCUMENT_CLASSES = frozenset({"missing_required", "empty_body", "value_out_of_schema", "value_wrong_type",
                              "no_auth", "basic_auth"})

_BY_CODE = {
    Code.MISSING_REQUIRED_PARAMETER: "missing_required",
    Code.UNKNOWN_PARAMETER: "unknown_field",
    Code.DUPLICATE_PARAMETER: "duplicate_field",
    Code.INVALID_VALUE: "value_out_of_schema",
    Code.EMPTY_BODY: "empty_body",
}
# Phrases of the wire reader's messages (contract_tests.core.wire) that tell malformed bodies apart.
_MULTIPART = (
    ("no boundary parameter", "no_boundary"),
    ("closing boundary", "truncated_body"),
    ("connection closed before", "truncated_body"),
    ("content-disposition", "bad_part_headers"),
)
_FIELD_CLASSES = frozenset({"missing_required", "unknown_field", "duplicate_field", "value_out_of_schema",
                            "value_wrong_type", "file_as_text", "text_as_file"})


def invalid_class(problem: Problem, verdict: Verdict, parts: Sequence[Part] | None, media_essence: str) -> str | None:
    """The class id of ``problem`` (a rejected create's first problem), or None for none of them."""
    code = problem.code
    if code == Code.INVALID_API_KEY:
        return "basic_auth" if "scheme" in problem.message else "no_auth"
    if code == Code.UNSUPPORTED_MEDIA_TYPE:
        return {"application/json": "json_body", "application/x-www-form-urlencoded": "urlencoded_body"}.get(
            media_essence
        )
    if code == Code.INVALID_MULTIPART:
        if media_essence != MULTIPART:
            return None
        message = problem.message.lower()
        return next((cls for phrase, cls in _MULTIPART if phrase in message), "garbled_boundary")
    if code == Code.INVALID_TYPE:
        return _type_class(problem.param, verdict, parts)
    return _BY_CODE.get(code)


def _type_class(param: str | None, verdict: Verdict, parts: Sequence[Part] | None) -> str:
    body = verdict.operation.multipart if verdict.operation is not None else None
    prop = body.property_named(param) if body is not None and param else None
    if prop is not None and prop.is_file:
        return "file_as_text"
    sent = next((p for p in parts or () if p.name == param), None)
    return "text_as_file" if sent is not None and sent.is_file else "value_wrong_type"


def probe(verdict: Verdict, parts: Sequence[Part] | None, media_essence: str) -> dict[str, Any] | None:
    """A ``_sora`` probe annotation (class, field, basis) for a rejected create; None when it was valid."""
    if verdict.ok:
        return None
    first = verdict.problems[0]
    cls = invalid_class(first, verdict, parts, media_essence)
    if cls is None:
        return None
    field = first.param if cls in _FIELD_CLASSES else None
    return {"class": cls, "field": field, "basis": "document" if cls in DOCUMENT_CLASSES else "practice"}
