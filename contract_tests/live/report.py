"""What a live run found, per server: the end-of-run summary and the JSON report CI gates on.

Built from pytest's test reports only (their outcome, crash message and the calls the live door
attached as user properties), so it works the same under pytest-xdist, where reports reach the
controller and the tests ran elsewhere.
"""

from __future__ import annotations

import json
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contract_tests.live.config import LiveConfig
from contract_tests.live.target import CALL_PROPERTY, SERVER_PROPERTY

REPORT_VERSION = 1
_CHECK_ID = re.compile(r"\[([a-z][a-z0-9_]*)\]")
_FINDING_CHARS = 600


@dataclass
class ServerTally:
    """One server's outcome counts, findings and calls."""

    passed: int = 0
    failed: int = 0
    skipped: int = 0
    findings: list[dict[str, Any]] = field(default_factory=list)
    calls: list[dict[str, Any]] = field(default_factory=list)
    skip_reasons: Counter[str] = field(default_factory=Counter)

    def latency(self) -> dict[str, float | int]:
        values = sorted(c["latency_ms"] for c in self.calls if c.get("status") is not None)
        if not values:
            return {"count": 0}
        p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
        return {
            "count": len(values),
            "p50": round(statistics.median(values), 1),
            "p95": round(p95, 1),
            "max": round(values[-1], 1),
        }


def crash_message(report: Any) -> str:
    """The failure's own message (what pytest's short summary shows), without the exception type."""
    longrepr = report.longrepr
    crash = getattr(longrepr, "reprcrash", None)
    text = crash.message if crash is not None else str(longrepr or "")
    text = re.sub(r"^(AssertionError|Failed|[A-Za-z]+Error): ", "", text.strip())
    return text[:_FINDING_CHARS]


class LiveReport:
    """Accumulates test reports of a live run; renders the summary and the JSON document."""

    def __init__(self, config: LiveConfig) -> None:
        self.config = config
        self.servers: dict[str, ServerTally] = {sid: ServerTally() for sid in config.servers}

    def add(self, report: Any) -> None:
        """Count a test once: its setup if that did not pass, else its call."""
        if report.when == "call" or (report.when == "setup" and not report.passed):
            properties = list(report.user_properties)
            server_id = next((v for k, v in properties if k == SERVER_PROPERTY), None)
            if server_id not in self.servers:
                return
            tally = self.servers[server_id]
            tally.calls.extend(v for k, v in properties if k == CALL_PROPERTY)
            if report.passed:
                tally.passed += 1
            elif report.skipped:
                tally.skipped += 1
                tally.skip_reasons[_skip_reason(report)] += 1
            else:
                tally.failed += 1
                message = crash_message(report)
                tally.findings.append(
                    {"test": report.nodeid, "checks": sorted(set(_CHECK_ID.findall(message))), "message": message}
                )

    def as_dict(self, spent: dict[str, int], exit_status: int) -> dict[str, Any]:
        servers = {}
        for sid, tally in self.servers.items():
            settings = self.config.server(sid)
            servers[sid] = {
                "base_url": settings.base_url,
                "base_url_source": settings.base_url_source,
                "token": settings.token_source or f"missing: {settings.missing_token_reason}",
                "passed": tally.passed,
                "failed": tally.failed,
                "skipped": tally.skipped,
                "skip_reasons": dict(tally.skip_reasons),
                "budget": {"limit": self.config.budget, "spent": spent.get(sid, 0)},
                "latency_ms": tally.latency(),
                "findings": tally.findings,
                "calls": tally.calls,
            }
        failed = sum(t.failed for t in self.servers.values())
        return {
            "version": REPORT_VERSION,
            "mode": "live",
            "ok": exit_status == 0 and failed == 0,
            "exit_status": exit_status,
            "budget": {"per_server": self.config.budget, "spent": sum(spent.values())},
            "servers": servers,
        }

    def summary_lines(self, spent: dict[str, int]) -> list[str]:
        lines = []
        for sid, tally in self.servers.items():
            settings = self.config.server(sid)
            if not (tally.passed or tally.failed or tally.skipped):
                lines.append(f"{sid}: no test selected")
                continue
            latency = tally.latency()
            timing = (
                f"{latency['count']} call(s), latency p50 {latency['p50']} ms, p95 {latency['p95']} ms, "
                f"max {latency['max']} ms"
                if latency["count"]
                else "no calls"
            )
            lines.append(
                f"{sid} ({settings.base_url}, from {settings.base_url_source}): {tally.passed} passed, "
                f"{tally.failed} failed, {tally.skipped} skipped; budget {spent.get(sid, 0)}/{self.config.budget}"
                f" spent; {timing}"
            )
            lines.extend(f"  skipped {n}x: {reason}" for reason, n in sorted(tally.skip_reasons.items()))
            lines.extend(f"  FINDING {f['test']}: {f['message'].splitlines()[0]}" for f in tally.findings)
        total = sum(spent.values())
        lines.append(f"live budget: {total} accepted-expected create(s) spent ({self.config.budget} per server)")
        return lines

    def write(self, path: Path, spent: dict[str, int], exit_status: int) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.as_dict(spent, exit_status), indent=2, ensure_ascii=False) + "\n", "utf-8")


def _skip_reason(report: Any) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)
