"""The output formats: each is parsed back the way its consumer (person, CI system) reads it."""

from __future__ import annotations

import json
from xml.etree import ElementTree as ET

import pytest

from contract_tests.changes import report
from contract_tests.changes.findings import Finding, Level, Location, count_levels, fails
from contract_tests.changes.rules import CATALOG

FINDINGS = [
    Finding("request-property-became-required", Level.ERROR, "the request property size became required",
            Location("specs/new.yaml", "/paths/~1v1~1videos/post/requestBody", 34), "POST /v1/videos"),
    Finding("request-property-removed", Level.WARNING, "the request property prompt was removed",
            Location("specs/old, v1.yaml", "/paths", 12), "POST /v1/videos"),
    Finding("api-summary-changed", Level.INFO, "summary changed from 'a' to '100% b'\nsecond line",
            Location("specs/new.yaml", "/paths/~1v1~1videos/post/summary", 9), "POST /v1/videos"),
]


def test_levels_parse_like_oasdiff_and_order_for_fail_on() -> None:
    assert [Level.parse(x) for x in ("ERR", "warn", "Info", "error")] == [
        Level.ERROR, Level.WARNING, Level.INFO, Level.ERROR]
    with pytest.raises(ValueError):
        Level.parse("fatal")
    assert fails(FINDINGS, Level.WARNING) and fails(FINDINGS[1:], Level.WARNING)
    assert not fails(FINDINGS[1:], Level.ERROR) and not fails(FINDINGS, None)
    assert count_levels(FINDINGS) == {Level.ERROR: 1, Level.WARNING: 1, Level.INFO: 1}


def test_text_lists_each_finding_and_a_summary() -> None:
    out = report.render("text", FINDINGS, "old -> new")
    lines = out.splitlines()
    assert lines[0] == "old -> new"
    assert lines[1].startswith("error   request-property-became-required [POST /v1/videos]: ")
    assert "at specs/new.yaml:34 /paths/~1v1~1videos/post/requestBody" in lines[2]
    assert lines[-1] == "3 findings: 1 error, 1 warning, 1 info"


def test_json_round_trips() -> None:
    data = json.loads(report.render("json", FINDINGS, "t"))
    assert data["summary"] == {"error": 1, "warning": 1, "info": 1}
    assert data["findings"][0] == {
        "rule": "request-property-became-required", "level": "error",
        "message": "the request property size became required", "operation": "POST /v1/videos",
        "source": "specs/new.yaml", "pointer": "/paths/~1v1~1videos/post/requestBody", "line": 34,
    }


@pytest.mark.parametrize(("fail_on", "failures"), [(None, 1), (Level.WARNING, 2), (Level.INFO, 3)])
def test_junit_fails_the_findings_at_or_above_the_threshold(fail_on: Level | None, failures: int) -> None:
    root = ET.fromstring(report.render("junit", FINDINGS, "diff", fail_on))
    suite = root.find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures")) == ("3", str(failures))
    assert len(suite.findall("testcase/failure")) == failures
    assert suite.findall("testcase")[0].get("classname") == "request-property-became-required"


def test_github_annotations_are_escaped_workflow_commands() -> None:
    lines = report.render("github", FINDINGS, "t").splitlines()
    assert lines[0] == ("::error file=specs/new.yaml,line=34,title=request-property-became-required "
                        "(POST /v1/videos)::the request property size became required")
    assert lines[1].startswith("::warning file=specs/old%2C v1.yaml,line=12,")
    assert lines[2].endswith("::summary changed from 'a' to '100%25 b'%0Asecond line")
    assert lines[2].startswith("::notice ")


def test_markdown_groups_by_level_in_tables() -> None:
    out = report.render("markdown", FINDINGS, "old -> new")
    assert out.startswith("## old -> new\n")
    assert "### 🔴 Breaking changes and errors (1)" in out
    assert "| `request-property-removed` | POST /v1/videos | the request property prompt was removed |" in out
    assert "second line" in out and "\nsecond line" not in out
    assert "Nothing to report." in report.render("markdown", [], "t")


def test_every_format_refuses_rules_outside_the_catalog() -> None:
    bogus = Finding("made-up-rule", Level.INFO, "x", Location("f"))
    assert "made-up-rule" not in CATALOG
    for fmt in report.FORMATS:
        with pytest.raises(ValueError, match="made-up-rule"):
            report.render(fmt, [bogus], "t")
