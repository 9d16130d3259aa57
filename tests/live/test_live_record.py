"""Recording live runs (``--live-record``), profiling them (``observe``), comparing them (``drift``)
and not paying twice for a known leniency (``--live-known``), end to end on loopback.

The stand-in relay has its own error convention, not OpenAI's: HTTP 200 with ``{"code": 40001,
"msg"}`` for a missing field, 400 ``text/plain`` for malformed multipart. Answering 200 to a
missing field fails document-backed checks live: these runs fail, and what is asserted is the
recording, not a green run. Three runs in all, kept to the chainhub tests (or jxincm's).
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from live_runs import LiveRun, run_suite
from live_upstreams import Upstream, serve

from contract_tests.cli import main
from contract_tests.core import har
from contract_tests.core.media_type import parse_media_type
from contract_tests.core.wire import WireError, parse_multipart

TOKEN = "sk-RECORDCANARY-4b1d9e7a2c"
SCHEMA = json.loads(Path(__file__).with_name("har-1.2.schema.json").read_text("utf-8"))


def record(tmp: Path, name: str, upstream: Upstream, server: str, *extra: str) -> tuple[LiveRun, Path]:
    path = tmp / f"{name}.har"
    run = run_suite(tmp / name, [f"--live-base-url={upstream.base_url}", "--live-max-paid=40", "-k", server,
                                 f"--live-record={path}", *extra], {"SORA_API_KEY": TOKEN})
    return run, path


def uploads(upstream: Upstream) -> list[bytes]:
    """The bytes of every real upload the stand-in received (images; a text field sent as a file part
    holds a value like ``sora-2`` that the text fields rightly show elsewhere)."""
    found = []
    for headers, body in zip(upstream.seen, upstream.bodies, strict=True):
        media = parse_media_type(headers.get("content-type"))
        if media.essence == "multipart/form-data" and media.params.get("boundary"):
            try:
                parts = parse_multipart(body, media.params["boundary"])
            except WireError:  # malformed on purpose (a probe): nothing to look for
                continue
            found += [p.data for p in parts if p.is_file and len(p.data) >= 64]
    return found


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    return code, capsys.readouterr().out


@pytest.fixture(scope="module")
def recordings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The stand-in (videos followed, rendering in 1 s); the same relay changed, recorded with the first
    recording as --live-known; and an OpenAI-convention relay for the other server."""
    tmp = tmp_path_factory.mktemp("record")
    with serve("chainhub", "coded_errors", render_seconds=1) as first:
        run, before = record(tmp, "before", first, "chainhub", "--live-follow=20")
    with serve("chainhub", "coded_errors_changed") as changed:
        # Two pytest-xdist workers appending to one recording.
        known_run, after = record(tmp, "after", changed, "chainhub", f"--live-known={before}", "-n", "2")
    with serve("jxincm", "honest") as other:
        _, openai = record(tmp, "openai", other, "jxincm")
    return {"run": run, "before": before, "uploads": uploads(first), "after": after, "known_run": known_run,
            "changed": changed, "openai": openai}


def test_the_recording_is_valid_har_without_secret_or_upload_bytes(recordings: dict[str, Any]) -> None:
    run, path = recordings["run"], recordings["before"]
    assert run.returncode == 1, run.output[-3000:]  # the stand-in answers 200 to a missing field
    assert f"live recording (HAR): {path}" in run.stdout
    text = path.read_text("utf-8")
    jsonschema.validate(json.loads(text), SCHEMA)
    assert TOKEN not in text
    files = recordings["uploads"]
    assert files, "the suite uploaded no file: nothing was checked"
    for data in files:
        assert har.file_summary(data)["sha256"] in text
        escaped = json.dumps(data.decode("latin-1"))[1:-1]
        assert escaped[:24] not in text and base64.b64encode(data)[:24].decode() not in text


def test_each_entry_says_what_it_was_and_how_it_was_judged(recordings: dict[str, Any]) -> None:
    entries = har.read_entries(recordings["before"])
    notes = [har.annotation(e) for e in entries]
    assert all(n["server"] == "chainhub" and n["verdict"] in ("passed", "failed", "observation") for n in notes)
    missing = [n for n in notes if (n["probe"] or {}).get("class") == "missing_required"]
    assert missing and all(n["verdict"] == "failed" and n["failed_checks"] == ["invalid_request_rejected"]
                           and n["probe"]["basis"] == "document" and n["document"] == "chainhub" for n in missing)
    unknown = [n for n in notes if (n["probe"] or {}).get("class") == "unknown_field"]
    assert [n["verdict"] for n in unknown] == ["observation"]  # a practice leniency, accepted once
    assert {n["operation"] for n in notes if n["kind"] == "lifecycle"} >= {"GET /v1/videos/{id}"}


def test_observe_shows_the_relays_own_error_shapes(recordings: dict[str, Any],
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    code, out = cli(capsys, "observe", str(recordings["before"]), "--format", "json")
    assert code == 0
    server = json.loads(out)["servers"]["chainhub"]
    missing = server["classes"]["missing_required:model"]
    assert missing["outcome"] == "rejected" and missing["errors"] == [
        {"status": 200, "media_type": "application/json",
         "shape": {"$": "object", "$.code": "integer", "$.msg": "string"}}]
    assert server["classes"]["garbled_boundary"]["errors"] == [{"status": 400, "media_type": "text/plain", "shape": {}}]
    assert server["classes"]["unknown_field:x_unknown_field"]["outcome"] == "accepted"
    assert server["render_seconds"]["count"] == 1 and server["latency_ms"]["count"] == server["entries"]
    code, text = cli(capsys, "observe", str(recordings["before"]))
    assert "missing_required:model (document): rejected, status 200" in text
    assert "error 200 application/json {$.code: integer, $.msg: string}" in text
    code, markdown = cli(capsys, "observe", str(recordings["before"]), "--format", "markdown")
    assert "| `garbled_boundary` | practice | rejected | 400x" in markdown


def test_a_known_leniency_is_not_paid_for_twice(recordings: dict[str, Any]) -> None:
    run = recordings["known_run"]
    server = run.report["servers"]["chainhub"]
    [known] = server["known_observations"]
    assert known["class"] == "unknown_field" and known["field"] == "x_unknown_field" and known["status"] == 200
    assert "KNOWN " in run.stdout and "not sent again (--live-known)" in run.stdout
    assert recordings["changed"].bodies and not [b for b in recordings["changed"].bodies if b"x_unknown_field" in b]
    notes = [har.annotation(e) for e in har.read_entries(recordings["after"])]
    [carried] = [n for n in notes if (n["probe"] or {}).get("class") == "unknown_field"]
    assert carried["verdict"] == "known" and carried["known_from"] == str(recordings["before"])  # the next run knows it
    jsonschema.validate(json.loads(recordings["after"].read_text("utf-8")), SCHEMA)


def test_drift_names_what_changed_and_fails_on_it(recordings: dict[str, Any],
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    code, out = cli(capsys, "drift", str(recordings["before"]), str(recordings["after"]), "--fail-on", "error",
                    "--format", "json")
    assert code == 1
    found = {(f["rule"], f["operation"]) for f in json.loads(out)["findings"]}
    assert ("response-field-removed", "chainhub $.size") in found
    assert ("behaviour-now-accepts-invalid", "chainhub duplicate_field:prompt") in found
    assert not [f for f in found if "unknown_field" in f[1]]  # known: carried over, not measured, not a change
    code, _ = cli(capsys, "drift", str(recordings["before"]), str(recordings["before"]), "--fail-on", "info")
    assert code == 0


def test_two_relays_give_a_differential_report(recordings: dict[str, Any],
                                               capsys: pytest.CaptureFixture[str]) -> None:
    code, out = cli(capsys, "drift", str(recordings["openai"]), str(recordings["before"]), "--format", "markdown")
    assert code == 0  # no --fail-on: a report
    assert out.startswith(f"## differential report: jxincm ({recordings['openai']}) vs chainhub")
    assert "`error-shape-changed` | jxincm -> chainhub no_auth" in out
    assert "`error-status-changed` | jxincm -> chainhub missing_required:model" in out


def test_an_unusable_known_recording_stops_the_run_saying_why(tmp_path: Path) -> None:
    missing = tmp_path / "missing.har"
    run = run_suite(tmp_path, [f"--live-known={missing}", "-k", "chainhub"], {"SORA_API_KEY": TOKEN})
    assert run.returncode == 4, run.output[-2000:]  # pytest's usage error: nothing was sent
    assert f"--live-known: {missing}" in run.stderr
    same = run_suite(tmp_path, [f"--live-known={missing}", f"--live-record={missing}"], {"SORA_API_KEY": TOKEN})
    assert same.returncode == 4 and "must name different files" in same.stderr
