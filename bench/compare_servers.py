"""sora-mock against Prism and a ceiling server on the same document, bodies and load (issues 6, 12).

    python bench/compare_servers.py [--quick] [--spec specs/jxincm-private.yaml]
        [--cases 1KBx16,1KBx16+ka,1MBx8] [--duration S] [--sora-cmd '...'] [--no-ceiling]

Three servers run side by side for the whole run: sora-mock, Prism, and the ceiling (granian with
sora-mock's own command line serving bench/ceiling_app.py, which reads the body and answers a
fixed JSON: the most this stack can do here). Each is warmed up first; the cases rotate which one
goes first, because the machine is small (2 cores) and shared: absolute figures drift from run to
run, the ratios measured in one run are what the targets are about. A case is an image size, a
number of clients and a connection mode ('+ka': ab -k, connections kept open as the SDKs do).
Every run is capped by a request count and a time limit; Prism with large images takes seconds per
request, so its large-image runs are shorter and the table says how many requests were measured.
A server that is missing or does not start is left out, and the output says so.

Then two sora-mock scenarios: 16 clients uploading 20 MB images at once (peak RSS), and 10,000
small requests (RSS before, half-way and after: the journal and store must be bounded).
Results: a table on stdout and JSON under bench/results/.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from ceiling_app import ceiling_argv
from loadgen import LoadResult, run_ab
from procstat import PeakRss, tree_cpu_seconds, tree_rss_bytes
from report import CEILING, HEADER, PRISM, SORA, Case, Run, format_row, parse_cases, print_ratios, ratios, targets
from servers import Server
from workload import (
    TOKEN,
    Operation,
    content_type,
    find_operation,
    load_spec,
    make_png,
    multipart_body,
    parse_size,
    size_label,
)

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PRISM_BIN = BENCH / ".cache" / "node_modules" / ".bin" / "prism"
VENV_BIN = Path(sys.executable).parent
DEFAULT_SORA = f"{VENV_BIN}/sora-mock --host {{host}} --port {{port}} --upstream {{upstream}} --spec {{spec}}"
DEFAULT_SORA += " --render-seconds 1"
DEFAULT_PRISM = f"{PRISM_BIN} mock -h {{host}} -p {{port}} {{spec}}"
LARGE = 256 * 1024  # from this image size on, Prism runs get the short budget
MB = 1024 * 1024
# Issue 12's cases: 1 KB x16 with and without keep-alive, 1 MB x8.
DEFAULT_CASES = "1KBx16,1KBx16+ka,1MBx8"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="3 s runs, 2,000-request growth run")
    parser.add_argument("--spec", type=Path, default=ROOT / "specs" / "jxincm-private.yaml")
    parser.add_argument("--cases", default=DEFAULT_CASES, help="SIZExCLIENTS[+ka], comma-separated ('+ka': keep-alive)")
    parser.add_argument("--duration", type=float, help="time cap of one run in s (default 10; --quick: 3)")
    parser.add_argument(
        "--max-requests",
        type=int,
        default=400_000,
        help="request cap of one small-image run (keep-alive "
        "runs of the ceiling pass 20,000 req/s: the time cap, not this, should end them)",
    )
    parser.add_argument("--warmup-requests", type=int, default=1000, help="1KB requests each server gets first")
    parser.add_argument("--prism-large-requests", type=int, default=30, help="request cap of Prism at >=256KB")
    parser.add_argument("--prism-large-duration", type=float, default=10.0, help="time cap of Prism at >=256KB")
    parser.add_argument("--grace", type=float, default=20.0, help="s past the time cap before ab gets SIGINT")
    parser.add_argument("--sora-cmd", default=DEFAULT_SORA, help="template with {host} {port} {spec} {upstream}")
    parser.add_argument("--prism-cmd", default=DEFAULT_PRISM, help="template with {host} {port} {spec}")
    parser.add_argument("--ceiling-cmd", help="template with {host} {port} (default: sora-mock's granian command)")
    parser.add_argument("--upstream", help="sora-mock --upstream (default: from the document's name)")
    parser.add_argument("--no-prism", action="store_true", help="leave Prism out")
    parser.add_argument("--no-ceiling", action="store_true", help="leave the ceiling server out")
    parser.add_argument("--no-scenarios", action="store_true", help="skip the 20 MB and 10,000-request runs")
    parser.add_argument("--growth-requests", type=int, help="requests of the growth run (default 10000)")
    parser.add_argument(
        "--wait-load", type=float, help="before each case, wait (up to --wait-max s) for a 1-min load average this low"
    )
    parser.add_argument("--wait-max", type=float, default=300.0, help="longest wait for --wait-load, in s")
    parser.add_argument("--big-image", default="20MB", help="image size of the memory scenario")
    args = parser.parse_args(argv)
    args.cases = parse_cases(args.cases)
    args.duration = args.duration or (3.0 if args.quick else 10.0)
    args.growth_requests = args.growth_requests or (2000 if args.quick else 10000)
    if args.quick:
        args.prism_large_duration = min(args.prism_large_duration, 5.0)
        args.grace = min(args.grace, 10.0)
    args.upstream = args.upstream or ("chainhub" if "chainhub" in args.spec.name else "jxincm")
    return args


def ensure_tools(need_prism: bool) -> None:
    """Runs bench/setup.sh when Prism or ab is missing (it installs only what is missing)."""
    if (need_prism and not PRISM_BIN.exists()) or shutil.which("ab") is None:
        print("installing the benchmark tools with bench/setup.sh ...", flush=True)
        subprocess.run(["bash", str(BENCH / "setup.sh")], check=True)


def command_exists(template: str) -> bool:
    exe = shlex.split(template)[0]
    return shutil.which(exe) is not None or Path(exe).is_file()


def write_bodies(op: Operation, sizes: list[int], workdir: Path) -> dict[int, Path]:
    """One multipart body file per image size, as ab sends a file's bytes verbatim."""
    paths = {}
    for size in sizes:
        path = workdir / f"body-{size_label(size)}.bin"
        path.write_bytes(multipart_body(op, make_png(size)))
        paths[size] = path
    return paths


def probe(server: Server, op: Operation, body: Path) -> str | None:
    """One request before the load, as a server that rejects a body would only measure its
    errors (Prism answers 413 to bodies over 10 MiB). Returns why the body is refused, or None."""
    try:
        status, answer = server.post(op.path, body.read_bytes(), content_type(), TOKEN)
    except OSError as exc:
        return f"probe failed: {exc}"
    if 200 <= status < 300:
        return None
    return f"probe answered {status}: {answer[:160]!r}"


def probe_all(servers: list[Server], op: Operation, bodies: dict[int, Path]) -> dict[tuple[str, int], str]:
    """The (server, size) pairs whose body is refused, with the reason."""
    refused = {}
    for server in servers:
        for size, body in bodies.items():
            reason = probe(server, op, body)
            print(f"{server.name} {size_label(size)}: {reason or 'probe 2xx ok'}", flush=True)
            if reason:
                refused[(server.name, size)] = reason
            settle(server, f"the {size_label(size)} probe")
    return refused


def measure(server: Server, url: str, body: Path, case: Case, caps: tuple[int, float], grace: float) -> Run:
    """One load run with the server's RSS sampled throughout and its CPU time bracketed."""
    request_cap, time_cap = caps
    load_before = os.getloadavg()[0]
    cpu_before = tree_cpu_seconds(server.pid)
    sampler = PeakRss(server.pid).start()
    load = run_ab(url, body, content_type(), case.clients, request_cap, time_cap, grace, case.keepalive)
    peak = sampler.stop()
    cpu = tree_cpu_seconds(server.pid) - cpu_before
    return Run(
        server=server.name, size=size_label(case.size), clients=case.clients, keepalive=case.keepalive,
        request_cap=request_cap, time_cap_s=time_cap, load=load, peak_rss_mb=peak / MB,
        server_cpu_pct=cpu / load.elapsed_s * 100 if load.elapsed_s else 0.0,
        loadavg_1m=load_before,
    )  # fmt: skip


def url_of(server: Server, op: Operation) -> str:
    return f"http://127.0.0.1:{server.port}{op.path}"


def warm_up(server: Server, op: Operation, body: Path, args: argparse.Namespace) -> Run:
    """Small requests on new and on kept connections before anything is measured: caches, the
    JIT of Node, the allocator's arenas and granian's threads all start cold."""
    run = None
    for keepalive in (False, True):
        case = Case(parse_size("1KB"), 16, keepalive)
        run = measure(server, url_of(server, op), body, case, (args.warmup_requests, 15.0), args.grace)
    assert run is not None
    print(f"  warmed up {server.name}: {run.load.completed} requests at {run.load.rps:.0f} req/s", flush=True)
    settle(server, "the warm-up")
    return run


def caps_for(server: str, size: int, args: argparse.Namespace) -> tuple[int, float]:
    """(request cap, time cap) of one run: large bodies get fewer requests, Prism far fewer."""
    if server == "prism" and size >= LARGE:
        return args.prism_large_requests, args.prism_large_duration
    return max(50, min(args.max_requests, (2 * 1024 * MB) // size)), args.duration


def settle(server: Server, what: str) -> bool:
    """ab leaves requests in flight when its time limit ends a run, and a slow server goes on
    working on them: wait that out (or restart the server) so the next run, of either server,
    does not share the cores with stale work. False when the server had to be restarted."""
    if server.settle():
        return True
    print(f"  ({server.name} still busy after {what}: restarting it)", flush=True)
    server.restart()
    return False


def skipped_run(server: str, case: Case, reason: str) -> Run:
    """A case not run because the server refused its body in the probe."""
    load = LoadResult(0, 0, 0, 0.0, 0.0, None, None, 0.0, False, note=f"not run: {reason}")
    return Run(
        server=server, size=size_label(case.size), clients=case.clients, keepalive=case.keepalive,
        request_cap=0, time_cap_s=0.0, load=load, peak_rss_mb=0.0, server_cpu_pct=0.0, skipped=reason,
    )  # fmt: skip


def wait_for_quiet(limit: float | None, longest_s: float) -> None:
    """The machine is shared: a case measured while others' jobs hold the cores measures them.
    Waits until the 1-min load average is at most ``limit`` (or ``longest_s`` has passed)."""
    if limit is None:
        return
    deadline = time.monotonic() + longest_s
    while os.getloadavg()[0] > limit and time.monotonic() < deadline:
        time.sleep(5)
    if os.getloadavg()[0] > limit:
        print(f"  (load still {os.getloadavg()[0]:.1f} after {longest_s:.0f} s: measuring anyway)", flush=True)


def rotated(servers: list[Server], index: int) -> list[Server]:
    """The servers in case ``index``'s order: each goes first in turn."""
    shift = index % len(servers) if servers else 0
    return servers[shift:] + servers[:shift]


def run_matrix(
    servers: list[Server],
    op: Operation,
    bodies: dict[int, Path],
    args: argparse.Namespace,
    refused: dict[tuple[str, int], str],
) -> list[Run]:
    """Every case on every server, the servers taking turns at going first."""
    runs: list[Run] = []
    for index, case in enumerate(args.cases):
        wait_for_quiet(args.wait_load, args.wait_max)
        for server in rotated(servers, index):
            if (server.name, case.size) in refused:
                runs.append(skipped_run(server.name, case, refused[server.name, case.size]))
                print("  " + format_row(runs[-1]), flush=True)
                continue
            caps = caps_for(server.name, case.size, args)
            run = measure(server, url_of(server, op), bodies[case.size], case, caps, args.grace)
            runs.append(run)
            print("  " + format_row(run), flush=True)
            if not settle(server, f"{case.label}"):
                warm_up(server, op, bodies[min(bodies)], args)
    return runs


def memory_scenario(server: Server, op: Operation, workdir: Path, args: argparse.Namespace) -> dict[str, Any]:
    """16 clients upload big images at once: a server that buffers whole bodies per request
    holds 16 x 20 MB (and copies of it) in memory at the same moment."""
    size = parse_size(args.big_image)
    body = write_bodies(op, [size], workdir)[size]
    rss_before = tree_rss_bytes(server.pid) / MB
    run = measure(server, url_of(server, op), body, Case(size, 16), (32, 60.0), args.grace)
    print("  " + format_row(run), flush=True)
    settle(server, "the big uploads")
    return {"rss_before_mb": rss_before, "run": run_dict(run)}


def growth_scenario(server: Server, op: Operation, bodies: dict[int, Path], args: argparse.Namespace) -> dict[str, Any]:
    """Many small requests: RSS after a warm-up, half-way and at the end. Growth in the second
    half is the signal (the first may still fill caches); a journal or store kept without bound
    grows linearly in both."""
    url, case = url_of(server, op), Case(min(bodies), 16)
    body = bodies[case.size]
    half = args.growth_requests // 2
    measure(server, url, body, case, (500, 30.0), args.grace)  # warm-up
    rss = [tree_rss_bytes(server.pid) / MB]
    legs = []
    for _ in range(2):
        run = measure(server, url, body, case, (half, 300.0), args.grace)
        legs.append(run_dict(run))
        rss.append(tree_rss_bytes(server.pid) / MB)
        print("  " + format_row(run), flush=True)
    return {
        "requests": 2 * half,
        "completed": sum(leg["load"]["completed"] for leg in legs),
        "rss_mb": {"after_warmup": rss[0], "half_way": rss[1], "end": rss[2]},
        "growth_mb": rss[2] - rss[0],
        "second_half_growth_mb": rss[2] - rss[1],
        "legs": legs,
    }


def run_dict(run: Run) -> dict[str, Any]:
    return asdict(run)


def tool_versions(prism: Server | None) -> dict[str, str]:
    out: dict[str, str] = {"python": platform.python_version()}
    if prism is not None:
        done = subprocess.run([str(PRISM_BIN), "--version"], capture_output=True, text=True, check=False)
        out["prism"] = done.stdout.strip()
    done = subprocess.run(["ab", "-V"], capture_output=True, text=True, check=False)
    out["ab"] = done.stdout.splitlines()[0] if done.stdout else "?"
    return out


def write_json(payload: dict[str, Any]) -> Path:
    results = BENCH / "results"
    results.mkdir(exist_ok=True)
    path = results / f"compare-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(payload, indent=2, default=str))
    return path


def build_servers(args: argparse.Namespace, logdir: Path) -> tuple[list[Server], list[str]]:
    """sora-mock, Prism and the ceiling as configured; one that cannot be built is left out and noted."""
    notes: list[str] = []
    spec = args.spec.resolve()
    servers = []
    sora_cmd = args.sora_cmd.replace("{upstream}", args.upstream)
    if command_exists(sora_cmd):
        servers.append(Server(SORA, shlex.split(sora_cmd), spec, logdir / "sora-mock.log"))
    else:
        notes.append(f"sora-mock not found ({shlex.split(sora_cmd)[0]}): measured without it, no ratios")
    if not args.no_prism:
        servers.append(Server(PRISM, shlex.split(args.prism_cmd), spec, logdir / "prism.log"))
    if not args.no_ceiling:
        try:
            argv = shlex.split(args.ceiling_cmd) if args.ceiling_cmd else ceiling_argv()
            servers.append(Server(CEILING, argv, spec, logdir / "ceiling.log"))
        except (ImportError, RuntimeError) as exc:
            notes.append(f"no ceiling server: {exc}")
    return servers, notes


def start_all(servers: list[Server], notes: list[str]) -> list[Server]:
    """The servers that came up. One that does not (sora-mock's entry point may exist before its
    module does) is left out with a note, and the other is still measured."""
    up = []
    for server in servers:
        try:
            server.start()
            up.append(server)
        except RuntimeError as exc:
            server.stop()
            notes.append(f"{exc}: measured without it, no ratios")
            print(f"NOTE: {notes[-1]}", flush=True)
    return up


def print_preamble(args: argparse.Namespace) -> None:
    """What the numbers below are: the caps, so a short Prism run is read as one."""
    print(f"\n{args.spec.name}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}")
    print(
        f"caps per run: {args.duration:.0f} s; Prism with images >= 256KB: "
        f"{args.prism_large_requests} requests or {args.prism_large_duration:.0f} s. "
        "'measured' = completed/cap, '*' = cut at the hard deadline\n"
    )
    print("  " + HEADER)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    ensure_tools(need_prism=not args.no_prism)
    op = find_operation(load_spec(args.spec))
    sizes = sorted({parse_size("1KB")} | {case.size for case in args.cases})  # 1KB: the warm-up's
    logdir = BENCH / "results" / "logs"
    logdir.mkdir(parents=True, exist_ok=True)
    servers, notes = build_servers(args, logdir)
    for note in notes:
        print(f"NOTE: {note}")
    if not servers:
        print("nothing to measure")
        return 1
    started = time.time()
    with tempfile.TemporaryDirectory(prefix="sora-bench-") as tmp:
        workdir = Path(tmp)
        bodies = write_bodies(op, sizes, workdir)
        scenarios: dict[str, Any] = {}
        try:
            servers = start_all(servers, notes)
            refused = probe_all(servers, op, bodies)
            warmups = [run_dict(warm_up(server, op, bodies[min(bodies)], args)) for server in servers]
            print_preamble(args)
            runs = run_matrix(servers, op, bodies, args, refused)
            sora = next((s for s in servers if s.name == SORA), None)
            if sora is not None and not args.no_scenarios:
                big, many = args.big_image, args.growth_requests
                print(f"\nsora-mock scenarios: 16 x {big} at once; {many} small requests")
                # growth first: arenas left by the big uploads could hide growth if it came after
                scenarios["growth"] = growth_scenario(sora, op, bodies, args)
                scenarios["memory"] = memory_scenario(sora, op, workdir, args)
                growth = scenarios["growth"]
                print("  RSS MB after warm-up / half-way / end: "
                      + " / ".join(f"{v:.1f}" for v in growth["rss_mb"].values()))  # fmt: skip
        finally:
            for server in servers:
                server.stop()
    rows = ratios(runs)
    if rows:
        print_ratios(rows)
    verdicts = targets(runs, rows, scenarios)
    print("\ntargets:")
    for line in verdicts:
        print(f"  {line}")
    path = write_json({
        "spec": str(args.spec), "started": started, "duration_s": time.time() - started,
        "machine": {"cores": os.cpu_count(), "loadavg": os.getloadavg(), "kernel": platform.release()},
        "tools": tool_versions(next((s for s in servers if s.name == PRISM), None)),
        "notes": notes, "warmups": warmups, "runs": [run_dict(r) for r in runs], "ratios": rows,
        "scenarios": scenarios, "targets": verdicts,
        "args": {**vars(args), "cases": [case.label for case in args.cases]},
    })  # fmt: skip
    print(f"\nwrote {path.relative_to(ROOT)} (server logs in {logdir.relative_to(ROOT)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
