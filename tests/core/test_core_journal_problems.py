"""Problems render as OpenAI errors; the journal is bounded and never holds a secret."""

from __future__ import annotations

from contract_tests.core.journal import Journal
from contract_tests.core.problems import Code, Problem, error_response
from contract_tests.core.redaction import redact_header


def test_problem_renders_the_openai_envelope() -> None:
    problem = Problem(Code.INVALID_API_KEY, "no key", None, 401)
    assert problem.as_error() == {
        "error": {"message": "no key", "type": "invalid_request_error", "param": None, "code": "invalid_api_key"}
    }
    assert Problem(Code.SERVER_ERROR, "x", None, 500).type == "server_error"


def test_several_problems_keep_every_one() -> None:
    problems = [Problem(Code.INVALID_TYPE, "first", "x"), Problem(Code.INVALID_VALUE, "second", "y")]
    status, body = error_response(problems)
    assert status == 400 and body["error"]["param"] == "x"
    assert [p["code"] for p in body["error"]["problems"]] == ["invalid_type", "invalid_value"]


def test_secrets_are_redacted_and_the_journal_is_bounded() -> None:
    assert redact_header("Authorization", "Bearer sk-1") == "Bearer [REDACTED]"
    assert redact_header("X-Api-Key", "sk-1") == "[REDACTED]"
    assert redact_header("Content-Type", "text/plain") == "text/plain"
    journal = Journal(capacity=2)
    for i in range(3):
        journal.record(
            method="POST", path=f"/{i}", query="", headers={"Authorization": "Bearer sk-1"}, verdict="-",
            problems=[], fields={}, files=[], status=200, response=None, duration_ms=0.0,
        )
    assert [e.path for e in journal.entries()] == ["/1", "/2"]
    assert all("sk-1" not in str(e.as_dict()) for e in journal.entries())


def test_secret_query_parameters_are_redacted() -> None:
    journal = Journal()
    entry = journal.record(
        method="GET", path="/v1/videos", query="limit=2&api_key=sk-SECRET123", headers={}, verdict="-",
        problems=[], fields={}, files=[], status=200, response=None, duration_ms=0.0,
    )
    assert "sk-SECRET123" not in str(entry.as_dict())
    assert entry.query == "limit=2&api_key=[REDACTED]"


def test_codes_are_an_enum_that_reads_as_its_string() -> None:
    import pytest

    assert Code("not_found") is Code.NOT_FOUND
    assert {Code.NOT_FOUND} == {"not_found"} and f"{Code.NOT_FOUND}" == "not_found"
    assert Problem(Code.NOT_FOUND, "gone").as_dict()["code"] == "not_found"
    with pytest.raises(ValueError):
        Code("not_fuond")
