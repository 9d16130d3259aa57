"""The pytest plugin (entry point ``pytest11``): fixtures for client projects, and test profiles.

A project that installs sora-contract gets the ``sora_mock`` fixture: its httpx traffic to the
relays is answered offline by the contract (see README, "Testing your own client").
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

from contract_tests.respx_mock import SoraMock
from contract_tests.specs import SpecRegistry, load_registry

# Profiles, chosen with --hypothesis-profile. Registering "ci" replaces Hypothesis' built-in one,
# which it loads by itself whenever CI is set.
settings.register_profile(
    "dev", max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "ci",
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "live", max_examples=3, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
)


def pytest_configure(config: pytest.Config) -> None:
    chosen = config.getoption("hypothesis_profile", default=None)
    if chosen is None and not os.environ.get("CI"):
        settings.load_profile("dev")


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Collect shown verdicts from reports, so they reach the controller under pytest-xdist too."""
    if report.when == "call":
        shown = [str(value) for key, value in report.user_properties if key == "example_verdict"]
        if shown:
            _SHOWN.extend(shown)


_SHOWN: list[str] = []


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _SHOWN:
        terminalreporter.section("sora-contract: the documents' own example requests")
        for line in sorted(_SHOWN):
            terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def sora_registry() -> SpecRegistry:
    """Every document of ``specs/`` (or ``$SORA_SPECS_DIR``), loaded once."""
    return load_registry()


@pytest.fixture
def sora_mock(sora_registry: SpecRegistry) -> Iterator[SoraMock]:
    """Answer httpx requests to the documented servers offline, by contract.

    ``sora_mock.calls`` holds respx's record of each call; ``sora_mock.requests()`` the journal,
    with each request's verdict and problems.
    """
    with SoraMock(sora_registry) as mock:
        yield mock
