"""``--live-record FILE.har``: every exchange of a live run, as HAR 1.2, annotated and redacted.

The live transport captures each request it sends and the answer it got (:class:`RecordingTransport`);
the live door says what each capture was (server, document, probe class and field) as it sends it;
when pytest has judged the test, :meth:`LiveRecorder.flush` writes the test's captures with the
verdict and the failed check ids. Writing happens per test, through :class:`~contract_tests.core.har.HarWriter`,
so an interrupted run keeps every test it finished, and pytest-xdist workers share one file.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx2

from contract_tests.core import har
from contract_tests.core.har import operation_of as operation_of  # its home is the core now; kept importable here
from contract_tests.core.redaction import Redactor
from contract_tests.live.transport import Exchange, Transport
from contract_tests.testing.strategies import INVALID_CLASSES, GeneratedRequest

log = logging.getLogger(__name__)

CREATE = "POST /v1/videos"


@dataclass
class Capture:
    """One sent request and its answer (None when it never came), waiting for the test's verdict."""

    method: str
    url: str
    headers: dict[str, str]
    body: bytes
    started: dt.datetime
    response: httpx2.Response | None = None
    latency_ms: float = 0.0
    error: str | None = None
    sora: dict[str, Any] = field(default_factory=dict)
    observed: bool = False


def probe_of(request: GeneratedRequest) -> dict[str, Any] | None:
    """The invalid class a request probes (None for a valid one): class, field and basis."""
    if request.valid:
        return None
    invalid = INVALID_CLASSES.get(request.label)
    return {"class": request.label, "field": request.param, "basis": invalid.basis if invalid else None}


class LiveRecorder:
    """Collects one process's captures per test and writes them to the shared HAR file."""

    def __init__(self, writer: har.HarWriter, redactor: Redactor) -> None:
        self.writer = writer
        self.redactor = redactor
        self.pending: list[Capture] = []
        self.server: str | None = None  # the current test's server: lifecycle calls belong to it
        self.test = ""  # the current test's node id

    def capture(self, method: str, url: str, headers: Mapping[str, str], body: bytes) -> Capture:
        captured = Capture(method.upper(), url, dict(headers), body, dt.datetime.now(dt.timezone.utc))
        self.pending.append(captured)
        return captured

    def annotate(self, request: GeneratedRequest) -> None:
        """The last capture was this generated request (a create, possibly a probe)."""
        if self.pending:
            self.pending[-1].sora.update(
                server=request.server_id, document=request.document_id,
                operation=f"{request.method.upper()} {request.path}", probe=probe_of(request), kind="create",
            )

    def mark_observed(self) -> None:
        """The last create was a tolerated deviation (a practice probe accepted): an observation."""
        creates = [c for c in self.pending if c.sora.get("kind") == "create"]
        if creates:
            creates[-1].observed = True

    def flush_interrupted(self) -> None:
        """The run stopped before pytest judged the current test (Ctrl-C): keep what it sent anyway."""
        if self.pending:
            self.flush(self.test, "interrupted", [])

    def carry(self, recorded: Mapping[str, Any], source: str, test: str) -> None:
        """A known leniency skipped: copy its earlier exchange into this recording, marked as such."""
        sora = {**har.annotation(recorded), "verdict": "known", "known_from": source, "test": test,
                "failed_checks": []}
        try:
            self.writer.append({**recorded, "_sora": sora})
        except (OSError, har.HarError) as exc:
            log.error("could not carry a known exchange into %s: %s", self.writer.path, exc)

    def flush(self, test: str, outcome: str, failed_checks: list[str]) -> None:
        """Write this test's captures with its verdict; nothing a failure here loses is silent."""
        captures, self.pending = self.pending, []
        for captured in captures:
            verdict = "observation" if captured.observed and outcome == "passed" else outcome
            sora = {
                "server": self.server, "document": None, "operation": operation_of(captured.method, captured.url),
                "probe": None, "kind": "lifecycle", **captured.sora,
                "test": test, "verdict": verdict, "failed_checks": failed_checks if outcome == "failed" else [],
            }
            if captured.error is not None:
                sora["error"] = captured.error
            response = captured.response
            try:
                self.writer.append(har.entry(
                    method=captured.method, url=captured.url, request_headers=captured.headers,
                    request_body=captured.body, status=response.status_code if response is not None else 0,
                    reason=response.reason_phrase if response is not None else "",
                    response_headers=dict(response.headers) if response is not None else {},
                    response_body=_body(response), started=captured.started, elapsed_ms=captured.latency_ms,
                    redactor=self.redactor, sora=sora,
                    http_version=response.http_version if response is not None else "HTTP/1.1",
                ))
            except (OSError, har.HarError) as exc:
                log.error("could not record %s %s in %s: %s", captured.method, captured.url, self.writer.path, exc)


def _body(response: httpx2.Response | None) -> bytes:
    if response is None:
        return b""
    try:
        return response.read()
    except httpx2.HTTPError as exc:  # a body cut short: record what the headers said, log why
        log.warning("recorded response body unreadable: %s", exc)
        return b""


class RecordingTransport(Transport):
    """The live transport, capturing every request it sends for the recorder."""

    def __init__(self, recorder: LiveRecorder, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.recorder = recorder

    def send(self, method: str, url: str, headers: Mapping[str, str], content: bytes) -> Exchange:
        captured = self.recorder.capture(method, url, headers, content)
        try:
            exchange = super().send(method, url, headers, content)
        except Exception as exc:
            captured.error = str(exc)
            raise
        captured.response, captured.latency_ms = exchange.response, exchange.latency_ms
        return exchange
