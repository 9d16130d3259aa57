"""Each document's own example request, checked; its verdict is shown at the end of the run."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from contract_tests.checker import RequestChecker
from contract_tests.conformance import check_response
from contract_tests.specs import SpecRegistry
from contract_tests.strategies import create_operation, example_request
from contract_tests.suite.cases import DOCUMENTS
from contract_tests.target import Target


@pytest.mark.parametrize("doc_id", DOCUMENTS)
def test_document_example_request(
    doc_id: str, target: Target, sora_registry: SpecRegistry, record_property: Callable[[str, object], None]
) -> None:
    document = sora_registry.document(doc_id)
    request = example_request(document)
    verdict = RequestChecker(sora_registry).check(request.raw(document.base_url), document.server_id)
    response = target.send(request)
    fields = ", ".join(f"{k}={v!r}" for k, v in request.fields.items())
    shown = "accepted" if verdict.ok else "rejected: " + "; ".join(p.message for p in verdict.problems)
    record_property("example_verdict", f"{doc_id}: {shown} ({fields}) -> HTTP {response.status_code}")
    assert verdict.ok, f"{doc_id}: the document's own example is rejected by its schema: {verdict.problems}"
    failures = check_response(
        response.status_code, response.headers, response.content, request.fields, create_operation(document)
    )
    assert not failures, failures
