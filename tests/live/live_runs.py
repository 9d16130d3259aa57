"""Run the contract suite live in a subprocess, as CI would, and collect everything it wrote.

A subprocess (not pytester) because live mode is switched on at configure time and its output
goes to real files: the point is to check what a CI job would see and store.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
SORA_MOCK = Path(sys.executable).with_name("sora-mock")
RUN_TIMEOUT = 240


@dataclass
class LiveRun:
    returncode: int
    stdout: str
    stderr: str
    junit: str
    report: dict[str, Any]

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def everything(self) -> str:
        """All a CI job would keep: terminal output, JUnit XML and the JSON report."""
        return self.output + self.junit + json.dumps(self.report)


def clean_env(extra: Mapping[str, str]) -> dict[str, str]:
    """The parent's environment without any SORA_*/PYTEST_* variable, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SORA_", "PYTEST_", "HYPOTHESIS"))}
    env.update(extra)
    return env


def run_suite(tmp: Path, args: Sequence[str], env: Mapping[str, str], live: bool = True) -> LiveRun:
    junit, report = tmp / "junit.xml", tmp / "live.json"
    command = [
        sys.executable, "-m", "pytest", "contract_tests/suite", "-p", "no:cacheprovider", "-q",
        f"--junitxml={junit}",
    ]
    if live:
        command += ["--live", f"--live-report={report}"]
    done = subprocess.run(
        [*command, *args], cwd=REPO, env=clean_env(env), capture_output=True, text=True, timeout=RUN_TIMEOUT
    )
    return LiveRun(
        done.returncode,
        done.stdout,
        done.stderr,
        junit.read_text("utf-8") if junit.exists() else "",
        json.loads(report.read_text("utf-8")) if report.exists() else {},
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def sora_mock(upstream: str) -> Iterator[str]:
    """The project's own ``sora-mock`` command on a free loopback port; yields its base URL."""
    port = free_port()
    process = subprocess.Popen(
        [str(SORA_MOCK), "--host", "127.0.0.1", "--port", str(port), "--upstream", upstream, "--render-seconds", "1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=clean_env({}),
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"sora-mock exited: {process.stderr.read() if process.stderr else ''!r}")
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("sora-mock did not start listening within 30 s")
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
