"""Live reports keep no secret: an upstream error body that quotes tokens reaches every output masked.

The upstream answers every create with a 401 whose JSON error quotes the run's token (known, from
the environment) and a key of its own (unknown to the run, caught by its ``sk-`` shape). The
suite quotes that body in its failure message, so both reach the terminal, the JUnit XML and the
JSON report's findings unless the one redaction path masks them.
"""

from __future__ import annotations

from pathlib import Path

from live_runs import run_suite
from live_upstreams import RELAY_KEY, serve

from contract_tests.core.redaction import MASK

TOKEN = "canary-live-token-9a8b7c6d"  # not key-shaped: only knowing it can mask it


def test_an_error_body_quoting_tokens_reaches_no_output_in_clear(tmp_path: Path) -> None:
    with serve("chainhub", "echoes_token_in_error") as upstream:
        run = run_suite(
            tmp_path,
            ["-l", "--tb=long", "-rA", f"--live-base-url={upstream.base_url}", "-k", "chainhub and test_valid_request"],
            {"SORA_CHAINHUB_API_KEY": TOKEN},
        )
    assert any(h.get("authorization") == f"Bearer {TOKEN}" for h in upstream.seen)  # it was really sent
    assert run.returncode == 1, run.output[-3000:]
    outputs = {"stdout": run.stdout, "stderr": run.stderr, "junit": run.junit, "report": str(run.report)}
    assert [(name, secret) for name, text in outputs.items() for secret in (TOKEN, RELAY_KEY) if secret in text] == []
    # The body did reach each output, masked: the test saw what it searched.
    quoted = f"Incorrect API key provided: {MASK}. Upstream refused relay key {MASK}."
    assert all(quoted in text for text in (run.stdout, run.junit))
    findings = run.report["servers"]["chainhub"]["findings"]  # cut at 600 characters, before the relay key
    assert any(f"Incorrect API key provided: {MASK}." in f["message"] for f in findings)
