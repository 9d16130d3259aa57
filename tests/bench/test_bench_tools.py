"""Issue 12, the measuring tools: cases, ceiling server, keep-alive parsing, verdicts, profile parts.

The benchmarks themselves are not run here (they take minutes and need ab and Prism); what is
tested is every piece of logic their figures pass through, so a wrong PASS cannot come from the
harness.
"""

from __future__ import annotations

import asyncio
import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from mockserver import cli

# The benchmark tools are plain scripts in bench/ that import each other by module name.
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import ceiling_app
import inprocess
import report
import stacks
from compare_servers import ROOT, rotated
from loadgen import LoadResult, _parse_ab
from workload import find_operation, load_spec, make_png, multipart_body

SPEC = ROOT / "specs" / "jxincm-private.yaml"


def _load(rps: float, completed: int = 1000, keepalive: int = 0, errors: int = 0) -> LoadResult:
    return LoadResult(
        completed=completed, failed=errors, non_2xx=0, elapsed_s=completed / rps if rps else 10.0, rps=rps,
        p50_ms=5.0, p99_ms=20.0, loadgen_cpu_pct=10.0, cut_short=False, keepalive_requests=keepalive,
    )  # fmt: skip


def _run(server: str, size: str, clients: int, keepalive: bool, rps: float, **load: Any) -> report.Run:
    completed = load.pop("completed", 1000)
    kept = completed if keepalive else 0
    return report.Run(
        server=server, size=size, clients=clients, keepalive=keepalive, request_cap=10**6, time_cap_s=10.0,
        load=_load(rps, completed, kept, **load), peak_rss_mb=100.0, server_cpu_pct=90.0,
    )  # fmt: skip


# -- cases ---------------------------------------------------------------------------------------


def test_cases_parse_size_clients_and_keepalive() -> None:
    cases = report.parse_cases("1KBx16, 1KBx16+ka,1MBx8")
    assert cases == [report.Case(1024, 16), report.Case(1024, 16, True), report.Case(1024 * 1024, 8)]
    assert [c.label for c in cases] == ["1KBx16", "1KBx16+ka", "1MBx8"]


@pytest.mark.parametrize("text", ["1KB", "x16", "1KBx", "1KBx16+k", "lots x16"])
def test_a_malformed_case_is_refused_with_the_expected_form(text: str) -> None:
    with pytest.raises(ValueError, match=r"SIZExCLIENTS"):
        report.parse_cases(text)


def test_each_server_goes_first_in_turn() -> None:
    servers: list[Any] = ["sora", "prism", "ceiling"]
    firsts = [rotated(servers, i)[0] for i in range(4)]
    assert firsts == ["sora", "prism", "ceiling", "sora"]
    assert rotated(servers, 2) == ["ceiling", "sora", "prism"]


# -- ab's output ---------------------------------------------------------------------------------

AB_KEEPALIVE = """
Complete requests:      5000
Failed requests:        3
   (Connect: 0, Receive: 0, Length: 3, Exceptions: 0)
Keep-Alive requests:    4990
Time taken for tests:   2.000 seconds
"""


def test_ab_keepalive_count_is_read_and_length_failures_are_not_errors() -> None:
    load = _parse_ab(AB_KEEPALIVE, (1.0, 2.0), 10.0, False, 2.0)
    assert (load.completed, load.keepalive_requests, load.failed, load.rps) == (5000, 4990, 0, 2500.0)


def test_a_keepalive_run_whose_server_closed_connections_says_so() -> None:
    run = _run(report.SORA, "1KB", 16, True, 2000.0)
    assert report.connection_note(run) == ""
    run.load.keepalive_requests = 10
    assert "10/1000" in report.connection_note(run)
    assert "kept connection" in report.format_row(run)


# -- verdicts ------------------------------------------------------------------------------------


def _issue12_runs(sora_new: float, sora_ka: float, sora_mb: float) -> list[report.Run]:
    return [
        _run(report.SORA, "1KB", 16, False, sora_new),
        _run(report.PRISM, "1KB", 16, False, 500.0),
        _run(report.CEILING, "1KB", 16, False, 6000.0),
        _run(report.SORA, "1KB", 16, True, sora_ka),
        _run(report.PRISM, "1KB", 16, True, 700.0),
        _run(report.CEILING, "1KB", 16, True, 20000.0),
        _run(report.SORA, "1MB", 8, False, sora_mb, completed=500),
        _run(report.PRISM, "1MB", 8, False, 2.0, completed=20),
    ]


def _verdicts(runs: list[report.Run], scenarios: dict[str, Any] | None = None) -> dict[str, str]:
    lines = report.targets(runs, report.ratios(runs), scenarios or {})
    return {line.split(":", 1)[1].rsplit(":", 1)[0].strip(): line.rsplit(":", 1)[1].strip() for line in lines}


ISSUE12 = [
    "req/s >= 6x Prism, 1KB x16, new connections",
    "req/s >= 6x Prism, 1KB x16, keep-alive",
    ">= 50% of the ceiling, 1KB x16, new connections",
    ">= 25% of the ceiling, 1KB x16, keep-alive",
    "req/s >= 250x Prism, 1MB x8, new connections",
]


@pytest.mark.parametrize(
    ("figures", "expected"),
    [
        # exactly at the thresholds
        (
            {"sora": (3000.0, 5000.0, 500.0)},
            ["PASS (6.0x)", "PASS (7.1x)", "PASS (50%)", "PASS (25%)", "PASS (250.0x)"],
        ),
        # the issue's own figures: 1,924 vs 480 vs 6,331; 2,690 vs 716 vs 20,182; 513 vs 2.5
        (
            {"sora": (1924.0, 2690.0, 513.0), "others": (480.0, 6331.0, 716.0, 20182.0, 2.5)},
            ["FAIL (4.0x)", "FAIL (3.8x)", "FAIL (30%)", "FAIL (13%)", "FAIL (205.2x)"],
        ),
    ],
)
def test_issue12_targets_against_their_thresholds(figures: dict[str, Any], expected: list[str]) -> None:
    runs = _issue12_runs(*figures["sora"])
    for index, rps in zip((1, 2, 4, 5, 7), figures.get("others", ()), strict=False):
        runs[index].load.rps = rps
    verdicts = _verdicts(runs)
    assert [verdicts[name] for name in ISSUE12] == expected


def test_a_ratio_over_errors_does_not_pass_and_an_unmeasured_target_is_na() -> None:
    runs = _issue12_runs(sora_new=6000.0, sora_ka=6000.0, sora_mb=600.0)
    runs[0].load.non_2xx = 5
    verdicts = _verdicts([r for r in runs if r.server != report.CEILING])
    assert verdicts["req/s >= 6x Prism, 1KB x16, new connections"].startswith("FAIL")
    assert verdicts[">= 50% of the ceiling, 1KB x16, new connections"] == "n/a"
    assert verdicts["peak RSS <= 150 MB, 16 x 20 MB uploads"] == "n/a"


def test_a_prism_that_completed_nothing_gives_a_lower_bound() -> None:
    runs = _issue12_runs(sora_new=3000.0, sora_ka=5000.0, sora_mb=500.0)
    runs[7] = _run(report.PRISM, "1MB", 8, False, 0.0, completed=0)
    row = next(r for r in report.ratios(runs) if r["size"] == "1MB")
    assert row["lower_bound"] and row["rps_ratio"] == pytest.approx(5000.0)


def test_memory_target_reads_the_peak_rss() -> None:
    runs = _issue12_runs(3000.0, 5000.0, 500.0)
    assert (
        _verdicts(runs, {"memory": {"run": {"peak_rss_mb": 150.0}}})["peak RSS <= 150 MB, 16 x 20 MB uploads"]
        == "PASS (150 MB)"
    )
    assert _verdicts(runs, {"memory": {"run": {"peak_rss_mb": 151.0}}})[
        "peak RSS <= 150 MB, 16 x 20 MB uploads"
    ].startswith("FAIL")


# -- the ceiling server --------------------------------------------------------------------------


def _call(app: Any, chunks: list[bytes]) -> tuple[list[dict[str, Any]], int]:
    messages = [{"type": "http.request", "body": c, "more_body": i < len(chunks) - 1} for i, c in enumerate(chunks)]
    sent: list[dict[str, Any]] = []
    pending = list(messages)

    async def receive() -> dict[str, Any]:
        return pending.pop(0) if pending else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app({"type": "http", "method": "POST", "path": "/v1/videos", "headers": []}, receive, send))
    return sent, len(pending)


def test_ceiling_reads_the_whole_body_then_answers_its_fixed_json() -> None:
    sent, unread = _call(ceiling_app.create_app(), [b"a" * 1000, b"b" * 1000, b"c"])
    assert unread == 0
    start, body = sent
    assert start["status"] == 200
    assert dict(start["headers"])[b"content-length"] == str(len(body["body"])).encode()
    assert body["body"] == ceiling_app.ANSWER


def test_ceiling_runs_sora_mocks_own_granian_command_with_only_the_app_swapped() -> None:
    sora = ceiling_app.sora_granian_argv()
    ceiling = ceiling_app.ceiling_argv()
    assert sora[-1] == ceiling_app.SORA_TARGET and ceiling[-1] == ceiling_app.CEILING_TARGET
    assert "--workers" in ceiling and ceiling[ceiling.index("--workers") + 1] == sora[sora.index("--workers") + 1]
    shared = [arg for arg in sora[1:-1] if arg not in ("--host", "--port", "127.0.0.1", "0")]
    assert all(arg in ceiling for arg in shared)
    assert ceiling[ceiling.index("--port") + 1] == "{port}"
    # and sora-mock's default server is the granian one captured here
    assert cli.parser().parse_args([]).server == "granian"
    assert shlex.join(ceiling)


# -- the profile's parts -------------------------------------------------------------------------

JOURNAL_STACK = ";".join([
    'process 1:"python -m granian"',
    "main (granian/asgi.py:1)",
    "handle (contract_tests/core/service.py:9)",
    "record (contract_tests/core/journal.py:5)",
    "dumps (json/__init__.py:231)",
    "iterencode (json/encoder.py:258)",
])  # fmt: skip
RAW = f"""\
{JOURNAL_STACK} 7
main (granian/asgi.py:1);create (contract_tests/core/engine.py:40);uuid4 (uuid.py:723) 3
 5
main (granian/asgi.py:1);__call__ (mockserver/door.py:90);_chunks (mockserver/door.py:45) 4
main (granian/asgi.py:1);helper (somewhere/else.py:3) 1
"""


def test_each_sample_goes_to_the_innermost_known_part() -> None:
    lines = {"_chunks (mockserver/door.py:45)": "        message = await receive()\n"}
    result = stacks.breakdown(RAW, line_of=lambda frame: lines.get(frame, ""))
    assert result.total == 20
    assert result.self_samples == {
        "JSON encoding": 7,
        "engine": 3,
        stacks.NO_PYTHON: 5,
        stacks.ASGI_CALL: 4,
        "granian / ASGI plumbing (Python side)": 1,
    }
    assert result.inclusive["journal"] == 7 and result.inclusive["door"] == 4
    assert result.share("engine") == pytest.approx(0.15)


def test_frames_are_shortened_to_their_package_path() -> None:
    frame = "f (/root/.venv/lib/python3.11/site-packages/starlette/routing.py:5)"
    assert stacks.short(frame) == "f (starlette/routing.py:5)"
    assert stacks.short("g (/repo/mockserver/door.py:9)", "/repo") == "g (mockserver/door.py:9)"


def test_in_process_driver_answers_real_create_calls_and_charges_every_part() -> None:
    op = find_operation(load_spec(SPEC))
    app = inprocess.build_app(SPEC, "jxincm")
    body = multipart_body(op, make_png(1024))
    _, statuses = inprocess.time_requests(app, op.path, body, 5)
    assert statuses == {200: 5}
    seconds = inprocess.parts_of_stats(inprocess.profile_requests(app, op.path, body, 20))
    for part in ("wire reader (multipart)", "checker", "engine", "journal", "door"):
        assert seconds[part] > 0, part
    assert seconds[stacks.OTHER] < 0.05 * sum(seconds.values())


def test_cpu_per_request_compares_servers_by_cost_not_by_what_a_busy_machine_let_them_answer() -> None:
    sora = _run(report.SORA, "1KB", 16, False, 1000.0)  # 1,000 requests in 1 s at 90% CPU: 900 us each
    prism = _run(report.PRISM, "1KB", 16, False, 100.0)  # 1,000 requests in 10 s at 90%: 9,000 us each
    ceiling = _run(report.CEILING, "1KB", 16, False, 1000.0)
    ceiling.server_cpu_pct = 30.0  # the same req/s for a third of the CPU: 300 us each
    assert sora.cpu_us_per_request == pytest.approx(900.0)
    row = report.ratios([sora, prism, ceiling])[0]
    assert row["cpu_per_request_ratio"] == pytest.approx(10.0)
    assert (row["ceiling_pct"], row["ceiling_cpu_pct"]) == (pytest.approx(100.0), pytest.approx(100 / 3))
    assert " 900 " in report.format_row(sora)


def test_ab_versions_runs_each_version_from_its_own_directory(tmp_path: Path) -> None:
    """``python -m`` puts the working directory first on sys.path: each version must start in its own."""
    import ab_versions

    version = tmp_path / "version"
    (version / "mockserver").mkdir(parents=True)
    (version / "mockserver" / "__init__.py").write_text("")
    (version / "mockserver" / "__main__.py").write_text("import mockserver; print(mockserver.__file__)\n")
    srv = ab_versions.server("before", version, tmp_path)
    assert srv.cwd == version and srv.env == {"PYTHONPATH": str(version)}
    assert srv.argv_template[1:3] == ["-m", "mockserver"]
    assert ab_versions.checkout(str(version), tmp_path) == version.resolve()
    # What the server's process imports, started the way Server.start starts it (from this
    # checkout's bench/, whose parent holds the real mockserver): the version's own code.
    ran = subprocess.run(srv.argv_template[:3], cwd=srv.cwd, env={**os.environ, **(srv.env or {})},
                         capture_output=True, text=True, check=True)
    assert Path(ran.stdout.strip()).parent == version / "mockserver"


def test_ab_versions_compares_medians() -> None:
    import ab_versions

    samples = [ab_versions.Sample(v, "new", rps, cpu) for v, rps, cpu in
               [("before", 100, 10), ("before", 300, 30), ("before", 200, 20), ("after", 240, 16), ("after", 260, 15)]]
    table = ab_versions.medians(samples)
    assert table == {("after", "new"): (250, 15.5), ("before", "new"): (200, 20)}
    assert ab_versions.report(table)[-1] == "  after/before, new: req/s 1.25x, CPU per request 0.78x"
