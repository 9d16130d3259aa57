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

from contract_tests.live.budget import Tally
from contract_tests.live.config import LiveConfig
from contract_tests.live.target import (
    ACCEPTANCE_PROPERTY,
    CALL_PROPERTY,
    FOLLOW_PROPERTY,
    KNOWN_PROPERTY,
    OBSERVATION_PROPERTY,
    SERVER_PROPERTY,
)

REPORT_VERSION = 2  # 2: observations, unexpected acceptances, follows, the paid-create cap
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
    observations: list[dict[str, Any]] = field(default_factory=list)
    acceptances: list[dict[str, Any]] = field(default_factory=list)
    follows: list[dict[str, Any]] = field(default_factory=list)
    known: list[dict[str, Any]] = field(default_factory=list)

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


def check_ids(message: str) -> list[str]:
    """The stable check ids a failure message names (``[video_status_queued] ...``), sorted."""
    return sorted(set(_CHECK_ID.findall(message)))


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
            tally.observations.extend(v for k, v in properties if k == OBSERVATION_PROPERTY)
            tally.acceptances.extend(v for k, v in properties if k == ACCEPTANCE_PROPERTY)
            tally.follows.extend(v for k, v in properties if k == FOLLOW_PROPERTY)
            tally.known.extend(v for k, v in properties if k == KNOWN_PROPERTY)
            if report.passed:
                tally.passed += 1
            elif report.skipped:
                tally.skipped += 1
                tally.skip_reasons[_skip_reason(report)] += 1
            else:
                tally.failed += 1
                message = crash_message(report)
                tally.findings.append(
                    {"test": report.nodeid, "checks": check_ids(message), "message": message}
                )

    def cap_failures(self, tallies: dict[str, Tally]) -> dict[str, str]:
        """Servers whose paid-create cap was reached while failing unexpected acceptances were among
        them: the run fails for that alone (an observation-only cap is reported, not failed)."""
        cap = self.config.paid_cap
        failed = {}
        for sid, tally in self.servers.items():
            paid = tallies.get(sid, Tally()).paid
            unexpected = [a for a in tally.acceptances if a.get("failure")]
            if paid >= cap and unexpected:
                failed[sid] = (
                    f"[live_max_paid] server {sid}: {paid} paid create(s) reached the cap of {cap} "
                    f"(--live-max-paid), {len(unexpected)} of them to requests the contract says must be rejected"
                )
        return failed

    def as_dict(self, tallies: dict[str, Tally], exit_status: int) -> dict[str, Any]:
        cap_failures = self.cap_failures(tallies)
        servers = {}
        for sid, tally in self.servers.items():
            settings = self.config.server(sid)
            row = tallies.get(sid, Tally())
            servers[sid] = {
                "base_url": settings.base_url,
                "base_url_source": settings.base_url_source,
                "token": settings.token_source or f"missing: {settings.missing_token_reason}",
                "passed": tally.passed,
                "failed": tally.failed,
                "skipped": tally.skipped,
                "skip_reasons": dict(tally.skip_reasons),
                "budget": {
                    "limit": self.config.budget,
                    "used": row.budget,
                    "spent": row.paid,
                    "max_paid": self.config.paid_cap,
                    "cap_reached": row.paid >= self.config.paid_cap,
                },
                "cap_failure": cap_failures.get(sid),
                "latency_ms": tally.latency(),
                "findings": tally.findings,
                "observations": tally.observations,
                "known_observations": tally.known,
                "unexpected_acceptances": tally.acceptances,
                "follows": tally.follows,
                "calls": tally.calls,
            }
        failed = sum(t.failed for t in self.servers.values())
        return {
            "version": REPORT_VERSION,
            "mode": "live",
            "strict": self.config.strict,
            "follow_seconds": self.config.follow,
            "ok": exit_status == 0 and failed == 0 and not cap_failures,
            "exit_status": exit_status,
            "budget": {
                "per_server": self.config.budget,
                "max_paid": self.config.paid_cap,
                "spent": sum(row.paid for row in tallies.values()),
            },
            "servers": servers,
        }

    def summary_lines(self, tallies: dict[str, Tally]) -> list[str]:
        lines = []
        cap_failures = self.cap_failures(tallies)
        for sid, tally in self.servers.items():
            settings = self.config.server(sid)
            if not (tally.passed or tally.failed or tally.skipped):
                lines.append(f"{sid}: no test selected")
                continue
            row = tallies.get(sid, Tally())
            latency = tally.latency()
            timing = (
                f"{latency['count']} call(s), latency p50 {latency['p50']} ms, p95 {latency['p95']} ms, "
                f"max {latency['max']} ms"
                if latency["count"]
                else "no calls"
            )
            lines.append(
                f"{sid} ({settings.base_url}, from {settings.base_url_source}): {tally.passed} passed, "
                f"{tally.failed} failed, {tally.skipped} skipped; budget {row.budget}/{self.config.budget} used, "
                f"{row.paid} paid create(s) (cap {self.config.paid_cap}); {timing}"
            )
            lines.extend(f"  skipped {n}x: {reason}" for reason, n in sorted(tally.skip_reasons.items()))
            lines.extend(f"  FINDING {f['test']}: {f['message'].splitlines()[0]}" for f in tally.findings)
            lines.extend(
                f"  OBSERVATION {o['test']}: {o['message']}" for o in tally.observations
            )
            lines.extend(f"  KNOWN {k['test']}: {k['message']}" for k in tally.known)
            lines.extend(f"  UNEXPECTED ACCEPTANCE {_acceptance_line(a)}" for a in tally.acceptances)
            lines.extend(f"  FOLLOWED {_follow_line(f)}" for f in tally.follows)
            if sid in cap_failures:
                lines.append(f"  CAP {cap_failures[sid]}")
        total = sum(row.paid for row in tallies.values())
        lines.append(
            f"live budget: {total} paid create(s) in all ({self.config.budget} expected per server, "
            f"cap {self.config.paid_cap}{', strict' if self.config.strict else ''})"
        )
        return lines

    def write(self, path: Path, tallies: dict[str, Tally], exit_status: int) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.as_dict(tallies, exit_status), indent=2, ensure_ascii=False) + "\n", "utf-8")


def _acceptance_line(a: dict[str, Any]) -> str:
    where = f" field {a['field']}" if a.get("field") else ""
    delete = a.get("delete") or {}
    if delete.get("deleted"):
        outcome = f"DELETE answered {delete.get('status')}: deleted"
    elif delete.get("attempted"):
        outcome = f"DELETE failed ({delete.get('status')}): {str(delete.get('detail', ''))[:80]}"
    else:
        outcome = f"not deleted: {delete.get('detail', '')}"
    kind = "a failure" if a.get("failure") else "an observation"
    return f"{a['test']}: class {a['class']}{where} answered {a['status']}, video {a['video_id']} ({kind}); {outcome}"


def _follow_line(f: dict[str, Any]) -> str:
    content = f.get("content") or {}
    probe = f", content {content.get('status')} {content.get('content_type')}" if content else ""
    ending = "" if f.get("finished") else f" (unfinished after {f.get('seconds')} s)"
    return f"{f['video_id']}: {' -> '.join(_collapsed(f.get('statuses', [])))}{ending}{probe}"


def _collapsed(statuses: list[str]) -> list[str]:
    """queued, queued, in_progress, in_progress, completed -> queued, in_progress, completed."""
    return [s for i, s in enumerate(statuses) if i == 0 or statuses[i - 1] != s]


def _skip_reason(report: Any) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)
