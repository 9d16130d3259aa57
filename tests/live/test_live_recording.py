"""The live recorder: what a test sent is written once the test is judged, or when the run stops first."""

from __future__ import annotations

from pathlib import Path

from contract_tests.core import har
from contract_tests.core.redaction import Redactor
from contract_tests.live.recording import LiveRecorder, operation_of

TOKEN = "sk-RECORDERCANARY-93f1"


def test_exchanges_of_an_interrupted_test_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "run.har"
    recorder = LiveRecorder(har.HarWriter(path), Redactor([TOKEN]))
    recorder.server, recorder.test = "chainhub", "suite::test_valid[chainhub]"
    captured = recorder.capture("GET", "http://relay.test/v1/videos/video_1", {"Authorization": f"Bearer {TOKEN}"}, b"")
    captured.error = f"ReadTimeout talking with token {TOKEN}"
    recorder.flush_interrupted()
    recorder.flush_interrupted()  # nothing pending any more: nothing written twice
    [recorded] = har.read_entries(path)
    assert har.annotation(recorded) == {
        "server": "chainhub", "document": None, "operation": "GET /v1/videos/{id}", "probe": None,
        "kind": "lifecycle", "test": "suite::test_valid[chainhub]", "verdict": "interrupted", "failed_checks": [],
        "error": "ReadTimeout talking with token [REDACTED]",
    }
    assert recorded["response"]["status"] == 0 and TOKEN not in path.read_text("utf-8")


def test_operations_name_the_route_not_the_video() -> None:
    assert operation_of("get", "http://x/v1/videos/video_9/content?a=1") == "GET /v1/videos/{id}/content"
    assert operation_of("POST", "http://x/v1/videos") == "POST /v1/videos"
