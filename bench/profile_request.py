"""Where one sora-mock create call spends its time (issue 12), two ways.

    python bench/profile_request.py [--size 1KB] [--requests 5000] [--clients 16] [--new-connections]
        [--seconds 8] [--rate 250] [--no-server] [--gil] [--sora-cmd '...'] [--spec specs/jxincm-private.yaml]

1. In-process (bench/inprocess.py): sora-mock's ASGI app, built from its own command line, is
   called directly request after request, with no HTTP server. Timed plainly, that gives the
   app's own microseconds per request (the bound on one worker's req/s if the transport cost
   nothing); under cProfile, each part's share of it. Deterministic and fairly stable even on a
   busy machine.
2. Under load (unless ``--no-server``): sora-mock started as compare_servers.py starts it
   (granian, one worker), warmed up, driven by ab (1 KB image, 16 clients, keep-alive unless
   ``--new-connections``) while py-spy samples every busy thread of its process tree. A sample
   with no Python frame is granian's Rust runtime; one standing on ``await receive()`` or
   ``await send()`` is inside granian's native ASGI calls: together with the Python side of
   granian's plumbing that is the transport's share, the rest is sora-mock's own code.
   ``--gil`` adds a window sampling only the GIL holder (py-spy's GIL detection is unreliable
   without pausing the process: read it with care).

Each sample or function is charged to a part (bench/stacks.py: door, wire reader, checker,
schema validation, engine, journal, JSON encoding, Starlette, granian plumbing, ...); the output
gives each part's share and microseconds per request, the hottest functions, and JSON under
bench/results/. Compare shares and totals before and after a change in one sitting. Part 2
needs py-spy (``.venv/bin/pip install py-spy``) and permission to read another process's memory
(root, or CAP_SYS_PTRACE).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import inprocess
from compare_servers import BENCH, DEFAULT_SORA, ROOT, VENV_BIN, ensure_tools, write_bodies
from loadgen import LoadResult, run_ab
from procstat import tree_cpu_seconds
from servers import Server
from stacks import NO_PYTHON, ORDER, Breakdown, breakdown, short
from workload import Operation, content_type, find_operation, load_spec, parse_size


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--spec", type=Path, default=ROOT / "specs" / "jxincm-private.yaml")
    parser.add_argument("--size", default="1KB", help="image size of the create call (default 1KB)")
    parser.add_argument("--requests", type=int, default=5000, help="requests of the in-process runs")
    parser.add_argument("--no-server", action="store_true", help="only the in-process part (no py-spy)")
    parser.add_argument("--gil", action="store_true", help="also a window sampling only the GIL holder")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--new-connections", action="store_true", help="a connection per request (no ab -k)")
    parser.add_argument("--seconds", type=float, default=8.0, help="length of each sampling window")
    parser.add_argument("--rate", type=int, default=250, help="py-spy samples per second")
    parser.add_argument(
        "--blocking", action="store_true", help="py-spy pauses the server at each sample (exact stacks, slower)"
    )
    parser.add_argument("--top", type=int, default=15, help="how many innermost frames to list")
    parser.add_argument("--sora-cmd", default=DEFAULT_SORA, help="template with {host} {port} {spec} {upstream}")
    parser.add_argument("--upstream", default="jxincm")
    parser.add_argument("--py-spy", default=shutil.which("py-spy") or str(VENV_BIN / "py-spy"))
    return parser.parse_args(argv)


def sample(args: argparse.Namespace, pid: int, gil: bool, out: Path) -> subprocess.Popen[bytes]:
    """py-spy recording the whole process tree of ``pid`` for a window, in the background."""
    pyspy, seconds, rate = args.py_spy, args.seconds, args.rate
    cmd = [pyspy, "record", "--pid", str(pid), "--subprocesses", "--format", "raw"]
    if not args.blocking:
        cmd.append("--nonblocking")
    cmd.append("--full-filenames")  # absolute paths: stacks.py reads the source line of a frame
    cmd += ["--rate", str(rate), "--duration", str(max(1, round(seconds))), "--output", str(out)]
    if gil:
        cmd.append("--gil")
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def profiled_window(
    server: Server, url: str, body: Path, args: argparse.Namespace, gil: bool, workdir: Path
) -> dict[str, Any]:
    """One ab run of ``args.seconds`` with py-spy sampling alongside it."""
    out = workdir / f"spy-{'gil' if gil else 'all'}.txt"
    spy = sample(args, server.pid, gil, out)
    time.sleep(0.5)  # py-spy attaches before the load starts
    cpu_before = tree_cpu_seconds(server.pid)
    load = run_ab(url, body, content_type(), args.clients, 10**7, args.seconds, 20.0, not args.new_connections)
    cpu = tree_cpu_seconds(server.pid) - cpu_before
    spy_output, _ = spy.communicate(timeout=60)
    if spy.returncode != 0 or not out.exists():
        raise RuntimeError(f"py-spy failed ({spy.returncode}): {spy_output.decode(errors='replace')[-400:]}")
    return {"gil": gil, "load": load, "server_cpu_s": cpu, "breakdown": breakdown(out.read_text())}


def per_request_us(samples: int, rate: int, requests: int) -> float:
    """Sampled thread time per request: samples / rate is seconds of (GIL or thread) time."""
    return samples / rate / requests * 1e6 if requests else 0.0


def report(window: dict[str, Any], rate: int, top: int) -> dict[str, Any]:
    """Prints one window's table and returns it as JSON-ready data."""
    load: LoadResult = window["load"]
    result: Breakdown = window["breakdown"]
    requests = load.completed
    kind = "GIL held (Python, serial)" if window["gil"] else "all busy threads (Python + granian's Rust)"
    total_us = per_request_us(result.total, rate, requests)
    cpu_us = window["server_cpu_s"] / requests * 1e6 if requests else 0.0
    print(f"\n{kind}: {result.total} samples, {requests} requests at {load.rps:.0f} req/s")
    print(f"  sampled time per request {total_us:.0f} us; server CPU per request (from /proc) {cpu_us:.0f} us")
    print(f"  {'part':<50} {'self %':>7} {'us/req':>7} {'incl %':>7}")
    parts = {}
    for name in ORDER:
        if not result.inclusive[name] and not result.self_samples[name]:
            continue
        self_share, incl = result.share(name), result.share(name, inclusive=True)
        us = per_request_us(result.self_samples[name], rate, requests)
        parts[name] = {"self_pct": 100 * self_share, "self_us_per_request": us, "inclusive_pct": 100 * incl}
        print(f"  {name:<50} {100 * self_share:>7.1f} {us:>7.1f} {100 * incl:>7.1f}")
    hottest = [(short(frame, str(ROOT)), count) for frame, count in result.top_frames.most_common(top)]
    print(f"  hottest innermost frames (of {result.total} samples):")
    for frame, count in hottest:
        print(f"    {100 * count / result.total:5.1f}%  {frame}")
    return {
        "mode": "gil" if window["gil"] else "all-threads",
        "samples": result.total,
        "requests": requests,
        "rps": load.rps,
        "keepalive_requests": load.keepalive_requests,
        "errors": load.failed + load.non_2xx,
        "sampled_us_per_request": total_us,
        "server_cpu_us_per_request": cpu_us,
        "parts": parts,
        "no_python_pct": 100 * result.share(NO_PYTHON),
        "hottest_frames": [{"frame": frame, "pct": 100 * count / result.total} for frame, count in hottest],
    }


def in_process(args: argparse.Namespace, path: str, body: bytes) -> dict[str, Any]:
    """Part 1: the app alone, timed, then profiled; prints its table and returns it as JSON data."""
    app = inprocess.build_app(args.spec.resolve(), args.upstream)
    inprocess.time_requests(app, path, body, min(500, args.requests))  # warm-up
    us_per_request, statuses = inprocess.time_requests(app, path, body, args.requests)
    if set(statuses) != {200}:
        raise RuntimeError(f"the in-process create calls were not all answered 200: {dict(statuses)}")
    stats = inprocess.profile_requests(app, path, body, args.requests)
    seconds = inprocess.parts_of_stats(stats)
    total = sum(seconds.values())
    print(f"\nin-process, no HTTP server: {args.requests} create calls, {us_per_request:.0f} us CPU per request")
    print(f"  (1e6 / that = {1e6 / us_per_request:.0f} req/s on one core if the transport cost nothing)")
    print(f"  {'part (cProfile self time, builtins to their caller)':<50} {'share %':>7} {'us/req':>7}")
    parts = {}
    for name in ORDER:
        if seconds[name]:
            share = seconds[name] / total
            parts[name] = {"pct": 100 * share, "us_per_request": share * us_per_request}
            print(f"  {name:<50} {100 * share:>7.1f} {share * us_per_request:>7.1f}")
    top = [(short(frame, str(ROOT)), tt) for frame, tt in inprocess.hottest(stats, args.top)]
    print("  functions with the most self time (share of the profiled total):")
    for frame, tt in top:
        print(f"    {100 * tt / total:5.1f}%  {frame}")
    return {
        "mode": "in-process",
        "requests": args.requests,
        "us_per_request": us_per_request,
        "parts": parts,
        "hottest_functions": [{"function": frame, "pct": 100 * tt / total} for frame, tt in top],
    }


def under_load(args: argparse.Namespace, op: Operation, body: Path) -> list[dict[str, Any]]:
    """Part 2: sora-mock on granian under ab, sampled by py-spy."""
    logdir = BENCH / "results" / "logs"
    logdir.mkdir(parents=True, exist_ok=True)
    argv_template = shlex.split(args.sora_cmd.replace("{upstream}", args.upstream))
    server = Server("sora-mock", argv_template, args.spec.resolve(), logdir / "profile-sora-mock.log")
    windows = []
    server.start()
    try:
        url = f"http://127.0.0.1:{server.port}{op.path}"
        warm = run_ab(url, body, content_type(), args.clients, 2000, 10.0, 20.0, not args.new_connections)
        print(f"\nwarmed up: {warm.completed} requests at {warm.rps:.0f} req/s; load {os.getloadavg()[0]:.2f}")
        for gil in (False, True) if args.gil else (False,):
            windows.append(profiled_window(server, url, body, args, gil, body.parent))
    finally:
        server.stop()
    mode = "new connections" if args.new_connections else "keep-alive"
    print(f"\nsora-mock on granian, {args.size} image, {args.clients} clients, {mode}, py-spy at {args.rate} Hz")
    return [report(window, args.rate, args.top) for window in windows]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not args.no_server and not Path(args.py_spy).exists() and shutil.which(args.py_spy) is None:
        print(f"py-spy not found ({args.py_spy}): .venv/bin/pip install py-spy, or --no-server", file=sys.stderr)
        return 2
    op = find_operation(load_spec(args.spec))
    size = parse_size(args.size)
    payload: dict[str, Any] = {
        "case": {"size": args.size, "clients": args.clients, "keepalive": not args.new_connections},
        "sora_cmd": args.sora_cmd,
        "loadavg_at_start": os.getloadavg(),
    }
    with tempfile.TemporaryDirectory(prefix="sora-profile-") as tmp:
        body = write_bodies(op, [size], Path(tmp))[size]
        payload["in_process"] = in_process(args, op.path, body.read_bytes())
        if not args.no_server:
            ensure_tools(need_prism=False)
            payload["windows"] = under_load(args, op, body)
    results = BENCH / "results"
    results.mkdir(exist_ok=True)
    path = results / f"profile-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(payload, indent=2))
    print(f"\nwrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
