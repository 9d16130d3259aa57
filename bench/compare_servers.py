"""sora-mock against Prism on the same document, the same bodies and the same load (issue 6).

    python bench/compare_servers.py [--quick] [--spec specs/jxincm-private.yaml]
        [--sizes 1KB,1MB,10MB] [--concurrency 1,16] [--duration S] [--sora-cmd '...']

Both servers run side by side for the whole run and the cases alternate which one goes first,
because the machine is small (2 cores) and shared: absolute figures drift from run to run, the
ratios measured in one run are what the targets are about. Every run is capped by a request
count and a time limit; Prism with large images takes seconds per request, so its large-image
runs are shorter and the table says how many requests were measured. When sora-mock is not
installed yet, Prism is measured alone and the output says so.

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
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from loadgen import LoadResult, run_ab
from procstat import PeakRss, tree_cpu_seconds, tree_rss_bytes
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
DEFAULT_SORA = (
    f"{VENV_BIN}/sora-mock --host {{host}} --port {{port}} --upstream {{upstream}} --spec {{spec}}"
)
DEFAULT_SORA += " --render-seconds 1"
DEFAULT_PRISM = f"{PRISM_BIN} mock -h {{host}} -p {{port}} {{spec}}"
LARGE = 256 * 1024  # from this image size on, Prism runs get the short budget
MB = 1024 * 1024


@dataclass
class Run:
    """One server x size x clients measurement."""

    server: str
    size: str
    clients: int
    request_cap: int
    time_cap_s: float
    load: LoadResult
    peak_rss_mb: float
    server_cpu_pct: float
    skipped: str = ""

    @property
    def clean(self) -> bool:
        load = self.load
        return not self.skipped and load.completed > 0 and not load.non_2xx and not load.failed


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="3 s runs, 1KB and 1MB, 2,000-request growth run")
    parser.add_argument("--spec", type=Path, default=ROOT / "specs" / "jxincm-private.yaml")
    parser.add_argument("--sizes", help="image sizes (default 1KB,1MB,10MB; --quick: 1KB,1MB)")
    parser.add_argument("--concurrency", default="1,16", help="concurrent clients per run")
    parser.add_argument("--duration", type=float, help="time cap of one run in s (default 10; --quick: 3)")
    parser.add_argument("--max-requests", type=int, default=20000, help="request cap of one small-image run")
    parser.add_argument("--prism-large-requests", type=int, default=30, help="request cap of Prism at >=256KB")
    parser.add_argument("--prism-large-duration", type=float, default=10.0, help="time cap of Prism at >=256KB")
    parser.add_argument("--grace", type=float, default=20.0, help="s past the time cap before ab gets SIGINT")
    parser.add_argument("--sora-cmd", default=DEFAULT_SORA, help="template with {host} {port} {spec} {upstream}")
    parser.add_argument("--prism-cmd", default=DEFAULT_PRISM, help="template with {host} {port} {spec}")
    parser.add_argument("--upstream", help="sora-mock --upstream (default: from the document's name)")
    parser.add_argument("--no-prism", action="store_true", help="measure sora-mock alone")
    parser.add_argument("--no-scenarios", action="store_true", help="skip the 20 MB and 10,000-request runs")
    parser.add_argument("--growth-requests", type=int, help="requests of the growth run (default 10000)")
    parser.add_argument("--big-image", default="20MB", help="image size of the memory scenario")
    args = parser.parse_args(argv)
    args.sizes = args.sizes or ("1KB,1MB" if args.quick else "1KB,1MB,10MB")
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
            after_run(server, f"the {size_label(size)} probe")
    return refused


def measure(
    server: Server, url: str, body: Path, label: str, clients: int, caps: tuple[int, float], grace: float
) -> Run:
    """One load run with the server's RSS sampled throughout and its CPU time bracketed."""
    request_cap, time_cap = caps
    cpu_before = tree_cpu_seconds(server.pid)
    sampler = PeakRss(server.pid).start()
    load = run_ab(url, body, content_type(), clients, request_cap, time_cap, grace)
    peak = sampler.stop()
    cpu = tree_cpu_seconds(server.pid) - cpu_before
    return Run(
        server=server.name, size=label, clients=clients, request_cap=request_cap, time_cap_s=time_cap,
        load=load, peak_rss_mb=peak / MB,
        server_cpu_pct=cpu / load.elapsed_s * 100 if load.elapsed_s else 0.0,
    )  # fmt: skip


def caps_for(server: str, size: int, args: argparse.Namespace) -> tuple[int, float]:
    """(request cap, time cap) of one run: large bodies get fewer requests, Prism far fewer."""
    if server == "prism" and size >= LARGE:
        return args.prism_large_requests, args.prism_large_duration
    return max(50, min(args.max_requests, (2 * 1024 * MB) // size)), args.duration


def after_run(server: Server, what: str) -> None:
    """ab leaves requests in flight when its time limit ends a run, and a slow server goes on
    working on them: wait that out (or restart the server) so the next run, of either server,
    does not share the cores with stale work."""
    if not server.settle():
        print(f"  ({server.name} still busy after {what}: restarting it)", flush=True)
        server.restart()


def skipped_run(server: str, label: str, clients: int, reason: str) -> Run:
    """A case not run because the server refused its body in the probe."""
    load = LoadResult(0, 0, 0, 0.0, 0.0, None, None, 0.0, False, note=f"not run: {reason}")
    return Run(server, label, clients, 0, 0.0, load, 0.0, 0.0, skipped=reason)


def run_matrix(
    servers: list[Server],
    op: Operation,
    bodies: dict[int, Path],
    args: argparse.Namespace,
    refused: dict[tuple[str, int], str],
) -> list[Run]:
    """Every size x clients case, the servers alternating who goes first."""
    runs: list[Run] = []
    clients_list = [int(c) for c in args.concurrency.split(",")]
    case = 0
    for size, body in bodies.items():
        for clients in clients_list:
            order = servers if case % 2 == 0 else servers[::-1]
            case += 1
            for server in order:
                if (server.name, size) in refused:
                    runs.append(skipped_run(server.name, size_label(size), clients, refused[server.name, size]))
                    print("  " + format_row(runs[-1]), flush=True)
                    continue
                caps = caps_for(server.name, size, args)
                url = f"http://127.0.0.1:{server.port}{op.path}"
                run = measure(server, url, body, size_label(size), clients, caps, args.grace)
                runs.append(run)
                print("  " + format_row(run), flush=True)
                after_run(server, f"{run.size} x{run.clients}")
    return runs


def memory_scenario(server: Server, op: Operation, workdir: Path, args: argparse.Namespace) -> dict[str, Any]:
    """16 clients upload big images at once: a server that buffers whole bodies per request
    holds 16 x 20 MB (and copies of it) in memory at the same moment."""
    size = parse_size(args.big_image)
    body = write_bodies(op, [size], workdir)[size]
    url = f"http://127.0.0.1:{server.port}{op.path}"
    rss_before = tree_rss_bytes(server.pid) / MB
    run = measure(server, url, body, size_label(size), 16, (32, 60.0), args.grace)
    print("  " + format_row(run), flush=True)
    after_run(server, "the big uploads")
    return {"rss_before_mb": rss_before, "run": run_dict(run)}


def growth_scenario(server: Server, op: Operation, body: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Many small requests: RSS after a warm-up, half-way and at the end. Growth in the second
    half is the signal (the first may still fill caches); a journal or store kept without bound
    grows linearly in both."""
    url = f"http://127.0.0.1:{server.port}{op.path}"
    half = args.growth_requests // 2
    label = body.stem.split("-")[1]
    measure(server, url, body, label, 16, (500, 30.0), args.grace)  # warm-up
    rss = [tree_rss_bytes(server.pid) / MB]
    legs = []
    for _ in range(2):
        run = measure(server, url, body, label, 16, (half, 300.0), args.grace)
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


def fmt_ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


HEADER = (
    f"{'server':<10} {'image':>6} {'clients':>7} {'measured':>9} {'req/s':>9} {'p50 ms':>9} {'p99 ms':>9} "
    f"{'peak RSS MB':>11} {'errors':>6} {'srv CPU%':>8} {'ab CPU%':>7}"
)


def format_row(run: Run) -> str:
    """One table line; 'measured' is completed requests / cap, '*' when the hard deadline hit."""
    load = run.load
    measured = f"{load.completed}/{run.request_cap}" + ("*" if load.cut_short else "")
    line = (
        f"{run.server:<10} {run.size:>6} {run.clients:>7} {measured:>9} {load.rps:>9.1f} "
        f"{fmt_ms(load.p50_ms):>9} {fmt_ms(load.p99_ms):>9} {run.peak_rss_mb:>11.1f} "
        f"{load.non_2xx + load.failed:>6} {run.server_cpu_pct:>8.0f} {load.loadgen_cpu_pct:>7.0f}"
    )
    return line + (f"  {load.note}" if load.note else "")


def ratios(runs: list[Run]) -> list[dict[str, Any]]:
    """sora-mock / Prism per case. When Prism completed nothing, its rate is at most one request
    over the elapsed time, so the ratio is a lower bound ('>=')."""
    by_key = {(r.server, r.size, r.clients): r for r in runs}
    rows = []
    for (server, size, clients), sora in by_key.items():
        prism = by_key.get(("prism", size, clients))
        if server != "sora-mock" or prism is None or sora.skipped or prism.skipped:
            continue
        bound = prism.load.completed == 0
        prism_rps = (1 / prism.load.elapsed_s if prism.load.elapsed_s else 0.0) if bound else prism.load.rps
        rows.append({
            "size": size, "clients": clients,
            "rps_ratio": sora.load.rps / prism_rps if prism_rps else None, "lower_bound": bound,
            "p50_speedup": _div(prism.load.p50_ms, sora.load.p50_ms),
            "p99_speedup": _div(prism.load.p99_ms, sora.load.p99_ms),
            "rss_ratio": _div(sora.peak_rss_mb, prism.peak_rss_mb),
            "both_clean": sora.clean and prism.clean,
        })  # fmt: skip
    return rows


def _div(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def print_ratios(rows: list[dict[str, Any]]) -> None:
    print("\nsora-mock / Prism (req/s ratio; p50, p99: how many times faster; RSS: sora/Prism)")
    for row in rows:
        rps = "-" if row["rps_ratio"] is None else f"{'>=' if row['lower_bound'] else ''}{row['rps_ratio']:.1f}x"
        p50, p99, rss = (
            "-" if row[k] is None else f"{row[k]:.1f}x" for k in ("p50_speedup", "p99_speedup", "rss_ratio")
        )
        flag = "" if row["both_clean"] else "  (errors or nothing completed: see the table)"
        case = f"{row['size']:>6} x{row['clients']:<3}"
        print(f"  {case} req/s {rps:>9}  p50 {p50:>8}  p99 {p99:>8}  RSS {rss}{flag}")


def targets(runs: list[Run], rows: list[dict[str, Any]], scenarios: dict[str, Any]) -> list[str]:
    """The issue's targets, each PASS / FAIL / n/a (not measured in this run)."""

    def ratio_at(size: str, minimum: float) -> str:
        hits = [r for r in rows if r["size"] == size and r["clients"] == 16 and r["rps_ratio"] is not None]
        if not hits:
            return "n/a"
        ok = hits[0]["rps_ratio"] >= minimum and hits[0]["both_clean"]
        return f"{'PASS' if ok else 'FAIL'} ({hits[0]['rps_ratio']:.1f}x)"

    sora_small = [r for r in runs if r.server == "sora-mock" and r.size == "1KB" and r.clients == 16]
    p99 = "n/a"
    if sora_small and sora_small[0].load.p99_ms is not None:
        value = sora_small[0].load.p99_ms
        p99 = f"{'PASS' if value <= 50 and sora_small[0].clean else 'FAIL'} ({value:.1f} ms)"
    memory, growth = scenarios.get("memory"), scenarios.get("growth")
    mem = (
        "n/a" if not memory else _verdict(memory["run"]["peak_rss_mb"] <= 150, f"{memory['run']['peak_rss_mb']:.0f} MB")
    )
    grow = "n/a"
    if growth:
        tail = growth["second_half_growth_mb"]
        grow = _verdict(tail <= 5, f"{growth['growth_mb']:+.1f} MB overall, {tail:+.1f} MB in the second half")
    return [
        f"req/s >= 3x Prism, 1KB, 16 clients:     {ratio_at('1KB', 3)}",
        f"req/s >= 100x Prism, 1MB, 16 clients:   {ratio_at('1MB', 100)}",
        f"p99 <= 50 ms, 1KB, 16 clients:          {p99}",
        f"peak RSS <= 150 MB, 16 x 20 MB uploads: {mem}",
        f"no RSS growth (<= 5 MB, 2nd half):      {grow}",
    ]


def _verdict(ok: bool, detail: str) -> str:
    return f"{'PASS' if ok else 'FAIL'} ({detail})"


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
    """Prism and sora-mock as configured; a missing sora-mock is left out and noted."""
    notes: list[str] = []
    spec = args.spec.resolve()
    servers = []
    if not args.no_prism:
        servers.append(Server("prism", shlex.split(args.prism_cmd), spec, logdir / "prism.log"))
    sora_cmd = args.sora_cmd.replace("{upstream}", args.upstream)
    if command_exists(sora_cmd):
        servers.append(Server("sora-mock", shlex.split(sora_cmd), spec, logdir / "sora-mock.log"))
    else:
        notes.append(f"sora-mock not found ({shlex.split(sora_cmd)[0]}): Prism measured alone, no ratios")
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
    print(HEADER)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    ensure_tools(need_prism=not args.no_prism)
    op = find_operation(load_spec(args.spec))
    sizes = [parse_size(s) for s in args.sizes.split(",")]
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
            print_preamble(args)
            runs = run_matrix(servers, op, bodies, args, refused)
            sora = next((s for s in servers if s.name == "sora-mock"), None)
            if sora is not None and not args.no_scenarios:
                big, many = args.big_image, args.growth_requests
                print(f"\nsora-mock scenarios: 16 x {big} at once; {many} small requests")
                # growth first: arenas left by the big uploads could hide growth if it came after
                scenarios["growth"] = growth_scenario(sora, op, bodies[min(bodies)], args)
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
    print("\ntargets (issue 6):")
    for line in verdicts:
        print(f"  {line}")
    path = write_json({
        "spec": str(args.spec), "started": started, "duration_s": time.time() - started,
        "machine": {"cores": os.cpu_count(), "loadavg": os.getloadavg(), "kernel": platform.release()},
        "tools": tool_versions(next((s for s in servers if s.name == "prism"), None)),
        "notes": notes, "runs": [run_dict(r) for r in runs], "ratios": rows,
        "scenarios": scenarios, "targets": verdicts, "args": vars(args),
    })  # fmt: skip
    print(f"\nwrote {path.relative_to(ROOT)} (server logs in {logdir.relative_to(ROOT)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
