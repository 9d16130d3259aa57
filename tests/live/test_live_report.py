"""The per-server summary and the JSON report, built from test reports alone."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from _pytest.reports import TestReport

from contract_tests.core.specs import load_registry
from contract_tests.live.budget import Tally
from contract_tests.live.config import resolve
from contract_tests.live.report import LiveReport
from contract_tests.live.target import ACCEPTANCE_PROPERTY, CALL_PROPERTY, OBSERVATION_PROPERTY, SERVER_PROPERTY

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
    data = sample().as_dict({"jxincm": Tally(budget=1, paid=1)}, exit_status=1)
    jx, ch = data["servers"]["jxincm"], data["servers"]["chainhub"]
    assert (jx["passed"], jx["failed"], jx["skipped"]) == (1, 1, 0)
    assert jx["findings"][0]["checks"] == ["video_status_queued"]
    assert jx["findings"][0]["message"].startswith("jxincm-private: valid: [video_status_queued]")
    assert jx["latency_ms"] == {"count": 2, "p50": 7.5, "p95": 10.0, "max": 10.0}
    assert jx["budget"] == {"limit": 2, "used": 1, "spent": 1, "max_paid": 4, "cap_reached": False}
    assert jx["token"] == "SORA_JXINCM_API_KEY"
    assert ch["skipped"] == 1 and ch["skip_reasons"] == {"no token for server chainhub": 1}
    assert ch["token"].startswith("missing: ") and "SORA_CHAINHUB_API_KEY" in ch["token"]
    assert data["ok"] is False and data["budget"] == {"per_server": 2, "max_paid": 4, "spent": 1}


def test_the_summary_names_each_server_its_findings_and_the_budget() -> None:
    lines = sample().summary_lines({"jxincm": Tally(budget=1, paid=1)})
    text = "\n".join(lines)
    assert "jxincm (https://api.jxincm.cn, from document servers): 1 passed, 1 failed, 0 skipped; budget 1/2 used, "
    assert "1 paid create(s) (cap 4)" in text
    assert "FINDING suite.py::t[jxincm]: jxincm-private: valid: [video_status_queued]" in text
    assert "skipped 1x: no token for server chainhub" in text
    assert lines[-1] == "live budget: 1 paid create(s) in all (2 expected per server, cap 4)"


def test_a_server_without_selected_tests_gets_one_short_line() -> None:
    live = LiveReport(CONFIG)
    live.add(report("passed", "jxincm"))
    assert "chainhub: no test selected" in live.summary_lines({})


def test_a_clean_run_is_ok_and_written_as_json(tmp_path: Path) -> None:
    live = LiveReport(CONFIG)
    live.add(report("passed", "jxincm"))
    path = tmp_path / "out" / "live.json"
    live.write(path, {"jxincm": Tally(budget=1, paid=1)}, exit_status=0)
    assert '"ok": true' in path.read_text("utf-8")


OBSERVED = {"test": "suite.py::t[jxincm]", "check": "invalid_request_rejected", "class": "unknown_field",
            "field": "x_unknown_field", "status": 200, "body": "{}", "message": "[invalid_request_rejected] ..."}


def _accepted(failure: bool) -> dict[str, Any]:
    return {"test": "suite.py::t[jxincm]", "class": "missing_required", "field": "prompt", "basis": "document",
            "failure": failure, "status": 200, "video_id": "video_1",
            "delete": {"attempted": True, "deleted": True, "status": 200, "detail": ""}}


def with_properties(*props: tuple[str, Any]) -> LiveReport:
    live = LiveReport(CONFIG)
    report_ = report("passed", "jxincm")
    report_.user_properties.extend(props)
    live.add(report_)
    return live


def test_observations_are_listed_and_are_not_failures() -> None:
    live = with_properties((OBSERVATION_PROPERTY, OBSERVED))
    data = live.as_dict({"jxincm": Tally(paid=1)}, exit_status=0)
    assert data["ok"] is True and data["servers"]["jxincm"]["observations"] == [OBSERVED]
    text = "\n".join(live.summary_lines({"jxincm": Tally(paid=1)}))
    assert "OBSERVATION suite.py::t[jxincm]: [invalid_request_rejected]" in text


def test_a_cap_reached_by_failing_unexpected_acceptances_fails_the_run() -> None:
    live = with_properties((ACCEPTANCE_PROPERTY, _accepted(failure=True)))
    at_cap = {"jxincm": Tally(budget=2, paid=4)}
    assert "[live_max_paid] server jxincm: 4 paid create(s) reached the cap of 4" in live.cap_failures(at_cap)["jxincm"]
    data = live.as_dict(at_cap, exit_status=0)
    assert data["ok"] is False and data["servers"]["jxincm"]["budget"]["cap_reached"] is True
    acceptance = data["servers"]["jxincm"]["unexpected_acceptances"][0]
    assert (acceptance["class"], acceptance["field"]) == ("missing_required", "prompt")
    assert acceptance["video_id"] == "video_1" and acceptance["delete"]["deleted"] is True
    text = "\n".join(live.summary_lines(at_cap))
    assert "UNEXPECTED ACCEPTANCE suite.py::t[jxincm]: class missing_required field prompt answered 200, " \
        "video video_1 (a failure); DELETE answered 200: deleted" in text
    assert "CAP [live_max_paid]" in text
    assert live.cap_failures({"jxincm": Tally(paid=3)}) == {}  # below the cap


def test_a_cap_reached_by_observations_alone_does_not_fail_the_run() -> None:
    live = with_properties((ACCEPTANCE_PROPERTY, _accepted(failure=False)))
    assert live.cap_failures({"jxincm": Tally(paid=4)}) == {}
