"""Valid requests, generated from each document, get a conformant queued video.

Live, each test sends one request (the first drawn, with the documents' own example values):
every accepted one starts a paid video, and the budget caps how many. With ``--live-follow`` the
video is then polled through its lifecycle.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contract_tests.core.conformance import check_response
from contract_tests.core.specs import SpecRegistry
from contract_tests.suite.cases import DOCUMENTS
from contract_tests.testing.strategies import create_operation, valid_requests
from contract_tests.testing.target import Target


@pytest.mark.parametrize("doc_id", DOCUMENTS)
@given(data=st.data())
def test_valid_request_is_accepted_with_a_queued_video(
    doc_id: str, data: st.DataObject, target: Target, sora_registry: SpecRegistry
) -> None:
    document = sora_registry.document(doc_id)
    request = data.draw(valid_requests(document, realistic=target.live), label="request")
    if not target.admits(request):
        return  # live: this test's one paid request was already sent and checked
    response = target.send(request)
    failures = check_response(
        response.status_code, response.headers, response.content, request.fields, create_operation(document)
    )
    assert not failures, f"{request.describe()}: " + "; ".join(map(str, failures)) + f"\nbody: {response.text[:500]}"
    target.follow(request, response)  # live --live-follow: the paid video's lifecycle
