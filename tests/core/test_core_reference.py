"""The checker and openapi-core's plain ``unmarshal_request`` agree on every generated request.

Agreement means: both accept every valid request; whatever openapi-core rejects, the checker
rejects too; and the classes openapi-core lets through are exactly the known gaps the checker
closes (so a change in either shows up here).
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contract_tests.checker import RequestChecker
from contract_tests.reference import openapi_core_accepts
from contract_tests.specs import load_registry
from contract_tests.strategies import invalid_cases, invalid_requests, valid_requests

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
