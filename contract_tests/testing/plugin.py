"""The pytest plugin (entry point ``pytest11``): fixtures for client projects, and live mode.

A project that installs sora-contract gets the ``sora_mock`` fixture: its httpx and httpx2 traffic
(the official openai SDK's included) to the relays is answered offline by the contract (see README,
"Testing your own client").
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from contract_tests.core.specs import SpecRegistry, load_registry
from contract_tests.live.config import DEFAULT_BUDGET, DEFAULT_TIMEOUT, live_requested, resolve
from contract_tests.live.hooks import LiveSession, Redaction, environment_secrets
from contract_tests.live.secrets import Redactor
from contract_tests.suite.profiles import register_named_profiles
from contract_tests.testing.respx_mock import SoraMock

LIVE_SESSION = pytest.StashKey["LiveSession | None"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("sora-live", "sora-contract live mode (real upstream servers)")
    group.addoption("--live", action="store_true", help="run the contract suite over real HTTP (or SORA_LIVE=1)")
    group.addoption(
        "--live-base-url", metavar="URL", help="send every server's requests here (else SORA_<SERVER>_BASE_URL, "
        "else the documents' servers)"
    )
    group.addoption(
        "--live-require", action="store_true", help="a server without a token fails instead of being skipped (CI)"
    )
    group.addoption(
        "--live-budget", type=int, default=DEFAULT_BUDGET, metavar="N",
        help=f"at most N requests expected to be accepted (paid videos) per server (default {DEFAULT_BUDGET})",
    )
    group.addoption(
        "--live-max-paid", type=int, default=None, metavar="N",
        help="hard cap on creates answered 2xx (paid videos) per server, expected or not; once reached, no "
        "further request that could start a video is sent (default: the budget + 2)",
    )
    group.addoption(
        "--live-strict", action="store_true",
        help="practice deviations (unknown fields, duplicates, malformed multipart...) and broken video "
        "lifecycles fail instead of being reported as observations",
    )
    group.addoption(
        "--live-follow", type=float, default=0.0, metavar="SECONDS",
        help="poll each accepted video with GET /v1/videos/{id} for up to SECONDS and check its lifecycle "
        "(default 0: off)",
    )
    group.addoption("--live-report", metavar="PATH", help="write the live run's JSON report here")
    group.addoption(
        "--live-record", metavar="FILE.har",
        help="record every exchange as HAR 1.2 (secrets redacted, uploads as size/sha256/type), annotated; "
        "written test by test (read it with `sora-contract observe`, compare with `sora-contract drift`)",
    )
    group.addoption(
        "--live-known", metavar="FILE.har",
        help="skip practice probes that recording shows the relay accepts (each would start a paid video); "
        "they are listed as known observations",
    )
    group.addoption(
        "--live-timeout", type=float, default=DEFAULT_TIMEOUT, metavar="SECONDS", help="per-request timeout"
    )


@pytest.hookimpl(tryfirst=True)  # before Hypothesis' plugin loads --hypothesis-profile
def pytest_configure(config: pytest.Config) -> None:
    # Never load a profile here: the project's Hypothesis settings stay its own. The suite's
    # tests get theirs per test (contract_tests/suite/profiles.py).
    register_named_profiles()
    live = live_requested(bool(config.getoption("live", default=False)))
    redactor = Redactor(environment_secrets())
    config.pluginmanager.register(Redaction(redactor), "sora-contract-redaction")
    session = None
    if live:
        report = config.getoption("live_report", default=None)
        record = config.getoption("live_record", default=None)
        known = config.getoption("live_known", default=None)
        live_config = resolve(
            load_registry(),
            base_url=config.getoption("live_base_url", default=None),
            budget=int(config.getoption("live_budget", default=DEFAULT_BUDGET)),
            require=bool(config.getoption("live_require", default=False)),
            report_path=Path(report).resolve() if report else None,
            timeout=float(config.getoption("live_timeout", default=DEFAULT_TIMEOUT)),
            max_paid=config.getoption("live_max_paid", default=None),
            strict=bool(config.getoption("live_strict", default=False)),
            follow=float(config.getoption("live_follow", default=0.0) or 0.0),
            record_path=Path(record).resolve() if record else None,
            known_path=Path(known).resolve() if known else None,
        )
        session = LiveSession(config, live_config, redactor)
        config.pluginmanager.register(session, "sora-contract-live")
    config.stash[LIVE_SESSION] = session


def live_session(config: pytest.Config) -> LiveSession | None:
    """The run's live session, or None offline (the default)."""
    return config.stash.get(LIVE_SESSION, None)


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
    """Answer requests to the documented servers offline, by contract, from httpx and httpx2 clients.

    The official openai SDK (httpx2 since 3.x) is answered too, sync and async; a request to any
    other host raises respx's ``AllMockedAssertionError`` instead of reaching the network.
    The SDK's DeprecationWarning for its videos methods is left alone: a project filters it itself.

    ``sora_mock.calls`` holds respx's record of each call; ``sora_mock.requests()`` the journal,
    with each request's verdict and problems.
    """
    with SoraMock(sora_registry) as mock:
        yield mock
