"""Every invalid class, for every field it applies to, is rejected with an error naming the field.

Live, a *practice* class (one the documents do not back, see ``InvalidClass.basis``) that a relay
accepts is recorded as an observation, not a failure, unless ``--live-strict``.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contract_tests.core.specs import SpecRegistry
from contract_tests.suite.cases import INVALID, SERVERS
from contract_tests.testing.strategies import INVALID_CLASSES, invalid_requests
from contract_tests.testing.target import Target


@pytest.mark.parametrize(("doc_id", "case_id"), INVALID)
@given(data=st.data())
def test_invalid_request_is_rejected_naming_the_field(
    doc_id: str, case_id: str, data: st.DataObject, target: Target, sora_registry: SpecRegistry
) -> None:
    request = data.draw(invalid_requests(sora_registry.document(doc_id), case_id, realistic=target.live))
    if not target.admits(request):
        return  # live: this test already had a request accepted (a paid video); it sends no more
    response = target.send(request)
    invalid = INVALID_CLASSES[request.label]
    rejected = 400 <= response.status_code < 500
    message = (
        f"[invalid_request_rejected] {request.document_id}: invalid class {request.label} ({invalid.basis})"
        f"{f', field {request.param}' if request.param else ''} was answered {response.status_code}, "
        f"expected a 4xx\nbody: {response.text[:300]}"
    )
    if not rejected and target.tolerates(invalid):
        target.observe(request, "invalid_request_rejected", response, message)
        return
    assert rejected, message
    if target.live:
        return  # the documents define no error body: upstreams word their errors their own way
    error = response.json()["error"]
    assert set(error) >= {"message", "type", "param", "code"}
    assert error["message"]
    assert response.status_code == request.expected_status, request.describe()
    assert error["param"] == request.param, f"{request.describe()}: {error}"
    assert error["code"] == request.expected_code, f"{request.describe()}: {error}"


@pytest.mark.parametrize("server_id", SERVERS)
@given(data=st.data())
def test_no_auth_gets_401(server_id: str, data: st.DataObject, target: Target, sora_registry: SpecRegistry) -> None:
    document = sora_registry.server(server_id).documents[0]
    request = data.draw(invalid_requests(document, "no_auth", realistic=target.live))
    if not target.admits(request):
        return  # live: an earlier draw was accepted (a paid video) and has already failed this test
    response = target.send(request)
    assert response.status_code == 401, (
        f"[no_auth_401] {server_id}: a request without Authorization was answered {response.status_code}, "
        f"expected 401\nbody: {response.text[:300]}"
    )
    if target.live:
        return
    assert response.json()["error"]["code"] == "invalid_api_key"
