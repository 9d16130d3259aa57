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
    """Both upstreams as sora-mock processes, one per server; pytest-xdist workers share the budget;
    the paid video is followed to completion (sora-mock renders in 1 s)."""
    with sora_mock("jxincm") as jxincm, sora_mock("chainhub") as chainhub:
        env = {"SORA_JXINCM_BASE_URL": jxincm, "SORA_CHAINHUB_BASE_URL": chainhub, "SORA_API_KEY": TOKEN}
        run = run_suite(tmp_path, ["-n", "2", "--live-follow=30"], env)
        journals = [httpx2.get(f"{url}/__admin/requests", timeout=10).text for url in (jxincm, chainhub)]
    assert all('"verdict": "accepted"' in j or '"verdict":"accepted"' in j for j in journals)
    assert not any(TOKEN in j for j in journals) and TOKEN not in run.everything()
    assert run.returncode == 0, run.output[-3000:]
    assert run.report["ok"] is True
    for server_id, server in run.report["servers"].items():
        assert server["failed"] == 0 and server["passed"] > 20, server_id
        assert server["budget"] == {"limit": 1, "used": 1, "spent": 1, "max_paid": 3, "cap_reached": False}
        assert server["latency_ms"]["count"] == len(server["calls"]) > 0
        assert server["observations"] == [] and server["unexpected_acceptances"] == []
        [followed] = server["follows"]
        assert followed["finished"] and followed["statuses"][-1] == "completed" and followed["failures"] == []
        assert followed["content"]["status"] in (200, 206) and followed["content"]["content_type"] == "video/mp4"
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
        "missing_required (document), field prompt was answered 200", id="accepts-missing-required",
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


CONFORMANT = ["lenient", "openai_strict", "extra_fields"]


@pytest.mark.parametrize("relay", CONFORMANT)
def test_live_mode_passes_a_conformant_relay_and_reports_practice_deviations(tmp_path: Path, relay: str) -> None:
    """Every chainhub test against a stand-in the documents allow: lenient parsing (observations),
    OpenAI-strict rejections in its own words, videos with extra fields. The cap is raised so each
    practice class is actually sent."""
    with serve("chainhub", relay) as upstream:
        run = run_suite(
            tmp_path, [f"--live-base-url={upstream.base_url}", "--live-max-paid=40", "-k", "chainhub"],
            {"SORA_API_KEY": TOKEN},
        )
    assert run.returncode == 0, run.output[-3000:]
    server = run.report["servers"]["chainhub"]
    assert run.report["ok"] is True and server["failed"] == 0 and server["passed"] > 25
    observed = {(o["class"], o["field"]) for o in server["observations"]}
    if relay != "lenient":
        assert observed == set()
        return
    assert {("unknown_field", "x_unknown_field"), ("duplicate_field", "prompt"),
            ("file_as_text", "input_reference"), ("json_body", None)} <= observed
    assert {o["status"] for o in server["observations"]} == {200}
    assert all(o["body"].startswith('{"id": "video_') for o in server["observations"])
    assert "OBSERVATION " in run.stdout and "invalid class unknown_field (practice)" in run.stdout
    assert server["budget"]["spent"] == upstream.accepted_posts() == len(observed) + 1  # and the valid create


def test_live_strict_fails_a_relay_that_accepts_unknown_fields(tmp_path: Path) -> None:
    with serve("chainhub", "lenient") as upstream:
        run = run_suite(
            tmp_path, [f"--live-base-url={upstream.base_url}", "--live-strict", "-k", "chainhub-unknown_field"],
            {"SORA_API_KEY": TOKEN},
        )
    assert run.returncode == 1, run.output[-3000:]
    message = "[invalid_request_rejected] chainhub: invalid class unknown_field (practice), field x_unknown_field " \
        "was answered 200"
    assert message in run.stdout and run.report["strict"] is True
    [acceptance] = run.report["servers"]["chainhub"]["unexpected_acceptances"]
    assert acceptance["failure"] is True and acceptance["class"] == "unknown_field"


def test_an_accept_everything_relay_stays_within_the_cap_and_fails_the_run(tmp_path: Path) -> None:
    """Every POST answered with a queued video, both servers, two xdist workers sharing the ledger."""
    with serve("jxincm", "accept_everything") as jxincm, serve("chainhub", "accept_everything") as chainhub:
        env = {"SORA_JXINCM_BASE_URL": jxincm.base_url, "SORA_CHAINHUB_BASE_URL": chainhub.base_url,
               "SORA_API_KEY": TOKEN}
        run = run_suite(tmp_path, ["-n", "2"], env)
    assert run.returncode == 1, run.output[-3000:]
    assert run.report["ok"] is False and run.report["budget"]["max_paid"] == 3
    for upstream in (jxincm, chainhub):
        server = run.report["servers"][upstream.server_id]
        assert upstream.accepted_posts() == server["budget"]["spent"] == 3  # budget 1 + 2
        assert server["budget"]["cap_reached"] is True and server["cap_failure"].startswith("[live_max_paid]")
        cap_skips = [r for r in server["skip_reasons"] if r.startswith("live cap of 3 paid creates reached")]
        assert cap_skips and server["skipped"] > 10
        acceptances = server["unexpected_acceptances"]
        assert 1 <= len(acceptances) <= 2 and any(a["failure"] for a in acceptances)
        deletes = [(m, p) for m, p, status in upstream.answered if m == "DELETE" and status == 200]
        for acceptance in acceptances:
            assert acceptance["test"].startswith("contract_tests/suite/") and acceptance["class"]
            assert acceptance["video_id"].startswith("video_") and acceptance["delete"]["deleted"] is True
            assert ("DELETE", f"/v1/videos/{acceptance['video_id']}") in deletes
            kind = "a failure" if acceptance["failure"] else "an observation"
            assert f"video {acceptance['video_id']} ({kind}); DELETE answered 200: deleted" in run.stdout
    assert "UNEXPECTED ACCEPTANCE " in run.stdout and "CAP [live_max_paid] server chainhub: 3 paid" in run.stdout


@pytest.mark.parametrize("strict", [False, True], ids=["observed", "strict"])
def test_following_a_video_whose_status_jumps_backwards(tmp_path: Path, strict: bool) -> None:
    with serve("chainhub", "status_backwards") as upstream:
        run = run_suite(
            tmp_path,
            [f"--live-base-url={upstream.base_url}", "--live-follow=10", "-k", "chainhub and test_valid_request",
             *(["--live-strict"] if strict else [])],
            {"SORA_API_KEY": TOKEN},
        )
    server = run.report["servers"]["chainhub"]
    [followed] = server["follows"]
    assert followed["statuses"] == ["in_progress", "queued", "completed"] and followed["content"]["ok"]
    assert followed["failures"] == [
        "[follow_status_order] status went from 'in_progress' to 'queued'",
        "[follow_progress_monotonic] progress fell from 50 to 0",
    ]
    polls = [p for m, p, _ in upstream.answered if m == "GET"]
    assert len(polls) == 4 and polls[-1].endswith("/content")  # 3 polls and one ranged content probe
    if strict:
        assert run.returncode == 1 and "[follow_status_order]" in server["findings"][0]["message"]
        return
    assert run.returncode == 0, run.output[-3000:]
    assert [o["check"] for o in server["observations"]] == ["follow_status_order", "follow_progress_monotonic"]
    assert "FOLLOWED video_" in run.stdout and "in_progress -> queued -> completed" in run.stdout


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
