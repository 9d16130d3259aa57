"""Rendering findings for people (text, markdown) and for CI systems (json, junit, github).

One renderer per format, all taking the same findings, so ``diff``, ``lint`` and ``adopt`` speak
every format without knowing any of them. ``title`` names what was checked (``OLD -> NEW`` for a
diff, the documents for a lint) and heads the human formats.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from xml.etree import ElementTree as ET

from contract_tests.changes.findings import Finding, Level, count_levels, sort_findings
from contract_tests.changes.rules import CATALOG

Renderer = Callable[[Sequence[Finding], str, "Level | None"], str]


def _summary(findings: Sequence[Finding]) -> str:
    counts = count_levels(findings)
    parts = [f"{counts[level]} {level.label}{'s' if counts[level] != 1 else ''}" for level in reversed(Level)]
    return f"{len(findings)} finding{'s' if len(findings) != 1 else ''}: {', '.join(parts)}"


def text(findings: Sequence[Finding], title: str, fail_on: Level | None = None) -> str:
    """One line per finding, grouped by operation, for a terminal."""
    lines = [title] if title else []
    for f in sort_findings(findings):
        where = f" [{f.operation}]" if f.operation else ""
        lines.append(f"{f.level.label:<7} {f.rule}{where}: {f.message}")
        lines.append(f"        at {f.location}")
    lines.append(_summary(findings))
    return "\n".join(lines) + "\n"


def as_json(findings: Sequence[Finding], title: str, fail_on: Level | None = None) -> str:
    """A stable machine-readable document: findings plus per-level counts."""
    counts = count_levels(findings)
    payload = {
        "title": title,
        "summary": {level.label: counts[level] for level in reversed(Level)},
        "findings": [
            {
                "rule": f.rule,
                "level": f.level.label,
                "message": f.message,
                "operation": f.operation,
                "source": f.location.source,
                "pointer": f.location.pointer,
                "line": f.location.line,
            }
            for f in sort_findings(findings)
        ],
    }
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def junit(findings: Sequence[Finding], title: str, fail_on: Level | None = None) -> str:
    """JUnit XML: one test case per finding, failed when at or above ``--fail-on`` (default error).

    CI systems that render JUnit (GitLab, Jenkins, GitHub test reporters) then show breaking
    changes as failed tests and the rest as passed ones carrying the message.
    """
    threshold = Level.ERROR if fail_on is None else fail_on
    failing = [f for f in findings if f.level >= threshold]
    suite = ET.Element("testsuite", name=title or "sora-contract", tests=str(len(findings)),
                       failures=str(len(failing)), errors="0", skipped="0")
    for f in sort_findings(findings):
        case = ET.SubElement(suite, "testcase", classname=f.rule, name=f"{f.operation} {f.location}".strip())
        if f.level >= threshold:
            failure = ET.SubElement(case, "failure", message=f.message, type=f.level.label)
            failure.text = f"{f.level.label} {f.rule}: {f.message}\nat {f.location}"
        else:
            ET.SubElement(case, "system-out").text = f"{f.level.label} {f.rule}: {f.message}"
    root = ET.Element("testsuites", name="sora-contract")
    root.append(suite)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


_GITHUB_COMMANDS = {Level.ERROR: "error", Level.WARNING: "warning", Level.INFO: "notice"}


def github(findings: Sequence[Finding], title: str, fail_on: Level | None = None) -> str:
    """GitHub Actions workflow commands: one annotation per finding, on the file and line."""
    lines = []
    for f in sort_findings(findings):
        props = [f"file={_escape_property(f.location.source)}"]
        if f.location.line is not None:
            props.append(f"line={f.location.line}")
        props.append(f"title={_escape_property(f'{f.rule} ({f.operation})' if f.operation else f.rule)}")
        lines.append(f"::{_GITHUB_COMMANDS[f.level]} {','.join(props)}::{_escape_data(f.message)}")
    lines.append(_summary(findings))
    return "\n".join(lines) + "\n"


_ICONS = {Level.ERROR: "🔴", Level.WARNING: "🟠", Level.INFO: "🔵"}
_HEADINGS = {Level.ERROR: "Breaking changes and errors", Level.WARNING: "Warnings", Level.INFO: "Info"}


def _cell(value: str) -> str:
    return value.replace("|", "\\|").replace("\n", " ")


def markdown(findings: Sequence[Finding], title: str, fail_on: Level | None = None) -> str:
    """A changelog for a pull request or a job summary: one table per level."""
    out = [f"## {title}" if title else "## sora-contract", "", _summary(findings), ""]
    for level in reversed(Level):
        group = [f for f in sort_findings(findings) if f.level == level]
        if not group:
            continue
        out += [f"### {_ICONS[level]} {_HEADINGS[level]} ({len(group)})", "",
                "| rule | operation | change | where |", "| --- | --- | --- | --- |"]
        for f in group:
            where = f"{f.location.source}:{f.location.line}" if f.location.line else f.location.source
            out.append(f"| `{f.rule}` | {_cell(f.operation)} | {_cell(f.message)} | `{_cell(where)}` |")
        out.append("")
    if not findings:
        out += ["Nothing to report.", ""]
    return "\n".join(out)


FORMATS: dict[str, Renderer] = {
    "text": text,
    "json": as_json,
    "junit": junit,
    "github": github,
    "markdown": markdown,
}


def render(fmt: str, findings: Sequence[Finding], title: str, fail_on: Level | None = None) -> str:
    """``findings`` in format ``fmt`` (one of ``FORMATS``)."""
    unknown = [f.rule for f in findings if f.rule not in CATALOG]
    if unknown:  # a finding outside the catalog would break the "stable ids" promise
        raise ValueError(f"rules missing from the catalog: {sorted(set(unknown))}")
    return FORMATS[fmt](findings, title, fail_on)
