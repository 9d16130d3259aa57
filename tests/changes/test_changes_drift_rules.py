"""Every drift rule, each with the smallest pair of recordings that triggers it; and observe's profile.

Recordings are built entry by entry with :func:`contract_tests.core.har.entry`, as live mode writes them,
so the profile and the comparison are tested on the real format. A test checks that the cases
cover every ``drift`` rule of the catalog, so adding a rule without a test fails.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from contract_tests.changes.drift import drift
from contract_tests.changes.observe import profile, render
from contract_tests.changes.rules import CATALOG, rules_of
from contract_tests.cli import main
from contract_tests.core import har
from contract_tests.core.specs import load_registry

START = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
VIDEO = {"id": "video_1", "object": "video", "status": "queued", "size": "720x1280", "created_at": 1}


def exchange(key: str = "valid", status: int = 200, body: Any = None, media: str = "application/json",
             server: str = "chainhub", ms: float = 10.0, at: float = 0.0, method: str = "POST",
             path: str = "/v1/videos", headers: dict[str, str] | None = None) -> dict[str, Any]:
    """One recorded exchange; ``key`` is ``valid``, ``class`` or ``class:field``."""
    label, _, field = key.partition(":")
    probe = None if key == "valid" else {"class": label, "field": field or None, "basis": "practice"}
    kind = "create" if method == "POST" else "lifecycle"
    operation = f"{method} {'/v1/videos/{id}' if path != '/v1/videos' else path}"
    text = body if isinstance(body, str) else json.dumps(VIDEO if body is None else body)
    return har.entry(
        method=method, url=f"http://relay.test{path}", request_headers={}, request_body=b"", status=status,
        reason="", response_headers={"content-type": media, **(headers or {})}, response_body=text.encode(),
        started=START + dt.timedelta(seconds=at), elapsed_ms=ms,
        sora={"server": server, "document": "chainhub", "operation": operation, "probe": probe, "kind": kind},
    )


CODED = {"code": 40001, "msg": "missing"}
OPENAI = {"error": {"message": "missing", "type": "invalid_request_error", "param": "model", "code": None}}
Recording = list[dict[str, Any]]


@dataclass(frozen=True)
class Case:
    old: Callable[[], Recording]
    new: Callable[[], Recording]


def _valid(**video: Any) -> Recording:
    return [exchange(body={**VIDEO, **video})]


CASES: dict[str, Case] = {
    "behaviour-now-accepts-invalid": Case(lambda: [exchange("unknown_field:x", 400, CODED)],
                                          lambda: [exchange("unknown_field:x")]),
    "behaviour-now-rejects-invalid": Case(lambda: [exchange("unknown_field:x")],
                                          lambda: [exchange("unknown_field:x", 400, CODED)]),
    "behaviour-now-rejects-valid": Case(lambda: [exchange()], lambda: [exchange("valid", 200, CODED)]),
    "behaviour-class-unobserved": Case(lambda: [exchange(), exchange("json_body", 415, CODED)], lambda: [exchange()]),
    "error-status-changed": Case(lambda: [exchange("json_body", 400, CODED)],
                                 lambda: [exchange("json_body", 415, CODED)]),
    "error-media-type-changed": Case(lambda: [exchange("json_body", 400, CODED)],
                                     lambda: [exchange("json_body", 400, "bad body", "text/plain")]),
    "error-shape-changed": Case(lambda: [exchange("json_body", 400, CODED)],
                                lambda: [exchange("json_body", 400, OPENAI)]),
    "response-field-removed": Case(_valid, lambda: [exchange(body={k: v for k, v in VIDEO.items() if k != "size"})]),
    "response-field-retyped": Case(_valid, lambda: _valid(created_at="1")),
    "response-field-added": Case(_valid, lambda: _valid(usage={"seconds": 4})),
    "response-header-removed": Case(lambda: [exchange(headers={"x-request-id": "1"})], lambda: [exchange()]),
    "latency-regressed": Case(lambda: [exchange(ms=100)], lambda: [exchange(ms=900)]),
    "render-time-regressed": Case(
        lambda: [exchange(), exchange("valid", body={**VIDEO, "status": "completed"}, method="GET",
                                      path="/v1/videos/video_1", at=10)],
        lambda: [exchange(), exchange("valid", body={**VIDEO, "status": "completed"}, method="GET",
                                      path="/v1/videos/video_1", at=60)],
    ),
}


def _drift(case: Case) -> list[tuple[str, str]]:
    registry = load_registry()
    found = drift(profile(case.old(), registry), profile(case.new(), registry), "new.har")
    return [(f.rule, f.level.label) for f in found]


def test_every_drift_rule_has_a_case() -> None:
    assert set(CASES) == {r.id for r in rules_of("drift")}


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_drift_rule_is_reported_with_its_catalog_level(rule_id: str) -> None:
    assert (rule_id, CATALOG[rule_id].level.label) in _drift(CASES[rule_id])


def test_the_same_behaviour_has_no_drift() -> None:
    recording = [exchange(), exchange("json_body", 400, CODED), exchange("missing_required:model", 200, CODED)]
    assert drift(profile(recording), profile(recording)) == []


def test_two_relays_give_a_differential_report() -> None:
    """One server each, different ids: compared with each other, named both ways."""
    old = profile([exchange("json_body", 415, OPENAI, server="jxincm")])
    new = profile([exchange("json_body", 200, VIDEO, server="chainhub")])
    [finding] = drift(old, new)
    assert finding.rule == "behaviour-now-accepts-invalid" and finding.operation == "jxincm -> chainhub json_body"


def test_the_profile_reads_a_200_error_as_a_rejection_with_its_shape() -> None:
    """``{"code": 40001, "msg"}`` with HTTP 200 is how some relays say no: rejected, and its shape kept."""
    prof = profile([exchange("missing_required:model", 200, CODED),
                    exchange("garbled_boundary", 400, "no", "text/plain")])
    classes = prof["servers"]["chainhub"]["classes"]
    assert classes["missing_required:model"]["outcome"] == "rejected"
    assert classes["missing_required:model"]["errors"] == [
        {"status": 200, "media_type": "application/json",
         "shape": {"$": "object", "$.code": "integer", "$.msg": "string"}}
    ]
    assert classes["garbled_boundary"]["errors"] == [{"status": 400, "media_type": "text/plain", "shape": {}}]


def test_the_profile_tells_documented_fields_from_the_rest_and_times_renders() -> None:
    recording = [
        exchange(body={**VIDEO, "usage": {"seconds": 4}}, ms=10),
        exchange("valid", body={**VIDEO, "status": "completed"}, method="GET", path="/v1/videos/video_1", at=42, ms=30),
    ]
    server = profile(recording, load_registry())["servers"]["chainhub"]
    assert server["response_fields"]["$.size"] == {"type": "string", "documented": True}
    assert server["response_fields"]["$.usage.seconds"] == {"type": "integer", "documented": False}
    assert server["render_seconds"]["count"] == 1 and server["render_seconds"]["p50"] == pytest.approx(42.03)
    assert server["latency_ms"] == {"count": 2, "p50": 20.0, "p95": 30.0, "max": 30.0}
    assert server["classes"]["GET /v1/videos/{id}"]["outcome"] == "accepted"
    text, markdown = render("text", profile(recording, load_registry())), render("markdown", profile(recording))
    assert "fields beyond the documents: $.usage (object), $.usage.seconds (integer)" in text
    assert "| `valid` |  | accepted | 200 |  |" in markdown


def test_an_exchange_carried_from_an_earlier_recording_counts_its_class_only() -> None:
    """``--live-known`` copies an earlier exchange in: its class is known, its fields and timing are old news."""
    carried = exchange("unknown_field:x", body={**VIDEO, "legacy": 1}, ms=5000)
    carried["_sora"]["verdict"] = "known"
    server = profile([exchange(ms=10), carried])["servers"]["chainhub"]
    assert server["classes"]["unknown_field:x"]["known"] == 1
    assert server["classes"]["unknown_field:x"]["outcome"] == "accepted"
    assert "$.legacy" not in server["response_fields"] and server["latency_ms"]["max"] == 10.0
    assert "(known: carried from an earlier recording)" in render("text", profile([carried]))


def test_null_coming_and_going_is_not_a_retype_and_headers_compare_per_call() -> None:
    """``completed_at`` is null until a video completes: which stages a run saw is not a change; nor is
    a header of a call (a poll) the new run did not make."""
    completed = {**VIDEO, "status": "completed", "completed_at": 5}
    old = [exchange(body={**VIDEO, "completed_at": None}),
           exchange(body=completed, method="GET", path="/v1/videos/video_1", headers={"x-poll": "1"})]
    new = [exchange(body={**VIDEO, "completed_at": None})]
    assert {f.rule for f in drift(profile(old), profile(new))} == {"behaviour-class-unobserved"}
    assert drift(profile(new), profile(old)) == []  # first seen as an integer: was only ever null


def _write(path: Path, recording: Recording) -> str:
    writer = har.HarWriter(path)
    writer.start()
    for recorded in recording:
        writer.append(recorded)
    return str(path)


@pytest.mark.parametrize("fmt", ["text", "json", "junit", "github", "markdown"])
def test_drift_speaks_every_format_and_fails_on_request(tmp_path: Path, fmt: str,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    case = CASES["behaviour-now-accepts-invalid"]
    old, new = _write(tmp_path / "old.har", case.old()), _write(tmp_path / "new.har", case.new())
    assert main(["drift", old, new, "--format", fmt, "--fail-on", "error"]) == 1
    assert "behaviour-now-accepts-invalid" in capsys.readouterr().out
    assert main(["drift", old, new, "--format", fmt, "--fail-on", "error", "--output", str(tmp_path / "r")]) == 1
    assert main(["drift", old, old, "--format", fmt, "--fail-on", "info"]) == 0


def test_unusable_recordings_exit_2_saying_why(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = _write(tmp_path / "good.har", [exchange()])
    assert main(["drift", str(tmp_path / "missing.har"), good]) == 2
    assert "missing.har" in capsys.readouterr().err
    assert main(["observe", str(tmp_path)]) == 2  # a directory, not a HAR
    two = _write(tmp_path / "two.har", [exchange(server="a"), exchange(server="b")])
    assert main(["drift", good, two]) == 2
    assert "no server to compare" in capsys.readouterr().err
