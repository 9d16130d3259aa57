"""The checker and openapi-core's plain ``unmarshal_request`` agree on every generated request.

Agreement means: both accept every valid request; whatever openapi-core rejects, the checker
rejects too; and the classes openapi-core lets through are exactly the known gaps the checker
closes (so a change in either shows up here).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NoReturn

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contract_tests.core.checker import RequestChecker
from contract_tests.core.http import RawRequest
from contract_tests.core.specs import load_registry
from contract_tests.testing.reference import openapi_core_accepts
from contract_tests.testing.strategies import example_request, invalid_cases, invalid_requests, valid_requests

REGISTRY = load_registry()
CHECKER = RequestChecker(REGISTRY)
# What openapi-core alone does not see: it reads multipart with email.parser, which drops the
# file/text distinction, keeps the first of duplicates, ignores unknown fields and unterminated
# bodies, and (requestBody not marked required) takes an empty body as no body.
OPENAPI_CORE_GAPS = {"duplicate_field", "empty_body", "file_as_text", "text_as_file", "truncated_body", "unknown_field"}
CASES = [pytest.param(d.id, c.id, id=f"{d.id}-{c.id}") for d in REGISTRY for c in invalid_cases(d)]


@pytest.mark.parametrize("doc_id", list(REGISTRY.documents))
@settings(max_examples=25, database=None)
@given(data=st.data())
def test_both_accept_every_valid_request(doc_id: str, data: st.DataObject) -> None:
    document = REGISTRY.document(doc_id)
    request = data.draw(valid_requests(document)).raw(document.base_url)
    assert CHECKER.check(request, document.server_id).ok
    assert openapi_core_accepts(document, request)


@pytest.mark.parametrize(("doc_id", "case_id"), CASES)
@settings(max_examples=5, database=None)
@given(data=st.data())
def test_invalid_requests_checker_rejects_and_openapi_core_misses_only_known_gaps(
    doc_id: str, case_id: str, data: st.DataObject
) -> None:
    document = REGISTRY.document(doc_id)
    generated = data.draw(invalid_requests(document, case_id))
    request = generated.raw(document.base_url)
    assert not CHECKER.check(request, document.server_id).ok
    assert openapi_core_accepts(document, request) == (generated.label in OPENAPI_CORE_GAPS), generated.describe()


def _crash(exc: BaseException) -> Callable[..., NoReturn]:
    def unmarshal_request(*args: Any, **kwargs: Any) -> NoReturn:
        raise exc

    return unmarshal_request


def test_an_openapi_core_crash_fails_the_comparison_instead_of_counting_as_a_rejection(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(REGISTRY.document("chainhub").openapi, "unmarshal_request", _crash(RuntimeError("core bug")))
    with pytest.raises(RuntimeError, match="core bug"):
        # the checker rejects this class too: a crash read as "rejects" would agree with it
        test_invalid_requests_checker_rejects_and_openapi_core_misses_only_known_gaps(
            "chainhub", "missing_required:model"
        )


def test_only_the_form_parsers_assertion_counts_as_a_rejection(monkeypatch: pytest.MonkeyPatch) -> None:
    document = REGISTRY.document("chainhub")
    monkeypatch.setattr(document.openapi, "unmarshal_request", _crash(AssertionError("elsewhere")))
    with pytest.raises(AssertionError, match="elsewhere"):
        openapi_core_accepts(document, example_request(document).raw(document.base_url))


def test_openapi_core_refusing_a_malformed_multipart_body_is_its_rejection() -> None:
    document = REGISTRY.document("chainhub")
    example = example_request(document)
    headers = {**example.headers, "Content-Type": "multipart/form-data"}  # no boundary: cannot be split
    request = RawRequest("POST", f"{document.base_url}/v1/videos", headers, example.body)
    assert not openapi_core_accepts(document, request)
