"""The pytest wiring of live mode: options resolved into a session, redaction, summary, JSON report.

:class:`Redaction` is registered on every run (offline too): whatever tokens the environment
holds are scrubbed from every report before the terminal, JUnit XML or xdist see it.
:class:`LiveSession` is registered only with ``--live``/``SORA_LIVE=1``.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx2
import pytest

from contract_tests.core import har
from contract_tests.live.budget import Budget
from contract_tests.live.config import LiveConfig
from contract_tests.live.known import KnownLeniencies, load_known
from contract_tests.live.recording import LiveRecorder, RecordingTransport
from contract_tests.live.report import LiveReport, check_ids, crash_message
from contract_tests.live.secrets import Redactor, Secret
from contract_tests.live.target import LiveTarget
from contract_tests.live.transport import Transport

LEDGER_INPUT = "sora_live_ledger"
_TOKEN_ENV = re.compile(r"^SORA_(?:[A-Z0-9_]+_)?API_KEY$")
USER_AGENT = "sora-contract-live/1"


def environment_secrets(environ: Mapping[str, str] | None = None) -> list[Secret]:
    """Every token variable live mode could read (``SORA_API_KEY``, ``SORA_<SERVER>_API_KEY``)."""
    env = os.environ if environ is None else environ
    return [Secret(v.strip()) for k, v in env.items() if _TOKEN_ENV.match(k) and v.strip()]


class Redaction:
    """Scrub known tokens from test and collection reports as they are made."""

    def __init__(self, redactor: Redactor) -> None:
        self.redactor = redactor

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
        report = yield
        self.redactor.scrub_report(report)
        return report

    @pytest.hookimpl(wrapper=True)
    def pytest_make_collect_report(self, collector: pytest.Collector) -> Any:
        report = yield
        self.redactor.scrub_report(report)
        return report


class LiveSession:
    """One live run: its resolved config, shared budget, accumulated report and output."""

    def __init__(self, pytest_config: pytest.Config, config: LiveConfig, redactor: Redactor) -> None:
        self.pytest_config = pytest_config
        self.config = config
        self.redactor = redactor
        workerinput = getattr(pytest_config, "workerinput", None)
        self.is_worker = workerinput is not None
        if workerinput is not None:
            self._ledger_dir: Path | None = None
            ledger = Path(workerinput[LEDGER_INPUT])
        else:
            self._ledger_dir = Path(tempfile.mkdtemp(prefix="sora-live-"))
            ledger = self._ledger_dir / "budget.json"
        # A grant waits for requests in flight at most as long as two of them may take.
        self.budget = Budget(config.budget, ledger, config.paid_cap, patience=2 * config.timeout)
        self.report = LiveReport(config)
        self.known: KnownLeniencies | None = None
        if config.known_path is not None:
            if config.known_path == config.record_path:  # the new recording would replace what it reads
                raise pytest.UsageError("--live-known and --live-record must name different files")
            try:
                self.known = load_known(config.known_path)
            except har.HarError as exc:
                raise pytest.UsageError(f"--live-known: {exc}") from None
        self.recorder: LiveRecorder | None = None
        if config.record_path is not None:
            writer = har.HarWriter(config.record_path)
            if not self.is_worker:  # one new recording per run, started before any worker appends
                config.record_path.unlink(missing_ok=True)
                writer.start()
            self.recorder = LiveRecorder(writer, redactor)

    @contextlib.contextmanager
    def open_target(self) -> Iterator[LiveTarget]:
        timeout = httpx2.Timeout(self.config.timeout, connect=min(10.0, self.config.timeout))
        with httpx2.Client(timeout=timeout, headers={"User-Agent": USER_AGENT}) as client:
            transport = (
                Transport(client, self.config.retry) if self.recorder is None
                else RecordingTransport(self.recorder, client, self.config.retry)
            )
            yield LiveTarget(client, self.config, self.budget, transport, recorder=self.recorder, known=self.known)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
        """``--live-record``: once pytest has judged the test, write its exchanges with the verdict."""
        report = yield
        if self.recorder is not None and self.recorder.pending and report.when in ("call", "teardown"):
            checks = check_ids(crash_message(report)) if report.failed else []
            self.recorder.flush(report.nodeid, report.outcome, checks)
        return report

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node: Any) -> None:
        """pytest-xdist: every worker spends from the controller's one ledger."""
        node.workerinput[LEDGER_INPUT] = str(self.budget.ledger)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self.report.add(report)

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if self.is_worker:
            return
        if self.report.cap_failures(self.budget.tallies()) and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED  # the cap was reached by unexpected acceptances
        if self.config.report_path is None:
            return
        self.report.write(self.config.report_path, self.budget.tallies(), int(session.exitstatus))
        path = self.config.report_path
        path.write_text(self.redactor.scrub(path.read_text("utf-8")), "utf-8")

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if self.is_worker:
            return
        terminalreporter.section("sora-contract live: per server")
        for line in self.report.summary_lines(self.budget.tallies()):
            terminalreporter.write_line(self.redactor.scrub(line))
        if self.config.report_path is not None:
            terminalreporter.write_line(f"live report: {self.config.report_path}")
        if self.config.record_path is not None:
            terminalreporter.write_line(f"live recording (HAR): {self.config.record_path}")

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        if self.recorder is not None:  # a run interrupted mid-test keeps that test's exchanges too
            self.recorder.flush_interrupted()
        if self._ledger_dir is not None:
            shutil.rmtree(self._ledger_dir, ignore_errors=True)
