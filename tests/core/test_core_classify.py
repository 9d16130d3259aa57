"""The class a proxy or a replay names for a rejected request is the class live mode generated it as."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contract_tests.core.checker import RequestChecker
from contract_tests.core.classify import DOCUMENT_CLASSES, probe
from contract_tests.core.http import RawRequest
from contract_tests.core.parts import Part
from contract_tests.core.specs import load_registry
from contract_tests.core.wire import WireError, multipart_boundary, parse_multipart
from contract_tests.testing.strategies import DOCUMENT, INVALID_CLASSES, invalid_cases, invalid_requests

REGISTRY = load_registry()


def _parts(request: RawRequest) -> list[Part] | None:
    """The parts as a streaming door hands them over (None when the body is not readable multipart)."""
    try:
        return parse_multipart(request.body, multipart_boundary(request.media))
    except WireError:
        return None

CHECKER = RequestChecker(REGISTRY)
DOCUMENTS = [doc.id for doc in REGISTRY]


def test_the_basis_table_is_the_strategies_one() -> None:
    assert {cid for cid, cls in INVALID_CLASSES.items() if cls.basis == DOCUMENT} == DOCUMENT_CLASSES


@pytest.mark.parametrize("doc_id", DOCUMENTS)
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_every_generated_invalid_request_is_named_its_class(doc_id: str, data: st.DataObject) -> None:
    document = REGISTRY.document(doc_id)
    case = data.draw(st.sampled_from(invalid_cases(document)), label="case")
    generated = data.draw(invalid_requests(document, case))
    request = RawRequest("POST", document.base_url + generated.path, dict(generated.headers), generated.body)
    verdict = CHECKER.check(request, document.server_id)
    assert not verdict.ok
    found = probe(verdict, _parts(request), request.media.essence)
    assert found is not None, verdict.problems
    assert (found["class"], found["field"]) == (case.cls.id, case.param), verdict.problems
    assert found["basis"] == case.cls.basis
