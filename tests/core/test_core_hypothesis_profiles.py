"""The plugin leaves a client project's Hypothesis settings alone; the suite keeps its own.

A client project (pytester, in a subprocess so Hypothesis' global state is its own) registers
and loads a profile of 7 examples in its conftest, and runs the contract suite beside its tests.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, Phase, settings

from contract_tests.suite.profiles import SUITE_PROFILES, profile_name, suite_settings

CLIENT_CONFTEST = """
from hypothesis import settings

settings.register_profile("mine", max_examples=7)
settings.load_profile("mine")
"""

CLIENT_TESTS = """
from hypothesis import given, settings, strategies as st

RUNS = []


def test_client_profile_is_in_force():
    assert settings.get_current_profile_name() == "mine"
    assert settings().max_examples == 7


@given(st.integers())
def test_client_given_runs(number):
    RUNS.append(number)


def test_client_given_ran_seven_examples():
    assert len(RUNS) == 7
"""
SUITE_TEST = "test_valid_request_is_accepted_with_a_queued_video[chainhub]"


def _examples_per_test(output: str) -> dict[str, int]:
    """Passing examples per test, from ``--hypothesis-show-statistics`` ("path::test:" then "- N passing")."""
    return {name: int(count) for name, count in re.findall(r"::(\S+):\n.*?- (\d+) passing", output, re.S)}


@pytest.mark.parametrize(("ci", "suite_examples"), [(False, 20), (True, 60)], ids=["workstation", "ci"])
def test_client_profile_stays_and_the_suite_keeps_its_own(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, ci: bool, suite_examples: int
) -> None:
    if ci:
        monkeypatch.setenv("CI", "true")
    else:
        monkeypatch.delenv("CI", raising=False)
    pytester.makeini("[pytest]\n")
    pytester.makeconftest(CLIENT_CONFTEST)
    pytester.makepyfile(test_client=CLIENT_TESTS)
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "--hypothesis-show-statistics", "-k", "client or chainhub",
        ".", "--pyargs", "contract_tests.suite.test_create_valid",
    )  # fmt: skip
    result.assert_outcomes(passed=4)
    counts = _examples_per_test(result.stdout.str())
    assert counts.get("test_client_given_runs") == 7, result.stdout.str()
    assert counts.get(SUITE_TEST) == suite_examples, result.stdout.str()


def test_the_suite_profile_follows_the_option_then_live_then_ci() -> None:
    assert profile_name(None, live=False, ci=False) == "dev"
    assert profile_name(None, live=False, ci=True) == "ci"
    assert profile_name(None, live=True, ci=True) == "live"
    assert profile_name("ci", live=True, ci=False) == "ci"
    assert suite_settings("dev").max_examples == 20
    ci = suite_settings("ci")
    assert (ci.max_examples, ci.derandomize, ci.database) == (60, True, None)
    live = suite_settings("live")
    assert live.max_examples == 3 and Phase.shrink not in live.phases
    assert HealthCheck.too_slow in live.suppress_health_check
    assert settings.get_profile("live") is live  # registered, so --hypothesis-profile live is accepted
    assert suite_settings("default") is settings.get_profile("default")  # any other registered name
    assert settings.get_profile("ci") is not SUITE_PROFILES["ci"]  # Hypothesis' own ci stays its own
