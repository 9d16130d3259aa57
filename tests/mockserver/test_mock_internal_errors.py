"""A bug in an ASGI door is answered 500 in the OpenAI error format and logged with its traceback.

Each door answers its own failures (the app's short way in for ``/v1`` passes the request
straight to it): the video door before it sends anything, the proxy door as long as the relay's
answer has not started.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any, NoReturn

import pytest
from starlette.testclient import TestClient

from contract_tests.core.http import RawResponse
from mockserver.app import create_app
from mockserver.door import VideoDoor
from mockserver.settings import Settings

EXPECTED = {
    "error": {
        "message": "The mock hit an internal error: KeyError.",
        "type": "server_error",
        "param": None,
        "code": "server_error",
    }
}


def _explode(*args: Any, **kwargs: Any) -> NoReturn:
    raise KeyError("the bug under test")


def _assert_logged(caplog: pytest.LogCaptureFixture, logger: str, error: type[Exception] = KeyError) -> None:
    logged = [r for r in caplog.records if r.name == logger and r.levelno == logging.ERROR]
    assert len(logged) == 1, caplog.text
    assert logged[0].exc_info is not None and logged[0].exc_info[0] is error
    assert "GET /v1/videos" in logged[0].getMessage()


def test_the_video_door_logs_a_bug_and_answers_500(caplog: pytest.LogCaptureFixture) -> None:
    app = create_app(Settings())
    door = app.router.default
    assert isinstance(door, VideoDoor)
    door.service.router = _Exploding()  # type: ignore[assignment]
    with TestClient(app, raise_server_exceptions=True) as client, caplog.at_level(logging.ERROR):
        response = client.get("/v1/videos", headers={"Authorization": "Bearer sk-local"})
    assert response.status_code == 500
    assert response.json() == EXPECTED
    _assert_logged(caplog, "sora-mock")


def test_an_answer_whose_headers_cannot_be_sent_is_a_logged_500(caplog: pytest.LogCaptureFixture) -> None:
    """A header value latin-1 cannot carry (a recorded relay's, say) fails while the answer is
    encoded, before anything is sent: still the OpenAI-format 500, on a closed connection."""
    app = create_app(Settings())
    door = app.router.default
    assert isinstance(door, VideoDoor)
    handle = door.service.handle

    def with_a_wide_header(*args: Any, **kwargs: Any) -> RawResponse:
        answer = handle(*args, **kwargs)
        return dataclasses.replace(answer, headers={**answer.headers, "x-relay-note": "余额不足"})

    door.service.handle = with_a_wide_header  # type: ignore[method-assign]
    with TestClient(app, raise_server_exceptions=True) as client, caplog.at_level(logging.ERROR):
        response = client.get("/v1/videos", headers={"Authorization": "Bearer sk-local"})
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "server_error"
    assert "UnicodeEncodeError" in response.json()["error"]["message"]
    assert response.headers["connection"] == "close"
    _assert_logged(caplog, "sora-mock", UnicodeEncodeError)


def test_the_proxy_door_logs_a_bug_and_answers_500(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = create_app(Settings(proxy="http://127.0.0.1:9"))  # never reached: the bug comes first
    monkeypatch.setattr(app.router.default, "_forwarded_headers", _explode)
    with TestClient(app, raise_server_exceptions=True) as client, caplog.at_level(logging.ERROR):
        response = client.get("/v1/videos", headers={"Authorization": "Bearer sk-local"})
    assert response.status_code == 500
    assert response.json() == EXPECTED
    _assert_logged(caplog, "sora-mock.proxy")


class _Exploding:
    route_of = staticmethod(_explode)
