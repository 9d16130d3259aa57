"""The per-server summary and the JSON report, built from test reports alone."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from _pytest.reports import TestReport

from contract_tests.live.config import resolve
from contract_tests.live.report import LiveReport
from contract_tests.live.target import CALL_PROPERTY, SERVER_PROPERTY
from contract_tests.specs import load_registry

CONFIG = resolve(load_registry(), environ={"SORA_JXINCM_API_KEY": "sk-jx-123456"}, budget=2)


Outcome = Literal["passed", "failed", "skipped"]
When = Literal["setup", "call", "teardown"]


def report(
    outcome: Outcome, server: str, longrepr: Any = None, when: When = "call", latency: float = 5.0
) -> TestReport:
    call = {"server": server, "status": 200, "latency_ms": latency, "label": "valid"}
    props = [(SERVER_PROPERTY, server), (CALL_PROPERTY, call)]
    node = f"suite.py::t[{server}]"
    return TestReport(node, ("suite.py", 1, "t"), {}, outcome, longrepr, when, user_properties=props)


def sample() -> LiveReport:
    live = LiveReport(CONFIG)
    live.add(report("passed", "jxincm", latency=10))
    live.add(report("passed", "jxincm", when="teardown"))  # not a second count
    live.add(report("failed", "jxincm", "AssertionError: jxincm-private: valid: [video_status_queued] status is x"))
    live.add(report("skipped", "chainhub", ("suite.py", 1, "Skipped: no token for server chainhub"), when="setup"))
    return live


def test_counts_findings_and_latency_per_server() -> None:
    data = sample().as_dict({"jxincm": 1}, exit_status=1)
    jx, ch = data["servers"]["jxincm"], data["servers"]["chainhub"]
    assert (jx["passed"], jx["failed"], jx["skipped"]) == (1, 1, 0)
    assert jx["findings"][0]["checks"] == ["video_status_queued"]
    assert jx["findings"][0]["message"].startswith("jxincm-private: valid: [video_status_queued]")
    assert jx["latency_ms"] == {"count": 2, "p50": 7.5, "p95": 10.0, "max": 10.0}
    assert jx["budget"] == {"limit": 2, "spent": 1} and jx["token"] == "SORA_JXINCM_API_KEY"
    assert ch["skipped"] == 1 and ch["skip_reasons"] == {"no token for server chainhub": 1}
    assert ch["token"].startswith("missing: ") and "SORA_CHAINHUB_API_KEY" in ch["token"]
    assert data["ok"] is False and data["budget"] == {"per_server": 2, "spent": 1}


def test_the_summary_names_each_server_its_findings_and_the_budget() -> None:
    lines = sample().summary_lines({"jxincm": 1})
    text = "\n".join(lines)
    assert "jxincm (https://api.jxincm.cn, from document servers): 1 passed, 1 failed, 0 skipped; budget 1/2" in text
    assert "FINDING suite.py::t[jxincm]: jxincm-private: valid: [video_status_queued]" in text
    assert "skipped 1x: no token for server chainhub" in text
    assert lines[-1] == "live budget: 1 accepted-expected create(s) spent (2 per server)"


def test_a_server_without_selected_tests_gets_one_short_line() -> None:
    live = LiveReport(CONFIG)
    live.add(report("passed", "jxincm"))
    assert "chainhub: no test selected" in live.summary_lines({})


def test_a_clean_run_is_ok_and_written_as_json(tmp_path: Path) -> None:
    live = LiveReport(CONFIG)
    live.add(report("passed", "jxincm"))
    path = tmp_path / "out" / "live.json"
    live.write(path, {"jxincm": 1}, exit_status=0)
    assert '"ok": true' in path.read_text("utf-8")
