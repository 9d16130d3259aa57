"""A bug inside the mock is answered 500 in the OpenAI error format and logged with its traceback.

The 500 alone would hide the cause (through respx nobody sees a server log), so the traceback
goes to the ``logging`` module, where pytest (caplog, "Captured log") and any app can see it.
"""

from __future__ import annotations

import logging
from typing import Any, NoReturn

import httpx
import pytest

from contract_tests import SoraMock, example_request, load_registry
from contract_tests.core.service import VideoService
from contract_tests.testing.strategies import GeneratedRequest

CHAINHUB = load_registry().document("chainhub")


def _explode(*args: Any, **kwargs: Any) -> NoReturn:
    raise KeyError("the bug under test")


def _assert_logged_500(response_status: int, body: Any, caplog: pytest.LogCaptureFixture) -> None:
    assert response_status == 500
    assert body == {
        "error": {
            "message": "The mock hit an internal error: KeyError.",
            "type": "server_error",
            "param": None,
            "code": "server_error",
        }
    }
    logged = [r for r in caplog.records if r.name == "contract_tests.core.service" and r.levelno == logging.ERROR]
    assert len(logged) == 1, caplog.text
    assert logged[0].exc_info is not None and logged[0].exc_info[0] is KeyError
    assert "POST /v1/videos" in logged[0].getMessage()
    assert "the bug under test" in caplog.text and "Traceback" in caplog.text


@pytest.fixture
def example() -> GeneratedRequest:
    return example_request(CHAINHUB)


def test_the_service_logs_an_internal_error_and_answers_500(
    example: GeneratedRequest, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = VideoService(load_registry(), "chainhub")
    monkeypatch.setattr(service.engine, "create", _explode)
    with caplog.at_level(logging.ERROR):
        answer = service.handle(example.raw(CHAINHUB.base_url))
    _assert_logged_500(answer.status, answer.payload(), caplog)
    assert service.journal.entries()[-1].status == 500  # journaled like any other answer


def test_the_respx_door_logs_an_internal_error_and_answers_500(
    example: GeneratedRequest, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    with SoraMock() as mock, httpx.Client() as http, caplog.at_level(logging.ERROR):
        monkeypatch.setattr(mock.engine, "create", _explode)
        response = http.post(f"{CHAINHUB.base_url}/v1/videos", content=example.body, headers=example.headers)
    _assert_logged_500(response.status_code, response.json(), caplog)
