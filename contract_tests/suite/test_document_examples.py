"""Each document's own example request, checked; its verdict is shown at the end of the run."""

from __future__ import annotations

import pytest

from contract_tests.core.checker import RequestChecker
from contract_tests.core.conformance import check_response
from contract_tests.core.specs import SpecRegistry
from contract_tests.suite.cases import DOCUMENTS
from contract_tests.testing.strategies import create_operation, example_request
from contract_tests.testing.target import Target


@pytest.mark.parametrize("doc_id", DOCUMENTS)
def test_document_example_request(
    doc_id: str, target: Target, sora_registry: SpecRegistry, request: pytest.FixtureRequest
) -> None:
    document = sora_registry.document(doc_id)
    example = example_request(document)
    verdict = RequestChecker(sora_registry).check(example.raw(document.base_url), document.server_id)
    response = target.send(example)
    fields = ", ".join(f"{k}={v!r}" for k, v in example.fields.items())
    shown = "accepted" if verdict.ok else "rejected: " + "; ".join(p.message for p in verdict.problems)
    # user_properties, not record_property: the latter warns under --junitxml's default xunit2 family.
    shown_line = f"{doc_id}: {shown} ({fields}) -> HTTP {response.status_code}"
    request.node.user_properties.append(("example_verdict", shown_line))
    assert verdict.ok, f"{doc_id}: the document's own example is rejected by its schema: {verdict.problems}"
    failures = check_response(
        response.status_code, response.headers, response.content, example.fields, create_operation(document)
    )
    assert not failures, (
        f"{doc_id}: the document's own example: " + "; ".join(map(str, failures)) + f"\nbody: {response.text[:500]}"
    )
    target.follow(example, response)
