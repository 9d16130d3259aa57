"""Live mode end to end: the suite run as CI runs it, against local upstreams on 127.0.0.1.

Against the project's own ``sora-mock`` it must pass; against an upstream broken one way it
must fail naming that check; and no token may appear in anything the run writes.
"""

from __future__ import annotations

from pathlib import Path

import httpx2
import pytest
from live_runs import LiveRun, free_port, run_suite, sora_mock
from live_upstreams import serve

TOKEN = "sk-LEAKCANARY-7f3a9c1e5b2d"
# Long tracebacks with every local (-l), every outcome's section (-rA), both creates sent.
VERBOSE_FAILURES = ["--live-budget=2", "-l", "--tb=long", "-rA"]
CHAINHUB_CREATES = "chainhub and (test_valid_request or test_document_example)"


def test_live_mode_passes_against_sora_mock(tmp_path: Path) -> None:
    """Both upstreams as sora-mock processes, one per server; pytest-xdist workers share the budget."""
    with sora_mock("jxincm") as jxincm, sora_mock("chainhub") as chainhub:
        env = {"SORA_JXINCM_BASE_URL": jxincm, "SORA_CHAINHUB_BASE_URL": chainhub, "SORA_API_KEY": TOKEN}
        run = run_suite(tmp_path, ["-n", "2"], env)
        journals = [httpx2.get(f"{url}/__admin/requests", timeout=10).text for url in (jxincm, chainhub)]
    assert all('"verdict": "accepted"' in j or '"verdict":"accepted"' in j for j in journals)
    assert not any(TOKEN in j for j in journals) and TOKEN not in run.everything()
    assert run.returncode == 0, run.output[-3000:]
    assert run.report["ok"] is True
    for server_id, server in run.report["servers"].items():
        assert server["failed"] == 0 and server["passed"] > 20, server_id
        assert server["budget"] == {"limit": 1, "spent": 1}
        assert server["latency_ms"]["count"] == len(server["calls"]) > 0
        assert set(server["skip_reasons"]) == {f"live budget of 1 spent for server {server_id}; raise --live-budget"}
    assert "sora-contract live: per server" in run.stdout
    assert '<testsuite name="pytest"' in run.junit and 'failures="0"' in run.junit


def test_live_base_url_sends_every_server_to_one_sora_mock(tmp_path: Path) -> None:
    with sora_mock("jxincm") as jxincm:
        run = run_suite(tmp_path, [f"--live-base-url={jxincm}", "-k", "jxincm"], {"SORA_API_KEY": TOKEN})
    assert run.returncode == 0, run.output[-3000:]
    server = run.report["servers"]["jxincm"]
    assert server["base_url"] == jxincm and server["base_url_source"] == "--live-base-url"
    assert server["passed"] > 20 and server["failed"] == 0


BROKEN = [
    pytest.param("processing", CHAINHUB_CREATES, "[video_status_queued] status is 'processing'", id="processing"),
    pytest.param(
        "no_created_at", CHAINHUB_CREATES, "[video_created_at_plausible] created_at is None", id="no-created-at"
    ),
    pytest.param(
        "accepts_without_auth", "chainhub and no_auth", "[no_auth_401] chainhub: a request without Authorization "
        "was answered 200", id="accepts-without-auth",
    ),
    pytest.param(
        "accepts_missing_required", "chainhub-missing_required", "[invalid_request_rejected] chainhub: invalid class "
        "missing_required, field prompt was answered 200", id="accepts-missing-required",
    ),
    pytest.param("error_500", CHAINHUB_CREATES, "[status_code_200] expected status 200 for a valid request, got 500",
                 id="answers-500"),
]


@pytest.mark.parametrize(("breakage", "selection", "message"), BROKEN)
def test_live_mode_fails_on_a_broken_upstream_naming_the_check(
    tmp_path: Path, breakage: str, selection: str, message: str
) -> None:
    with serve("chainhub", breakage) as upstream:
        run = run_suite(
            tmp_path, [f"--live-base-url={upstream.base_url}", "--live-budget=3", "-k", selection],
            {"SORA_API_KEY": TOKEN},
        )
    assert run.returncode == 1, run.output[-3000:]
    assert message in run.stdout
    findings = run.report["servers"]["chainhub"]["findings"]
    assert any(message in f["message"] for f in findings), findings
    check_id = message[1 : message.index("]")]
    assert all(check_id in f["checks"] for f in findings if message in f["message"])
    assert "FINDING " in run.stdout and run.report["ok"] is False
    assert "<failure" in run.junit


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["in-process", "xdist"])
def test_no_token_appears_in_any_output(tmp_path: Path, workers: list[str]) -> None:
    """An upstream that quotes the Authorization header back, with -l locals and long tracebacks."""
    with serve("chainhub", "echoes_token") as upstream:
        run = run_suite(
            tmp_path,
            [*VERBOSE_FAILURES, f"--live-base-url={upstream.base_url}", "-k", CHAINHUB_CREATES, *workers],
            {"SORA_CHAINHUB_API_KEY": TOKEN},
        )
    assert any(h.get("authorization") == f"Bearer {TOKEN}" for h in upstream.seen)  # it was really sent
    assert run.returncode == 1, run.output[-3000:]
    assert "[REDACTED]" in run.stdout  # the echo reached the failure message, scrubbed
    assert TOKEN not in run.everything()
    assert TOKEN[3:] not in run.everything()


def test_a_server_without_a_token_is_skipped_naming_the_variable(tmp_path: Path) -> None:
    with serve("chainhub") as upstream:
        run = run_suite(tmp_path, [f"--live-base-url={upstream.base_url}", "-k", "chainhub-empty_body", "-rs"], {})
        assert upstream.seen == []
    assert run.returncode == 0, run.output[-3000:]
    assert "no token for server chainhub: set SORA_CHAINHUB_API_KEY (or SORA_API_KEY)" in run.stdout
    assert run.report["servers"]["chainhub"]["skipped"] == 1


def test_live_require_fails_a_server_without_a_token(tmp_path: Path) -> None:
    with serve("chainhub") as upstream:
        run = run_suite(
            tmp_path, [f"--live-base-url={upstream.base_url}", "--live-require", "-k", "chainhub-empty_body"], {}
        )
        assert upstream.seen == []
    assert run.returncode == 1
    assert "set SORA_CHAINHUB_API_KEY (or SORA_API_KEY) (--live-require)" in run.stdout


def _offline_or_live(tmp_path: Path, live: bool, extra: dict[str, str]) -> tuple[LiveRun, int]:
    with serve("chainhub") as upstream:
        env = {"SORA_CHAINHUB_BASE_URL": upstream.base_url, "SORA_API_KEY": TOKEN, **extra}
        run = run_suite(tmp_path, ["-k", "chainhub-empty_body or chainhub-json_body"], env, live=live)
        return run, len(upstream.seen)


def test_offline_is_the_default_even_with_urls_and_tokens_set(tmp_path: Path) -> None:
    run, reached = _offline_or_live(tmp_path, live=False, extra={})
    assert run.returncode == 0, run.output[-3000:]
    assert reached == 0 and "sora-contract live" not in run.stdout


def test_sora_live_1_switches_live_mode_on(tmp_path: Path) -> None:
    run, reached = _offline_or_live(tmp_path, live=False, extra={"SORA_LIVE": "1"})
    assert run.returncode == 0, run.output[-3000:]
    assert reached > 0 and "sora-contract live: per server" in run.stdout


def test_the_budget_caps_paid_requests_and_not_rejected_ones(tmp_path: Path) -> None:
    selection = f"({CHAINHUB_CREATES}) or chainhub-empty_body"
    with serve("chainhub") as upstream:
        run = run_suite(tmp_path, [f"--live-base-url={upstream.base_url}", "--live-budget=0", "-k", selection],
                        {"SORA_API_KEY": TOKEN})
        with_body = [h for h in upstream.seen if h.get("content-length") != "0"]
    server = run.report["servers"]["chainhub"]
    assert run.returncode == 0, run.output[-3000:]
    assert server["skip_reasons"] == {"live budget of 0 spent for server chainhub; raise --live-budget": 2}
    assert server["passed"] == 1 and server["budget"]["spent"] == 0
    labels = {c["label"] for c in server["calls"]}
    assert "empty_body" in labels and "valid" not in labels
    assert with_body == []  # only the empty-body (rejected-expected) request was sent


def test_a_bigger_budget_sends_one_paid_request_per_test(tmp_path: Path) -> None:
    with serve("chainhub") as upstream:
        run = run_suite(tmp_path, [f"--live-base-url={upstream.base_url}", "--live-budget=5", "-k", CHAINHUB_CREATES],
                        {"SORA_API_KEY": TOKEN})
        sent = len(upstream.seen)
    server = run.report["servers"]["chainhub"]
    assert run.returncode == 0, run.output[-3000:]
    assert (server["passed"], server["skipped"]) == (2, 0)
    assert server["budget"]["spent"] == sent == 2


def test_an_unreachable_server_fails_fast_after_the_first_test(tmp_path: Path) -> None:
    closed = f"http://127.0.0.1:{free_port()}"
    selection = "chainhub-empty_body or chainhub-json_body or chainhub-no_boundary"
    run = run_suite(tmp_path, [f"--live-base-url={closed}", "-k", selection], {"SORA_API_KEY": TOKEN})
    assert run.returncode == 1
    findings = run.report["servers"]["chainhub"]["findings"]
    assert len(findings) == 3
    assert "ConnectError" in findings[0]["message"] and "after 3 attempt(s)" in findings[0]["message"]
    assert all("was unreachable earlier in this run" in f["message"] for f in findings[1:])
    assert [c["status"] for c in run.report["servers"]["chainhub"]["calls"]] == [None]
