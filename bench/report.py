"""What one compare_servers.py run measured, and how it reads against the issues' targets.

A case is one image size, one number of clients and one connection mode (a new connection per
request, as a browser or curl makes, or ``keep-alive``, as the OpenAI SDKs do). Every server
under test runs every case; the ratios compare servers within one case of one run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from loadgen import LoadResult
from workload import parse_size, size_label

SORA, PRISM, CEILING = "sora-mock", "prism", "ceiling"
KEEPALIVE_SUFFIX = "+ka"
_CASE_RE = re.compile(r"^\s*([\d.]+\s*[KMG]?i?B?)\s*x\s*(\d+)\s*(\+ka)?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Case:
    """One size x clients x connection mode."""

    size: int
    clients: int
    keepalive: bool = False

    @property
    def label(self) -> str:
        return f"{size_label(self.size)}x{self.clients}{KEEPALIVE_SUFFIX if self.keepalive else ''}"

    @property
    def mode(self) -> str:
        return "keep-alive" if self.keepalive else "new conn"


def parse_cases(text: str) -> list[Case]:
    """'1KBx16,1KBx16+ka,1MBx8' -> the cases, in order ('+ka': keep-alive)."""
    cases = []
    for item in text.split(","):
        match = _CASE_RE.match(item)
        if not match:
            raise ValueError(f"not a case: {item!r} (use SIZExCLIENTS, '+ka' for keep-alive: 1KBx16+ka)")
        cases.append(Case(parse_size(match.group(1)), int(match.group(2)), bool(match.group(3))))
    return cases


@dataclass
class Run:
    """One server x case measurement."""

    server: str
    size: str
    clients: int
    keepalive: bool
    request_cap: int
    time_cap_s: float
    load: LoadResult
    peak_rss_mb: float
    server_cpu_pct: float
    skipped: str = ""
    loadavg_1m: float = 0.0  # the machine's load when the run began: it is shared, and this drifts

    @property
    def clean(self) -> bool:
        load = self.load
        return not self.skipped and load.completed > 0 and not load.non_2xx and not load.failed

    @property
    def cpu_us_per_request(self) -> float | None:
        """Server CPU (its whole process tree) per answered request. Unlike req/s it barely moves
        when other jobs take the cores: a starved server answers fewer requests, not cheaper ones."""
        load = self.load
        return self.server_cpu_pct / 100 * load.elapsed_s / load.completed * 1e6 if load.completed else None

    @property
    def key(self) -> tuple[str, int, bool]:
        return self.size, self.clients, self.keepalive


def fmt_ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def fmt_us(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


HEADER = (
    f"{'server':<10} {'image':>6} {'clients':>7} {'conn':>10} {'measured':>11} {'req/s':>9} {'p50 ms':>8} "
    f"{'p99 ms':>8} {'peak RSS MB':>11} {'errors':>6} {'srv CPU%':>8} {'CPU us/req':>10} {'ab CPU%':>7} {'load':>5}"
)


def connection_note(run: Run) -> str:
    """A keep-alive run whose server closed connections is not what it claims to measure."""
    load = run.load
    if not run.keepalive or not load.completed or load.keepalive_requests >= 0.99 * load.completed:
        return ""
    return f"only {load.keepalive_requests}/{load.completed} answers on a kept connection"


def format_row(run: Run) -> str:
    """One table line; 'measured' is completed requests / cap, '*' when the hard deadline hit."""
    load = run.load
    measured = f"{load.completed}/{run.request_cap}" + ("*" if load.cut_short else "")
    line = (
        f"{run.server:<10} {run.size:>6} {run.clients:>7} {'keep-alive' if run.keepalive else 'new':>10} "
        f"{measured:>11} {load.rps:>9.1f} {fmt_ms(load.p50_ms):>8} {fmt_ms(load.p99_ms):>8} "
        f"{run.peak_rss_mb:>11.1f} {load.non_2xx + load.failed:>6} {run.server_cpu_pct:>8.0f} "
        f"{fmt_us(run.cpu_us_per_request):>10} {load.loadgen_cpu_pct:>7.0f} {run.loadavg_1m:>5.1f}"
    )
    notes = [note for note in (load.note, connection_note(run)) if note]
    return line + (f"  {'; '.join(notes)}" if notes else "")


def _rate(run: Run) -> tuple[float, bool]:
    """req/s and whether it is an upper bound: when nothing completed, at most one request
    over the elapsed time, so a ratio against it is a lower bound."""
    if run.load.completed:
        return run.load.rps, False
    return (1 / run.load.elapsed_s if run.load.elapsed_s else 0.0), True


def _div(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def ratios(runs: list[Run]) -> list[dict[str, Any]]:
    """Per case: sora-mock / Prism (req/s, latency, RSS) and sora-mock as a % of the ceiling."""
    by_key = {(r.server, *r.key): r for r in runs}
    rows = []
    for run in runs:
        if run.server != SORA or run.skipped:
            continue
        row: dict[str, Any] = {"size": run.size, "clients": run.clients, "keepalive": run.keepalive}
        prism, ceiling = by_key.get((PRISM, *run.key)), by_key.get((CEILING, *run.key))
        if prism is not None and not prism.skipped:
            prism_rps, bound = _rate(prism)
            row.update({
                "rps_ratio": _div(run.load.rps, prism_rps), "lower_bound": bound,
                "p50_speedup": _div(prism.load.p50_ms, run.load.p50_ms),
                "p99_speedup": _div(prism.load.p99_ms, run.load.p99_ms),
                "rss_ratio": _div(run.peak_rss_mb, prism.peak_rss_mb),
                "both_clean": run.clean and prism.clean,
                "cpu_per_request_ratio": _div(prism.cpu_us_per_request, run.cpu_us_per_request),
            })  # fmt: skip
        if ceiling is not None and not ceiling.skipped and ceiling.load.rps:
            row["ceiling_pct"] = 100 * run.load.rps / ceiling.load.rps
            row["ceiling_clean"] = run.clean and ceiling.clean
            cpu_share = _div(ceiling.cpu_us_per_request, run.cpu_us_per_request)
            row["ceiling_cpu_pct"] = None if cpu_share is None else 100 * cpu_share
        if len(row) > 3:
            rows.append(row)
    return rows


def case_name(row: dict[str, Any]) -> str:
    return f"{row['size']:>6} x{row['clients']:<3} {'keep-alive' if row['keepalive'] else 'new conn':<10}"


def print_ratios(rows: list[dict[str, Any]]) -> None:
    print(
        "\nsora-mock / Prism (req/s; p50, p99: how many times faster; RSS: sora/Prism; CPU: Prism's CPU per request"
        " / sora-mock's); sora-mock % of the ceiling (req/s; CPU: the ceiling's CPU per request / sora-mock's)"
    )
    for row in rows:
        parts = [case_name(row)]
        if row.get("rps_ratio") is not None:
            bound = ">=" if row["lower_bound"] else ""
            parts.append(f"req/s {bound}{row['rps_ratio']:.1f}x")
            for key, name in (("p50_speedup", "p50"), ("p99_speedup", "p99"), ("rss_ratio", "RSS")):
                parts.append(f"{name} {'-' if row[key] is None else format(row[key], '.1f') + 'x'}")
            cpu = row["cpu_per_request_ratio"]
            parts.append(f"CPU {'-' if cpu is None else format(cpu, '.1f') + 'x'}")
            if not row["both_clean"]:
                parts.append("(errors or nothing completed: see the table)")
        if "ceiling_pct" in row:
            cpu_pct = row["ceiling_cpu_pct"]
            parts.append(f"ceiling {row['ceiling_pct']:.0f}% (CPU {'-' if cpu_pct is None else f'{cpu_pct:.0f}%'})")
        print("  " + "  ".join(parts))


def _verdict(ok: bool, detail: str) -> str:
    return f"{'PASS' if ok else 'FAIL'} ({detail})"


def _row(rows: list[dict[str, Any]], size: str, clients: int, keepalive: bool) -> dict[str, Any] | None:
    return next((r for r in rows if (r["size"], r["clients"], r["keepalive"]) == (size, clients, keepalive)), None)


def prism_target(rows: list[dict[str, Any]], case: Case, minimum: float) -> str:
    row = _row(rows, size_label(case.size), case.clients, case.keepalive)
    if row is None or row.get("rps_ratio") is None:
        return "n/a"
    bound = ">=" if row["lower_bound"] else ""
    return _verdict(row["rps_ratio"] >= minimum and row["both_clean"], f"{bound}{row['rps_ratio']:.1f}x")


def ceiling_target(rows: list[dict[str, Any]], case: Case, minimum_pct: float) -> str:
    row = _row(rows, size_label(case.size), case.clients, case.keepalive)
    if row is None or "ceiling_pct" not in row:
        return "n/a"
    return _verdict(row["ceiling_pct"] >= minimum_pct and row["ceiling_clean"], f"{row['ceiling_pct']:.0f}%")


def targets(runs: list[Run], rows: list[dict[str, Any]], scenarios: dict[str, Any]) -> list[str]:
    """The targets, each PASS / FAIL / n/a (not measured in this run): issue 12's, then the ones
    of issue 6 it did not raise (its 3x and 100x became 6x and 250x)."""
    small, small_ka, big = Case(1024, 16), Case(1024, 16, True), Case(1024 * 1024, 8)
    sora_small = next((r for r in runs if r.server == SORA and r.key == ("1KB", 16, False)), None)
    p99 = "n/a"
    if sora_small is not None and sora_small.load.p99_ms is not None:
        p99 = _verdict(sora_small.load.p99_ms <= 50 and sora_small.clean, f"{sora_small.load.p99_ms:.1f} ms")
    memory, growth = scenarios.get("memory"), scenarios.get("growth")
    mem = "n/a"
    if memory:
        mem = _verdict(memory["run"]["peak_rss_mb"] <= 150, f"{memory['run']['peak_rss_mb']:.0f} MB")
    grow = "n/a"
    if growth:
        tail = growth["second_half_growth_mb"]
        grow = _verdict(tail <= 5, f"{growth['growth_mb']:+.1f} MB overall, {tail:+.1f} MB in the second half")
    verdicts = [
        ("issue 12: req/s >= 6x Prism, 1KB x16, new connections", prism_target(rows, small, 6)),
        ("issue 12: req/s >= 6x Prism, 1KB x16, keep-alive", prism_target(rows, small_ka, 6)),
        ("issue 12: >= 50% of the ceiling, 1KB x16, new connections", ceiling_target(rows, small, 50)),
        ("issue 12: >= 25% of the ceiling, 1KB x16, keep-alive", ceiling_target(rows, small_ka, 25)),
        ("issue 12: req/s >= 250x Prism, 1MB x8, new connections", prism_target(rows, big, 250)),
        ("issue 12: peak RSS <= 150 MB, 16 x 20 MB uploads", mem),
        ("issue 6:  p99 <= 50 ms, 1KB x16, new connections", p99),
        ("issue 6:  no RSS growth (<= 5 MB, 2nd half)", grow),
    ]
    width = max(len(name) for name, _ in verdicts) + 1
    return [f"{name + ':':<{width}} {verdict}" for name, verdict in verdicts]
