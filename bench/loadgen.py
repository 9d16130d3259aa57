"""Drives ApacheBench (`ab`) against one URL and parses what it measured.

ab is C, single-threaded and cheap per request: at the rates a Python or Node mock reaches it
uses a fraction of a core (its CPU share is reported with every run, so a run where the load
generator was the bottleneck shows as such). Each run is bounded twice, by ab's own request
count and time limit, and by a hard deadline after which ab gets SIGINT (it then prints what it
completed so far): a server that takes longer per request than the whole budget, as Prism does
with large images, cannot stall the harness.
"""

from __future__ import annotations

import math
import os
import re
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from workload import TOKEN


@dataclass
class LoadResult:
    """One ab run. Latencies in ms; None when nothing completed."""

    completed: int
    failed: int
    non_2xx: int
    elapsed_s: float
    rps: float
    p50_ms: float | None
    p99_ms: float | None
    loadgen_cpu_pct: float
    cut_short: bool
    note: str = ""
    keepalive_requests: int = 0  # answers ab got on a reused connection (ab -k); 0 without it


def _number(pattern: str, text: str, default: float = 0.0) -> float:
    match = re.search(pattern, text, re.MULTILINE)
    return float(match.group(1)) if match else default


def _percentiles(csv_path: Path) -> dict[int, float]:
    """ab's -e file: 'percent,ms' rows for 0..100."""
    table: dict[int, float] = {}
    try:
        lines = csv_path.read_text().splitlines()[1:]
    except OSError:
        return table
    for line in lines:
        pct, _, ms = line.partition(",")
        try:
            table[int(pct)] = float(ms)
        except ValueError:
            continue
    return table


def _gnuplot_times(path: Path) -> list[float]:
    """Total time in ms of each request from ab's -g file (whole ms only)."""
    try:
        lines = path.read_text().splitlines()[1:]
    except OSError:
        return []
    return sorted(float(line.split("\t")[4]) for line in lines if line.count("\t") >= 5)


def percentile(sorted_values: list[float], pct: float) -> float | None:
    """Nearest-rank percentile."""
    if not sorted_values:
        return None
    rank = max(1, min(len(sorted_values), math.ceil(pct / 100 * len(sorted_values))))
    return sorted_values[rank - 1]


def _latencies(csv_path: Path, gnuplot_path: Path, completed: int) -> tuple[float | None, float | None]:
    """p50 and p99. ab's -e table has sub-ms resolution but indexes past its data below about 50
    requests (a p99 of 0), so short runs (slow servers, where whole ms are plenty) use -g's times."""
    if not completed:
        return None, None
    if completed >= 100:
        table = _percentiles(csv_path)
        if 50 in table and 99 in table:
            return table[50], table[99]
    times = _gnuplot_times(gnuplot_path)
    return percentile(times, 50), percentile(times, 99)


def _wait_with_deadline(proc: subprocess.Popen[bytes], deadline_s: float) -> tuple[float, bool]:
    """Reaps ab, sending SIGINT at the deadline; returns (its CPU seconds, whether it was cut)."""
    cut = threading.Event()

    def interrupt() -> None:
        if proc.poll() is None:
            cut.set()
            proc.send_signal(signal.SIGINT)

    timer = threading.Timer(deadline_s, interrupt)
    timer.start()
    try:
        _, status, usage = os.wait4(proc.pid, 0)
    finally:
        timer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)
    return usage.ru_utime + usage.ru_stime, cut.is_set()


def run_ab(
    url: str,
    body_file: Path,
    content_type: str,
    concurrency: int,
    max_requests: int,
    time_limit_s: float,
    grace_s: float,
    keepalive: bool = False,
) -> LoadResult:
    """POSTs body_file to url at the given concurrency until max_requests or time_limit_s.

    With ``keepalive`` ab reuses each client's connection (``-k``), as the OpenAI SDKs do; the
    result's ``keepalive_requests`` shows whether the server really kept them open."""
    requests = max(max_requests, concurrency)
    with tempfile.TemporaryDirectory(prefix="sora-bench-ab-") as tmp:
        csv_path, plot_path, out_path = Path(tmp, "pct.csv"), Path(tmp, "times.tsv"), Path(tmp, "out.txt")
        cmd = [
            "ab", "-q", "-r",  # -r: keep going on socket errors, count them instead
            *(["-k"] if keepalive else []),
            "-t", str(max(1, round(time_limit_s))), "-n", str(requests),  # -n after -t: both apply
            "-c", str(concurrency), "-s", str(round(time_limit_s + grace_s + 5)),
            "-p", str(body_file), "-T", content_type,
            "-H", f"Authorization: Bearer {TOKEN}", "-e", str(csv_path), "-g", str(plot_path), url,
        ]  # fmt: skip
        started = time.monotonic()
        with out_path.open("wb") as out:
            proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
            cpu_s, cut = _wait_with_deadline(proc, time_limit_s + grace_s)
        wall = time.monotonic() - started
        text = out_path.read_text(errors="replace")
        completed = int(_number(r"^Complete requests:\s+(\d+)", text))
        p50, p99 = _latencies(csv_path, plot_path, completed)
    return _parse_ab(text, (p50, p99), cpu_s / wall * 100 if wall else 0.0, cut, wall)


def _real_failures(text: str) -> int:
    """ab's failures without 'Length' ones: a body that differs in length from the first one
    (ids of varying length) is a valid answer, not a failure."""
    total = int(_number(r"^Failed requests:\s+(\d+)", text))
    return max(0, total - int(_number(r"Length: (\d+)", text)))


def _parse_ab(
    text: str, latency: tuple[float | None, float | None], cpu_pct: float, cut: bool, wall: float
) -> LoadResult:
    completed = int(_number(r"^Complete requests:\s+(\d+)", text))
    elapsed = _number(r"^Time taken for tests:\s+([\d.]+)", text, wall)
    note = ""
    if "Complete requests" not in text:
        tail = " | ".join(line for line in text.strip().splitlines()[-3:])
        note = f"ab printed no summary: {tail[:200]}"
    return LoadResult(
        completed=completed,
        failed=_real_failures(text),
        non_2xx=int(_number(r"^Non-2xx responses:\s+(\d+)", text)),
        elapsed_s=elapsed,
        rps=completed / elapsed if elapsed else 0.0,
        p50_ms=latency[0],
        p99_ms=latency[1],
        loadgen_cpu_pct=cpu_pct,
        cut_short=cut,
        note=note,
        keepalive_requests=int(_number(r"^Keep-Alive requests:\s+(\d+)", text)),
    )
