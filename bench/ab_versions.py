"""Two versions of sora-mock side by side: did a change make the server faster? (issue 12)

    python bench/ab_versions.py --before REV_OR_DIR [--after DIR] [--rounds 5] [--seconds 4] [--clients 16]

``--before`` is a git revision of this checkout (unpacked with ``git archive`` into a temporary
directory) or a directory holding another checkout; ``--after`` defaults to this checkout. Each
version runs as ``python -m mockserver`` from its own directory, with its directory first on
``PYTHONPATH`` (``python -m`` puts the working directory first on ``sys.path``, so a version
started elsewhere would silently run the wrong code). Both servers are up for the whole run and
get the same 1 KB create body under ``ab``; the rounds alternate which goes first, with and
without keep-alive, and the medians are compared. On a small shared machine, two runs minutes
apart differ more than most changes do: only figures taken this way, in one sitting, say whether
a change helped. Prints the medians (req/s and the server's CPU microseconds per request) and
the after/before ratios; writes JSON under bench/results/.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from compare_servers import BENCH, ROOT, write_bodies
from loadgen import run_ab
from procstat import tree_cpu_seconds
from servers import Server
from workload import content_type, find_operation, load_spec, parse_size

MODES = (("new", False), ("keep-alive", True))


@dataclass(frozen=True)
class Sample:
    version: str
    mode: str
    rps: float
    cpu_us: float


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", required=True, help="a git revision of this checkout, or a directory")
    parser.add_argument("--after", type=Path, default=ROOT, help="a directory (default: this checkout)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=4.0, help="length of one ab run")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--spec", type=Path, default=ROOT / "specs" / "jxincm-private.yaml")
    return parser.parse_args(argv)


def checkout(before: str, workdir: Path) -> Path:
    """``before`` as a directory: itself when it is one, else the revision unpacked under ``workdir``."""
    if Path(before).is_dir():
        return Path(before).resolve()
    target = workdir / "before"
    target.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", before], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target


def server(name: str, directory: Path, logdir: Path) -> Server:
    argv = [sys.executable, "-m", "mockserver", "--host", "{host}", "--port", "{port}", "--render-seconds", "1"]
    return Server(name, argv, directory, logdir / f"{name}.log", cwd=directory, env={"PYTHONPATH": str(directory)})


def measure(srv: Server, path: str, body: Path, mode: str, keepalive: bool, args: argparse.Namespace) -> Sample:
    url = f"http://127.0.0.1:{srv.port}{path}"
    before = tree_cpu_seconds(srv.pid)
    load = run_ab(url, body, content_type(), args.clients, 10_000_000, args.seconds, 20.0, keepalive)
    cpu = tree_cpu_seconds(srv.pid) - before
    if load.failed or load.non_2xx or not load.completed:
        raise RuntimeError(
            f"{srv.name} {mode}: {load.completed} answered, {load.failed} failed, {load.non_2xx} non-2xx"
        )
    return Sample(srv.name, mode, load.rps, cpu / load.completed * 1e6)


def medians(samples: list[Sample]) -> dict[tuple[str, str], tuple[float, float]]:
    """(version, mode) -> (median req/s, median CPU us per request)."""
    keys = sorted({(s.version, s.mode) for s in samples})
    return {
        key: (
            statistics.median(s.rps for s in samples if (s.version, s.mode) == key),
            statistics.median(s.cpu_us for s in samples if (s.version, s.mode) == key),
        )
        for key in keys
    }


def report(table: dict[tuple[str, str], tuple[float, float]]) -> list[str]:
    lines = [f"  {'version':8s} {'mode':10s} {'req/s':>9s} {'CPU us/req':>11s}"]
    for (version, mode), (rps, cpu) in sorted(table.items(), key=lambda item: (item[0][1], item[0][0] != "before")):
        lines.append(f"  {version:8s} {mode:10s} {rps:9.0f} {cpu:11.0f}")
    for mode, _ in MODES:
        if ("before", mode) in table and ("after", mode) in table:
            (rps_b, cpu_b), (rps_a, cpu_a) = table[("before", mode)], table[("after", mode)]
            lines.append(f"  after/before, {mode}: req/s {rps_a / rps_b:.2f}x, CPU per request {cpu_a / cpu_b:.2f}x")
    return lines


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if shutil.which("ab") is None:
        print("ab is missing: bash bench/setup.sh", file=sys.stderr)
        return 2
    op = find_operation(load_spec(args.spec))
    with tempfile.TemporaryDirectory(prefix="sora-ab-") as tmp:
        workdir = Path(tmp)
        body = write_bodies(op, [parse_size("1KB")], workdir)[parse_size("1KB")]
        logdir = BENCH / "results" / "logs"
        logdir.mkdir(parents=True, exist_ok=True)
        servers = [
            server("before", checkout(args.before, workdir), logdir),
            server("after", args.after.resolve(), logdir),
        ]
        samples: list[Sample] = []
        try:
            for srv in servers:
                srv.start()
                for mode, keepalive in MODES:  # warm-up, not counted
                    measure(srv, op.path, body, mode, keepalive, argparse.Namespace(**{**vars(args), "seconds": 2}))
            for round_ in range(args.rounds):
                for mode, keepalive in MODES:
                    for srv in servers if round_ % 2 == 0 else servers[::-1]:
                        samples.append(measure(srv, op.path, body, mode, keepalive, args))
        finally:
            for srv in servers:
                srv.stop()
    table = medians(samples)
    print(f"{args.rounds} rounds of {args.seconds:g} s, {args.clients} clients, 1 KB create; medians:")
    print("\n".join(report(table)))
    out = BENCH / "results" / f"ab-versions-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps({"before": args.before, "after": str(args.after), "samples": [vars(s) for s in samples]},
                              indent=1))
    print(f"wrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
