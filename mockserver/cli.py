"""``sora-mock``: start the mock server (granian or uvicorn) from the command line.

With no arguments it serves http://127.0.0.1:4010 and enforces the jxincm documents bundled in
``specs/``. ``--workers N`` needs ``--state PATH``: each worker is a separate process, and only
SQLite state is shared between them.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from pathlib import Path

import uvicorn

from contract_tests.core.checker import DEFAULT_MAX_BODY_BYTES
from contract_tests.core.controls import parse_latency
from contract_tests.core.engine import DEFAULT_RENDER_SECONDS
from contract_tests.core.specs import SpecError
from mockserver import settings as defaults
from mockserver.settings import ENV, Settings, registry_for, upstream_for

MIB = 1024 * 1024


def _spec(value: str) -> tuple[str | None, str]:
    """``PATH`` (adds it, or replaces the document with the same file name) or ``NAME=PATH``."""
    name, sep, path = value.partition("=")
    if sep and name and not Path(value).exists():
        return name, str(Path(path).resolve())
    return None, str(Path(value).resolve())


def _rate(value: str) -> float:
    rate = float(value)
    if not 0.0 <= rate <= 1.0:
        raise argparse.ArgumentTypeError(f"{value}: expected a number from 0 to 1")
    return rate


def _latency(value: str) -> tuple[float, float]:
    try:
        return parse_latency(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="sora-mock",
        description="A stateful mock of the OpenAI Videos API (POST /v1/videos and its lifecycle) that "
        "checks every create call against the relay's published documents.",
    )
    p.add_argument("--host", default=defaults.DEFAULT_HOST, help="interface to bind (default: %(default)s)")
    p.add_argument("--port", type=int, default=defaults.DEFAULT_PORT, help="port (default: %(default)s)")
    p.add_argument(
        "--upstream",
        help=f"whose documents to enforce: jxincm or chainhub (default: {defaults.DEFAULT_UPSTREAM}, "
        "or the server of the last --spec document)",
    )
    p.add_argument(
        "--spec",
        action="append",
        default=[],
        metavar="[NAME=]PATH",
        help="add an OpenAPI document; one named like a bundled one (jxincm-private.yaml, or "
        "NAME=PATH) replaces it. Repeatable.",
    )
    p.add_argument("--seed", type=int, help="make ids, timings and injected faults reproducible")
    p.add_argument(
        "--render-seconds",
        type=float,
        default=DEFAULT_RENDER_SECONDS,
        help="how long a video takes from queued to completed (default: %(default)s)",
    )
    p.add_argument(
        "--failure-rate", type=_rate, default=0.0, help="share of videos that end failed, 0..1 (default: 0)"
    )
    p.add_argument(
        "--error-rate", type=_rate, default=0.0, help="share of API requests answered 500, 0..1 (default: 0)"
    )
    p.add_argument(
        "--latency", type=_latency, default=(0.0, 0.0), metavar="MS|MIN-MAX", help="added latency in ms (default: 0)"
    )
    p.add_argument(
        "--max-upload-mb",
        type=float,
        default=DEFAULT_MAX_BODY_BYTES / MIB,
        help="largest request body, in MiB; larger gets 413 (default: %(default)g)",
    )
    p.add_argument("--state", metavar="PATH", help="keep videos and the journal in this SQLite file")
    p.add_argument("--workers", type=int, default=1, help="worker processes; more than 1 needs --state")
    p.add_argument(
        "--server",
        choices=("uvicorn", "granian"),
        default="granian",
        help="the ASGI server for the app: granian (default; Rust HTTP, about 1.4x uvicorn's requests/s on "
        "small uploads, see README 'Performance') or uvicorn",
    )
    p.add_argument(
        "--proxy", metavar="URL",
        help="forward every request to this relay (its base URL) and check both halves of each exchange "
        "instead of answering from the mock",
    )
    p.add_argument(
        "--proxy-token-env", metavar="VAR",
        help="with --proxy: send 'Authorization: Bearer $VAR' to the relay instead of the client's own",
    )
    p.add_argument(
        "--proxy-timeout", type=float, default=60.0, metavar="S",
        help="with --proxy: seconds to wait for the relay (connecting: at most 10) before answering 504 "
        "(default: %(default)g)",
    )
    p.add_argument("--record", metavar="FILE.har", help="with --proxy: record every exchange as HAR 1.2 (redacted)")
    p.add_argument(
        "--replay", metavar="FILE.har",
        help="answer the way the recorded relay did: its error bodies per invalid class, its extra video fields "
        "and headers; the rest from the contract",
    )
    p.add_argument("--access-log", action="store_true", help="log every request to stderr (the journal has more)")
    return p


def settings_from(args: argparse.Namespace) -> Settings:
    return Settings(
        host=args.host,
        port=args.port,
        upstream=args.upstream,
        specs=tuple(_spec(s) for s in args.spec),
        seed=args.seed,
        render_seconds=args.render_seconds,
        failure_rate=args.failure_rate,
        error_rate=args.error_rate,
        latency_ms=args.latency,
        max_upload_bytes=int(args.max_upload_mb * MIB),
        state=args.state,
        workers=args.workers,
        access_log=args.access_log,
        proxy=args.proxy,
        proxy_token_env=args.proxy_token_env,
        proxy_timeout=args.proxy_timeout,
        record=str(Path(args.record).resolve()) if args.record else None,
        replay=str(Path(args.replay).resolve()) if args.replay else None,
    )


def _mode(settings: Settings) -> list[str]:
    """The banner's line for the proxy or the replay, when one is on."""
    lines = []
    if settings.proxy:
        token = f"; token from ${settings.proxy_token_env}" if settings.proxy_token_env else ""
        lines.append(f"  proxy:     every request goes to {settings.proxy}{token}, checked both ways "
                     f"(violations in the 'sora-violations' header and the journal)")
    if settings.record:
        lines.append(f"  recording: {settings.record} (HAR 1.2, redacted)")
    if settings.replay:
        lines.append(f"  replay:    answers as recorded in {settings.replay}")
    return lines


def _check_modes(settings: Settings) -> str | None:
    """Why the proxy/record/replay flags cannot start, or None."""
    if settings.record and not settings.proxy:
        return "--record needs --proxy URL (it records what the relay answers)"
    if settings.proxy and settings.replay:
        return "--proxy and --replay exclude each other: one asks the relay, the other answers as it did"
    if settings.proxy and not settings.proxy.startswith(("http://", "https://")):
        return f"--proxy {settings.proxy}: expected an http:// or https:// base URL"
    if settings.proxy_token_env and not os.environ.get(settings.proxy_token_env):
        return f"--proxy-token-env {settings.proxy_token_env}: that environment variable is not set"
    if settings.replay:
        from contract_tests.core.har import HarError, read_entries

        try:
            read_entries(settings.replay)
        except HarError as exc:
            return f"--replay: {exc}"
    return None


def banner(settings: Settings, upstream: str, documents: list[str]) -> str:
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    url = f"http://{host}:{settings.port}"
    state = settings.state or "memory (lost on exit; --state PATH keeps it)"
    return "\n".join(
        [
            f"sora-mock listening on {url}",
            f"  upstream:  {upstream} (documents: {', '.join(documents)})",
            f"  renders:   {settings.render_seconds:g} s per video; state: {state}",
            f"  OpenAPI:   {url}/openapi.json    journal: {url}/__admin/requests",
            *_mode(settings),
            "  try it:",
            f"    curl -s {url}/v1/videos -H 'Authorization: Bearer sk-local' \\",
            "      -F model=sora-2 -F prompt='a cat on a skateboard' -F seconds=4 -F size=16x9 \\",
            "      -F watermark=false -F input_reference=@first-frame.png",
            f"    curl -s {url}/v1/videos -H 'Authorization: Bearer sk-local'",
            "  Ctrl-C stops it.",
        ]
    )


def serve_with_granian(settings: Settings) -> None:
    """Replace this process with granian serving the same ASGI app (settings travel in ``ENV``).

    granian supervises its worker from a parent process; exec'ing its own small command line
    keeps that parent from holding the registry and the app this process has loaded (~30 MB).
    """
    command = [sys.executable, "-m", "granian", "--interface", "asgi", "--factory", "--no-ws"]
    command += ["--host", settings.host, "--port", str(settings.port), "--workers", str(settings.workers)]
    command += ["--log-level", "info" if settings.access_log else "warning"]
    if settings.access_log:
        command.append("--access-log")
    sys.stdout.flush()
    os.execv(sys.executable, [*command, "mockserver.app:app_from_env"])


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    settings = settings_from(args)
    if settings.workers < 1:
        print("sora-mock: --workers must be at least 1", file=sys.stderr)
        return 2
    if settings.workers > 1 and not settings.state:
        print(
            "sora-mock: --workers > 1 needs --state PATH: each worker is a process with its own memory, "
            "so videos created on one would be unknown to the others.",
            file=sys.stderr,
        )
        return 2
    problem = _check_modes(settings)
    if problem is not None:
        print(f"sora-mock: {problem}", file=sys.stderr)
        return 2
    if settings.record:
        Path(settings.record).unlink(missing_ok=True)  # a run starts a new recording
    try:
        registry = registry_for(settings)
        upstream = upstream_for(settings, registry)
    except SpecError as exc:
        print(f"sora-mock: {exc}", file=sys.stderr)
        return 2
    settings = dataclasses.replace(settings, upstream=upstream)  # every worker enforces the same one
    documents = [doc.id for doc in registry.server(upstream).documents]
    print(banner(settings, upstream, documents), flush=True)
    os.environ[ENV] = settings.to_env()
    if args.server == "granian":
        serve_with_granian(settings)
    else:
        uvicorn.run(
            "mockserver.app:app_from_env",
            factory=True,
            host=settings.host,
            port=settings.port,
            workers=settings.workers,
            access_log=settings.access_log,
            log_level="info" if settings.access_log else "warning",
            timeout_graceful_shutdown=5,
            proxy_headers=False,  # a local mock behind no proxy: skip uvicorn's per-request X-Forwarded-* pass
        )
    return 0
