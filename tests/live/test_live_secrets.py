"""Tokens are masked in reprs and scrubbed from pytest's report objects."""

from __future__ import annotations

from _pytest._code.code import ExceptionInfo
from _pytest.reports import TestReport

from contract_tests.live.secrets import MASK, Redactor, Secret

TOKEN = "sk-canary-ABCDEF123456"


def test_a_secret_never_shows_itself() -> None:
    secret = Secret(TOKEN)
    assert TOKEN not in repr(secret) and TOKEN not in str(secret) and TOKEN not in f"{secret!r} {secret}"
    assert TOKEN not in repr([secret, {"token": secret}])
    assert secret.reveal() == TOKEN


def test_scrub_replaces_every_known_token_longest_first() -> None:
    redactor = Redactor([Secret(TOKEN), TOKEN + "-longer"])
    assert redactor.scrub(f"a {TOKEN}-longer b {TOKEN}") == f"a {MASK} b {MASK}"


def test_tiny_values_are_not_treated_as_secrets() -> None:
    assert not Redactor(["abc", ""])
    assert Redactor(["abc"]).scrub("abc") == "abc"


def test_scrub_object_walks_lists_dicts_and_tuples() -> None:
    data = {"calls": [{"header": f"Bearer {TOKEN}"}], "pair": ("x", TOKEN)}
    scrubbed = Redactor([TOKEN]).scrub_object(data)
    assert TOKEN not in repr(scrubbed)
    assert scrubbed["calls"][0]["header"] == f"Bearer {MASK}"


def _failing_report() -> TestReport:
    def fails(header: str) -> None:
        raise AssertionError(f"server said {header}")

    try:
        fails(f"Bearer {TOKEN}")
    except AssertionError:
        info = ExceptionInfo.from_current()
    longrepr = info.getrepr(showlocals=True, style="long")
    return TestReport(
        "t.py::test", ("t.py", 1, "test"), {}, "failed", longrepr, "call",
        sections=[("Captured stdout call", f"token {TOKEN}")], user_properties=[("call", {"h": TOKEN})],
    )


def test_a_report_with_the_token_in_message_locals_output_and_properties_comes_out_clean() -> None:
    report = _failing_report()
    assert TOKEN in str(report.longrepr)  # the exception message and the local `header`
    Redactor([TOKEN]).scrub_report(report)
    assert TOKEN not in str(report.longrepr)
    assert TOKEN not in report.longrepr.reprcrash.message  # type: ignore[union-attr]
    assert TOKEN not in repr(report.sections) and TOKEN not in repr(report.user_properties)
    assert MASK in str(report.longrepr)
